#!/bin/bash
source results/lpq/ablation/queue_lib.sh
run results/lpq/ablation/runs/nocap_lam0.6_seed2 --seed 2 --lam 0.6
run $O/calib48x48_seed2 --seed 2 $C --n-calib 48
echo "$(date -u +%T) $0 done"
