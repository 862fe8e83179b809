"""Baseline quantizers with per-channel / per-block scales, and their storage cost in bits.

Weights are ``(out, in)`` matrices (``y = x W^T``); a *channel* is an output row.  Every
quantizer here has ``n`` (element bits) and :meth:`bits_per_weight` (element bits plus the
scale storage spread over the weights that share it), which :func:`storage_bits` uses for
the average-bits column of the tables:

* :class:`PerChannelInt` -- symmetric INT-n with one FP16 scale per output channel; the clip
  is ``absmax`` (the row's max |w|), ``mse`` (the clip ratio minimising the row's squared
  error over a grid of ``grid`` ratios in [0.1, 1]) or ``percentile`` (the ``percentile``-th
  percentile of the row's |w|).  Scale storage: 16 bits per row, ``16 / in`` bits per weight.
* :class:`PerChannelLP` -- ``LP<n, es, rs, sf>`` with its own ``sf`` per output channel,
  chosen per row by least squared error over ``sf_grid`` (a lognum extension: the LPQ paper
  has one ``sf`` per layer).  ``sf`` storage: ``sf_bits`` (default 8) per row.
* :class:`MXQuant` -- OCP MX (:class:`lognum.MX`) blocks of 32 along the input axis (the
  reduction axis of the layer) with one E8M0 scale per block: ``nbits + 8 / 32`` bits.
* :class:`PerTokenInt` -- activations: symmetric INT-n with a dynamic scale per token (the
  last axis is the feature axis); computed at run time, so no storage.
* :class:`PerTensorInt` -- activations: symmetric INT-n with a static per-tensor scale
  calibrated on calibration activations (:func:`calibrate_scale`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

CLIPS = ("absmax", "mse", "percentile")


def storage_bits(q: Any, shape: tuple[int, ...], default: int = 32) -> float:
    """Bits per weight of quantizer ``q`` on a tensor of ``shape`` (element bits plus scale
    storage when ``q`` has :meth:`bits_per_weight`; ``default`` for full precision)."""
    if q is None:
        return float(default)
    f = getattr(q, "bits_per_weight", None)
    if f is not None:
        return float(f(shape))
    from lognum.nn.quant import bits_of

    return float(bits_of(q, default))


def _row_err(w: np.ndarray, q: np.ndarray) -> np.ndarray:
    d = q - w
    return np.einsum("ij,ij->i", d, d)


def _int_rows(w: np.ndarray, clip: np.ndarray, qmax: int) -> np.ndarray:
    """Symmetric INT quantization of the rows of ``w`` with per-row clip (FP16 scales)."""
    s = (np.maximum(clip, 1e-30) / qmax).astype(np.float16).astype(np.float64)
    s = np.where(s > 0, s, np.float64(np.finfo(np.float16).smallest_subnormal))[:, None]
    return np.clip(np.rint(w / s), -qmax, qmax) * s


@dataclass(frozen=True)
class PerChannelInt:
    """Symmetric INT-``n`` with one FP16 scale per output channel (see the module doc)."""

    n: int
    clip: str = "absmax"
    percentile: float = 99.9
    grid: int = 64
    scale_bits: int = 16

    def __post_init__(self) -> None:
        if not 2 <= self.n <= 16:
            raise ValueError(f"n must be in [2, 16], got {self.n}")
        if self.clip not in CLIPS:
            raise ValueError(f"clip must be one of {CLIPS}, got {self.clip!r}")
        if not 0 < self.percentile <= 100:
            raise ValueError(f"percentile must be in (0, 100], got {self.percentile}")

    @property
    def qmax(self) -> int:
        return (1 << (self.n - 1)) - 1

    def clips(self, w2: np.ndarray) -> np.ndarray:
        """The per-row clip values of a 2-D float64 weight matrix."""
        a = np.abs(w2)
        amax = a.max(axis=1)
        if self.clip == "absmax":
            return amax
        if self.clip == "percentile":
            return np.percentile(a, self.percentile, axis=1)
        best = np.full(len(w2), np.inf)
        out = amax.copy()
        for r in np.linspace(0.1, 1.0, self.grid):
            e = _row_err(w2, _int_rows(w2, r * amax, self.qmax))
            better = e < best
            best[better] = e[better]
            out[better] = r * amax[better]
        return out

    def quantize(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w)
        w2 = w.reshape(len(w), -1).astype(np.float64)
        return _int_rows(w2, self.clips(w2), self.qmax).reshape(w.shape).astype(w.dtype)

    def bits_per_weight(self, shape: tuple[int, ...]) -> float:
        return self.n + self.scale_bits / int(np.prod(shape[1:]))

    def __str__(self) -> str:
        extra = f" p{self.percentile:g}" if self.clip == "percentile" else ""
        return f"INT{self.n} per-channel {self.clip}{extra}"


@cache
def _lp(n: int, es: int, rs: int, sf: float):
    from lognum.formats.logposit import LogPosit

    return LogPosit(n, es, rs=rs, sf=int(sf) if float(sf).is_integer() else float(sf))


def _default_sf_grid() -> tuple[float, ...]:
    return tuple(float(v) for v in np.arange(-2.0, 12.0001, 0.25))


@dataclass(frozen=True)
class PerChannelLP:
    """``LP<n, es, rs, sf_row>`` with ``sf`` chosen per output channel by least squared error
    over ``sf_grid`` (a lognum extension beyond the LPQ paper's one ``sf`` per layer)."""

    n: int
    es: int
    rs: int
    sf_grid: tuple[float, ...] = field(default_factory=_default_sf_grid)
    sf_bits: int = 8

    def __post_init__(self) -> None:
        _lp(self.n, self.es, self.rs, self.sf_grid[0])  # validates n, es, rs
        if len(self.sf_grid) > 2**self.sf_bits:
            raise ValueError(f"sf_grid has more than 2^sf_bits = {2**self.sf_bits} values")

    def row_sf(self, w2: np.ndarray) -> np.ndarray:
        """Best ``sf`` of every row of a 2-D float64 matrix (ties: the first in the grid)."""
        best = np.full(len(w2), np.inf)
        sf = np.zeros(len(w2))
        for v in self.sf_grid:
            q = np.asarray(_lp(self.n, self.es, self.rs, v).quantize(w2), dtype=np.float64)
            e = _row_err(w2, q)
            better = e < best
            best[better] = e[better]
            sf[better] = v
        return sf

    def quantize(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w)
        w2 = w.reshape(len(w), -1).astype(np.float64)
        sf = self.row_sf(w2)
        out = np.empty_like(w2)
        for v in np.unique(sf):
            rows = sf == v
            out[rows] = _lp(self.n, self.es, self.rs, v).quantize(w2[rows])
        return out.reshape(w.shape).astype(w.dtype)

    def bits_per_weight(self, shape: tuple[int, ...]) -> float:
        return self.n + self.sf_bits / int(np.prod(shape[1:]))

    def __str__(self) -> str:
        return f"LP<{self.n},{self.es},{self.rs},sf per channel>"

    @classmethod
    def from_label(cls, label: str) -> PerChannelLP | None:
        """The quantizer whose ``str()`` is ``label`` (default ``sf_grid``), or ``None``."""
        m = re.fullmatch(r"LP<(\d+),(\d+),(\d+),sf per channel>", label)
        return None if m is None else cls(*(int(g) for g in m.groups()))


@dataclass(frozen=True)
class MXQuant:
    """OCP MX with blocks of ``block`` along the last (input / feature) axis."""

    element: str
    block: int = 32

    @property
    def fmt(self):
        from lognum.formats.block import MX

        return MX(self.element, block=self.block, axis=-1)

    @property
    def n(self) -> int:
        return int(self.fmt.nbits)

    def quantize(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.fmt.quantize(x), dtype=np.asarray(x).dtype)

    def bits_per_weight(self, shape: tuple[int, ...]) -> float:
        return self.n + 8 / self.block

    def __str__(self) -> str:
        return f"MX{self.element.upper().replace('_', ' ')}"


@dataclass(frozen=True)
class PerTokenInt:
    """Activations: symmetric INT-``n``, dynamic absmax scale per token (last axis)."""

    n: int

    def quantize(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        qmax = (1 << (self.n - 1)) - 1
        a = np.max(np.abs(x), axis=-1, keepdims=True).astype(np.float64)
        s = np.where(a > 0, a / qmax, 1.0)
        return (np.clip(np.rint(x / s), -qmax, qmax) * s).astype(x.dtype)


@dataclass(frozen=True)
class PerTensorInt:
    """Activations: symmetric INT-``n`` with a static scale ``scale`` (calibrated)."""

    n: int
    scale: float

    def quantize(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        qmax = (1 << (self.n - 1)) - 1
        return (np.clip(np.rint(x / self.scale), -qmax, qmax) * self.scale).astype(x.dtype)


def calibrate_scale(samples: np.ndarray, n: int, grid: int = 64) -> float:
    """Static INT-``n`` scale minimising the squared error on calibration ``samples``
    (clip ratios in [0.05, 1] of the sample absmax)."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    amax = float(np.max(np.abs(x)))
    if amax == 0.0:
        return 1.0
    qmax = (1 << (n - 1)) - 1
    best = (np.inf, amax / qmax)
    for r in np.linspace(0.05, 1.0, grid):
        s = r * amax / qmax
        e = float(np.sum((np.clip(np.rint(x / s), -qmax, qmax) * s - x) ** 2))
        if e < best[0]:
            best = (e, s)
    return best[1]


SF_GRID: tuple[float, ...] = tuple(float(v) for v in range(-6, 9))  # sf = -6 ... 8


def calibrate_lp(
    samples: np.ndarray,
    n: int,
    es_grid: tuple[int, ...] = (0, 1, 2),
    sf_grid: tuple[float, ...] = SF_GRID,
) -> tuple[int, int, int, float]:
    """``(n, es, rs, sf)`` of the ``LP<n, es, rs, sf>`` with the least squared error on the
    calibration ``samples`` (``rs`` over ``2..n-1``)."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    best = (np.inf, None)
    for es in es_grid:
        for rs in range(2, n):
            for sf in sf_grid:
                q = np.asarray(_lp(n, es, rs, sf).quantize(x), dtype=np.float64)
                e = float(np.sum((q - x) ** 2))
                if e < best[0]:
                    best = (e, (n, es, rs, sf))
    return best[1]
