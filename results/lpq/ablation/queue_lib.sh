#!/bin/bash
# Shared by the queue_*.sh scripts: environment and run() (skips outputs that exist).
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."  # the repository root
export PYTHONPATH=$PWD OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_THREADING_LAYER=workqueue MPLBACKEND=Agg
O=results/lpq/ablation/runs156
C="--generations 20 --lam 0.1 --max-bits 6"
WA="--lam 0.1 --max-bits 6 --acts --act-n 8 --act-calibrate --act-sf -2 -1 0 1 2"
while [ -n "$WAIT_PID" ] && kill -0 "$WAIT_PID" 2>/dev/null; do sleep 5; done
run() { out=$1; shift; [ -f $out.json ] && return; echo "$(date -u +%T) start $out"; /usr/bin/time -f "%e s wall %U s user" nice -n 19 "${PYTHON:-python3}" -m lognum.lpq.cli run --model minilm --method ga --no-eval --out $out.json "$@" 2>&1 | tail -2; }
