"""Minifloats, bfloat16, FP8/FP6/FP4, E8M0, ScaledFloat, AdaptivFloat (docs/guide/minifloats.md).

Oracles: ml_dtypes (decode of every code; rounding of every midpoint ± one float32 ulp, bit-exact
codes), an exact rational decoder/rounder written from the definitions (tests/formats/
taxonomy_oracle.py), the literal AdaptivFloat algorithms of the authors' code, and hand-checked
special values from docs/guide/minifloats.md
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from lognum.formats.floats import AdaptivFloat, Minifloat, ScaledFloat, minifloat

from .taxonomy_oracle import (
    midpoint_cases,
    minifloat_decode,
    minifloat_mags,
    minifloat_mags_np,
    minifloat_round,
    tie_winner,
    to_float,
)

# skips only without the test extra; a skip fails CI (tests/conftest.py)
md = pytest.importorskip("ml_dtypes", reason="ml_dtypes (test extra) is the FP8/bf16 oracle")

ML_NAMES = [
    "float16",
    "bfloat16",
    "float8_e4m3fn",
    "float8_e5m2",
    "float8_e4m3fnuz",
    "float8_e5m2fnuz",
    "float8_e4m3",
    "float8_e3m4",
    "float6_e2m3fn",
    "float6_e3m2fn",
    "float4_e2m1fn",
    "float8_e8m0fnu",
]

# (e, m, bias, subnormals, special) beyond the named formats, checked against the exact oracle
GENERIC = [
    (3, 2, 3, True, "ieee"),
    (4, 2, 5, False, "none"),
    (2, 2, 5, True, "fn"),
    (3, 3, 2, True, "fnuz"),
    (5, 0, 15, True, "none"),
    (4, 0, 7, False, "none"),
    (3, 4, -2, False, "fn"),
    (6, 0, 31, False, "fnu"),
    (2, 3, 1, False, "fnuz"),
]


def _mltype(name):
    return np.float16 if name == "float16" else getattr(md, name)


def _params(f: Minifloat):
    return (f.e, f.m, f.bias, f.subnormals, f.special)


def _ml_codes(x32: np.ndarray, name: str, n: int) -> np.ndarray:
    y = x32.astype(_mltype(name))
    c = y.view(np.uint16 if n > 8 else np.uint8).astype(np.int64)
    return c & ((1 << n) - 1)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal as floats including the sign of zero; NaN equals NaN."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return ((a == b) & (np.signbit(a) == np.signbit(b))) | (np.isnan(a) & np.isnan(b))


# ------------------------------------------------------------------------------------------
# decode


@pytest.mark.parametrize("name", ML_NAMES)
def test_decode_every_code_matches_ml_dtypes(name):
    f = minifloat(name)
    n = f.nbits
    codes = np.arange(1 << n, dtype=np.int64)
    ref = codes.astype(np.uint16 if n > 8 else np.uint8).view(_mltype(name)).astype(np.float64)
    assert _same(f.decode(codes), ref).all()


@pytest.mark.parametrize(
    "p", GENERIC + [_params(minifloat(n)) for n in ML_NAMES if minifloat(n).nbits <= 8]
)
def test_decode_every_code_matches_exact_oracle(p):
    f = Minifloat(*p)
    codes = np.arange(1 << f.nbits)
    ref = np.array([to_float(*minifloat_decode(int(c), *p)) for c in codes])
    assert _same(f.decode(codes), ref).all()
    vals = f.values()
    assert vals[-1] == f.maxpos and vals[vals > 0][0] == f.minpos


# ------------------------------------------------------------------------------------------
# rounding against ml_dtypes (float32 inputs; ml_dtypes casts float64 through float32)


def _float32_cases(f: Minifloat) -> np.ndarray:
    mags = minifloat_mags_np(*_params(f))
    emin = (1 if f.subnormals else 0) - f.bias
    x, _ = midpoint_cases(mags, lambda lo, hi: tie_winner(lo, hi, f.m, emin), np.dtype(np.float32))
    mx = float(mags[-1])
    E = math.floor(math.log2(mx))
    ovf = mx + math.ldexp(1.0, E - f.m - 1)
    edge = np.array([ovf, 2 * ovf, 1e30, np.inf, np.nan, 0.0], dtype=np.float32)
    edge = np.concatenate(
        [edge, np.nextafter(edge[:1], np.float32(0)), np.nextafter(edge[:1], np.float32(np.inf))]
    )
    x = np.concatenate([x, edge])
    return np.concatenate([x, -x])


@pytest.mark.parametrize("name", ML_NAMES)
def test_rounding_midpoints_match_ml_dtypes(name):
    f = minifloat(name)
    x = _float32_cases(f)
    if name == "float8_e8m0fnu":
        # ml_dtypes rounds E8M0 from float32 subnormals by a bit rule that is not
        # nearest-by-value (1.4·2^-127 -> 2^-126); those inputs are checked by the exact oracle
        x = x[~((np.abs(x) < 2.0**-126) & (x != 0))]
    ref = x.astype(_mltype(name)).astype(np.float32)
    q = f.quantize(x)
    assert q.dtype == np.float32
    nan_in = np.isnan(x)
    keep = ~nan_in if f.special == "none" else np.ones(x.size, bool)  # ml_dtypes: NaN -> ±0
    assert _same(q[keep], ref[keep]).all(), x[keep][~_same(q[keep], ref[keep])][:5]
    assert np.isnan(q[nan_in]).all()
    codes = f.encode(x).astype(np.int64)
    assert (codes[keep] == _ml_codes(x, name, f.nbits)[keep]).all()
    # saturating casts: ml_dtypes' result with every overflow of a number replaced by ±max
    sat_ref = ref.copy()
    ovf = ~nan_in & ~np.isfinite(ref) & (f.signed | (x > 0))
    sat_ref[ovf] = np.copysign(f.maxpos, x[ovf])
    assert _same(f.quantize(x, saturate=True)[keep], sat_ref[keep]).all()


def test_bfloat16_float32_kernel_on_random_bit_patterns():
    rng = np.random.default_rng(7)
    bits = rng.integers(0, 2**32, size=200_000, dtype=np.uint64).astype(np.uint32)
    x = np.concatenate(
        [bits.view(np.float32), np.array([3.3961514e38, -3.3961514e38, 3.4e38, np.inf], np.float32)]
    )
    f = minifloat("bfloat16")
    q = f.quantize(x)
    ref = x.astype(md.bfloat16).astype(np.float32)
    assert _same(q, ref).all()
    generic = f.quantize(x.astype(np.float64)).astype(np.float32)  # the float64 kernel
    assert _same(q, generic).all()
    sat = f.quantize(x, saturate=True)
    exp = np.where(np.isinf(ref) & ~np.isinf(x), np.copysign(f.maxpos, x), ref)
    exp = np.where(np.isinf(x), np.copysign(f.maxpos, x), exp)
    assert _same(sat, exp).all()


# ------------------------------------------------------------------------------------------
# rounding against the exact oracle (float64 inputs, every format)


@pytest.mark.parametrize("p", GENERIC + [_params(minifloat(n)) for n in ML_NAMES])
def test_rounding_midpoints_float64_exact(p):
    f = Minifloat(*p)
    mags = minifloat_mags_np(*p)
    if f.nbits <= 8:
        assert np.array_equal(mags, [float(v) for v in minifloat_mags(*p)])
    emin = (1 if f.subnormals else 0) - f.bias
    x, y = midpoint_cases(mags, lambda lo, hi: tie_winner(lo, hi, f.m, emin), np.dtype(np.float64))
    if not f.signed:
        q = f.quantize(x)
        assert _same(q, y).all(), x[~_same(q, y)][:5]
    else:
        xx = np.concatenate([x, -x])
        yy = np.concatenate([y, -y])
        if f.special == "fnuz":
            yy = np.where(yy == 0, 0.0, yy)
        q = f.quantize(xx)
        assert _same(q, yy).all(), xx[~_same(q, yy)][:5]
        assert _same(f.quantize_table(xx), yy).all()  # the slow table path agrees
        # encode/decode round trip on the same inputs
        assert _same(f.decode(f.encode(xx)), q).all()


@pytest.mark.parametrize(
    "p",
    [q for q in GENERIC]
    + [
        (4, 3, 7, True, "fn"),
        (5, 2, 15, True, "ieee"),
        (2, 1, 1, True, "none"),
        (8, 0, 127, False, "fnu"),
    ],
)
@pytest.mark.parametrize("saturate", [False, True])
def test_rounding_brute_force_incl_specials(p, saturate):
    f = Minifloat(*p)
    if f.special == "none" and not saturate:
        with pytest.raises(ValueError, match="saturate"):
            f.quantize(1.0, saturate=False)
        return
    rng = np.random.default_rng(3)
    mx = f.maxpos
    x = np.concatenate(
        [
            rng.standard_normal(150) * mx / 3,
            rng.uniform(-1, 1, 100) * 4 * mx,
            np.exp(rng.uniform(-60, 2, 100)) * rng.choice([-1, 1], 100),
            [0.0, -0.0, np.inf, -np.inf, np.nan, mx, -mx, 1e300, 2.0**-1070],
        ]
    )
    ref = np.array([minifloat_round(float(v), *p, saturate) for v in x])
    q = f.quantize(x, saturate=saturate)
    assert _same(q, ref).all(), (x[~_same(q, ref)][:5], q[~_same(q, ref)][:5])
    assert _same(f.quantize_table(x) if saturate == f.saturating else q, q).all()


# ------------------------------------------------------------------------------------------
# the special-value table of docs/guide/minifloats.md (values checked with ml_dtypes)


SPECIAL_CASES = [
    ("float8_e4m3fn", 464.0, None, 448.0),
    ("float8_e4m3fn", 480.0, None, math.nan),
    ("float8_e4m3fn", 1e6, True, 448.0),
    ("float8_e4m3fn", math.inf, None, math.nan),
    ("float8_e4m3fn", -math.inf, True, -448.0),
    ("float8_e4m3fn", 2.0**-10, None, 0.0),
    ("float8_e4m3fn", 1.5 * 2.0**-10, None, 2.0**-9),
    ("float8_e5m2", 61440.0, None, math.inf),
    ("float8_e5m2", 61440.0, True, 57344.0),
    ("float8_e5m2", -math.inf, None, -math.inf),
    ("float4_e2m1fn", 100.0, None, 6.0),
    ("float4_e2m1fn", 7.0, None, 6.0),
    ("float4_e2m1fn", 0.25, None, 0.0),
    ("float4_e2m1fn", 0.75, None, 1.0),
    ("float4_e2m1fn", 1.25, None, 1.0),
    ("float4_e2m1fn", 2.5, None, 2.0),
    ("float4_e2m1fn", 5.0, None, 4.0),
    ("float4_e2m1fn", -math.inf, None, -6.0),
    ("float8_e8m0fnu", 1.5, None, 2.0),
    ("float8_e8m0fnu", 3.0, None, 4.0),
    ("float8_e8m0fnu", 0.75, None, 1.0),
    ("float8_e8m0fnu", 0.0, None, math.nan),
    ("float8_e8m0fnu", -1.0, None, math.nan),
    ("float8_e8m0fnu", 1e-300, None, 2.0**-127),
    ("float8_e4m3fnuz", -1e-9, None, 0.0),
    ("float8_e4m3fnuz", 250.0, None, math.nan),
    ("float8_e4m3fnuz", 250.0, True, 240.0),
    ("float16", 65520.0, None, math.inf),
    ("float16", 65519.99, None, 65504.0),
    ("bfloat16", 1.0 + 2.0**-8, None, 1.0),
]


@pytest.mark.parametrize("name,x,sat,expected", SPECIAL_CASES)
def test_special_value_table(name, x, sat, expected):
    q = float(minifloat(name).quantize(np.float64(x), saturate=sat))
    assert _same(np.array(q), np.array(expected)).all(), (name, x, q)


def test_special_codes():
    e4 = minifloat("float8_e4m3fn")
    assert e4.encode(np.array([np.nan, -np.nan, 1e6, -1e6])).tolist() == [0x7F, 0xFF, 0x7F, 0xFF]
    assert e4.encode(1e6, saturate=True) == 0x7E
    uz = minifloat("float8_e4m3fnuz")
    assert uz.encode(np.array([np.nan, -0.0, -1e-9, 1e6])).tolist() == [0x80, 0, 0, 0x80]
    e5 = minifloat("float8_e5m2")
    assert e5.encode(np.array([np.inf, -np.inf, np.nan])).tolist() == [0x7C, 0xFC, 0x7E]
    fp4 = minifloat("fp4")
    assert fp4.encode(np.array([np.nan, 100.0, -0.0])).tolist() == [0, 0x7, 0x8]
    assert np.isnan(fp4.quantize(np.nan))
    e8 = minifloat("e8m0")
    assert e8.encode(np.array([1.0, 2.0**-127, 2.0**127, 0.0, 3e38])).tolist() == [
        127,
        0,
        254,
        255,
        255,
    ]


# ------------------------------------------------------------------------------------------
# stochastic rounding


def test_stochastic_rounding_unbiased_and_reproducible():
    f = minifloat("float8_e4m3fn")
    p = 0.3
    x = np.full(40_000, 1.0 + p * 0.125)
    q = f.quantize(x, rounding="stochastic", rng=np.random.default_rng(11))
    assert set(np.unique(q)) == {1.0, 1.125}
    frac = np.mean(q == 1.125)
    sigma = math.sqrt(p * (1 - p) / x.size)
    assert abs(frac - p) < 6 * sigma  # nearest rounding would give 0
    q2 = f.quantize(x, rounding="stochastic", rng=np.random.default_rng(11))
    assert (q == q2).all()
    assert not (q == f.quantize(x, rounding="stochastic", rng=np.random.default_rng(12))).all()
    # negative values, codes consistent with values, and unbiased over a spread of inputs
    xs = np.random.default_rng(5).uniform(-3, 3, 20_000).astype(np.float32)
    c = f.encode(xs, rounding="stochastic", rng=np.random.default_rng(2))
    v = f.quantize(xs, rounding="stochastic", rng=np.random.default_rng(2))
    assert v.dtype == np.float32 and _same(f.decode(c), v).all()
    err = (v.astype(np.float64) - xs).mean()
    assert abs(err) < 6 * 0.125 / math.sqrt(12 * xs.size) * 2
    with pytest.raises(ValueError, match="rng"):
        f.quantize(xs, rounding="stochastic", rng=123)


# ------------------------------------------------------------------------------------------
# AdaptivFloat


def _af2020_literal(W: np.ndarray, n: int, e: int) -> np.ndarray:
    """The authors' 2020 numpy algorithm (docs/guide/scaled.md) with the '>=' fix."""
    m = n - 1 - e
    amax = np.max(np.abs(W))
    exp_max = np.frexp(amax)[1] - 1
    exp_min = exp_max - (2**e - 1)
    value_min = 2.0**exp_min * (1 + 2.0**-m)
    value_max = 2.0**exp_max * (2 - 2.0**-m)
    a = np.abs(W)
    sign = np.sign(W)
    ex = np.floor(np.log2(np.where(a > 0, a, 1.0)))
    ex = np.where(np.ldexp(1.0, ex.astype(int)) > a, ex - 1, ex)  # exact floor(log2)
    mant = a / 2.0**ex
    out = sign * np.round(mant * 2**m) / 2**m * 2.0**ex
    out = np.where(a < value_min / 2, 0.0, out)
    out = np.where((a >= value_min / 2) & (a < value_min), sign * value_min, out)
    out = np.where(a > value_max, sign * value_max, out)
    return out


def _af2022_literal(W: np.ndarray, n: int, e: int) -> np.ndarray:
    """The authors' 2022 torch algorithm (docs/guide/scaled.md), in numpy."""
    m = n - 1 - e
    exp_max = np.frexp(np.max(np.abs(W)))[1] - 1
    bias = (2 ** (e - 1) - 1) - exp_max
    min_exp = -(2 ** (e - 1)) + 2 - bias
    max_exp = 2 ** (e - 1) - 1 - bias
    max_value = 2.0**max_exp * (2 - 2.0**-m)
    a = np.abs(W)
    ex = np.floor(np.log2(np.where(a > 0, a, 1.0)))
    ex = np.where(np.ldexp(1.0, ex.astype(int)) > a, ex - 1, ex)
    ex = np.maximum(ex, min_exp)
    out = np.sign(W) * np.round(a / 2.0**ex * 2**m) / 2**m * 2.0**ex
    out = np.where(a < 2.0**min_exp, 0.0, out)
    return np.where(a > max_value, np.sign(W) * max_value, out)


@pytest.mark.parametrize("n,e", [(6, 3), (8, 4), (4, 2), (5, 1), (8, 7)])
def test_adaptivfloat_matches_authors_algorithms(n, e):
    rng = np.random.default_rng(n * 10 + e)
    af = AdaptivFloat(n, e)
    for scale in (1e-3, 0.7, 50.0):
        W = rng.standard_normal(3000) * scale
        W[:4] = [0.0, -0.0, W[5] * 1e-9, -W[6] * 1e-12]
        fitted = af.fit(W)
        vmin, vmax = fitted.minpos, fitted.maxpos
        m = n - 1 - e
        assert vmin == pytest.approx(2.0**-(fitted.bias) * (1 + 2.0**-m), rel=0, abs=0)
        edges = np.array(
            [
                vmin / 2,
                np.nextafter(vmin / 2, 0),
                vmin,
                vmin * 0.75,
                vmax,
                np.nextafter(vmax, np.inf) * 1.0001,
                -vmin / 2,
                0.9 * vmin,
            ]
        )
        W2 = np.concatenate([W, edges])
        W2[np.argmax(np.abs(W2))] = np.max(np.abs(W))  # keep the fitted max
        got = af.quantize(W2)
        assert np.array_equal(got, _af2020_literal(W2, n, e)), W2[got != _af2020_literal(W2, n, e)]
        assert fitted.exp_max == np.frexp(np.max(np.abs(W2)))[1] - 1
        if e >= 2:
            got22 = AdaptivFloat(n, e, variant=2022).quantize(W2)
            assert np.array_equal(got22, _af2022_literal(W2, n, e))


def test_adaptivfloat_fit_values_and_axis():
    W = np.array([[0.5, -3.0, 0.01], [100.0, 2.0, -0.3]])
    af = AdaptivFloat(6, 3)
    f = af.fit(W)
    assert f.exp_max == 6 and str(f) == "AF<6,3>(bias=1)"
    v = f.values()
    assert v.size == 2**6 - 1  # the ±2^exp_min code is zero: 63 distinct values
    assert v.max() == 2.0**6 * (2 - 2.0**-2) and v[v > 0].min() == 2.0**-1 * 1.25
    per_row = AdaptivFloat(6, 3, axis=0).fit(W)
    assert per_row.exp_max == (1, 6)
    q = AdaptivFloat(6, 3, axis=0).quantize(W)
    for r in range(2):
        assert np.array_equal(q[r], _af2020_literal(W[r], 6, 3))
    qc = AdaptivFloat(6, 3, axis=1).quantize(W)
    for c in range(3):
        assert np.array_equal(qc[:, c], _af2020_literal(W[:, c], 6, 3))
    # codes decode to the quantized values; describe shows the fields
    c = f.encode(W)
    assert np.array_equal(f.decode(c), f.quantize(W))
    d = f.describe(int(c[1, 0]))
    assert d.value == f.quantize(W)[1, 0] and d["exponent"] == 7


# ------------------------------------------------------------------------------------------
# ScaledFloat


def test_scaled_float_is_a_scaled_minifloat():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(400) * 0.05
    for sc in (-6, 0, 3):
        f = ScaledFloat(4, 3, sc)
        ref = np.array(
            [minifloat_round(v / 2.0**sc, 4, 3, 7, True, "none", True) * 2.0**sc for v in x]
        )
        assert np.array_equal(f.quantize(x), ref)
        assert f.maxpos == 480.0 * 2.0**sc
    fit = ScaledFloat(4, 3, None).fit(x)
    amax = np.max(np.abs(x))
    assert fit.maxpos >= amax > fit.maxpos / 2
    assert str(fit) == f"SF<4,3,{fit.sc}>"


# ------------------------------------------------------------------------------------------
# describe and parameter checks


def test_describe_fields():
    d = minifloat("float8_e4m3fn").describe(0x7E)
    assert (d["sign"], d["exponent"], d["mantissa"], d.value, d["kind"]) == (
        0,
        15,
        6,
        448.0,
        "normal",
    )
    assert d.field("exponent").bits == "1111" and d.field("mantissa").bits == "110"
    assert str(d) == (
        "float8_e4m3fn 01111110: sign 0, exponent '1111' (E = 15), mantissa '110' (M = 6),"
        " normal, value 448.0 = 2^8 x 1 + 6/8"
    )
    d = minifloat("float16").describe(0x0001)
    assert d["kind"] == "subnormal" and d.value == 2.0**-24 and d["scale"] == -14
    assert minifloat("bfloat16").describe(0xBF80).value == -1.0
    assert minifloat("float8_e4m3fn").describe(0xFF).special == "NaN"
    assert Fraction(minifloat("float6_e3m2fn").describe(0b011111).value) == 28


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: Minifloat(0, 3), "e must"),
        (lambda: Minifloat(4, 12), "m must"),
        (lambda: Minifloat(4, 3, special="xyz"), "special must"),
        (lambda: Minifloat(4, 3, bias=1000), "bias must"),
        (lambda: Minifloat(2, 1, special="none", saturate=False), "saturate must"),
        (lambda: Minifloat(4, 0, special="ieee"), "ieee"),
        (lambda: AdaptivFloat(1, 1), "n must"),
        (lambda: AdaptivFloat(6, 6), "e must"),
        (lambda: AdaptivFloat(6, 3, variant=2021), "variant must"),
        (lambda: ScaledFloat(4, 3, 500), "sc must"),
        (lambda: minifloat("fp7"), "name must"),
    ],
)
def test_bad_parameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_unfitted_formats_explain_themselves():
    with pytest.raises(ValueError, match="fit"):
        _ = AdaptivFloat(6, 3).maxpos
    with pytest.raises(ValueError, match="saturate"):
        AdaptivFloat(6, 3).quantize(np.ones(3), saturate=False)


def test_ufunc_matches_quantize():
    f = minifloat("float8_e4m3fn")
    x = np.concatenate(
        [np.random.default_rng(8).standard_normal(500) * 100, [np.nan, np.inf, -0.0, 464, 1e-9]]
    )
    uf = f.ufunc
    assert _same(uf(x), f.quantize(x)).all()
    x32 = x.astype(np.float32)
    out = np.empty_like(x32)
    uf(x32, out=out)
    assert _same(out, f.quantize(x32)).all()
    xb = np.broadcast_to(x[:, None], (x.size, 3))  # stride-0 broadcasting
    assert _same(uf(xb), np.repeat(f.quantize(x)[:, None], 3, 1)).all()
    assert f.ufunc is uf


def test_scaled_and_adaptive_contract():
    W = np.random.default_rng(9).standard_normal((3, 50)) * 4
    sf = ScaledFloat(4, 3, None)
    assert sf.kind == "adaptive" and sf.needs_fit and not ScaledFloat(4, 3).needs_fit
    assert sf.fit(W).describe(0x01)["scale"] == sf.fit(W).sc - 6  # subnormal: 2^(1 - bias + sc)
    af = AdaptivFloat(6, 3, axis=1)
    g = af.fit(W)
    assert g.sliced and g.n_slices == 50
    c = g.encode(W)  # per-slice codes decode slice by slice
    assert np.array_equal(g.decode(c), g.quantize(W))
    assert np.array_equal(c[:, 7], g.slice_format(7).encode(W[:, 7]))
    with pytest.raises(ValueError, match="per slice"):
        g.ufunc  # noqa: B018 - the property raises
    for fmt in (
        sf.fit(W),
        ScaledFloat(3, 2, -3),
        AdaptivFloat(8, 4).fit(W),
        AdaptivFloat(6, 3, variant=2022).fit(W),
    ):
        for dt in (np.float32, np.float64):
            x = W.astype(dt)
            assert np.array_equal(fmt.ufunc(x), fmt.quantize(x)), fmt
    with pytest.raises(TypeError):
        minifloat("fp8_e4m3").quantize(W, "stochastic")  # keyword-only
