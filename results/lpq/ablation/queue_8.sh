#!/bin/bash
source results/lpq/ablation/queue_lib.sh
run results/lpq/ablation/runs/nocap_lam0.6_seed1 --seed 1 --lam 0.6
