"""Signal-to-quantization-noise ratio of any lognum format: closed form, empirical, and exact::

  ``sqnr(cfg)``            closed form: ALPS eq 8 (posit, GP and every non-LP format, with Δ of
                           eq 25 by default) or the LP closed form (``closed_form.sqnr_lp``);
  ``sqnr(cfg, x)``         empirical: 10·log10(Σx² / Σ(x − Q(x))²) in dB (scaled sums: any
                           magnitude);
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

Integration. A frozen loc-scale distribution is written x = loc + scale·z and everything is
integrated in z, whose mass is of order 1 whatever the scale — so a distribution 1e30 times
wider or narrower than the format's range is handled like any other (the two unbounded
saturation cells included). The z line is cut at every cell boundary and at a grid that
resolves the pdf (quantiles in half-decade steps of the tail probability down to 1e-300,
1 % steps in the body, the median — where a Laplace pdf has its kink — and a geometric grid of
ratio 1.25); each piece is integrated by Gauss–Legendre (16 nodes; 8 or 4 for pieces much
narrower than the grid), and the tails beyond the 1e-300 quantiles by Gauss–Legendre in a
logarithmic variable. Sums are kept in the log domain (no overflow or underflow of Σ
(x − Q(x))² at any magnitude); the integrand is non-negative, so there is no cancellation. As a
self-check, the same pieces must reproduce the closed-form E[z²] to 1e-7, or ``ValueError``.
E[x²] infinite or undefined (Cauchy, Student-t with df <= 2): ``ValueError``. Positive mass
(however small) that a non-saturating format sends to ±inf or NaN makes the SQNR −inf.

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

_GL_RULES = {k: np.polynomial.legendre.leggauss(k) for k in (4, 8, 16)}
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
    if fmt.kind == "block":
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
    if not (isinstance(rule, str) and rule in RULES):
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    fmt = _fmt(cfg)
    _check_fixed(fmt)
    key = (type(fmt), repr(fmt), rule)
    hit = _CELLS_CACHE.get(key)
    if hit is not None:
        return hit
    c = _cells(fmt, rule)
    if len(_CELLS_CACHE) >= 32:
        _CELLS_CACHE.pop(next(iter(_CELLS_CACHE)))
    _CELLS_CACHE[key] = c
    return c


_CELLS_CACHE: dict[tuple[Any, str, str], Cells] = {}


def _cells(fmt: Any, rule: str) -> Cells:
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
    for a in (v, lower, upper):
        a.flags.writeable = False  # cached: shared between calls
    return Cells(str(fmt), v, lower, upper, ov_lo, ov_hi, rule)


class _Neg:
    """x -> -Q(-x): lets the bisection run on the negative end with increasing arguments."""

    def __init__(self, fmt: Any) -> None:
        self.fmt = fmt

    def quantize(self, x: np.ndarray) -> np.ndarray:
        return -_q(self.fmt, -np.asarray(x))


# ---------------------------------------------------------------------------------------------
# exact expectation over the cells (standardized, log domain)

_LN10 = math.log(10.0)
_LADDER = 10.0 ** -np.arange(300.0, 1.99, -0.5)  # tail probabilities of the quantile grid
_BODY = np.linspace(0.01, 0.99, 99)


@dataclass(frozen=True)
class _Std:
    """A distribution as x = loc + scale·z with z ~ ``std`` (loc/scale split off so that every
    integral is done on z, of order 1, whatever the scale of x)."""

    std: Any
    loc: float
    scale: float


def _standardize(dist: Any) -> _Std:
    try:
        shapes, loc, scale = dist.dist._parse_args(*dist.args, **dist.kwds)
        std = dist.dist(*shapes)
    except (AttributeError, TypeError):  # not a loc-scale scipy frozen distribution
        return _Std(dist, 0.0, 1.0)
    loc, scale = float(loc), float(scale)
    if not (math.isfinite(loc) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"dist must have a finite loc and a finite scale > 0, got {loc}, {scale}")
    if not math.isfinite(loc / scale):
        raise ValueError(f"dist's loc/scale = {loc}/{scale} overflows float64")
    return _Std(std, loc, scale)


def _moments(std: Any, what: str) -> tuple[float, float]:
    """(E[z], Var z); ValueError when E[x²] is infinite or undefined (Cauchy, Student-t df <= 2)."""
    with np.errstate(all="ignore"):
        m, v = float(std.mean()), float(std.var())
    if not (math.isfinite(m) and math.isfinite(v)):
        raise ValueError(
            f"{what} has an infinite or undefined second moment E[x²] (mean {m}, variance {v}): "
            "the SQNR E[x²]/E[(x − Q(x))²] is undefined (e.g. Cauchy, Student-t with df <= 2; "
            "or a moment beyond float64 when a shape parameter sets the scale, e.g. "
            "loguniform(1e-200, 1e200)); use sqnr(cfg, x=samples) for data"
        )
    return m, v


def _log_pdf(std: Any, z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if hasattr(std, "logpdf"):
            return np.asarray(std.logpdf(z), dtype=np.float64)
        return np.log(np.asarray(std.pdf(z), dtype=np.float64))


def _quantile_grid(std: Any) -> tuple[np.ndarray, float, float]:
    """Breakpoints that resolve the pdf of z: quantiles (half-decade steps in the tails, 1 %
    steps in the body), the median, and ±1.25^k between the body and the window edges; and
    the window [zlo, zhi] outside which the tail mass is below ~1e-300 (or the support)."""
    slo, shi = (float(t) for t in std.support())
    with np.errstate(all="ignore"):
        lo = np.asarray(std.ppf(_LADDER), dtype=np.float64)
        hi = np.asarray(std.isf(_LADDER), dtype=np.float64)
        body = np.asarray(std.ppf(_BODY), dtype=np.float64)
    body = body[np.isfinite(body)]
    if body.size == 0:
        raise ValueError("dist.ppf returned no finite quantile in (0.01, 0.99)")
    # extreme quantiles can fail (scipy's t.ppf(1e-300) = +inf): keep the consistent ones
    lo = lo[np.isfinite(lo) & (lo <= body[0])]
    hi = hi[np.isfinite(hi) & (hi >= body[-1])]
    zlo = float(lo.min()) if lo.size else float(body[0])
    zhi = float(hi.max()) if hi.size else float(body[-1])
    zlo, zhi = max(zlo, slo), min(zhi, shi)
    q1, q3 = float(np.min(body)), float(np.max(body))
    unit = max(q3 - q1, abs(q1), abs(q3), 1e-300)
    big = max(abs(zlo), abs(zhi)) / unit
    geo: np.ndarray = np.empty(0)
    if math.isfinite(big) and big > 1:
        k = np.arange(0, math.ceil(math.log(big) / math.log(1.25)) + 1)
        geo = unit * 1.25**k
        geo = np.concatenate([-geo, geo])
    g = np.concatenate([lo, hi, body, [float(std.median())], geo])
    # points closer than 1e-280 to 0 (the ppf of a pdf singular at 0) would put Gauss nodes on
    # subnormals or on the singularity itself; the piece next to 0 covers them
    g = g[np.isfinite(g) & (g > zlo) & (g < zhi) & ((np.abs(g) > 1e-280) | (g == 0.0))]
    return g, zlo, zhi


def _logsumexp(a: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.float64)
    a = a[a > -math.inf]
    if a.size == 0:
        return -math.inf
    m = float(a.max())
    return m + math.log(float(np.sum(np.exp(a - m))))


def _log_moments(
    std: Any, pa: np.ndarray, pb: np.ndarray, centres: list[np.ndarray], coarse: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    """Per piece [pa, pb]: log ∫ (z − c)² p(z) dz for each array c of ``centres``, and the log
    mass log ∫ p(z) dz — Gauss–Legendre with one pdf evaluation shared by all. Each (z − c)² is
    scaled by its largest value on the piece, so no magnitude overflows. ``coarse``: width of
    the grid interval that holds the piece (the scale on which the pdf varies): 16 nodes, or 8
    / 4 nodes for pieces narrower than 1/16 / 1/256 of it (the pdf is then a low-degree
    polynomial on the piece to double precision)."""
    w = pb - pa
    k = np.where(w * 256.0 <= coarse, 4, np.where(w * 16.0 <= coarse, 8, 16))
    outs = [np.empty(pa.size) for _ in centres]
    mass = np.empty(pa.size)
    with np.errstate(all="ignore"):
        for n in (4, 8, 16):
            sel = k == n
            if not sel.any():
                continue
            gx, gw = _GL_RULES[n]
            a, b = pa[sel], pb[sel]
            half = 0.5 * (b - a)
            nodes = 0.5 * (a + b)[:, None] + half[:, None] * gx[None, :]
            lp = _log_pdf(std, nodes)
            pdf = np.where(np.isfinite(lp), np.exp(lp), 0.0)  # +inf: a node on a singularity
            mass[sel] = np.log((pdf @ gw) * half)
            for out, c in zip(outs, centres, strict=True):
                cc = c[sel]
                kk = np.maximum(np.abs(a - cc), np.abs(b - cc))
                kk = np.where(kk > 0, kk, 1.0)
                r = (nodes - cc[:, None]) / kk[:, None]
                out[sel] = np.log(((r * r * pdf) @ gw) * half) + 2.0 * np.log(kk)
    return outs, mass


def _log_tail(std: Any, z0: float, centres: list[Any], upper: bool) -> list[float]:
    """log ∫ (z − c(z))² p(z) dz over z > z0 (``upper``) or z < z0, for each c (a number, or a
    function of z: the rounded value): the tail beyond the integration window, by
    Gauss–Legendre in u = log(1 + |z − z0|/|z0|) (up to the largest double), through logpdf —
    the heavy tails of e.g. Student-t decay geometrically in u."""
    sgn = 1.0 if upper else -1.0
    a0 = abs(z0) if (z0 != 0.0 and (z0 > 0) == upper) else 1.0
    umax = min(709.0, math.log(np.finfo(np.float64).max / 4.0) - math.log(a0))
    if not umax > 0:
        return [-math.inf for _ in centres]
    # pieces of 1/8 up to u = 2, then growing by 15 % (at most 4 wide): the integrand decays
    # like exp(-(df - 2) u) for a Student-t and faster for lighter tails
    w = [0.125] * 16
    while sum(w) < umax:
        w.append(min(4.0, w[-1] * 1.15))
    ue = np.minimum(np.concatenate([[0.0], np.cumsum(w)]), umax)
    ue = np.unique(ue)
    gx, gw = _GL_RULES[16]
    half = 0.5 * (ue[1:] - ue[:-1])
    u = (0.5 * (ue[1:] + ue[:-1]))[:, None] + half[:, None] * gx[None, :]
    lw = np.log(half[:, None] * gw[None, :])
    with np.errstate(all="ignore"):
        z = z0 + sgn * a0 * np.expm1(u)
        base = _log_pdf(std, z) + math.log(a0) + u + lw
        out = []
        for c in centres:
            term = base + 2.0 * np.log(np.abs(z - (c(z) if callable(c) else c)))
            out.append(_logsumexp(np.where(np.isfinite(z), term, -math.inf).ravel()))
    return out


@dataclass(frozen=True)
class _ZCells:
    """Rounding cells mapped to z: (lower, upper] → value (the value also as log|value|, kept
    exact when the mapped value overflows)."""

    lower: np.ndarray
    upper: np.ndarray
    value: np.ndarray
    log_abs_value: np.ndarray
    overflow_lo: float
    overflow_hi: float


def _to_z(c: Cells, loc: float, scale: float, log2_scale: float | None = None) -> _ZCells:
    """Map cells to z = (x − loc)/scale; ``log2_scale`` (with loc = 0) maps z = x·2^−log2_scale
    exactly even when 2^log2_scale is not a float64."""
    with np.errstate(all="ignore"):
        if log2_scale is None:
            mu = loc / scale

            def f(x: Any) -> Any:
                return np.asarray(x, dtype=np.float64) / scale - mu

            lav = np.log(np.abs(c.value)) - math.log(scale)
        else:
            e = math.floor(log2_scale)
            fr = 2.0 ** -(log2_scale - e)

            def f(x: Any) -> Any:
                return np.ldexp(np.asarray(x, dtype=np.float64) * fr, -e)

            lav = np.log(np.abs(c.value)) - log2_scale * math.log(2.0)
        v = f(c.value)
        if log2_scale is None:
            lav = np.where(np.isfinite(v) & (np.abs(mu) > 0), np.log(np.abs(v)), lav)
        return _ZCells(
            f(c.lower),
            f(c.upper),
            v,
            lav,
            float(f(np.array([c.overflow_lo]))[0]),
            float(f(np.array([c.overflow_hi]))[0]),
        )


def _log_noise(
    zc: _ZCells, std: Any, mu: float, grid: np.ndarray, zlo: float, zhi: float
) -> tuple[float, float]:
    """(log E[(z − Q(z))²], log E[(z + mu)²] integrated on the same pieces) under ``std``.

    The z line inside the window [zlo, zhi] is cut at every cell boundary and every grid point
    (``_quantile_grid``), each piece integrated by Gauss–Legendre (``_log_moments``); a piece
    whose value is farther than 1e8 times its own extent from 0 contributes value² · mass
    (relative error < 3e-8; this keeps cells whose value overflows in z exact). The tails
    beyond the window (``_log_tail``, probability < ~1e-300) are integrated with the value of
    the cell of each node (the format's overflow to ±inf has been handled by the caller)."""
    inside = (zc.lower < zhi) & (zc.upper > zlo) & (zc.upper > zc.lower)
    bnd = np.concatenate([zc.lower[inside], zc.upper[inside]])
    bnd = bnd[(bnd > zlo) & (bnd < zhi)]
    gp = np.unique(np.concatenate([[zlo, zhi], grid]))
    bp = np.unique(np.concatenate([gp, bnd]))
    pa, pb = bp[:-1], bp[1:]
    mid = 0.5 * (pa + pb)
    gi = np.clip(np.searchsorted(gp, mid), 1, gp.size - 1)
    coarse = gp[gi] - gp[gi - 1]
    j = np.minimum(np.searchsorted(zc.upper, mid, side="left"), zc.upper.size - 1)
    v, lav = zc.value[j], zc.log_abs_value[j]
    far = ~np.isfinite(v) | (np.abs(v) > 1e8 * np.maximum(np.abs(pa), np.abs(pb)))
    (ln_noise, ln_sig), ln_mass = _log_moments(
        std, pa, pb, [np.where(far, 0.0, v), np.full(pa.size, -mu)], coarse
    )
    ln_noise = np.where(far, 2.0 * lav + ln_mass, ln_noise)
    tails_n, tails_s = [], []
    slo, shi = (float(t) for t in std.support())

    def rounded(z: np.ndarray) -> np.ndarray:
        return zc.value[np.minimum(np.searchsorted(zc.upper, z, side="left"), zc.value.size - 1)]

    for edge, beyond, upper in ((zhi, shi, True), (zlo, slo, False)):
        if (edge < beyond) if upper else (edge > beyond):
            tn, ts = _log_tail(std, edge, [rounded, -mu], upper)
            tails_n.append(tn)
            tails_s.append(ts)
    ln_n = _logsumexp(np.concatenate([ln_noise, tails_n]))
    ln_s = _logsumexp(np.concatenate([ln_sig, tails_s]))
    return ln_n, ln_s


def _expected_db(
    zc: _ZCells, std: Any, mu: float, what: str, pre: tuple[np.ndarray, float, float] | None = None
) -> float:
    """10·log10(E[x²] / E[(x − Q(x))²]) from the cells in z (x = scale·(z + mu)); ``pre``:
    ``_quantile_grid(std)`` if already computed."""
    m, var = _moments(std, what)
    grid, zlo, zhi = _quantile_grid(std) if pre is None else pre
    # mass the format sends to ±inf / NaN (non-saturating overflow): infinite noise
    with np.errstate(all="ignore"):
        p_over = float(std.sf(zc.overflow_hi)) + float(std.cdf(zc.overflow_lo))
    if p_over > 0:
        return -math.inf
    zlo, zhi = max(zlo, zc.overflow_lo), min(zhi, zc.overflow_hi)
    ln_n, ln_s = _log_noise(zc, std, mu, grid, zlo, zhi)
    sig = var + (m + mu) ** 2  # E[(z + mu)²], closed form
    # self-check: the pieces must hold the whole second moment (nothing missed)
    if not (sig > 0 and abs(math.exp(ln_s - math.log(sig)) - 1.0) < 1e-7):
        raise ValueError(
            f"could not integrate {what} accurately (second moment {sig:.6g} closed form, "
            f"{math.exp(ln_s):.6g} integrated): its tails are too heavy or its ppf/pdf fail"
        )
    if ln_n == -math.inf:
        return math.inf
    return 10.0 * (math.log(sig) - ln_n) / _LN10


def needs_fit(fmt: Any) -> bool:
    """True for an adaptive format whose scale is not chosen yet (``Format.needs_fit``);
    ValueError for a block format, which has no fixed rounding cells."""
    _check_fixed(fmt)
    return bool(fmt.needs_fit)


def _fit_to_dist(fmt: Any, dist: Any, fit_size: int) -> Any:
    if not needs_fit(fmt):
        return fmt
    amax = max(abs(float(dist.isf(0.5 / fit_size))), abs(float(dist.ppf(0.5 / fit_size))))
    if not (math.isfinite(amax) and amax > 0):
        raise ValueError(f"cannot fit {fmt} to dist: its ±{0.5 / fit_size:g} quantiles are ±{amax}")
    return fmt.fit(np.array([-amax, amax]))


def _check_dist(dist: Any) -> None:
    need = ("pdf", "cdf", "sf", "ppf", "isf", "support", "mean", "var", "median")
    if not all(hasattr(dist, a) for a in need):
        raise ValueError(
            f"dist must be a frozen scipy.stats continuous distribution (with pdf, cdf, ppf, "
            f"...), e.g. scipy.stats.norm(scale=2), got {dist!r}"
        )


def expected_sqnr(cfg: Any, dist: Any, *, rule: str = "format", fit_size: int = 4096) -> float:
    """Exact expected SQNR (dB) of ``cfg`` for a frozen continuous ``scipy.stats`` distribution:
    10·log10(E[x²] / E[(x − Q(x))²]), integrating the pdf over every rounding cell (see the
    module docstring). ``rule``: tie rule of the cells (``cells``).

    The integration runs on the standardized variable z = (x − loc)/scale, so the scale of the
    distribution does not matter (1e-300 … 1e300 relative to the format's range): the mass of
    the two saturation cells is integrated like every other cell. ``ValueError`` when E[x²] is
    infinite or undefined (Cauchy, Student-t with df <= 2). −inf when a positive probability
    (however small) is sent to ±inf/NaN by a non-saturating format: E[(x − Q(x))²] is infinite.
    """
    _check_dist(dist)
    if isinstance(fit_size, bool) or not isinstance(fit_size, int | np.integer) or fit_size < 2:
        raise ValueError(f"fit_size must be an integer >= 2, got {fit_size!r}")
    sd = _standardize(dist)
    _moments(sd.std, "dist")  # refuse infinite E[x²] before any work
    fmt = _fit_to_dist(_fmt(cfg), dist, int(fit_size))
    c = cells(fmt, rule)
    zc = _to_z(c, sd.loc, sd.scale)
    return _expected_db(zc, sd.std, sd.loc / sd.scale, "dist")


# ---------------------------------------------------------------------------------------------
# public entry points


def _log_sum_squares(v: np.ndarray) -> float:
    """log Σ v² without overflow or underflow (scaled by a power of two of max |v|)."""
    m = float(np.max(np.abs(v))) if v.size else 0.0
    if m == 0.0:
        return -math.inf
    e = int(np.frexp(m)[1])
    w = np.ldexp(v, -e)
    return math.log(float(np.dot(w, w))) + 2.0 * e * math.log(2.0)


def empirical_sqnr(cfg: Any, x: Any) -> float:
    """10·log10(Σx² / Σ(x − Q(x))²) in dB, Q = the format's round-to-nearest ``quantize``.

    Computed in a scaled (log) domain: any magnitudes (1e-300 … 1e300) give the right value.
    x must be finite and not all zero (``ValueError``: NaN or ±inf data has no SQNR). A finite
    input that the format sends to ±inf/NaN makes it −inf; an exact reproduction gives +inf.
    """
    fmt = _fmt(cfg)
    arr = np.asarray(x, dtype=np.float64)  # quantized in its own shape: per-channel scales
    a = arr.reshape(-1)  # and blocks follow the format's axis, not a flattened copy
    if a.size == 0:
        raise ValueError("x must contain at least one value")
    bad = ~np.isfinite(a)
    if bad.any():
        raise ValueError(
            f"x must be finite: it has {int(np.isnan(a).sum())} NaN and "
            f"{int(np.isinf(a).sum())} ±inf entries (the SQNR of non-finite data is undefined)"
        )
    if not np.any(a):
        raise ValueError("x is all zero: its SQNR (0/0) is undefined")
    q = np.asarray(fmt.quantize(arr), dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(q)):
        return -math.inf
    with np.errstate(over="ignore"):
        e = a - q
    ln_e = (
        _log_sum_squares(e)
        if np.all(np.isfinite(e))
        else _log_sum_squares(0.5 * a - 0.5 * q) + 2.0 * math.log(2.0)
    )
    if ln_e == -math.inf:
        return math.inf
    return 10.0 * (_log_sum_squares(a) - ln_e) / _LN10


def _check_delta(delta: Any) -> None:
    if not (isinstance(delta, str) and delta in cf.DELTA_EQS):
        raise ValueError(
            f"delta must be one of {cf.DELTA_EQS} (ALPS eq 25, the default, or the literal "
            f"eq 9), got {delta!r}"
        )


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
    _check_delta(delta)
    if x is not None:
        return empirical_sqnr(cfg, x)
    if dist is not None:
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
    _check_delta(delta)
    s = sqnr(cfg, x, dist=dist)
    s8 = cf.sqnr_eq8(cfg, 1.0, delta)
    return 10.0 ** ((s8 - s) / 20.0)


def sqnr_curve(
    cfg: Any, log2_magnitudes: Any, *, width: float = 1.0, rule: str = "format"
) -> np.ndarray:
    """Exact SQNR (dB) of inputs concentrated at each log2-magnitude m: x log-uniform on
    [2^(m − width/2), 2^(m + width/2)] (positive; sign-symmetric formats give the same for −x).
    This is the tapered-accuracy curve of ALPS Fig. 4a: flat-topped for floats, peaked around
    2^sc for posits/GP, with a steeper flank where rs caps the regime.

    Each point is integrated on z = x / 2^m (exact power-of-two scaling) in the log domain, so
    any finite m works (m = −1000: 0 dB for a format that flushes to zero, a large negative SQNR
    for one that rounds up to its minpos). ``log2_magnitudes`` must be finite (``ValueError``).
    """
    from scipy import stats

    fmt = _fmt(cfg)
    if needs_fit(fmt):
        raise ValueError(f"{fmt} adapts its scale to the data; fit it first (fmt.fit(x))")
    try:
        w = float(width)
    except (TypeError, ValueError):
        raise ValueError(f"width must be a number in (0, 64], got {width!r}") from None
    if not 0 < w <= 64:
        raise ValueError(f"width must be a number in (0, 64], got {width!r}")
    try:
        m = np.atleast_1d(np.asarray(log2_magnitudes, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(f"log2_magnitudes must be real numbers, got {log2_magnitudes!r}") from None
    if not np.all(np.isfinite(m)):
        raise ValueError(
            "log2_magnitudes must be finite: "
            f"{int((~np.isfinite(m)).sum())} of {m.size} entries are NaN or ±inf"
        )
    c = cells(fmt, rule)
    std = stats.loguniform(2.0 ** (-w / 2), 2.0 ** (w / 2))
    grid = _quantile_grid(std)
    out = np.empty(m.shape)
    for i, mi in enumerate(m.reshape(-1)):
        zc = _to_z(c, 0.0, 1.0, log2_scale=float(mi))
        out.reshape(-1)[i] = _expected_db(zc, std, 0.0, "the log-uniform input", grid)
    return out
