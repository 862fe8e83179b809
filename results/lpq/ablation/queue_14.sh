#!/bin/bash
# The other 316-evaluation ablations to five seeds (second half; see queue_13.sh).
source results/lpq/ablation/queue_lib.sh
R=results/lpq/ablation/runs
run $R/tau0.1_seed4 --seed 4 --lam 0.1 --max-bits 6 --tau 0.1
run $R/nocap_lam0.3_seed4 --seed 4 --lam 0.3
for S in 3 4; do run $R/nocap_lam0.15_seed$S --seed $S --lam 0.15; done
for F in tau0.1_seed4 nocap_lam0.3_seed4 nocap_lam0.15_seed3 nocap_lam0.15_seed4; do
  nice -n 19 "${PYTHON:-python3}" -m lognum.lpq.cli evaluate --only runs --pattern "$F.json" $R 2>&1 | tail -1; done
echo "$(date -u +%T) $0 done"
