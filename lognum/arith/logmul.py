"""Log-domain arithmetic of logarithmic posits (LPQ, DAC 2024; docs/theory.md).

An LP value is s·2^λ with λ = 2^es·k + e + f − sf on a fixed-point grid, so a multiply is an
exact **add** of the log magnitudes (no multiplier) and only the conversion back to a linear
value (the antilog, a LUT in hardware) or the rounding of λ to the format costs accuracy:

* ``lp_logs(fmt, q)``: signs and exact log2 magnitudes (integers in units of 2^−G) of LP values;
* ``lp_round_log(fmt, L, G)``: round exact log magnitudes to the LP grid — nearest in the log
  domain, ties to the even code, saturating (docs/guide/tapered.md);
* ``lp_multiply(x, y, fmt)``: the elementwise LP product, exactly rounded in the log domain;
* ``antilog_table(G, bits)``: 2^(u/2^G) correctly rounded to 53 bits, or to ``bits`` fraction
  bits (an α-bit LUT as in Johnson's ELMA) — used by ``lognum.arith.quire`` to accumulate LP
  products exactly in linear fixed point.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from functools import cache
from typing import Any

import numpy as np


def _lp(cfg: Any) -> Any:
    from lognum.formats.parse import parse

    fmt = parse(cfg)
    if fmt.family != "lp":
        raise ValueError(f"fmt must be an LP format, got {fmt}")
    return fmt


@cache
def antilog_table(G: int, bits: int | None) -> tuple[np.ndarray, np.ndarray]:
    """2^(u/2^G) for u = 0 … 2^G − 1 as (m, e) with value m·2^e: correctly rounded to 53
    significant bits (bits=None) or rounded to ``bits`` fraction bits (ties to even)."""
    size = 1 << G
    m = np.empty(size, dtype=np.int64)
    e = np.empty(size, dtype=np.int64)
    with localcontext() as ctx:
        ctx.prec = 40
        two = Decimal(2)
        scale = 52 if bits is None else bits
        for u in range(size):
            v = two ** (Decimal(u) / Decimal(size)) * (1 << scale)
            r = int(v.to_integral_value(rounding="ROUND_HALF_EVEN"))
            m[u], e[u] = r, -scale
    m.setflags(write=False)
    e.setflags(write=False)
    return m, e


@cache
def _format_G(fmt: Any) -> int:
    """The format's log resolution: the smallest G with every log2 magnitude of its values a
    multiple of 2^−G (the grid every product is rounded on, so no two values share a point)."""
    v = fmt.values()
    lg = np.log2(v[v > 0])
    for G in range(0, 17):
        L = lg * (1 << G)
        if np.all(np.abs(np.rint(L) - L) < 1e-6):
            return G
    raise ValueError(
        f"{fmt}: log2 magnitudes are not on a grid of 2^-G with G <= 16 "
        "(n too large, or a non-dyadic sf)"
    )


def lp_logs(fmt: Any, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Signs (−1/0/1) and log2 magnitudes in units of 2^−G of LP values q (exact), with G the
    format's own log resolution (not the coarsest grid the given values happen to fit, which
    would merge neighbouring values of the format when a result is rounded)."""
    G = _format_G(fmt)
    sg = np.sign(q).astype(np.int64)
    with np.errstate(divide="ignore"):
        lg = np.where(sg != 0, np.log2(np.abs(q)), 0.0)
    L = np.rint(lg * (1 << G))
    if not np.all(np.abs(L - lg * (1 << G)) < 1e-6):
        raise ValueError(f"q must hold values of {fmt} (quantize them first)")
    return sg, L.astype(np.int64), G


@cache
def _lp_grid(fmt: Any, G: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted log2 magnitudes (units 2^−G) of the positive LP values and their codes' parity."""
    v = fmt.values()
    v = v[v > 0]
    L = np.rint(np.log2(v) * (1 << G)).astype(np.int64)
    return L, (np.arange(1, v.size + 1) % 2 == 0)


def lp_round_log(fmt: Any, L: np.ndarray, G: int) -> np.ndarray:
    """Round exact log2 magnitudes L·2^−G to the LP grid: nearest in the log domain, ties to the
    even code, saturating to [Min, Max] (docs/guide/tapered.md). Returns grid L values."""
    grid, even = _lp_grid(fmt, G)
    i = np.clip(np.searchsorted(grid, L), 1, grid.size - 1)
    lo, hi = grid[i - 1], grid[i]
    dlo, dhi = L - lo, hi - L
    pick_hi = (dhi < dlo) | ((dhi == dlo) & even[i])
    r = np.where(pick_hi, hi, lo)
    r = np.where(L <= grid[0], grid[0], r)
    return np.where(L >= grid[-1], grid[-1], r)


def lp_multiply(x: Any, y: Any, fmt: Any) -> np.ndarray:
    """Elementwise product of x and y in an LP format: both are first quantized to ``fmt``,
    their log magnitudes are added exactly and the sum is rounded to the LP grid in the log
    domain (ties to the even code, saturating). Returns float64 values of ``fmt`` (broadcast
    shape of x and y)."""
    fmt = _lp(fmt)
    a, b = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("x and y must be finite (as for matmul and dot)")
    qa, qb = fmt.quantize(a), fmt.quantize(b)
    sa, la, g1 = lp_logs(fmt, qa)
    sb, lb, g2 = lp_logs(fmt, qb)
    G = max(g1, g2)
    L = lp_round_log(fmt, (la << (G - g1)) + (lb << (G - g2)), G)
    grid, _ = _lp_grid(fmt, G)
    v = fmt.values()
    pos = v[v > 0]
    mag = pos[np.searchsorted(grid, L)]
    return np.where(sa * sb == 0, 0.0, sa * sb * mag)
