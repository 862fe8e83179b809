#!/bin/bash
source results/lpq/ablation/queue_lib.sh
run results/lpq/ga_wa8_cap6_lam0.1_seed3 --seed 3 $WA
run results/lpq/ga_wa8_cap6_lam0.1_seed4 --seed 4 $WA
# nocap_lam0.6_seed1: moved to queue_8.sh
echo "$(date -u +%T) $0 done"
# (run separately from 22:38 to finish in time: queue_8.sh)
