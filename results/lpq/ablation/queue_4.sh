#!/bin/bash
source results/lpq/ablation/queue_lib.sh
run $O/tau1.0_seed1 --seed 1 $C --tau 1.0
run $O/tau1.0_seed2 --seed 2 $C --tau 1.0
for S in 0 1 2; do run $O/tau0.1_seed$S --seed $S $C --tau 0.1; done
echo "$(date -u +%T) $0 done"
