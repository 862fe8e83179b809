"""Notation of the teaching-taxonomy formats: every name parses to the format it names, and
``parse(str(f)) == f`` (including fitted formats and non-default options)."""

from __future__ import annotations

import numpy as np
import pytest

import lognum as ln
from lognum.formats.block import MX, BlockFloat
from lognum.formats.fixed import AffineInt, DynamicFixedPoint, FixedPoint, SymmetricInt
from lognum.formats.floats import AdaptivFloat, Minifloat, ScaledFloat
from lognum.formats.lns import LNS, LogQuant
from lognum.formats.parse import parse

NAMES = {
    "float16": Minifloat(5, 10),
    "fp16": Minifloat(5, 10),
    "bfloat16": Minifloat(8, 7),
    "bf16": Minifloat(8, 7),
    "float8_e4m3fn": Minifloat(4, 3, special="fn"),
    "fp8_e4m3": Minifloat(4, 3, special="fn"),
    "float8_e5m2": Minifloat(5, 2),
    "float8_e4m3fnuz": Minifloat(4, 3, bias=8, special="fnuz"),
    "float8_e5m2fnuz": Minifloat(5, 2, bias=16, special="fnuz"),
    "float6_e2m3fn": Minifloat(2, 3, special="none"),
    "float6_e3m2fn": Minifloat(3, 2, special="none"),
    "float4_e2m1fn": Minifloat(2, 1, special="none"),
    "fp4": Minifloat(2, 1, special="none"),
    "float8_e8m0fnu": Minifloat(8, 0, subnormals=False, special="fnu"),
    "int8": FixedPoint(8),
    "uint8": FixedPoint(8, signed=False),
    "fixed<8,4>": FixedPoint(8, 4),
    "ufixed<6,-2>": FixedPoint(6, -2, signed=False),
    "int8_sym": SymmetricInt(8),
    "uint8_affine": AffineInt(8),
    "int8_affine": AffineInt(8, signed=True),
    "dfxp<8>": DynamicFixedPoint(8),
    "AF<6,3>": AdaptivFloat(6, 3),
    "AdaptivFloat<8,4>": AdaptivFloat(8, 4),
    "LNS<8,3>": LNS(8, frac_bits=3),
    "logquant<4>": LogQuant(4),
    "logquant<4,2>": LogQuant(4, 2),
    "SF<4,3,-2>": ScaledFloat(4, 3, -2),
    "mxfp4": MX("fp4_e2m1"),
    "mxfp8_e4m3": MX("fp8_e4m3"),
    "mxfp8_e5m2": MX("fp8_e5m2"),
    "mxfp6_e2m3": MX("fp6_e2m3"),
    "mxfp6_e3m2": MX("fp6_e3m2"),
    "mxint8": MX("int8"),
    "bfp<8,16>": BlockFloat(8, 16),
    "minifloat<3,2>": Minifloat(3, 2),
    " Af < 6 , 3 > ": AdaptivFloat(6, 3),
    "MXFP4": MX("fp4_e2m1"),
    "BFloat16": Minifloat(8, 7),
}


@pytest.mark.parametrize("spec,expected", list(NAMES.items()))
def test_names_parse_to_their_format(spec, expected):
    assert parse(spec) == expected
    assert ln.parse(spec) == expected


def _round_trip_formats():
    x = np.array([[0.3, -2.0, 5.5], [0.01, 1.0, -0.2]])
    fs = list(NAMES.values()) + [
        Minifloat(4, 3, special="fn", saturate=True),
        Minifloat(5, 2, saturate=True),
        Minifloat(4, 2, bias=3, subnormals=False, special="none"),
        Minifloat(3, 3, special="fnuz"),
        AdaptivFloat(6, 3).fit(x),
        AdaptivFloat(6, 3, variant=2022).fit(x),
        AdaptivFloat(6, 3, axis=0).fit(x),
        SymmetricInt(8).fit(x),
        SymmetricInt(4, axis=1).fit(x),
        AffineInt(8).fit(x),
        AffineInt(8, axis=0).fit(x),
        DynamicFixedPoint(8).fit(x),
        DynamicFixedPoint(8, axis=1).fit(x),
        LogQuant(5, base="sqrt2").fit(x),
        LogQuant(3, 1, signed=False),
        ScaledFloat(4, 3, None).fit(x),
        ScaledFloat(2, 1, None),
        MX("fp4_e2m1", block=16, axis=0, ties="away", scale_rule="ceil"),
        BlockFloat(4, 8, ties="away"),
        FixedPoint(8, 3, ties="away"),
        SymmetricInt(8, ties="away"),
        LNS(10, frac_bits=5),
    ]
    return fs


@pytest.mark.parametrize("fmt", _round_trip_formats(), ids=str)
def test_str_round_trips(fmt):
    s = str(fmt)
    assert parse(s) == fmt, s
    assert parse(s.upper()) == fmt


def test_existing_notations_still_parse():
    assert str(parse("posit<8,2>")) == "posit<8,2>"
    assert str(parse("LP<6,2,5,0>")) == "LP<6,2,5,0>"


@pytest.mark.parametrize(
    "spec,match",
    [
        ("fp7", "unknown format"),
        ("int1", "n must"),
        ("AF<6,9>", "e must"),
        ("float8_e4m3fn(colour=red)", "not a parameter"),
        ("float8_e4m3fn(saturate)", "key=value"),
        ("LNS<8,9>", "frac_bits must"),
        ("bfp<1,32>", "mantissa_bits must"),
        ("float6_e2m3fn(saturate=false)", "saturate must"),
    ],
)
def test_bad_notation_raises(spec, match):
    with pytest.raises(ValueError, match=match):
        parse(spec)


# ------------------------------------------------------------------------------------------
# the API every element format offers (closed-form maxpos/minpos against enumeration, codes,
# describe, dtype/shape handling, seeded stochastic rounding onto representable values)

_X = np.random.default_rng(0).standard_normal((6, 40)) * 0.7


def _element_formats():
    named = [
        "float16",
        "bfloat16",
        "float8_e4m3fn",
        "float8_e5m2",
        "float8_e4m3fnuz",
        "float8_e5m2fnuz",
        "float6_e2m3fn",
        "float6_e3m2fn",
        "float4_e2m1fn",
        "float8_e8m0fnu",
        "int8",
        "uint4",
        "fixed<8,3>",
        "LNS<8,3>",
        "LNS<6,0>",
        "SF<4,3,-2>",
    ]
    fitted = [
        AdaptivFloat(6, 3),
        AdaptivFloat(8, 4, variant=2022),
        SymmetricInt(8),
        AffineInt(8),
        AffineInt(4, signed=True),
        DynamicFixedPoint(8),
        LogQuant(4),
        LogQuant(5, base="sqrt2"),
        ScaledFloat(3, 2, None),
    ]
    return [parse(s) for s in named] + [f.fit(_X) for f in fitted]


@pytest.mark.parametrize("fmt", _element_formats(), ids=str)
def test_element_format_api(fmt):
    v = fmt.values()
    assert fmt.maxpos == v.max() and fmt.minpos == v[v > 0].min()
    x = _X
    for dt in (np.float32, np.float64):
        xx = x.astype(dt)
        q = fmt.quantize(xx)
        assert q.shape == x.shape and q.dtype == dt
        c = fmt.encode(xx)
        assert c.dtype == fmt.code_dtype and c.shape == x.shape
        if dt == np.float64:
            assert np.array_equal(fmt.decode(c), q, equal_nan=True)
        else:  # float32 values are the float64 ones rounded (int quantizers: q·float32(S))
            assert np.array_equal(fmt.encode(q), c)
            d32 = fmt.decode(c).astype(dt)
            assert np.allclose(d32, q, rtol=2.0**-23, atol=0, equal_nan=True)
        out = np.empty_like(xx)
        assert fmt.quantize(xx, out=out) is out and np.array_equal(out, q, equal_nan=True)
    fin = np.isfinite(fmt.quantize(x))
    assert np.isin(fmt.quantize(x)[fin], np.concatenate([v, [0.0]])).all()
    s = fmt.quantize(0.3)
    assert np.ndim(s) == 0
    for code in (0, 1, (1 << fmt.nbits) - 1):
        d = fmt.describe(code)
        val = d["value"] if isinstance(d, dict) else d.value
        dec = float(fmt.decode(np.array([code]))[0])
        assert val == dec or (np.isnan(val) and np.isnan(dec))
    q1 = fmt.quantize(x, rounding="stochastic", rng=np.random.default_rng(5))
    q2 = fmt.quantize(x, rounding="stochastic", rng=np.random.default_rng(5))
    assert np.array_equal(q1, q2, equal_nan=True)
    fin = np.isfinite(q1)
    assert np.isin(q1[fin], np.concatenate([v, [0.0]])).all()
    # stochastic results are a neighbour of x: between the nearest values below and above
    lo = np.array([v[v <= a].max() if (v <= a).any() else v.min() for a in x.ravel()])
    hi = np.array([v[v >= a].min() if (v >= a).any() else v.max() for a in x.ravel()])
    qq = q1.ravel()
    ok = ~np.isfinite(qq) | ((qq >= lo) & (qq <= hi)) | (qq == 0)
    assert ok.all()


def test_per_slice_adaptivfloat_stochastic():
    af = AdaptivFloat(6, 3, axis=0)
    q = af.quantize(_X, rounding="stochastic", rng=np.random.default_rng(1))
    fitted = af.fit(_X)
    for r, b in enumerate(fitted.bias):
        vals = AdaptivFloat(6, 3, bias=b).values()
        assert np.isin(q[r], vals).all()
