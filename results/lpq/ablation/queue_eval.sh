#!/bin/bash
# Held-out evaluation (per-item values) of the runs as they finish; stops when no queue is left.
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."  # the repository root
export PYTHONPATH=$PWD OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_THREADING_LAYER=workqueue MPLBACKEND=Agg
while true; do
  busy=$(pgrep -f "ablation/queue_[1-4].sh" | wc -l)
  nice -n 19 "${PYTHON:-python3}" -m lognum.lpq.cli evaluate --only runs --pattern "ga_wa8_*" results/lpq 2>&1 | tail -1
  nice -n 19 "${PYTHON:-python3}" -m lognum.lpq.cli evaluate --only runs results/lpq/ablation/runs156 2>&1 | tail -1
  nice -n 19 "${PYTHON:-python3}" -m lognum.lpq.cli evaluate --only runs results/lpq/ablation/runs 2>&1 | tail -1
  [ "$busy" = 0 ] && break
  sleep 120
done
echo "$(date -u +%T) eval done"
