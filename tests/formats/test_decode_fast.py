"""Decode without widening copies: codes of every integer width (and signed or byte-swapped
arrays) decode through one table load per code (``floats_table.take_table``) for formats up to
12 bits; the result equals the arithmetic decoders (tapered ``decode_gp``, the fixed-point
formula) and the code tables, for every code of each format, NaN/NaR codes included.
"""

from __future__ import annotations

import numpy as np
import pytest

import lognum as ln

NAMES = [
    "posit<8,2>",
    "posit<16,1>",
    "GP<8,1,3,0>",
    "GP<10,2,4,-3>",
    "LP<8,1,5,0>",
    "float8_e4m3fn",
    "float6_e3m2fn",
    "LNS<8,3>",
    "fixed<8,4>",
]


def _fmt(name: str):
    f = ln.parse(name)
    return f.fit(np.linspace(-3, 3, 101)) if f.needs_fit else f


@pytest.mark.parametrize("name", NAMES + ["int8_sym", "int4_affine"])
def test_decode_every_code_any_width(name: str) -> None:
    f = _fmt(name)
    n = f.nbits
    every = np.arange(1 << n, dtype=np.uint64)
    ref = np.concatenate([f.decode(every[i : i + 7]) for i in range(0, every.size, 7)])
    codes = np.tile(every, 3)  # more codes than the table: the table path
    want = np.tile(ref, 3)
    for dt in (np.uint16, np.uint32, np.uint64, np.int32, np.int64, ">u4", ">i8"):
        got = f.decode(codes.astype(dt))
        assert np.array_equal(got, want, equal_nan=True), dt
        assert got.dtype == np.float64
    if n <= 8:
        assert np.array_equal(f.decode(codes.astype(np.uint8)), want, equal_nan=True)
    out = np.empty(codes.size)
    assert f.decode(codes.astype(np.uint32), out=out) is out
    assert np.array_equal(out, want, equal_nan=True)
    with pytest.raises(ValueError, match="codes must be in"):
        f.decode(np.array([1 << n] * 300, dtype=np.uint32))
    with pytest.raises(ValueError, match="codes must be in"):
        f.decode(np.array([-1] * 300, dtype=np.int32))


def test_tapered_table_equals_arithmetic_decoder() -> None:
    """The GP value table is the arithmetic decoder's output (posit<16,2>: 65536 codes)."""
    from lognum.formats.tapered import _gp_table, _kernels

    k, _ = _kernels()
    for n, es, rs, sc in [(16, 2, 15, 0), (12, 1, 3, -2), (8, 0, 7, 5)]:
        every = np.arange(1 << n, dtype=np.uint32)
        v = np.empty(every.size)
        k.decode_gp(every, v, n, es, rs, sc)
        assert np.array_equal(_gp_table(n, es, rs, sc), v, equal_nan=True)
