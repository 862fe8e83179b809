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
