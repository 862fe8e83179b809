#!/bin/bash
# queue A: fitness ablations that need no new code (tau, calibration size, lam without the cap).
# Seed 0 of lam 0.3 without the cap was re-run first (nocap_lam0.3_seed0.json: the same genome
# and fitness as results/lpq/ga_seed0.json); lam 0.3 seeds 1, 2 and seed 0 of lam 0.15 / 0.6 are
# copies of results/lpq/ga_seed{1,2}.json, ga_lam0.15_seed0.json, ga_lam0.6_seed0.json.
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."  # the repository root
export PYTHONPATH=$PWD OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_THREADING_LAYER=workqueue MPLBACKEND=Agg
O=results/lpq/ablation/runs
while [ -n "$WAIT_PID" ] && kill -0 "$WAIT_PID" 2>/dev/null; do sleep 5; done
run() { out=$1; shift; [ -f $O/$out.json ] && return; echo "$(date -u +%T) start $out"; /usr/bin/time -f "%e s wall %U s user" nice -n 19 "${PYTHON:-python3}" -m lognum.lpq.cli run --model minilm --method ga --no-eval --out $O/$out.json "$@" 2>&1 | tail -2; }
run nocap_lam0.3_seed0 --seed 0 --lam 0.3
for S in 0 1 2; do run tau0.1_seed$S --seed $S --lam 0.1 --max-bits 6 --tau 0.1; done
for S in 0 1 2; do run tau1.0_seed$S --seed $S --lam 0.1 --max-bits 6 --tau 1.0; done
for S in 0 1 2; do run calib12x48_seed$S --seed $S --lam 0.1 --max-bits 6 --n-calib 12; done
for S in 1 2; do run nocap_lam0.15_seed$S --seed $S --lam 0.15; done
for S in 1 2; do run nocap_lam0.6_seed$S --seed $S --lam 0.6; done
for S in 0 1 2; do run calib48x48_seed$S --seed $S --lam 0.1 --max-bits 6 --n-calib 48; done
echo "$(date -u +%T) queue A done"
