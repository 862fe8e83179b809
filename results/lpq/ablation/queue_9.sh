#!/bin/bash
# Seeds 3 and 4 of the runs156 variants (first half; queue_10.sh runs the other half on the second core).
source results/lpq/ablation/queue_lib.sh
for S in 3 4; do run $O/default_seed$S --seed $S $C; done
for S in 3 4; do run $O/mse_seed$S --seed $S $C --distill mse; done
for S in 3 4; do run $O/cosine_seed$S --seed $S $C --distill cosine; done
for S in 3 4; do run $O/local_only_seed$S --seed $S $C --w-global 0; done
for S in 3 4; do run $O/calib12x48_seed$S --seed $S $C --n-calib 12; done
echo "$(date -u +%T) $0 done"
