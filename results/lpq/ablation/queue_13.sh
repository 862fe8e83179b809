#!/bin/bash
# The other 316-evaluation ablations to five seeds (with queue_14.sh on the second core), then their evaluation.
source results/lpq/ablation/queue_lib.sh
R=results/lpq/ablation/runs
for S in 2 3; do run $R/tau0.1_seed$S --seed $S --lam 0.1 --max-bits 6 --tau 0.1; done
run $R/nocap_lam0.3_seed3 --seed 3 --lam 0.3
for S in 1 2; do run $R/nocap_lam0.15_seed$S --seed $S --lam 0.15; done
for F in tau0.1_seed2 tau0.1_seed3 nocap_lam0.3_seed3 nocap_lam0.15_seed1 nocap_lam0.15_seed2; do
  nice -n 19 "${PYTHON:-python3}" -m lognum.lpq.cli evaluate --only runs --pattern "$F.json" $R 2>&1 | tail -1; done
echo "$(date -u +%T) $0 done"
