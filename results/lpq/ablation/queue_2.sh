#!/bin/bash
source results/lpq/ablation/queue_lib.sh
run results/lpq/ga_wa8_cap6_lam0.1_seed3 --seed 3 $WA
run results/lpq/ga_wa8_cap6_lam0.1_seed4 --seed 4 $WA
run results/lpq/ablation/runs/nocap_lam0.6_seed1 --seed 1 --lam 0.6
echo "$(date -u +%T) $0 done"
