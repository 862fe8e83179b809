"""The reproducers of the correctness review (formats), each with its expected result or a clear
``ValueError``; the classes behind them are swept in ``test_properties.py``."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import lognum as ln
from lognum.formats.block import MX, BlockFloat
from lognum.formats.fixed import AffineInt, DynamicFixedPoint, FixedPoint, SymmetricInt
from lognum.formats.floats import AdaptivFloat, Minifloat, ScaledFloat
from lognum.formats.lns import LNS, LogQuant
from lognum.formats.logposit import LogPosit
from lognum.formats.posit import GeneralizedPosit, Posit

F32MAX = float(np.finfo(np.float32).max)

ONE_OF_EACH = [
    Posit(8, 2),
    GeneralizedPosit(6, 1, 3, -1),
    LogPosit(6, 2, 5, 0),
    FixedPoint(8, 4),
    SymmetricInt(8),
    AffineInt(8),
    DynamicFixedPoint(8),
    Minifloat(4, 3, special="fn"),
    ScaledFloat(4, 3, None),
    AdaptivFloat(8, 3),
    LNS(8, frac_bits=3),
    LogQuant(4),
    MX("fp4_e2m1"),
    BlockFloat(8, 32),
]


# -- item 1: more than 2^22 levels on float32 ---------------------------------------------
def test_wide_integers_on_float32_do_not_clamp():
    assert ln.Integer(24).quantize(np.float32(5e6)) == np.float32(5e6)
    x = np.float32([0.5, -0.1, 1])
    q = DynamicFixedPoint(32).quantize(x)
    assert q.dtype == np.float32
    # frac_bits 31: float32(-0.1) = -13421773·2^-27 is a level; 1 saturates to 1 - 2^-31, which
    # rounds to 1.0 in float32
    np.testing.assert_array_equal(q, x)
    rng = np.random.default_rng(0)
    for n in (23, 24, 25, 31, 32):
        f = FixedPoint(n)
        xs = rng.uniform(-(2.0 ** (n - 1)), 2.0 ** (n - 1), 2000).astype(np.float32)
        want = np.clip(np.rint(xs.astype(np.float64)), f.qmin, f.qmax).astype(np.float32)
        np.testing.assert_array_equal(f.quantize(xs), want)
        codes = f.encode(np.float32([3e38, -3e38]))
        assert codes.tolist() == [f.qmax, (1 << n) + f.qmin]  # the exact ends, not 2^31 wrapped
        u = FixedPoint(n, signed=False)
        assert u.encode(np.float32(3e38)) == u.qmax


# -- item 4: AdaptivFloat at bias >= 1024; parameters float64 cannot represent --------------
def test_adaptivfloat_tiny_data():
    x = np.array([0.9e-306, 0.6e-306, -0.7e-306, 0.0])
    q = AdaptivFloat(8, 3).quantize(x)
    assert np.isfinite(q).all() and q[3] == 0 and not np.signbit(q[3])
    assert np.allclose(q[:3], x[:3], rtol=0.07)
    for x, f in (([1e-307, 2e-307], AdaptivFloat(8, 3)), ([1e-300, 2e-300], AdaptivFloat(16, 5))):
        q = f.quantize(np.array(x))
        assert np.allclose(q, x, rtol=0.07) and (q > 0).all()
    lo, hi = AdaptivFloat(8, 3).bias_range
    assert AdaptivFloat(8, 3).fit([1e-320]).bias == hi
    assert AdaptivFloat(8, 3).fit([1e308]).bias == lo
    assert np.isfinite(AdaptivFloat(8, 3, bias=lo).values()).all()
    assert AdaptivFloat(8, 3, bias=hi).minpos >= np.finfo(np.float64).tiny


@pytest.mark.parametrize(
    "make,msg",
    [
        (lambda: AdaptivFloat(8, 3, bias=-1017), r"bias must be in \[-1016, 1022\]"),
        (lambda: AdaptivFloat(8, 3, bias=1023), r"bias must be in \[-1016, 1022\]"),
        (lambda: LogQuant(2, fsr=1100), r"fsr must be in \[-1021, 1024\]"),
        (lambda: LogQuant(12), r"n must be in \[2, 11\]"),
        (lambda: LNS(16, frac_bits=0), r"frac_bits must be in \[5, 14\]"),
        (lambda: LNS(16, int_bits=15), r"int_bits must be in \[1, 10\]"),
        (lambda: SymmetricInt(8, scale=1e307), r"scale must be a finite number in"),
        (lambda: SymmetricInt(8, scale=1e-310), r"scale must be a finite number in"),
        (lambda: AffineInt(8, scale=1e307, zero_point=0), r"scale must be in .* zero_point 0"),
        (lambda: MX(["x"]), "element must be one of"),
        (lambda: ln.parse("int8" + "(a=1)" * 1000), "unknown format notation"),
        (lambda: ln.parse("gp<6,1,3,1e400>"), r"sc must be an integer in \[-64, 64\]"),
        (lambda: ln.parse("int8(a=1)"), "'a' is not a parameter of FixedPoint"),
        (lambda: ln.parse("int8(ties=away,ties=even)"), "given twice"),
    ],
)
def test_unrepresentable_parameters_and_bad_notation(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


def test_largest_allowed_parameters_are_finite():
    for f in (
        LNS(16, frac_bits=5),
        LogQuant(11, 1024),
        LogQuant(11, LogQuant(11).fsr_range[0]),
        LogQuant(12, LogQuant(12, base="sqrt2").fsr_range[1], base="sqrt2"),
    ):
        v = f.values()
        assert np.isfinite(v).all() and np.unique(np.abs(v)).size == v.size // 2 + 1, str(f)
        assert (np.abs(v[v != 0]) >= np.finfo(np.float64).tiny).all(), str(f)


# -- item 5: zero -> NaN when a scale under/overflows float32 --------------------------------
def test_zero_stays_zero_when_the_scale_leaves_float32():
    q = SymmetricInt(8).quantize(np.float32([1e-45, 0]))
    np.testing.assert_array_equal(q, np.float32([1e-45, 0]))
    q = DynamicFixedPoint(8, frac_bits=-128).quantize(np.float32([1e38, 0, 1]))
    np.testing.assert_array_equal(q, np.float32([0, 0, 0]))
    q = SymmetricInt(8, scale=1e-300).quantize(np.float32([1e-3, 0, -2]))
    np.testing.assert_array_equal(q, np.float32([127e-300, 0, -127e-300]))
    q = AffineInt(8).quantize(np.float32([1e-44, 0, -1e-44]))
    assert q[1] == 0 and np.isfinite(q).all()


def test_fits_on_huge_data_do_not_blame_a_user_scale():
    x = np.array([1e303, 1.0, -3e307])
    for f in (SymmetricInt(8), AffineInt(8), AffineInt(8, signed=True)):
        q = f.quantize(x)
        assert np.isfinite(q).all() and abs(q[2] / x[2] - 1) < 0.01, str(f)
    assert np.isfinite(AffineInt(8).quantize([1.7e308, -1.7e308])).all()


def test_scaled_float_without_finite_data():
    q = ScaledFloat(4, 3, None).quantize([np.nan, np.inf])  # every code a number: inf saturates
    assert np.isnan(q[0]) and q[1] == ScaledFloat(4, 3, 0).maxpos
    assert ScaledFloat(4, 3, None).fit([np.nan]).sc == 0
    assert np.isfinite(ScaledFloat(8, 7, None).quantize([1e-300, 1e300])).all()


# -- item 7: no double rounding through float64 --------------------------------------------
def test_long_double_and_wide_integers_are_exact_or_refused():
    x = np.longdouble(1.0625) + np.longdouble(2) ** -60
    if np.finfo(np.longdouble).nmant > 52:  # x86 extended precision: not a double
        with pytest.raises(ValueError, match="float64 cannot hold exactly"):
            Posit(8, 2).quantize(x)
    assert Posit(8, 2).quantize(np.longdouble(1.0625)) == 1.0  # a double: exact, tie to even
    p = Posit(32, 2)
    big = np.array([2**53 + 1], dtype=np.int64)
    with pytest.raises(ValueError, match="int64 values that float64 cannot hold exactly"):
        p.quantize(big)
    with pytest.raises(ValueError, match="uint64"):
        p.encode(np.array([2**64 - 1], dtype=np.uint64))
    ok = np.array([2**53, -(2**53), 2**31 + 2**10 + 1, 7], dtype=np.int64)
    assert p.quantize(ok).dtype == np.float64
    assert np.array_equal(p.quantize(ok), p.quantize(ok.astype(np.float64)))
    # posit<32,2> at 2^31: 9 regime bits, 2 exponent bits, 20 fraction bits (ulp 2^11)
    assert Fraction(float(p.quantize(np.int64(2**31 + 2**10 + 1)))) == Fraction(2**31 + 2**11)


# -- item 8: saturating formats whose maxpos exceeds float32 ----------------------------------
@pytest.mark.parametrize(
    "f",
    [
        GeneralizedPosit(8, 4, 7, 64),
        Posit(32, 4),
        LogPosit(8, 4, 7, -64),
        DynamicFixedPoint(32, frac_bits=-128),
        DynamicFixedPoint(2, frac_bits=-127),
        Minifloat(8, 7, -100, special="none"),
        Minifloat(8, 7, -100, saturate=True),
        AdaptivFloat(8, 3, bias=-121),
    ],
)
def test_saturating_formats_give_float32_max_not_inf(f):
    x = np.float32([1e38, -1e38, F32MAX, -F32MAX, 1.0, 0.0])
    q = f.quantize(x)
    assert q.dtype == np.float32 and np.isfinite(q).all(), (str(f), q)
    q64 = f.quantize(x.astype(np.float64))
    over = np.abs(q64) > F32MAX
    np.testing.assert_array_equal(q[over], np.copysign(np.float32(F32MAX), q64[over]))
    np.testing.assert_array_equal(q[~over], q64[~over].astype(np.float32))
    assert f._max_magnitude > F32MAX and np.isnan(f.quantize(np.float32([np.nan])))[0]


def test_nonsaturating_minifloat_keeps_inf_on_float32():
    f = Minifloat(8, 1, -100)  # ieee: float32 max rounds to the format's 2^128, beyond float32
    x = np.float32(F32MAX)
    assert f.quantize(float(x)) == 2.0**128
    assert np.isinf(f.quantize(x)) and np.isinf(f.quantize(x, saturate=False))
    assert f.quantize(x, saturate=True) == x


# -- item 9: parse(str(f)) == f ------------------------------------------------------------
@pytest.mark.parametrize(
    "f",
    [
        Minifloat(4, 0, special="fn"),
        Minifloat(4, 3, saturate=False),
        Minifloat(1, 0, special="fnu"),
        LogQuant(1, signed=False),
        LogQuant(1, 3, signed=False),
        Minifloat(4, 3, special="fnuz"),
        Minifloat(4, 3, bias=7, special="fnuz"),
        Minifloat(2, 1, special="none", saturate=True),
        Minifloat(5, 2, special="fnuz", saturate=True),
        AdaptivFloat(6, 2, (3, 4), axis=0),
        AffineInt(4, True, 1, (0.5, 2.0), (1, -2)),
        MX("fp6_e3m2", 7, 0, "ceil", "away"),
    ],
)
def test_notation_round_trips(f):
    assert ln.parse(str(f)) == f, str(f)


def test_option_defaults_follow_the_options():
    fnuz = ln.parse("minifloat<4,3>(special=fnuz)")
    assert fnuz.bias == Minifloat(4, 3, special="fnuz").bias == 8
    assert Minifloat(4, 3, saturate=False) == Minifloat(4, 3)  # the default spelled out
    assert ln.parse("minifloat<4,0>(special=fn)").maxpos == Minifloat(4, 0, special="fn").maxpos


# -- item 11: MX with inf, non-native dtypes ----------------------------------------------
def test_mx_inf_gives_a_nan_block():
    x = np.ones(64)
    x[3] = -np.inf
    for f in (MX("fp8_e4m3"), MX("fp4_e2m1"), MX("int8"), BlockFloat(8, 32)):
        q = f.quantize(x)
        assert np.isnan(q[:32]).all() and (q[32:] == 1).all(), str(f)
        codes, scales = f.encode(x)
        assert scales.tolist() == [255, scales[1]] and scales[1] != 255


@pytest.mark.parametrize("f", ONE_OF_EACH, ids=str)
def test_non_native_and_other_dtypes(f):
    x = np.array([0.5, -1.25, 3.0, 0.0])
    want64 = f.quantize(x)
    want32 = f.quantize(x.astype(np.float32))
    for dt, want in (
        (">f4", want32),
        ("<f4", want32),
        (">f8", want64),
        (np.float16, want64),
        (">i4", None),
        (np.int64, None),
        (np.uint8, None),
        (bool, None),
    ):
        a = x.astype(dt) if want is not None else np.abs(x).astype(dt)
        q = f.quantize(a)
        ref = want if want is not None else f.quantize(a.astype(np.float64))
        assert q.dtype == (
            np.float32 if np.dtype(dt).kind == "f" and np.dtype(dt).itemsize == 4 else np.float64
        ), (str(f), dt, q.dtype)
        assert q.dtype.isnative
        np.testing.assert_array_equal(q, ref)


# -- errors and keywords ---------------------------------------------------------------------
@pytest.mark.parametrize("f", ONE_OF_EACH, ids=str)
def test_read_only_out_is_a_value_error(f):
    out = np.zeros(3)
    out.setflags(write=False)
    with pytest.raises(ValueError, match="writeable"):
        f.quantize(np.ones(3), out=out)
    with pytest.raises(ValueError, match="out must be an ndarray of shape"):
        f.quantize(np.ones(3), out=np.zeros(4))
    good = np.zeros(3)
    assert f.quantize(np.ones(3), out=good) is good


@pytest.mark.parametrize("f", ONE_OF_EACH, ids=str)
def test_every_format_takes_the_same_keywords(f):
    x = np.linspace(-2, 2, 40)
    q = f.quantize(x)
    np.testing.assert_array_equal(f.quantize(x, saturate=True, threads=2), q)
    np.testing.assert_array_equal(f.quantize(x, saturate=None, threads=1, rounding="nearest"), q)
    c = f.encode(x)
    c2 = f.encode(x, saturate=True, threads=2)
    for a, b in zip(
        c if isinstance(c, tuple) else (c,), c2 if isinstance(c2, tuple) else (c2,), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    if not isinstance(f, Minifloat):  # the one family with a non-saturating mode
        with pytest.raises(ValueError, match="saturate must be True"):
            f.quantize(x, saturate=False)
        with pytest.raises(ValueError, match="saturate must be True"):
            f.encode(x, saturate=False)
    with pytest.raises(ValueError, match="threads must be a positive integer"):
        f.quantize(x, threads=0)
    with pytest.raises(ValueError, match="threads must be a positive integer"):
        f.encode(x, threads=0)


@pytest.mark.parametrize(
    "f",
    [GeneralizedPosit(8, 4, 7, 64), Minifloat(8, 7, -100, special="none")],
    ids=str,
)
def test_ufunc_float32_loop_matches_quantize(f):
    """(one compilation per configuration, a few seconds each: two formats only; the tapered
    LP loop shares the clamp with GP, the nonsaturating float loop is unchanged)"""
    x = np.float32([F32MAX, -F32MAX, 1e38, 1.0, 0.0, np.nan, np.inf])
    np.testing.assert_array_equal(f.ufunc(x), f.quantize(x))
    np.testing.assert_array_equal(f.ufunc(x.astype(np.float64)), f.quantize(x.astype(np.float64)))
