"""Statistics behind ALPS' parameter selection: kurtosis of data and of format value sets,
Algorithm 1 (literal and corrected), the layer-wise rules eqs 13–16 and the mismatch bound
eq 12 (Langroudi et al., ALPS, CVPRW 2021; docs/theory.md, docs/errata.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SC_SEARCH = (-3, -2, -1, 0, 1, 2, 3)  # the paper's experiments use sc ∈ [-3, 3]


def excess_kurtosis(x: Any) -> float:
    """Population excess kurtosis m4 / m2² − 3 ("Kurtosis − 3" in ALPS) of the finite entries.

    0 for a Gaussian, 3 for a Laplace, −1.2 for a uniform distribution.
    Scale-invariant: the data are first scaled by a power of two (exact) so that max |x| is in
    [0.5, 1) — any magnitude (1e-300 … 1e300) gives the same value.
    """
    a = _finite(x, "x")
    if a.size < 2:
        raise ValueError("x must have at least two finite entries")
    a = _unit(a)
    d = a - a.mean()
    m2 = float(np.mean(d * d))
    if m2 == 0.0:
        raise ValueError("x is constant: kurtosis undefined")
    return float(np.mean((d * d) ** 2)) / (m2 * m2) - 3.0


def _finite(x: Any, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers, got {x!r}") from None
    return a[np.isfinite(a)]


def _unit(a: np.ndarray) -> np.ndarray:
    """a scaled by the power of two that puts max |a| in [0.5, 1) (exact unless subnormal)."""
    m = float(np.max(np.abs(a))) if a.size else 0.0
    if m == 0.0:
        return a
    return np.ldexp(a, -int(np.frexp(m)[1]))


def _check_a(a: Any) -> float:
    try:
        v = float(a)
    except (TypeError, ValueError):
        raise ValueError(f"a must be a finite number > 0, got {a!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"a must be a finite number > 0, got {a!r}")
    return v


def _gp(n: int, es: int, rs: int, sc: int) -> Any:
    from lognum.formats.posit import GeneralizedPosit

    return GeneralizedPosit(n, es, rs, sc)


def format_values(cfg: Any, a: float | None = None) -> np.ndarray:
    """Finite values of a format, restricted to [−a, a] if ``a`` is given."""
    from lognum.formats.parse import parse

    v = parse(cfg).values()
    v = v[np.isfinite(v)]
    if a is not None:
        v = v[np.abs(v) <= _check_a(a)]
    return v


def format_kurtosis(cfg: Any, a: float) -> float:
    """Kurt(GP(...), −a, a) of Algorithm 1, read as (docs/errata.md): the excess
    kurtosis of the uniform distribution over the format's values lying in [−a, a].
    ``ValueError`` when fewer than two distinct values lie in [−a, a] (e.g. a < minpos)."""
    v = format_values(cfg, a)
    if np.unique(v).size < 2:
        raise ValueError(
            f"a = {a!r}: fewer than two values of {cfg} lie in [-a, a] (a below its smallest "
            "positive value?): their kurtosis is undefined"
        )
    return excess_kurtosis(v)


def format_mean(cfg: Any, a: float | None = None) -> float:
    """Mean of the format's value set (on [−a, a] if given). Exactly 0 for every sign-symmetric
    format — which is why Algorithm 1's sc search is degenerate (an exactly rounded sum,
    ``math.fsum``, of the values scaled by a power of two: no overflow, no order effects)."""
    v = format_values(cfg, a)
    if v.size == 0:
        raise ValueError(f"no value of {cfg} lies in [-a, a] for a = {a!r}")
    m = float(np.max(np.abs(v)))
    e = int(np.frexp(m)[1]) if m > 0 else 0
    return math.ldexp(math.fsum(np.ldexp(v, -e)) / v.size, e)


@dataclass
class Algorithm1Result:
    """Outcome and trace of ALPS Algorithm 1 (reference layer: rs_w, sc_w)."""

    rs: int
    sc: int
    variant: str
    kurtosis_data: float
    w_amax: float
    kurtosis_candidates: dict[int, float] = field(default_factory=dict)
    mean_data: float = 0.0
    mean_candidates: dict[int, float] = field(default_factory=dict)
    sc_criterion: dict[int, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def alps_algorithm1(
    w: Any, n: int, es: int, variant: str = "corrected", sc_criterion: str = "log2mean"
) -> Algorithm1Result:
    """ALPS Algorithm 1: choose (rs, sc) of the reference layer from its weights ``w``.

    rs (both variants, as written): start from rs = n − 1 and K_diff0 = |K_W − K_GP(n−1, 0)|,
    then for i = 3 … n − 2 take rs = i whenever |K_W − K_i| < K_diff0 (strict), where K_W is the
    excess kurtosis of w and K_i that of the GP<n, es, i, 0> values in [−max|w|, max|w|]
    (``format_kurtosis``). (The paper evaluates K_i with the not-yet-computed sc_wr; sc = 0.)

    sc, ``variant="literal"``: start from sc = 0 and M_diff0 = |M_W − mean(GP<n,es,n−1,0>)|; for
    i = 1 … 3 take sc = −i whenever |M_W − mean(GP<n,es,n−1,i>)| < M_diff0. **Degenerate**: a GP
    value set is sign-symmetric, so every mean is exactly 0, M_i never beats M_diff0 and sc stays
    0 for every input (and sc > 0 is never a candidate). The trace shows the zero means.

    sc, ``variant="corrected"`` (lognum's default, docs/errata.md): choose sc ∈ [−3, 3]
    minimising a criterion that is not degenerate:

      * ``sc_criterion="log2mean"``: |mean log2|w| − mean log2|v|| over the nonzero GP<n,es,rs,sc>
        values v in [−max|w|, max|w|] … i.e. put the format's log-magnitude centre where the
        weights' log-magnitudes are;
      * ``sc_criterion="mse"``: the empirical quantization MSE of w.

    Ties go to the smaller |sc| (then the negative one).
    """
    if variant not in ("literal", "corrected"):
        raise ValueError(f"variant must be 'literal' or 'corrected', got {variant!r}")
    if sc_criterion not in ("log2mean", "mse"):
        raise ValueError(f"sc_criterion must be 'log2mean' or 'mse', got {sc_criterion!r}")
    a = _finite(w, "w")
    if a.size < 2:
        raise ValueError("w must have at least two finite entries")
    if not 4 <= n <= 16:
        raise ValueError(f"n must be in [4, 16] (Algorithm 1 enumerates values), got {n}")
    amax = float(np.max(np.abs(a)))
    k_w = excess_kurtosis(a)
    rs = n - 1
    g0 = _gp(n, es, n - 1, 0)
    if np.unique(format_values(g0, amax)).size < 2:
        raise ValueError(
            f"max|w| = {amax:g} is below the smallest positive value of {g0} "
            f"({float(g0.minpos):g}): the kurtosis of the format values in [-max|w|, max|w|] "
            "(Algorithm 1) is undefined; scale w (or choose sc first)"
        )
    k0 = format_kurtosis(g0, amax)
    kdiff = abs(k_w - k0)
    kc = {n - 1: k0}
    notes = []
    for i in range(3, n - 1):
        gi = _gp(n, es, i, 0)
        if np.unique(format_values(gi, amax)).size < 2:  # max|w| < minpos of this rs
            kc[i] = math.nan
            notes.append(f"rs={i}: fewer than two values of {gi} in [-max|w|, max|w|], skipped")
            continue
        ki = format_kurtosis(gi, amax)
        kc[i] = ki
        if abs(k_w - ki) < kdiff:
            rs, kdiff = i, abs(k_w - ki)
    res = Algorithm1Result(
        rs=rs,
        sc=0,
        variant=variant,
        kurtosis_data=k_w,
        w_amax=amax,
        kurtosis_candidates=kc,
        mean_data=_mean(a),
        notes=notes,
    )
    if variant == "literal":
        m0 = format_mean(_gp(n, es, n - 1, 0))
        res.mean_candidates[0] = m0
        mdiff = abs(res.mean_data - m0)
        sc = 0
        for i in (1, 2, 3):
            mi = format_mean(_gp(n, es, n - 1, i))
            res.mean_candidates[i] = mi
            if abs(res.mean_data - mi) < mdiff:
                sc, mdiff = -i, abs(res.mean_data - mi)
        res.sc = sc
        if all(m == 0.0 for m in res.mean_candidates.values()):
            res.notes.append(
                "all GP value-set means are exactly 0 (sign symmetry): the sc "
                "search cannot fire, sc stays 0"
            )
        return res
    nz = a[a != 0]
    lw = float(np.mean(np.log2(np.abs(nz))))
    best = None
    for sc in sorted(SC_SEARCH, key=lambda s: (abs(s), s)):
        g = _gp(n, es, rs, sc)
        if sc_criterion == "log2mean":
            v = format_values(g, amax)
            v = np.abs(v[v != 0])
            crit = abs(lw - float(np.mean(np.log2(v)))) if v.size else math.inf
            key = crit
        else:
            crit, key = _mse_and_log(a - np.asarray(g.quantize(a), dtype=np.float64))
        res.sc_criterion[sc] = crit
        if best is None or key < best[0]:
            best = (key, sc)
    assert best is not None  # SC_SEARCH is not empty
    res.sc = best[1]
    return res


def _mean(a: np.ndarray) -> float:
    """Mean without overflow (scaled by a power of two)."""
    m = float(np.max(np.abs(a))) if a.size else 0.0
    e = int(np.frexp(m)[1]) if m > 0 else 0
    return math.ldexp(float(np.mean(np.ldexp(a, -e))), e)


def _mse_and_log(e: np.ndarray) -> tuple[float, float]:
    """(MSE of e, log MSE of e): the MSE may overflow float64 (|w| ~ 1e200), its log does not,
    so candidates are compared on the log."""
    m = float(np.max(np.abs(e))) if e.size else 0.0
    if m == 0.0:
        return 0.0, -math.inf
    k = int(np.frexp(m)[1])
    u = np.ldexp(e, -k)
    ms = float(np.mean(u * u))
    log_mse = math.log(ms) + 2 * k * math.log(2.0)
    try:
        mse = math.ldexp(ms, 2 * k)
    except OverflowError:
        mse = math.inf
    return mse, log_mse


def _rne_log2_sqrt(num: np.ndarray, den: float) -> np.ndarray:
    """RNE(log2 sqrt(num / den)), round half to even (numpy's rint), for any positive finite
    num, den: with num = m_n 2^e_n, den = m_d 2^e_d (frexp), log2(num/den) = log2(m_n/m_d) +
    e_n − e_d — the ratio never over/underflows, and an exact power-of-two ratio (where the
    ties are) gives an exact integer."""
    mn, en = np.frexp(num)
    md, ed = np.frexp(den)
    return np.rint(0.5 * (np.log2(mn / md) + (en - ed).astype(np.float64))).astype(np.int64)


def alps_layerwise(
    e_w: Any,
    e_a: Any,
    ref: int,
    rs_ref: int,
    sc_ref: int,
    n: int,
    activation_ref: str = "weight",
    clamp: bool = True,
) -> dict[str, np.ndarray]:
    """ALPS eqs 13–16: per-layer rs and sc from the quantization-error gains.

        rs_w[l] = RNE(log2 sqrt(E_w[l] / E_w[r])) + rs_ref        (13)
        rs_a[l] = RNE(log2 sqrt(E_a[l] / E_w[r])) + rs_ref        (14)
        sc_w[l] = RNE(log2 sqrt(E_w[l] / E_w[r])) + sc_ref        (15)
        sc_a[l] = RNE(log2 sqrt(E_a[l] / E_w[r])) + sc_ref        (16)

    ``ref``: index of the reference layer r (the paper picks it at random). As written, rs and sc
    receive the same increment, and the activation rules divide by the *weight* gain of the
    reference layer (``activation_ref="weight"``, literal; ``"activation"`` uses E_a[r]).
    ``clamp=True`` (not stated in the paper) clips rs to [1, n − 1] and sc to [−3, 3].
    """
    ew = np.asarray(e_w, dtype=np.float64)
    ea = np.asarray(e_a, dtype=np.float64)
    if ew.shape != ea.shape or ew.ndim != 1:
        raise ValueError("e_w and e_a must be 1-D arrays of the same length")
    if not all(np.all((g > 0) & np.isfinite(g)) for g in (ew, ea)):
        raise ValueError("gains e_w and e_a must be finite and > 0")
    if not 0 <= ref < ew.size:
        raise ValueError(f"ref must be in [0, {ew.size - 1}], got {ref}")
    if activation_ref not in ("weight", "activation"):
        raise ValueError(f"activation_ref must be 'weight' or 'activation', got {activation_ref!r}")
    den_a = ew[ref] if activation_ref == "weight" else ea[ref]
    dw = _rne_log2_sqrt(ew, ew[ref])
    da = _rne_log2_sqrt(ea, den_a)
    out = {"rs_w": dw + rs_ref, "rs_a": da + rs_ref, "sc_w": dw + sc_ref, "sc_a": da + sc_ref}
    if clamp:
        for key in ("rs_w", "rs_a"):
            out[key] = np.clip(out[key], 1, n - 1)
        for key in ("sc_w", "sc_a"):
            out[key] = np.clip(out[key], -3, 3)
    return out


def mismatch_bound(e_w: Any, sqnr_w_db: Any, e_a: Any, sqnr_a_db: Any) -> float:
    """ALPS eq 12: p_m <= Σ_l (E_W_l / SQNR_W_l + E_A_l / SQNR_A_l), the bound on the probability
    that the quantized network's decision differs from the full-precision one (Sakr et al.).
    SQNRs are given in dB and converted to linear power ratios; gains E are as defined by Sakr &
    Shanbhag (the paper gives no recipe of its own).

    Each term E / 10^(SQNR/10) is computed as exp(ln E − SQNR·ln 10 / 10), so gains and SQNRs
    of any magnitude (1e300 and 3000 dB) give the right bound.
    """
    ew, ea = np.asarray(e_w, float), np.asarray(e_a, float)
    dw, da = np.asarray(sqnr_w_db, float), np.asarray(sqnr_a_db, float)
    if not (ew.shape == dw.shape and ea.shape == da.shape):
        raise ValueError("each gain array must match its SQNR array in shape")
    for name, g in (("e_w", ew), ("e_a", ea)):
        if not np.all(np.isfinite(g) & (g >= 0)):
            raise ValueError(f"gains {name} must be finite and >= 0")
    for name, d in (("sqnr_w_db", dw), ("sqnr_a_db", da)):
        if np.any(np.isnan(d)):
            raise ValueError(f"{name} must not contain NaN")

    def terms(g: np.ndarray, d: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", over="ignore"):
            t = np.exp(np.log(g) - d * (math.log(10.0) / 10.0))
        return np.where(g == 0, 0.0, t)

    return float(np.sum(terms(ew, dw)) + np.sum(terms(ea, da)))
