"""Session-wide test settings: one BLAS thread (2 busy cores and 2 BLAS threads were up to 200x
slower, MODELS.md), the workqueue Numba threading layer, a headless matplotlib backend."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
os.environ.setdefault("MPLBACKEND", "Agg")
