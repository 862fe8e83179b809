"""Signal-to-quantization-noise ratio of any lognum format: closed form, empirical, and exact::

  ``sqnr(cfg)``            closed form: ALPS eq 8 (posit, GP and every non-LP format, with Δ of
                           eq 25 by default) or the LP closed form (``closed_form.sqnr_lp``);
  ``sqnr(cfg, x)``         empirical: 10·log10(Σx² / Σ(x − Q(x))²) in dB;
  ``sqnr(cfg, dist=d)``    exact expected SQNR for a frozen ``scipy.stats`` distribution:
                           E[x²] / E[(x − Q(x))²] with the error integrated over every rounding
                           cell of the format — no sampling noise;
  ``sqnr_curve(cfg, m)``   exact SQNR of log-uniform inputs one binade wide centred at each
                           log2-magnitude m (the tapered-accuracy curve of ALPS Fig. 4a).

Rounding cells. Only the public ``Format`` API is used, so every format in lognum works: the
values come from ``values()`` and the decision boundary between two adjacent values v_i < v_j
is found by bisection over the float64 numbers between them with the format's own
``quantize`` — so the cells follow the format's real tie rule (geometric means in the regime
zone of posits and everywhere for LP, arithmetic midpoints in fraction zones and for floats,
saturation, flush-to-zero, overflow to inf/NaN), to the resolution of one float64 ulp.
``cells(cfg, rule="arithmetic" | "geometric")`` builds the cells of a *hypothetical* tie rule
instead (used to show that a wrong tie rule changes the exact SQNR measurably).

Integration. On each cell [a, b] with value v, ∫ (x − v)² p(x) dx is computed by 16-point
Gauss–Legendre quadrature on sub-intervals (a cell is split so that each piece is narrower
than σ/8 and spans less than a factor 1.5 in magnitude, and at the distribution's median, where
a Laplace pdf has its kink); the two unbounded saturation cells are integrated with
``scipy.integrate.quad``. The integrand is non-negative, so there is no cancellation. Mass that
a format sends to ±inf or NaN (non-saturating overflow) makes the SQNR −inf.

Tensor-adaptive formats (a ``fit`` method: AdaptivFloat, scaled integers, ...) adapt to the data
in ``sqnr(cfg, x)``; with ``dist=`` they are fitted to the ±``isf(0.5 / fit_size)`` quantiles of
the distribution (the expected max |x| of a tensor of ``fit_size`` elements), documented per
call. Block formats whose scale depends on each block of data have no fixed rounding cells:
``dist=`` raises ``ValueError`` for them (use ``x=``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lognum.analysis import closed_form as cf

_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)
_SIGN = np.int64(0x7FFFFFFFFFFFFFFF)
RULES = ("format", "arithmetic", "geometric")


def _fmt(cfg: Any) -> Any:
    from lognum.formats.parse import parse

    return parse(cfg)


# ---------------------------------------------------------------------------------------------
# float64 <-> ordered integers (for bisection over all doubles between two values)


def _to_ord(x: np.ndarray) -> np.ndarray:
    b = np.ascontiguousarray(x, dtype=np.float64).view(np.int64)
    return np.where(b < 0, -(b & _SIGN), b)


def _from_ord(k: np.ndarray) -> np.ndarray:
    k = np.asarray(k, dtype=np.int64)
    mag = np.abs(k).view(np.float64)
    return np.where(k < 0, -mag, mag)


def _q(fmt: Any, x: np.ndarray) -> np.ndarray:
    return np.asarray(fmt.quantize(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def _bisect(fmt: Any, lo: np.ndarray, hi: np.ndarray, below: np.ndarray) -> np.ndarray:
    """Largest double x in [lo, hi) with Q(x) == below (vectorised bisection; Q monotone)."""
    klo, khi = _to_ord(lo), _to_ord(hi)
    while True:
        gap = khi - klo
        act = gap > 1
        if not act.any():
            return _from_ord(klo)
        mid = klo + gap // 2
        qm = _q(fmt, _from_ord(mid[act]))
        stay = qm == below[act]
        idx = np.flatnonzero(act)
        klo[idx[stay]] = mid[act][stay]
        khi[idx[~stay]] = mid[act][~stay]


# ---------------------------------------------------------------------------------------------
# rounding cells


@dataclass(frozen=True)
class Cells:
    """Rounding cells of a format: every x in (lower[i], upper[i]] rounds to value[i].

    ``lower[0] = -inf`` / ``upper[-1] = +inf`` for saturating formats. ``overflow_lo`` /
    ``overflow_hi``: the x below / above which the format returns ±inf or NaN (±inf if none).
    """

    format: str
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    overflow_lo: float
    overflow_hi: float
    rule: str


def _check_fixed(fmt: Any) -> None:
    if getattr(fmt, "is_block", False) or type(fmt).__name__.lower().startswith(("mx", "block")):
        raise ValueError(
            f"{fmt} scales each block by its own data: it has no fixed rounding cells; "
            "use sqnr(cfg, x=data) for an empirical SQNR"
        )


def cells(cfg: Any, rule: str = "format") -> Cells:
    """The rounding cells of a format (any format with ``values()``).

    ``rule="format"``: boundaries found with the format's own ``quantize`` (bisection to one
    float64 ulp). ``rule="arithmetic"`` / ``"geometric"``: hypothetical boundaries at the
    arithmetic / geometric mean of adjacent values (geometric only between values of the same
    sign; arithmetic is used across 0), with the format's own saturation kept — for teaching
    and to test that the exact SQNR detects a wrong tie rule.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    fmt = _fmt(cfg)
    _check_fixed(fmt)
    v = np.asarray(fmt.values(), dtype=np.float64)
    v = np.unique(v[np.isfinite(v)])
    if v.size < 2:
        raise ValueError(f"{fmt} has fewer than two finite values")
    big = np.finfo(np.float64).max
    # saturation / overflow at both ends
    ov = []
    for end, far in ((v[-1], big), (v[0], -big)):
        qf = _q(fmt, np.array([far]))[0]
        if qf == end:
            ov.append(math.copysign(math.inf, far))
        else:  # last x that still rounds to the end value
            ov.append(
                float(_bisect(fmt, np.array([end]), np.array([far]), np.array([end]))[0])
                if far > 0
                else -float(
                    _bisect(_Neg(fmt), np.array([-end]), np.array([-far]), np.array([-end]))[0]
                )
            )
    ov_hi, ov_lo = ov
    if rule == "format":
        bnd = _bisect(fmt, v[:-1].copy(), v[1:].copy(), v[:-1].copy())
    elif rule == "arithmetic":
        bnd = 0.5 * (v[:-1] + v[1:])
    else:
        a, b = v[:-1], v[1:]
        same = (a > 0) | (b < 0)
        bnd = np.where(same, np.sign(a + b) * np.sqrt(np.abs(a * b)), 0.5 * (a + b))
    lower = np.concatenate([[ov_lo], bnd])
    upper = np.concatenate([bnd, [ov_hi]])
    if rule == "format":
        # the cell of a value that nothing rounds to (e.g. 0 in a posit) has zero width
        upper = np.maximum(upper, lower)
    return Cells(str(fmt), v, lower, upper, ov_lo, ov_hi, rule)


class _Neg:
    """x -> -Q(-x): lets the bisection run on the negative end with increasing arguments."""

    def __init__(self, fmt: Any) -> None:
        self.fmt = fmt

    def quantize(self, x: np.ndarray) -> np.ndarray:
        return -_q(self.fmt, -np.asarray(x))


# ---------------------------------------------------------------------------------------------
# exact expectation over the cells


def _spread(dist: Any) -> float:
    s = float(dist.std())
    if not (math.isfinite(s) and s > 0):
        q1, q3 = dist.ppf([0.25, 0.75])
        s = float(q3 - q1)
    return s


def _cell_mse(c: Cells, dist: Any, window: tuple[float, float] | None = None) -> float:
    """E[(x − Q(x))²] under ``dist`` (exact up to quadrature error ~1e-13 relative)."""
    from scipy import integrate

    lo_s, hi_s = (float(t) for t in dist.support())
    if window is not None:
        lo_s, hi_s = max(lo_s, window[0]), min(hi_s, window[1])
    a = np.maximum(c.lower, lo_s)
    b = np.minimum(c.upper, hi_s)
    v = c.value
    keep = b > a
    a, b, v = a[keep], b[keep], v[keep]
    total = 0.0
    # overflow mass
    p_over = 0.0
    if c.overflow_hi < hi_s:
        p_over += float(dist.sf(c.overflow_hi))
    if c.overflow_lo > lo_s:
        p_over += float(dist.cdf(c.overflow_lo))
    if p_over > 0:
        return math.inf
    # unbounded cells
    inf_cells = ~(np.isfinite(a) & np.isfinite(b))
    for ai, bi, vi in zip(a[inf_cells], b[inf_cells], v[inf_cells], strict=True):
        val, _ = integrate.quad(
            lambda t, vi=vi: (t - vi) ** 2 * dist.pdf(t),
            ai,
            bi,
            limit=200,
            epsabs=0.0,
            epsrel=1e-12,
        )
        total += val
    a, b, v = a[~inf_cells], b[~inf_cells], v[~inf_cells]
    # split at the median (kinks) — rarely needed, cheap
    med = float(dist.median())
    inside = (a < med) & (med < b)
    if inside.any():
        a = np.concatenate([a, np.full(inside.sum(), med)])
        b = np.concatenate([np.where(inside, med, b), b[inside]])
        v = np.concatenate([v, v[inside]])
    # drop cells without probability mass
    mass = dist.cdf(b) - dist.cdf(a)
    m = mass > 0
    a, b, v = a[m], b[m], v[m]
    if a.size == 0:
        return total
    s = _spread(dist)
    w = b - a
    pieces = np.ceil(w / (s / 8.0))
    same = (a > 0) | (b < 0)
    ratio = np.where(
        same,
        np.maximum(np.abs(a), np.abs(b)) / np.maximum(np.minimum(np.abs(a), np.abs(b)), 1e-300),
        1.0,
    )
    pieces = np.maximum(pieces, np.ceil(np.log(ratio) / math.log(1.5)))
    pieces = np.clip(pieces, 1, 512).astype(np.int64)
    # build the pieces
    cell = np.repeat(np.arange(a.size), pieces)
    start = np.cumsum(pieces) - pieces
    j = np.arange(cell.size) - start[cell]
    pa = a[cell] + w[cell] * (j / pieces[cell])
    pb = a[cell] + w[cell] * ((j + 1) / pieces[cell])
    pb = np.where(j + 1 == pieces[cell], b[cell], pb)
    half = 0.5 * (pb - pa)
    mid = 0.5 * (pa + pb)
    nodes = mid[:, None] + half[:, None] * _GL_X[None, :]
    f = (nodes - v[cell][:, None]) ** 2 * dist.pdf(nodes)
    total += float(np.sum((f @ _GL_W) * half))
    return total


def _second_moment(dist: Any, window: tuple[float, float] | None = None) -> float:
    if window is None:
        return float(dist.var() + dist.mean() ** 2)
    from scipy import integrate

    lo, hi = window
    val, _ = integrate.quad(
        lambda t: t * t * dist.pdf(t), lo, hi, limit=400, epsabs=0.0, epsrel=1e-13
    )
    return val


def _db(signal: float, noise: float) -> float:
    if noise == 0.0:
        return math.inf
    if not math.isfinite(noise):
        return -math.inf
    return 10.0 * math.log10(signal / noise)


def needs_fit(fmt: Any) -> bool:
    """True for a tensor-adaptive format whose scale is not chosen yet (``values()`` fails)."""
    _check_fixed(fmt)
    try:
        fmt.values()
    except ValueError:
        return callable(getattr(fmt, "fit", None))
    return False


def _fit_to_dist(fmt: Any, dist: Any, fit_size: int) -> Any:
    if not needs_fit(fmt):
        return fmt
    amax = max(abs(float(dist.isf(0.5 / fit_size))), abs(float(dist.ppf(0.5 / fit_size))))
    return fmt.fit(np.array([-amax, amax]))


def expected_sqnr(cfg: Any, dist: Any, *, rule: str = "format", fit_size: int = 4096) -> float:
    """Exact expected SQNR (dB) of ``cfg`` for a frozen continuous ``scipy.stats`` distribution:
    10·log10(E[x²] / E[(x − Q(x))²]), integrating the pdf over every rounding cell (see the
    module docstring). ``rule``: tie rule of the cells (``cells``)."""
    fmt = _fit_to_dist(_fmt(cfg), dist, fit_size)
    c = cells(fmt, rule)
    return _db(_second_moment(dist), _cell_mse(c, dist))


# ---------------------------------------------------------------------------------------------
# public entry points


def empirical_sqnr(cfg: Any, x: Any) -> float:
    """10·log10(Σx² / Σ(x − Q(x))²) in dB, Q = the format's round-to-nearest ``quantize``.

    NaN inputs are ignored; a finite input that the format sends to ±inf/NaN makes it −inf;
    an exact reproduction gives +inf.
    """
    fmt = _fmt(cfg)
    a = np.asarray(x, dtype=np.float64).reshape(-1)
    a = a[~np.isnan(a)]
    if a.size == 0:
        raise ValueError("x must contain at least one non-NaN value")
    q = np.asarray(fmt.quantize(a), dtype=np.float64)
    if not np.all(np.isfinite(q[np.isfinite(a)])):
        return -math.inf
    e = a - q
    return _db(float(np.dot(a, a)), float(np.dot(e, e)))


def sqnr(
    cfg: Any,
    x: Any = None,
    *,
    dist: Any = None,
    gamma: float = 1.0,
    delta: str = "eq25",
    rule: str = "format",
    fit_size: int = 4096,
) -> float:
    """SQNR of a format in dB — closed form, empirical, or exact (see the module docstring).

    cfg: a format or its notation (``"GP<8,1,3,0>"``, ``"posit<8,2>"``, ``"LP<6,2,5,0>"``,
         ``"float8_e4m3fn"``, ``"int8"``, ...).

    x: data → empirical SQNR, 10·log10(Σx²/Σ(x−Q(x))²).

    dist: frozen ``scipy.stats`` continuous distribution → exact expected SQNR.

    Neither: closed form. LP: ``closed_form.sqnr_lp`` (derived from its log-uniform spacing,
         at the finest-precision magnitude 2^−sf); every other format: ALPS eq 8,
         (10.79 − 20 log10 γ) + 20 log10 Δ^−1, with Δ from ``delta="eq25"`` (default) or
         ``"eq9"`` (the literal body equation) for posit/GP and the enumerated minimum adjacent
         spacing otherwise. ``gamma`` (default 1: the paper gives no value; see
         ``closed_form.sqnr_eq8`` and ``fit_gamma``).
    """
    if x is not None and dist is not None:
        raise ValueError("give either x (data) or dist (a scipy.stats distribution), not both")
    if x is not None:
        return empirical_sqnr(cfg, x)
    if dist is not None:
        if not (hasattr(dist, "pdf") and hasattr(dist, "cdf") and hasattr(dist, "support")):
            raise ValueError(
                f"dist must be a frozen scipy.stats continuous distribution, got {dist!r}"
            )
        return expected_sqnr(cfg, dist, rule=rule, fit_size=fit_size)
    fmt = _fmt(cfg)
    if needs_fit(fmt):
        raise ValueError(
            f"{fmt} adapts its scale to the data: give x= or dist=, or fit it first (fmt.fit(x))"
        )
    if fmt.family == "lp":
        return cf.sqnr_lp(fmt)
    return cf.sqnr_eq8(fmt, gamma=gamma, delta_eq=delta)


def fit_gamma(cfg: Any, x: Any = None, *, dist: Any = None, delta: str = "eq25") -> float:
    """The γ for which ALPS eq 8 reproduces the measured (``x``) or exact (``dist``) SQNR:
    20·log10 γ = 10.79 + 20·log10 Δ^−1 − SQNR."""
    s = sqnr(cfg, x, dist=dist)
    s8 = cf.sqnr_eq8(cfg, 1.0, delta)
    return 10.0 ** ((s8 - s) / 20.0)


def sqnr_curve(
    cfg: Any, log2_magnitudes: Any, *, width: float = 1.0, rule: str = "format"
) -> np.ndarray:
    """Exact SQNR (dB) of inputs concentrated at each log2-magnitude m: x log-uniform on
    [2^(m − width/2), 2^(m + width/2)] (positive; sign-symmetric formats give the same for −x).
    This is the tapered-accuracy curve of ALPS Fig. 4a: flat-topped for floats, peaked around
    2^sc for posits/GP, with a steeper flank where rs caps the regime."""
    from scipy import stats

    fmt = _fmt(cfg)
    if needs_fit(fmt):
        raise ValueError(f"{fmt} adapts its scale to the data; fit it first (fmt.fit(x))")
    if not width > 0:
        raise ValueError(f"width must be > 0, got {width}")
    c = cells(fmt, rule)
    m = np.atleast_1d(np.asarray(log2_magnitudes, dtype=np.float64))
    out = np.empty(m.shape)
    for i, mi in enumerate(m.reshape(-1)):
        lo, hi = 2.0 ** (mi - width / 2), 2.0 ** (mi + width / 2)
        d = stats.loguniform(lo, hi)
        out.reshape(-1)[i] = _db(_second_moment(d), _cell_mse(c, d, (lo, hi)))
    return out
