"""GPTQ-style error-compensating rounding (Frantar et al., ICLR 2023) in NumPy.

For a linear layer ``y = x W^T`` with calibration inputs ``X`` (tokens x in), the layer's
output error ``||X W^T - X Q^T||^2`` is a quadratic form in each row of ``W - Q`` with the
Hessian ``H = X^T X`` (the factor 2 of the paper cancels).  GPTQ quantizes the input columns
one at a time (in order) and spreads each column's rounding error over the columns not yet
quantized, using the upper Cholesky factor ``U`` of ``H^{-1}`` (paper, Algorithm 1, with
block size 1):

    q_j   = quant(w_j)
    e_j   = (w_j - q_j) / U[j, j]
    w_k  -= e_j * U[j, k]          for k > j

Saturation: what is fed back is the error of rounding the weight *clipped to the grid's
range* (``limit``: per-row ``qmax * scale`` for INT, ``maxpos`` for an LP format), not the
clipping error of a weight beyond it.  GPTQ's grids cover every weight (min-max scales), so
the paper never feeds a clipping error back; a fixed-range LP format does clip MiniLM's
outlier weights (``LP<6,0,5,4>``: maxpos 1.0, max|w| 7.9 in block 0's FFN2), and feeding that
error (up to 6.9, about 10^3 rounding errors) into the row's other columns drove hundreds of
them to maxpos as well and ruined the model (held-out cosine 0.25; the measurements are in
docs/lpq_results.md).  ``feed_saturation=True`` restores the old behaviour for comparison.

``H`` gets ``damp * mean(diag H)`` added to its diagonal (the paper's dampening, 1 %).  The
element quantizer is a per-channel symmetric INT-n grid whose scales are fixed before the
pass (:class:`lognum.lpq.quantizers.PerChannelInt`'s clip) or an ``LP<n,es,rs,sf>`` format;
the stored bits are those of that quantizer (the same scales / format as round-to-nearest).

:class:`GPTQWeights` is a weight "quantizer" for :class:`lognum.nn.quant.QuantPlan` holding
the precomputed quantized matrices of every layer (:func:`gptq_plan`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lognum.nn.quant import QuantPlan


def gptq_quantize(
    w: np.ndarray,
    h: np.ndarray,
    quant_col,
    damp: float = 0.01,
    limit: float | np.ndarray | None = None,
) -> np.ndarray:
    """GPTQ of ``w`` (out x in) with Hessian ``h`` (in x in); ``quant_col(j, col)`` rounds
    column ``j`` (a float64 vector over the output rows) to the grid.  ``limit`` (a scalar or
    one value per output row): the grid's largest magnitude; the error fed back is then that
    of the weight clipped to ``[-limit, limit]`` (``None``: the full ``w - q``, which includes
    any clipping error)."""
    if not damp >= 0:
        raise ValueError(f"damp must be >= 0, got {damp}")
    w = np.array(w, dtype=np.float64)
    lim = None if limit is None else np.broadcast_to(np.asarray(limit, np.float64), w[:, 0].shape)
    h = np.array(h, dtype=np.float64)
    d = np.diag(h).copy()
    dead = d == 0
    h[dead, dead] = 1.0  # inputs that are always 0: any value, the weight does not matter
    w[:, dead] = 0.0
    h[np.diag_indices_from(h)] += damp * float(np.mean(np.diag(h)))
    hinv = np.linalg.inv(h)
    u = np.linalg.cholesky(hinv).T  # upper: hinv = u^T u
    q = np.empty_like(w)
    for j in range(w.shape[1]):
        q[:, j] = quant_col(j, w[:, j])
        src = w[:, j] if lim is None else np.clip(w[:, j], -lim, lim)
        e = (src - q[:, j]) / u[j, j]
        w[:, j + 1 :] -= np.outer(e, u[j, j + 1 :])
    return q


def int_column_quantizer(scales: np.ndarray, n: int):
    """Round a column to the symmetric INT-``n`` grid with per-row ``scales``."""
    qmax = (1 << (n - 1)) - 1
    s = np.asarray(scales, dtype=np.float64)

    def f(_j, col):
        return np.clip(np.rint(col / s), -qmax, qmax) * s

    return f


def format_column_quantizer(fmt: Any):
    """Round a column with a lognum format (e.g. ``LP<4,1,2,4>``)."""

    def f(_j, col):
        return np.asarray(fmt.quantize(col), dtype=np.float64)

    return f


class _HessianRecorder(QuantPlan):
    """A plan accumulating ``X^T X`` of every layer's input over the calibration data."""

    def __init__(self) -> None:
        super().__init__()
        self.h: dict[str, np.ndarray] = {}

    def act(self, name: str, x: np.ndarray) -> np.ndarray:
        x2 = np.asarray(x, dtype=np.float64).reshape(-1, x.shape[-1])
        self.h[name] = self.h.get(name, 0.0) + x2.T @ x2
        return x


def calibration_hessians(problem) -> dict[str, np.ndarray]:
    """``H = X^T X`` of the input of every linear layer on the calibration data (FP32)."""
    st = problem.state()
    rec = _HessianRecorder()
    problem._reps(st["model"], rec)
    return rec.h


class GPTQWeights:
    """Precomputed GPTQ weights of one layer (the plan's weight hook returns them)."""

    def __init__(self, q: np.ndarray, n: int, bits: float, label: str) -> None:
        self.q = q
        self.n = n
        self.bits = bits
        self.label = label

    def quantize(self, w: np.ndarray) -> np.ndarray:
        if w.shape != self.q.shape:
            raise ValueError(f"GPTQ weights have shape {self.q.shape}, got {w.shape}")
        return self.q.astype(w.dtype)

    def bits_per_weight(self, shape: tuple[int, ...]) -> float:
        return self.bits

    def __str__(self) -> str:
        return self.label


def gptq_plan(
    problem,
    kind: str,
    n: int,
    fmt: Any = None,
    damp: float = 0.01,
    feed_saturation: bool = False,
    hessians: dict[str, np.ndarray] | None = None,
) -> QuantPlan:
    """A plan with GPTQ weights for every layer: ``kind="int"`` (per-channel INT-``n``,
    MSE clip scales, FP16 scale storage counted) or ``kind="lp"`` (the format ``fmt``).
    ``feed_saturation``: also feed back the clipping error of weights beyond the grid's range
    (the behaviour before the fix; see the module docstring).  ``hessians``: precomputed
    :func:`calibration_hessians` (computed if ``None``)."""
    from lognum.lpq.quantizers import PerChannelInt

    st = problem.state()
    model = st["model"]
    hs = calibration_hessians(problem) if hessians is None else hessians
    w_plan = {}
    for nm in st["names"]:
        w = model.weight_of(nm).astype(np.float64)
        if kind == "int":
            pc = PerChannelInt(n, "mse")
            s = (pc.clips(w) / pc.qmax).astype(np.float16).astype(np.float64)
            s = np.where(s > 0, s, float(np.finfo(np.float16).smallest_subnormal))
            lim = None if feed_saturation else s * ((1 << (n - 1)) - 1)
            q = gptq_quantize(w, hs[nm], int_column_quantizer(s, n), damp, lim)
            w_plan[nm] = GPTQWeights(q, n, pc.bits_per_weight(w.shape), f"GPTQ INT{n}")
        elif kind == "lp":
            lim = None if feed_saturation else float(fmt.maxpos)
            q = gptq_quantize(w, hs[nm], format_column_quantizer(fmt), damp, lim)
            w_plan[nm] = GPTQWeights(q, int(fmt.n), float(fmt.n), f"GPTQ {fmt}")
        else:
            raise ValueError(f"kind must be 'int' or 'lp', got {kind!r}")
    return QuantPlan(w_plan)
