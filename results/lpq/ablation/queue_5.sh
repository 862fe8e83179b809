#!/bin/bash
source results/lpq/ablation/queue_lib.sh
run $O/cosine_seed0 --seed 0 $C --distill cosine
run $O/cosine_seed1 --seed 1 $C --distill cosine
for S in 0 1 2; do run $O/calib12x48_seed$S --seed $S $C --n-calib 12; done
echo "$(date -u +%T) $0 done"
