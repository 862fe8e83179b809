#!/bin/bash
source results/lpq/ablation/queue_lib.sh
run $O/mse_seed0 --seed 0 $C --distill mse
run $O/mse_seed1 --seed 1 $C --distill mse
run $O/mse_seed2 --seed 2 $C --distill mse
run $O/cosine_seed2 --seed 2 $C --distill cosine
echo "$(date -u +%T) $0 done"
