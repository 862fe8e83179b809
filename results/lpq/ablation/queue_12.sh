#!/bin/bash
# After queue_10.sh (WAIT_PID): held-out evaluation of its searches (seeds 3, 4), then seed 4 of the
# cap-free lam 0.6 search at the full 316 evaluations (as runs/nocap_lam0.6_seed{1,2}) and its evaluation.
source results/lpq/ablation/queue_lib.sh
ev() { nice -n 19 "${PYTHON:-python3}" -m lognum.lpq.cli evaluate --only runs --pattern "$1" $2 2>&1 | tail -1; }
for V in calib48x48 global_only tau0.1 tau1.0; do ev "${V}_seed[34].json" $O; done
run results/lpq/ablation/runs/nocap_lam0.6_seed4 --seed 4 --lam 0.6
ev "nocap_lam0.6_seed4.json" results/lpq/ablation/runs
echo "$(date -u +%T) $0 done"
