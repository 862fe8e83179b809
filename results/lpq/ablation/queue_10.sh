#!/bin/bash
# Seeds 3 and 4 of the runs156 variants (second half; see queue_9.sh).
source results/lpq/ablation/queue_lib.sh
for S in 3 4; do run $O/calib48x48_seed$S --seed $S $C --n-calib 48; done
for S in 3 4; do run $O/global_only_seed$S --seed $S $C --w-local 0; done
for S in 3 4; do run $O/tau0.1_seed$S --seed $S $C --tau 0.1; done
for S in 3 4; do run $O/tau1.0_seed$S --seed $S $C --tau 1.0; done
echo "$(date -u +%T) $0 done"
