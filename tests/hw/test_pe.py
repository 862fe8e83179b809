"""A PE type holds its operand format: a real :class:`lognum.formats.base.Format`, whose
``quantize`` is the PE's rounding and whose values give what the hardware model derives."""

import math
import subprocess
import sys

import numpy as np
import pytest

from lognum.formats.base import Format
from lognum.formats.parse import parse
from lognum.hw.model import ACCELERATORS
from lognum.hw.pe import PE_TYPES, PEType, log_frac_bits, pe_type


def _inputs(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=400) * np.exp2(rng.integers(-30, 30, 400))
    return np.concatenate([x, [0.0, -0.0, 1.0, -1.0, 0.75, 1e-30, -1e30, 3.5]])


@pytest.mark.parametrize("name", list(PE_TYPES))
def test_pe_rounding_is_the_formats_quantize(name):
    pe = pe_type(name)
    assert isinstance(pe.fmt, Format)
    x = _inputs()
    got = pe.quantize(x)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.asarray(pe.fmt.quantize(x), np.float64))
    # random operands are values of the format
    v = pe.random((7, 5), np.random.default_rng(1))
    np.testing.assert_array_equal(v, np.asarray(pe.fmt.quantize(v), np.float64))


@pytest.mark.parametrize("name", list(PE_TYPES))
def test_pe_format_is_the_parsed_notation(name):
    pe = pe_type(name)
    assert parse(str(pe.fmt)) == pe.fmt
    assert pe.bits == pe.fmt.nbits
    # the same PE from the format object or from its notation
    same = PEType(
        pe.name,
        pe.kind,
        pe.bits,
        pe.acc_bits,
        str(pe.fmt),
        lanes=pe.lanes,
        frac_bits=pe.frac_bits,
        alpha=pe.alpha,
        fused_with=pe.fused_with,
        arch=pe.arch,
    )
    assert same == pe and same.fmt == pe.fmt


@pytest.mark.parametrize(
    "notation", ["nonsense<8>", "posit8x", "LP<8,0,7>", "posit<8,99>", "float8_e9m9"]
)
def test_unknown_or_invalid_format_is_a_value_error_naming_fmt(notation):
    with pytest.raises(ValueError, match=r"^fmt: "):
        PEType("x", "quire", 8, 32, notation)
    with pytest.raises(ValueError, match=r"^fmt: "):
        PEType("x", "lp", 8, 32, notation, alpha=8)


def test_pe_parameters_are_checked_against_the_format():
    with pytest.raises(ValueError, match="^bits must be the format's width 8"):
        PEType("x", "float", 16, 32, "fp8_e4m3")
    with pytest.raises(ValueError, match="^fmt of an int PE must have integer values"):
        PEType("x", "int", 8, 32, "fp8_e4m3")
    with pytest.raises(ValueError, match=r"^frac_bits must be an integer in \[5, 16\]"):
        PEType("x", "lp", 8, 32, "LP<8,0,7,4>", frac_bits=4, alpha=8)
    with pytest.raises(ValueError, match="^frac_bits is an LP parameter"):
        PEType("x", "quire", 8, 32, "posit<8,2>", frac_bits=3)
    with pytest.raises(ValueError, match="^fmt must be an element or adaptive format"):
        PEType("x", "int", 8, 32, "mxint8")
    with pytest.raises(ValueError, match="^kind must be one of"):
        PEType("x", "log", 8, 32, "posit<8,2>")
    with pytest.raises(ValueError, match="^alpha must be an integer in"):
        PEType("x", "lp", 8, 32, "LP<8,2,7,0>", alpha=31)
    with pytest.raises(ValueError, match="^prec: "):
        _ = pe_type("lp8").prec


def test_lp_frac_bits_default_to_the_formats_log_grid():
    for notation, F in [("LP<8,2,7,0>", 3), ("LP<4,0,3,0>", 1), ("LP<8,0,7,4>", 5)]:
        assert log_frac_bits(notation) == F
        assert PEType("x", "lp", parse(notation).nbits, 32, notation).frac_bits == F
    # a PE of more log fraction bits than its own format (it also runs LP formats of finer
    # log grids, up to its F) keeps its F
    assert PEType("x", "lp", 4, 32, "LP<4,0,3,0>", frac_bits=5).frac_bits == 5


@pytest.mark.parametrize("name", [n for n in PE_TYPES if not parse(PE_TYPES[n].fmt).needs_fit])
def test_exp_range_and_prec_come_from_the_formats_values(name):
    pe = pe_type(name)
    f = pe.fmt
    v = f.values()
    v = v[np.isfinite(v) & (v != 0)]
    mags = np.abs(v)
    assert pe.exp_range == (
        math.floor(math.log2(mags.min())),
        math.floor(math.log2(mags.max())),
    )
    if f.family != "fixed":  # symmetric formats: the span of minpos .. maxpos
        assert pe.exp_range == (math.floor(math.log2(f.minpos)), math.floor(math.log2(f.maxpos)))
    if pe.kind != "lp":
        # every value has at most prec significant bits, and one has exactly prec
        m = np.abs(np.frexp(v)[0]) * 2.0**pe.prec
        assert np.all(m == np.rint(m))
        assert not np.all(m / 2 == np.rint(m / 2))


def test_known_pe_grids():
    assert pe_type("posit8").exp_range == (-24, 24) and pe_type("posit8").prec == 4
    assert pe_type("posit16").prec == 12
    assert pe_type("fp8").exp_range == (-9, 8) and pe_type("fp8").prec == 4
    assert pe_type("bf16").prec == 8
    # AdaptivFloat: 2^e binades, m + 1 significand bits, whatever the fitted bias
    assert pe_type("af8").prec == 5 and np.subtract(*pe_type("af8").exp_range) == -7
    assert pe_type("af8_4").prec == 4 and np.subtract(*pe_type("af8_4").exp_range) == -15


def test_pe_table_is_one_read_only_table():
    with pytest.raises(TypeError):
        PE_TYPES["mine"] = pe_type("int8")  # type: ignore[index]
    for acc in ACCELERATORS.values():
        for name in acc.modes.values():
            assert name in PE_TYPES
    for name, pe in PE_TYPES.items():
        assert pe.name == name
        if pe.fused_with:  # the other mode of a mixed-precision PE is in the same table
            assert PE_TYPES[pe.fused_with].kind == pe.kind
    # importing the accelerator model adds nothing to it (and importing pe reads no values)
    code = (
        "import sys; import lognum.hw.pe as p; assert 'numba' not in sys.modules; "
        "a = sorted(p.PE_TYPES); import lognum.hw.model; assert sorted(p.PE_TYPES) == a; "
        "print(len(a))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == len(PE_TYPES)
