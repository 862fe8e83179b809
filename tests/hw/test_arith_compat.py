"""Functional outputs of the systolic array equal ``lognum.arith.matmul`` exactly (same
accumulation: quire / exact LP accumulation with the same antilog table / FP32 in k order)."""

import numpy as np
import pytest

from lognum.arith import matmul
from lognum.hw.functional import systolic_matmul
from lognum.hw.pe import PEType, pe_type


def _data(fmt, shape, rng, spread=4):
    x = rng.normal(size=shape) * np.exp2(rng.integers(-spread, spread, shape))
    return np.asarray(fmt.quantize(x), np.float64)


@pytest.mark.parametrize(
    "pe",
    [
        pe_type("posit8"),
        pe_type("posit16"),
        PEType("gp6", "quire", 6, 64, "GP<6,1,3,-1>"),
        pe_type("lp8"),
        pe_type("lp4x2"),
    ],
    ids=lambda p: p.name,
)
def test_equals_arith_matmul(pe):
    fmt = pe.fmt
    rng = np.random.default_rng(11)
    A, B = _data(fmt, (6, 9), rng), _data(fmt, (9, 5), rng)
    kw = {"antilog_bits": pe.alpha} if pe.kind == "lp" else {}
    ref = matmul(A, B, fmt, **kw)
    for df in ("os", "ws", "is"):
        out, _, _ = systolic_matmul(A, B, pe, 3, 2, df)
        np.testing.assert_array_equal(out.to_format(fmt), ref)


def test_fp32_accumulation_equals_arith_float32():
    pe = PEType("posit8_fp32", "float", 8, 32, "posit<8,2>")
    fmt = pe.fmt
    rng = np.random.default_rng(5)
    A, B = _data(fmt, (5, 40), rng, 8), _data(fmt, (40, 4), rng, 8)
    ref = matmul(A, B, fmt, accumulate="float32")
    for df in ("os", "ws", "is"):
        out, _, _ = systolic_matmul(A, B, pe, 4, 3, df)
        np.testing.assert_array_equal(out.to_format(fmt), ref)
