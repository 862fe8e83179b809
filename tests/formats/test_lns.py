"""LNS and LogNet/Miyashita log quantization (docs/guide/lns.md).

Oracles: values 2^(L/2^F) from 50-digit exp/ln (lognum builds its tables with Decimal powers and
square roots, a different route), log-domain nearest decided by comparing Decimal log2|x| with
the midpoint exponent, value-domain nearest by Decimal distances, and Miyashita's literal
Round/Clip rule.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from lognum.formats.lns import LNS, LogQuant

from .taxonomy_oracle import dec_pow2, log2_dec

CONFIGS = [(5, 0), (5, 2), (8, 3), (8, 0), (9, 5)]


def _lns_codes(n: int, F: int):
    """(code, L or None) for every code; L in units of 2^-F; None = zero/NaN."""
    half = 1 << (n - 2)
    out = []
    for c in range(1 << n):
        Lc = c & ((1 << (n - 1)) - 1)
        L = Lc - (1 << (n - 1)) if Lc >= half else Lc
        out.append((c, None if Lc == half else L))
    return out


@pytest.mark.parametrize("n,F", CONFIGS)
def test_lns_decode_every_code(n, F):
    f = LNS(n, frac_bits=F)
    exp = []
    for c, L in _lns_codes(n, F):
        if L is None:
            exp.append(0.0 if c >> (n - 1) == 0 else math.nan)
        else:
            v = float(dec_pow2(L, 1 << F))
            exp.append(-v if c >> (n - 1) else v)
    got = f.decode(np.arange(1 << n))
    exp = np.array(exp)
    assert np.array_equal(got, exp, equal_nan=True)
    lm = (1 << (n - 2)) - 1
    assert f.maxpos == float(dec_pow2(lm, 1 << F)) and f.minpos == float(dec_pow2(-lm, 1 << F))
    assert f.values().size == 2 * (2 * lm + 1) + 1


def _around(d: Decimal) -> list[float]:
    t = float(d)
    return [np.nextafter(t, 0.0), t, np.nextafter(t, np.inf)]


@pytest.mark.parametrize("n,F", CONFIGS)
def test_lns_log_domain_rounding_at_every_geometric_midpoint(n, F):
    f = LNS(n, frac_bits=F)
    lm = (1 << (n - 2)) - 1
    Ls = list(range(-lm - 1, lm + 1))  # -lm-1 is the slot of zero
    xs, ys = [], []
    for a, b in zip(Ls[:-1], Ls[1:], strict=True):
        mid = Decimal(a + b) / Decimal(2 << F)  # log2 of the geometric midpoint
        for x in _around(dec_pow2(a + b, 2 << F)):
            up = log2_dec(x) > mid
            L = b if up else a
            xs.append(x)
            ys.append(0.0 if L == -lm - 1 else float(dec_pow2(L, 1 << F)))
    x = np.array(xs)
    y = np.array(ys)
    got = f.quantize(np.concatenate([x, -x]))
    assert np.array_equal(got, np.concatenate([y, -y])), x[got[: x.size] != y][:4]
    assert np.array_equal(f.decode(f.encode(x)), y)
    edge = f.quantize(np.array([1e300, -1e300, 1e-300, np.inf, np.nan]))
    assert edge[0] == f.maxpos and edge[1] == -f.maxpos and edge[2] == 0.0
    assert np.isnan(edge[3]) and np.isnan(edge[4])


def _around32(d: Decimal, k: int = 4) -> list[float]:
    """The float32 numbers within k steps of d (as Python floats, exact in float64)."""
    t = np.float32(float(d))
    out = []
    for _ in range(k):
        t = np.nextafter(t, np.float32(0.0))
    for _ in range(2 * k + 1):
        out.append(float(t))
        t = np.nextafter(t, np.float32(np.inf))
    return out


@pytest.mark.parametrize("n,F", CONFIGS + [(16, 5), (12, 8)])
def test_lns_float32_path_at_every_geometric_midpoint(n, F):
    """float32 inputs (their own kernel path) near every midpoint, against the exact rule."""
    f = LNS(n, frac_bits=F)
    lm = (1 << (n - 2)) - 1
    Ls = list(range(-lm - 1, lm + 1))
    tiny = float(np.finfo(np.float32).smallest_subnormal)
    fmax = float(np.finfo(np.float32).max)
    xs, ys = [], []
    for a, b in zip(Ls[:-1], Ls[1:], strict=True):
        mid = Decimal(a + b) / Decimal(2 << F)
        m = dec_pow2(a + b, 2 << F)
        if not tiny < float(m) < fmax:  # a midpoint float32 cannot come near
            continue
        lo = Decimal(0) if a == -lm - 1 else dec_pow2(a, 1 << F)
        hi = dec_pow2(b, 1 << F)
        for x in _around32(m):
            if not lo < Decimal(x) < hi:  # float32 steps coarser than the format's here
                continue
            L = b if log2_dec(x) > mid else a
            xs.append(x)
            ys.append(0.0 if L == -lm - 1 else float(dec_pow2(L, 1 << F)))
    x = np.array(xs, dtype=np.float32)
    with np.errstate(over="ignore"):
        y = np.array(ys, dtype=np.float64).astype(np.float32)
    y[np.isinf(y)] = fmax  # a saturating format's float32 result stops at float32 max
    got = f.quantize(np.concatenate([x, -x]))
    assert got.dtype == np.float32
    assert np.array_equal(got, np.concatenate([y, -y])), x[got[: x.size] != y][:4]
    assert np.array_equal(f.encode(x), f.encode(x.astype(np.float64)))


@pytest.mark.parametrize("n,F", [(5, 2), (8, 3)])
def test_lns_linear_rounding(n, F):
    f = LNS(n, frac_bits=F)
    lm = (1 << (n - 2)) - 1
    vals = [Decimal(0)] + [dec_pow2(L, 1 << F) for L in range(-lm, lm + 1)]
    xs, ys = [], []
    for a, b in zip(vals[:-1], vals[1:], strict=True):
        for x in _around((a + b) / 2):
            dx = Decimal(x)
            xs.append(x)
            ys.append(float(b if abs(dx - b) < abs(dx - a) else a))
    got = f.quantize(np.array(xs), rounding="linear")
    assert np.array_equal(got, np.array(ys))


def _miyashita(x: float, b: int, fsr: int, d: int) -> float:
    """Q(x) = sign(x) 2^(x̃/d), x̃ = Clip(Round(d log2|x|), fsr - 2^b, fsr) (Miyashita et al.
    2016: Clip gives 0 at or below the minimum and max - 1 at or above the maximum)."""
    if x == 0:
        return 0.0
    t = log2_dec(abs(x)) * d
    r = int(t.to_integral_value(rounding="ROUND_HALF_EVEN"))
    if r <= fsr - (1 << b):
        return 0.0
    r = min(r, fsr - 1)
    return math.copysign(float(dec_pow2(r, d)), x)


@pytest.mark.parametrize(
    "n,fsr,base", [(4, 1, "2"), (5, -3, "2"), (4, 2, "sqrt2"), (3, 0, "sqrt2")]
)
def test_log_quantization_matches_miyashita(n, fsr, base):
    f = LogQuant(n, fsr, base)
    d = 1 if base == "2" else 2
    b = n - 1
    rng = np.random.default_rng(n + fsr)
    x = np.exp2(rng.uniform(fsr / d - 2**b / d - 3, fsr / d + 3, 400)) * rng.choice([-1, 1], 400)
    ks = range(fsr - (1 << b) - 1, fsr + 1)
    ties = [v for k in ks for v in _around(dec_pow2(2 * k + 1, 2 * d))]
    x = np.concatenate([x, ties, [0.0]])
    exp = np.array([_miyashita(float(v), b, fsr, d) for v in x])
    assert np.array_equal(f.quantize(x), exp)
    assert np.array_equal(f.decode(f.encode(x)), exp)
    assert f.values()[f.values() > 0].size == 2**b - 1


def test_log_quantization_fit_and_unsigned():
    x = np.array([0.3, -5.0, 0.01])
    f = LogQuant(4).fit(x)
    assert f.fsr == round(math.log2(5.0)) + 1 == 3  # 5 -> 2^2 is the top code
    assert f.quantize(np.array([-5.0]))[0] == -4.0
    g = LogQuant(4, base="sqrt2").fit(x)
    assert g.fsr == round(2 * math.log2(5.0)) + 1
    u = LogQuant(3, 2, signed=False)
    assert u.quantize(np.array([-1.0, 1.0])).tolist() == [0.0, 1.0]
    assert str(g) == f"logquant<4,{g.fsr}>(base=sqrt2)"


def test_lns_stochastic_unbiased():
    f = LNS(8, frac_bits=3)
    lo, hi = 1.0, float(dec_pow2(1, 8))
    x = np.full(40_000, lo + 0.25 * (hi - lo))
    q = f.quantize(x, rounding="stochastic", rng=np.random.default_rng(1))
    assert set(np.unique(q)) == {lo, hi}
    assert abs(np.mean(q == hi) - 0.25) < 6 * math.sqrt(0.25 * 0.75 / x.size)


def test_lns_describe_and_bad_parameters():
    f = LNS(8, frac_bits=3)
    d = f.describe(0b0_0001100)
    assert d["L"] == "12/2^3" and d["value"] == float(dec_pow2(12, 8))
    assert f.describe(0b0_1000000)["special"] == "zero"
    assert f.describe(0b1_1000000)["special"] == "NaN"
    assert LNS(8, 4, 3) == f and str(f) == "LNS<8,3>"
    for make, match in [
        (lambda: LNS(2, frac_bits=0), "n must"),
        (lambda: LNS(8, frac_bits=7), "frac_bits must"),
        (lambda: LNS(8, 3, 3), "int_bits must"),
        (lambda: LNS(8), "frac_bits"),
        (lambda: LogQuant(4, base="e"), "base must"),
        (lambda: LogQuant(4, fsr=5000), "fsr must"),
    ]:
        with pytest.raises(ValueError, match=match):
            make()


def test_contract_kinds_describe_and_ufunc():
    f = LNS(8, frac_bits=3)
    assert f.kind == "element" and f.family == "lns" and f.fit([1.0]) is f
    d = f.describe(0b1_0001100)
    assert d["sign"] == 1 and d["log"] == 1.5 and d.field("log").bits == "0001100"
    text = "LNS<8,3> 10001100: sign 1, log2 magnitude '0001100' (L = 12/2^3), value"
    assert str(d) == f"{text} {d.value!r} = -2^(12/8)"
    q = LogQuant(4)
    assert q.kind == "adaptive" and q.needs_fit and not q.fit([3.0]).needs_fit
    with pytest.raises(ValueError, match="fit"):
        q.ufunc  # noqa: B018 - the property raises
    g = LogQuant(4, fsr=3).describe(0b1011)
    assert (g["sign"], g["index"], g["exponent"], g.value) == (1, 3, -2, -0.25)
    assert LogQuant(4, fsr=3).describe(0b1000).special == "zero"
    rng = np.random.default_rng(6)
    for fmt in (
        f,
        LNS(16, frac_bits=5),
        LogQuant(5, fsr=4),
        LogQuant(6, base="sqrt2", signed=False).fit([9.0]),
    ):
        for dt in (np.float32, np.float64):
            x = (rng.standard_normal(2000) * 8).astype(dt)
            x[:6] = [np.nan, np.inf, -np.inf, -0.0, 1e-30, -3e38]
            with np.errstate(invalid="ignore"):
                u = fmt.ufunc(x)
            assert u.dtype == dt and np.array_equal(u, fmt.quantize(x), equal_nan=True), fmt
