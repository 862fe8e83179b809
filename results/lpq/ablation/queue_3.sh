#!/bin/bash
source results/lpq/ablation/queue_lib.sh
run $O/local_only_seed1 --seed 1 $C --w-global 0
run $O/local_only_seed2 --seed 2 $C --w-global 0
for S in 0 1 2; do run $O/global_only_seed$S --seed $S $C --w-local 0; done
echo "$(date -u +%T) $0 done"
