#!/bin/bash
source results/lpq/ablation/queue_lib.sh
run $O/calib48x48_seed0 --seed 0 $C --n-calib 48
run $O/calib48x48_seed1 --seed 1 $C --n-calib 48
echo "$(date -u +%T) $0 done"
