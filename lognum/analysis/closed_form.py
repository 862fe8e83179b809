"""Closed forms of the posit family (ALPS eqs 2, 3, 8, 9, 25; LP: docs/guide/tapered.md) and key
figures of any format (dynamic range, quire width, relative precision).

Every closed form here is checked against enumeration of the format's values in
``tests/analysis/test_closed_form.py`` — never against itself.

Regime bookkeeping used throughout (docs/guide/tapered.md): a regime value ``k`` has a run of
``r = k + 1`` ones (k >= 0) or ``r = -k`` zeros (k < 0); the run is capped at ``rs`` and a capped
run has no terminator, so the regime field is ``L(k) = r + 1`` bits if ``r < rs`` else ``rs``.
After the sign and the regime ``t_k = n - 1 - L(k)`` bits remain: ``min(es, t_k)`` exponent bits
(left-aligned, missing bits read as 0) and ``F_k = max(0, t_k - es)`` fraction bits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

DELTA_EQS = ("eq25", "eq9")


def _fmt(cfg: Any) -> Any:
    from lognum.formats.parse import parse

    return parse(cfg)


def _family(fmt: Any) -> str:
    """'gp' (posit and GP), 'lp' (``Format.family``), or 'other' (every other family: the
    closed forms here are those of the tapered formats)."""
    return fmt.family if fmt.family in ("gp", "lp") else "other"


def _check_tapered(fmt: Any, what: str) -> str:
    fam = _family(fmt)
    if fam == "other":
        raise ValueError(f"{what} is defined for posit, GP and LP formats, got {fmt}")
    return fam


# ---------------------------------------------------------------------------------------------
# Max / Min


def max_min(cfg: Any) -> tuple[float, float]:
    """(Max, Min): the largest and smallest positive values by closed form.

    posit / GP: ALPS eq 2 and eq 3 (× 2^sc) — ``lognum.formats.posit.gp_max_min``;
    LP: 2^(±2^es (rs − 2^−t) − sf) with t = n − 1 − rs (docs/guide/tapered.md);
    other formats: their ``maxpos`` / ``minpos``.
    """
    fmt = _fmt(cfg)
    fam = _family(fmt)
    if fam == "gp":
        from lognum.formats.posit import gp_max_min

        return gp_max_min(fmt.n, fmt.es, fmt.rs, fmt.sc)
    if fam == "lp":
        from lognum.formats.logposit import lp_log2_max

        a = float(lp_log2_max(fmt.n, fmt.es, fmt.rs, 0.0))
        return 2.0 ** (a - fmt.sf), 2.0 ** (-a - fmt.sf)
    return float(fmt.maxpos), float(fmt.minpos)


def dynamic_range(cfg: Any) -> dict[str, float]:
    """Dynamic range log10(Max/Min) in decades, in dB (20·decades) and in binades (log2)."""
    mx, mn = max_min(cfg)
    dec = math.log10(mx) - math.log10(mn)
    return {"decades": dec, "dB": 20.0 * dec, "binades": math.log2(mx) - math.log2(mn)}


# ---------------------------------------------------------------------------------------------
# Δ_GP (eq 9 vs eq 25)


def delta_gp(n: int, es: int, rs: int, sc: int = 0, eq: str = "eq25") -> float:
    """Δ_GP, the step of the uniform quantizer in ALPS' compander model (eq 8).

    ``eq="eq25"`` (default, the appendix): with t = n − rs − 1,

        Δ = 2^(−(2^es·rs − 2^(es − t)) + sc)       if t <= es  (n − rs <= es + 1)
        Δ = 2^(−(2^es·rs − es + t) + sc)            otherwise,

    which equals the **minimum spacing between adjacent non-negative values** (including the
    0 → Min gap) for every configuration (docs/errata.md, checked by enumeration in the tests).

    ``eq="eq9"`` (the body, literal): the first branch reads 2^(−(2^es·rs − 2^es − t) + sc) —
    the superscript es − t of eq 25 flattened into the baseline (a typesetting error). The two
    agree for rs = n − 1 and whenever the second branch applies, and differ e.g. for
    GP<8,2,5,0>: eq 9 gives 2^−14, eq 25 (and enumeration) 2^−19.
    """
    if not (isinstance(eq, str) and eq in DELTA_EQS):
        raise ValueError(f"eq must be one of {DELTA_EQS}, got {eq!r}")
    from lognum.formats.posit import GeneralizedPosit

    GeneralizedPosit(n, es, rs, sc)  # ValueError naming n, es, rs or sc when out of range
    t = n - rs - 1
    if t <= es:
        if eq == "eq25":
            a = -((rs << es) - 2.0 ** (es - t))
        else:
            a = -((rs << es) - (1 << es) - t)
    else:
        a = -((rs << es) - es + t)
    return 2.0 ** (a + sc)


def delta(cfg: Any, eq: str = "eq25") -> float:
    """Δ of a format: ALPS eq 25 / eq 9 for posit and GP; for every other format the minimum
    spacing between adjacent non-negative values (what eq 25 is for GP), by enumeration."""
    fmt = _fmt(cfg)
    if _family(fmt) == "gp":
        return delta_gp(fmt.n, fmt.es, fmt.rs, fmt.sc, eq)
    return min_gap(fmt)


def min_gap(cfg: Any) -> float:
    """Minimum spacing between adjacent non-negative values, 0 → Min included (enumeration)."""
    v = _fmt(cfg).values()
    v = v[v >= 0]
    if v.size < 2:
        raise ValueError("the format has fewer than two non-negative values")
    if v[0] != 0.0:
        v = np.concatenate([[0.0], v])
    return float(np.min(np.diff(v)))


# ---------------------------------------------------------------------------------------------
# SQNR closed forms


def sqnr_eq8(cfg: Any, gamma: float = 1.0, delta_eq: str = "eq25") -> float:
    """ALPS eq 8 (= eq 24): SQNR_GP(dB) ≈ (10.79 − 20 log10 γ) + 20 log10 Δ^−1.

    Derivation (ALPS appendix eqs 18–24): a GP quantizer is modelled as a compander —
    compressor y = γ^−1 asinh(θx), a uniform quantizer of step Δ, expander x' = θ^−1 sinh(γy')
    — so the error is ε ≈ ε_fx γ|x| with E[ε_fx²] = Δ²/12 and SQNR ≈ 12 / (γ²Δ²);
    10·log10(12) = 10.79 dB. The paper never gives γ (nor θ), so eq 8 is only defined up to γ:
    the default γ = 1 is the literal formula with the 20·log10 γ term dropped, **not** a
    calibrated prediction. ``lognum.analysis.sqnr.fit_gamma`` solves γ from measured data.

    Δ is ALPS eq 25 (default, ``delta_eq="eq25"``) or the literal eq 9 (``"eq9"``) for posit
    and GP, and the enumerated minimum adjacent spacing for other formats (eq 25's meaning).
    """
    if not (isinstance(gamma, int | float) and math.isfinite(gamma) and gamma > 0):
        raise ValueError(f"gamma must be a finite number > 0, got {gamma!r}")
    if not (isinstance(delta_eq, str) and delta_eq in DELTA_EQS):
        raise ValueError(f"delta_eq must be one of {DELTA_EQS}, got {delta_eq!r}")
    d = delta(cfg, delta_eq)
    return 10.0 * math.log10(12.0) - 20.0 * math.log10(gamma) - 20.0 * math.log10(d)


def lp_relative_mse(h: float) -> float:
    """E[(2^δ − 1)²] for δ uniform on [−h/2, h/2]: the relative MSE of rounding to a grid of
    step h in the log2 domain (LP, log-domain rounding; closed form)::

        E = (2^h − 2^−h) / (2 h ln 2) − 2 (2^(h/2) − 2^(−h/2)) / (h ln 2) + 1
          = Σ_{k>=1} c^(2k) (1 − 2^(1−2k)) / (2k + 1)!,   c = h ln 2,
          ≈ (h ln 2)² / 12   for small h.

    The closed form cancels catastrophically for small h (it is negative at h = 2^−20, the
    step of LP formats with ~20 fraction bits): for c < 1 the series of positive terms is
    summed instead (to double precision). +inf when E exceeds the float64 range (h > ~1000).
    """
    try:
        hv = float(h)
    except (TypeError, ValueError):
        raise ValueError(f"h must be a finite number > 0, got {h!r}") from None
    if not (math.isfinite(hv) and hv > 0):
        raise ValueError(f"h must be a finite number > 0, got {h!r}")
    c = hv * math.log(2.0)
    if c < 1.0:
        total, c2, term, k = 0.0, c * c, 1.0, 1
        while True:
            term *= c2 / ((2 * k) * (2 * k + 1))  # c^(2k) / (2k+1)!
            add = term * (1.0 - 2.0 ** (1 - 2 * k))
            total += add
            if add <= 1e-17 * total:
                return total
            k += 1
    try:
        return math.sinh(c) / c - 2.0 * math.sinh(c / 2) / (c / 2) + 1.0
    except OverflowError:
        return math.inf


def sqnr_lp(cfg: Any, log2_magnitude: float | None = None) -> float:
    """Closed-form SQNR (dB) of LP rounding for inputs at one magnitude (the LP analogue of eq 8).

    Derivation. LP rounds in the log2 domain (docs/guide/tapered.md). Inside the regime of a value
    x, consecutive LP values are a constant log2-step ``h = 2^-(t_k - es)`` apart (``t_k`` bits
    after sign and regime; h > 1 when exponent bits are cut). If log2|x| is spread smoothly
    over many such cells (e.g. log-uniform data), the rounding offset δ = log2|Q(x)| − log2|x| is
    uniform on [−h/2, h/2] and independent of |x|, so Q(x) = x·2^δ and

        SQNR = E[x²] / E[x²(2^δ − 1)²] = 1 / E[(2^δ − 1)²]  (``lp_relative_mse``)
             ≈ 10.79 dB − 20 log10(h ln 2) = 10.79 + 6.02·F − 20 log10(ln 2) dB,

    with F = t_k − es fraction bits: unlike eq 8 there is no free γ — the spacing is exactly
    geometric, so the compander of ALPS is exact for LP with γ = ln 2 and Δ = h.
    ``log2_magnitude``: where the data sit (default: log2 of 2^−sf, the centre of the format,
    where the step is finest). Checked against empirical SQNR of log-uniform data in the tests.
    """
    fmt = _fmt(cfg)
    if _family(fmt) != "lp":
        raise ValueError(f"sqnr_lp needs an LP format, got {fmt}")
    lam = -fmt.sf if log2_magnitude is None else _finite(log2_magnitude, "log2_magnitude")
    h = log2_step(fmt, lam)
    return -10.0 * math.log10(lp_relative_mse(h))


# ---------------------------------------------------------------------------------------------
# regime / precision closed forms


def _finite(x: Any, name: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite number, got {x!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return v


def regime_of(cfg: Any, scale: float) -> int:
    """Regime value k of a magnitude with power-of-two exponent ``scale`` (after removing sc / sf),
    clamped to the format's k range [−rs, rs − 1]."""
    fmt = _fmt(cfg)
    _check_tapered(fmt, "regime_of")
    k = math.floor(_finite(scale, "scale") / (1 << fmt.es))
    return int(min(max(k, -fmt.rs), fmt.rs - 1))


def bits_after_regime(cfg: Any, k: int) -> int:
    """t_k = n − 1 − L(k): bits left for exponent and fraction in regime k."""
    fmt = _fmt(cfg)
    _check_tapered(fmt, "bits_after_regime")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not -fmt.rs <= k < fmt.rs:
        raise ValueError(
            f"k must be an integer in [{-fmt.rs}, {fmt.rs - 1}] (the regimes of {fmt}), got {k!r}"
        )
    run = k + 1 if k >= 0 else -k
    L = run + 1 if run < fmt.rs else fmt.rs
    return fmt.n - 1 - L


def fraction_bits(cfg: Any, k: int) -> int:
    """F_k = max(0, t_k − es): fraction bits of values in regime k (posit, GP, LP)."""
    fmt = _fmt(cfg)
    return max(0, bits_after_regime(fmt, k) - fmt.es)


def log2_step(cfg: Any, log2_magnitude: float) -> float:
    """Log2-domain step of LP at a magnitude: 2^−(t_k − es) (> 1 when exponent bits are cut)."""
    fmt = _fmt(cfg)
    if _family(fmt) != "lp":
        raise ValueError(f"log2_step needs an LP format, got {fmt}")
    lam = _finite(log2_magnitude, "log2_magnitude") + fmt.sf
    k = regime_of(fmt, math.floor(lam))
    return 2.0 ** -(bits_after_regime(fmt, k) - fmt.es)


def enclosing_values(cfg: Any, x: float) -> tuple[float, float]:
    """The two adjacent representable values (lo, hi] around x > 0 inside [Min, Max], by closed
    form from the field layout (posit, GP, LP). ``lo <= x < hi``."""
    fmt = _fmt(cfg)
    fam = _check_tapered(fmt, "enclosing_values")
    mx, mn = max_min(fmt)
    if not (mn <= x < mx):
        raise ValueError(f"x must be in [Min, Max) = [{mn}, {mx}), got {x}")
    es = fmt.es
    if fam == "gp":
        s = math.floor(math.log2(x))
        if 2.0**s > x:
            s -= 1
        elif 2.0 ** (s + 1) <= x:
            s += 1
        r = s - fmt.sc  # scale without sc
        k = regime_of(fmt, r)
        t = bits_after_regime(fmt, k)
        if t >= es:
            F = t - es
            ulp = 2.0 ** (s - F)
            lo = math.floor(x / ulp) * ulp
            return lo, lo + ulp
        d = 1 << (es - t)  # exponent step when exponent bits are cut
        base = (k << es) + d * math.floor((r - (k << es)) / d)
        lo = 2.0 ** (base + fmt.sc)
        return lo, lo * 2.0**d
    lam = math.log2(x) + fmt.sf
    for _ in range(4):  # log2 of a value on the grid may land one float below/above it
        g, h = _lp_cell(fmt, lam)
        if 2.0 ** (g + h - fmt.sf) <= x:
            lam = g + h
        elif 2.0 ** (g - fmt.sf) > x:
            lam = g - 1e-9
        else:
            break
    return 2.0 ** (g - fmt.sf), 2.0 ** (g + h - fmt.sf)


def _lp_cell(fmt: Any, lam: float) -> tuple[float, float]:
    """Grid point g <= lam and log2 step h of the LP cell containing log2|x| + sf = lam."""
    es = fmt.es
    k = regime_of(fmt, math.floor(lam))
    t = bits_after_regime(fmt, k)
    h = 2.0 ** -(t - es)
    return (k << es) + h * math.floor((lam - (k << es)) / h), h


def decimal_digits(cfg: Any, x: Any) -> np.ndarray:
    """Relative precision at magnitude |x| in decimal digits: −log10(gap / (2|x|)), where gap is
    the distance between the two representable values enclosing |x| (so gap/2|x| bounds the
    relative rounding error of round-to-nearest at x). Closed form for posit/GP/LP; by
    enumeration (``values()``) for every other format. NaN outside [Min, Max)."""
    fmt = _fmt(cfg)
    a = np.abs(np.asarray(x, dtype=np.float64))
    out = np.full(a.shape, np.nan)
    flat_a, flat_o = a.reshape(-1), out.reshape(-1)
    if _family(fmt) != "other":
        mx, mn = max_min(fmt)
        for i, xi in enumerate(flat_a):
            if mn <= xi < mx:
                lo, hi = enclosing_values(fmt, float(xi))
                flat_o[i] = -math.log10((hi - lo) / (2.0 * xi))
        return out
    v = fmt.values()
    v = v[v > 0]
    idx = np.searchsorted(v, flat_a, side="right")
    ok = (idx >= 1) & (idx < v.size)
    gap = v[np.minimum(idx, v.size - 1)] - v[np.maximum(idx - 1, 0)]
    flat_o[ok] = -np.log10(gap[ok] / (2.0 * flat_a[ok]))
    return out


# ---------------------------------------------------------------------------------------------
# quire width


def quire_width(cfg: Any, m: int | None = None, rule: str = "alps") -> int:
    """Bits of an exact dot-product accumulator (quire).

    ``rule="alps"`` (ALPS §5.3): w = ⌈log2 m⌉ + 2⌈log2(Max/Min)⌉ + 2 for m accumulated products
    (m = 2^30 if None: the 2022 standard's carry guard). For posit<n,2> with ⌈log2 m⌉ = 30 this
    is 16(n − 2) + 2 + 30 = 16n, the 2022 standard's quire; softposit's quire8/16/32
    (32/128/512 bits) are the formula with ⌈log2 m⌉ = n − 2.
    ``rule="standard"``: 16n (2022 Posit Standard; defined for es = 2 posits).
    ``rule="exact"``: ⌈log2 m⌉ + 2⌈log2(Max/Δ)⌉ + 2 with Δ = the minimum spacing (eq 25): the
    width ``lognum.arith`` uses. Equal to "alps" for posits (Δ = Min); for GP with
    t = n − rs − 1 > es, Min/Δ = 2^(t−es)(1 + 2^(es−t)) and the smallest product's lsb lies
    about 2(t − es) bits below Min², so the ALPS formula is too narrow to be exact (by
    2(t − es) to 2(t − es + 1) bits; checked by enumeration in the tests).
    """
    fmt = _fmt(cfg)
    if rule == "standard":
        if fmt.family != "gp" or fmt.es != 2 or fmt.rs != fmt.n - 1 or fmt.sc != 0:
            raise ValueError(f"rule='standard' (16n) is defined for posit<n,2>, got {fmt}")
        return 16 * fmt.n
    if rule not in ("alps", "exact"):
        raise ValueError(f"rule must be 'alps', 'exact' or 'standard', got {rule!r}")
    if m is None:
        cg = 30
    else:
        if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < 1:
            raise ValueError(f"m must be an integer >= 1, got {m!r}")
        cg = math.ceil(math.log2(int(m))) if m > 1 else 0
    mx, mn = max_min(fmt)
    if rule == "exact":
        mn = delta(fmt, "eq25")
    return cg + 2 * math.ceil(math.log2(mx) - math.log2(mn)) + 2
