"""Independent oracles for the teaching-taxonomy formats (minifloats, fixed point, LNS).

Written from the format definitions (docs/guide/index.md) with exact rational arithmetic; nothing
here imports lognum. The rounding cases are built structurally: for neighbouring representable
magnitudes lo < hi with arithmetic midpoint t (exact in binary64 for <= 16-bit formats), the
input t rounds to the tie winner, the doubles just below/above t round to lo/hi.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import lru_cache

import numpy as np

NAN = "nan"


def minifloat_decode(code: int, e: int, m: int, bias: int, sub: bool, special: str):
    """(sign, magnitude) of a code: magnitude a Fraction, 'inf' or 'nan' (docs/guide)"""
    signed = special != "fnu"
    n = int(signed) + e + m
    s = (code >> (n - 1)) & 1 if signed else 0
    mag = code & ((1 << (e + m)) - 1)
    E, M = mag >> m, mag & ((1 << m) - 1)
    if special == "ieee" and E == (1 << e) - 1:
        return s, ("inf" if M == 0 else NAN)
    if special in ("fn", "fnu") and mag == (1 << (e + m)) - 1:
        return s, NAN
    if special == "fnuz" and code == 1 << (n - 1):
        return s, NAN
    if sub and E == 0:
        return s, Fraction(M, 1 << m) * Fraction(2) ** (1 - bias)
    if not sub and mag == 0 and special != "fnu":
        return s, Fraction(0)
    return s, (1 + Fraction(M, 1 << m)) * Fraction(2) ** (E - bias)


@lru_cache(maxsize=64)
def minifloat_mags(e: int, m: int, bias: int, sub: bool, special: str) -> list[Fraction]:
    """Sorted distinct finite magnitudes (>= 0) of a minifloat."""
    return sorted(
        {
            mag
            for c in range(1 << (e + m))
            for _, mag in [minifloat_decode(c, e, m, bias, sub, special)]
            if mag not in (NAN, "inf")
        }
    )


def to_float(sign: int, mag) -> float:
    if mag == NAN:
        return math.nan
    v = math.inf if mag == "inf" else float(mag)
    return -v if sign else v


def minifloat_mags_np(e: int, m: int, bias: int, sub: bool, special: str) -> np.ndarray:
    """The same magnitudes as ``minifloat_mags`` as float64 (exact: integer × power of two),
    vectorised for the 16-bit formats."""
    mag = np.arange(1 << (e + m), dtype=np.int64)
    E, M = mag >> m, mag & ((1 << m) - 1)
    v = np.ldexp(((1 << m) + M).astype(np.float64), E - bias - m)
    if sub:
        v = np.where(E == 0, np.ldexp(M.astype(np.float64), 1 - bias - m), v)
    elif special != "fnu":
        v = np.where(mag == 0, 0.0, v)
    bad = np.zeros(mag.size, bool)
    if special == "ieee":
        bad = E == (1 << e) - 1
    elif special in ("fn", "fnu"):
        bad = mag == (1 << (e + m)) - 1
    return np.unique(v[~bad])


def tie_winner(lo: np.ndarray, hi: np.ndarray, m: int, emin: int) -> np.ndarray:
    """Ties to the even significand, counted in ulps of lo's binade (2^(max(E_lo, emin) - m));
    a tie with zero goes to zero."""
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    _, ex = np.frexp(lo)
    E = np.maximum(ex - 1, emin)
    k = np.ldexp(lo, m - E)  # lo / ulp, an integer
    assert (k == np.floor(k)).all()
    return np.where((lo == 0) | (k % 2 == 0), lo, hi)


def midpoint_cases(mags, winner, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (dtype) and expected magnitudes (float64) for every neighbour pair of ``mags``
    (sorted, distinct): lo, hi, their midpoint, and the doubles/floats just beside it."""
    mags = np.asarray([float(v) for v in mags] if isinstance(mags, list) else mags, np.float64)
    lo, hi = mags[:-1], mags[1:]
    t = (lo + hi) / 2
    # exact midpoint: both differences are exact (Sterbenz, hi <= 2t) and equal
    assert ((t - lo) == (hi - t)).all()
    tf = t.astype(dtype)
    assert (tf.astype(np.float64) == t).all(), "midpoint not exact in the input dtype"
    below = np.nextafter(tf, dtype.type(-np.inf))
    above = np.nextafter(tf, dtype.type(np.inf))
    w = winner(lo, hi)
    xs = np.concatenate([lo.astype(dtype), hi.astype(dtype), tf, below, above])
    ys = np.concatenate([lo, hi, w, lo, hi])
    return xs, ys


def minifloat_round(
    x: float, e: int, m: int, bias: int, sub: bool, special: str, saturate: bool
) -> float:
    """Nearest value (float64) of a finite/inf/NaN double by brute force over every code."""
    if math.isnan(x):
        return math.nan
    signed = special != "fnu"
    neg = math.copysign(1.0, x) < 0
    if not signed and (neg or x == 0.0):
        return math.nan
    mags = minifloat_mags(e, m, bias, sub, special)
    mx = mags[-1]
    emin = (1 if sub else 0) - bias
    E = math.floor(math.log2(mx))
    nxt = mx + Fraction(2) ** (E - m)
    if special == "ieee":
        ovf = math.inf
    elif special == "none":
        ovf = float(mx)
    else:
        ovf = math.nan
    if saturate:
        ovf = float(mx)
    sgn = -1.0 if neg and signed else 1.0
    if math.isinf(x):
        return sgn * (ovf if special != "none" else float(mx))
    a = Fraction(abs(x))
    if a >= nxt:
        return sgn * ovf
    ext = mags + [nxt]
    if a <= ext[0]:
        r = ext[0]
    else:
        i = next(k for k in range(len(ext)) if ext[k] >= a)
        lo, hi = ext[i - 1], ext[i]
        if a - lo < hi - a:
            r = lo
        elif a - lo > hi - a:
            r = hi
        else:
            r = Fraction(
                float(tie_winner(np.array([float(lo)]), np.array([float(hi)]), m, emin)[0])
            )
    if r == nxt:
        return sgn * ovf
    v = float(r)
    if v == 0.0 and special == "fnuz":
        return 0.0
    return sgn * v


def dec_pow2(num: int, den: int) -> Decimal:
    """2^(num/den) with 50 digits, via exp(ln 2 · num/den) (a different route from lognum's)."""
    with localcontext() as ctx:
        ctx.prec = 50
        return (Decimal(2).ln() * Decimal(num) / Decimal(den)).exp()


def log2_dec(x: float) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return Decimal(x).ln() / Decimal(2).ln()
