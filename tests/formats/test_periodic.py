"""The binary32 LNS / log-quantization path without table loads (``floats_table.round_periodic``)
against the bucket-table kernel it replaces (``round_bucket``, itself checked against the exact
log-domain rule in test_lns.py): bit-identical float32 results on every threshold and the four
floats either side, every value, subnormals, ±0, NaN, ±inf, float32 max and random bit
patterns; and the builder refuses tables it cannot reproduce.
"""

from __future__ import annotations

import numpy as np
import pytest

from lognum._kernels import floats_table as FT
from lognum.formats.lns import LNS, LogQuant

CONFIGS = [(3, 0), (4, 1), (5, 0), (5, 2), (6, 3), (8, 0), (8, 1), (8, 2), (8, 3), (10, 3), (12, 3)]


def _tables(f, rounding="nearest", codes=False):
    bt, vals, per = f._bucket_tables(rounding, np.dtype(np.float32), codes)
    return bt, vals, per


def _inputs(bt: FT.BucketTable) -> np.ndarray:
    T = bt.bits[:-2].astype(np.int64)
    near = np.concatenate([T + k for k in range(-4, 5)])
    rng = np.random.default_rng(0)
    rand = rng.integers(0, 1 << 32, size=200_000, dtype=np.uint64)
    edge = np.array([0, 1, 0x7FFFFF, 0x800000, 0x7F7FFFFF, 0x7F800000, 0x7FC00000, 0x7F800001])
    pats = np.concatenate([near, edge, rand.astype(np.int64)])
    pats = pats[(pats >= 0) & (pats < 1 << 32)]
    pats = np.concatenate([pats, pats ^ (1 << 31)])
    return pats.astype(np.uint32)


def _compare(bt, vals, per) -> None:
    x = _inputs(bt)
    codes = vals.dtype.kind in "iu"
    a = np.empty(x.size, dtype=np.uint32)
    b = np.empty(x.size, dtype=np.uint32)
    if codes:
        FT.encode_periodic(x.view(np.float32), a, per)
        FT.round_bucket(x, b, bt, vals)
    else:
        FT.round_periodic(x.view(np.float32), a.view(np.float32), per)
        FT.round_bucket(x, b.view(np.float32), bt, vals)
    bad = np.nonzero(a != b)[0]
    assert bad.size == 0, (x[bad[:4]].view(np.float32), a[bad[:4]], b[bad[:4]])


@pytest.mark.parametrize("n,F", CONFIGS)
@pytest.mark.parametrize("rounding", ["nearest", "linear"])
@pytest.mark.parametrize("codes", [False, True], ids=["values", "codes"])
def test_lns_periodic_equals_bucket_table(n: int, F: int, rounding: str, codes: bool) -> None:
    f = LNS(n, frac_bits=F)
    bt, vals, per = _tables(f, rounding, codes)
    if (n, F) in [(6, 3), (8, 1), (8, 2), (8, 3), (10, 3)] and not (codes and rounding == "linear"):
        assert per is not None, "at most 8 thresholds per binade: the periodic path applies"
    if per is not None:
        _compare(bt, vals, per)
    x = np.random.default_rng(1).standard_normal(5000).astype(np.float32) * 8.0
    x[:4] = [0.0, -0.0, np.inf, np.nan]
    x64 = x.astype(np.float64)
    if codes:
        assert np.array_equal(f.encode(x, rounding=rounding), f.encode(x64, rounding=rounding))
    else:
        ref = f.quantize(x64, rounding=rounding).astype(np.float32)
        assert np.array_equal(f.quantize(x, rounding=rounding), ref, equal_nan=True)


@pytest.mark.parametrize("n,fsr,base", [(4, 0, "2"), (5, 3, "2"), (6, 1, "sqrt2"), (5, 2, "2")])
def test_logquant_periodic_equals_bucket_table(n: int, fsr: int, base: str) -> None:
    f = LogQuant(n, fsr=fsr, base=base)
    for codes in (False, True):
        bt, vals, per = _tables(f, codes=codes)
        if per is not None:
            _compare(bt, vals, per)
    x = np.random.default_rng(2).standard_normal(5000).astype(np.float32)
    assert np.array_equal(f.quantize(x), f.quantize(x.astype(np.float64)).astype(np.float32))
    assert np.array_equal(f.encode(x), f.encode(x.astype(np.float64)))


def test_periodic_builder_refuses_what_it_cannot_reproduce() -> None:
    """A threshold moved by one float, a value not repeated per binade, more than 8 thresholds
    per binade or a float64 table: no periodic table (the verification catches the first)."""
    f = LNS(8, frac_bits=3)
    bt, vals, per = _tables(f)
    assert per is not None
    bits = bt.bits.copy()
    bits[40] += 1
    assert FT.periodic_table(bt._replace(bits=bits), vals) is None
    v = vals.copy()
    v[2 * 50] = np.nextafter(v[2 * 50], np.float32(np.inf))
    assert FT.periodic_table(bt, v) is None
    assert _tables(LNS(10, frac_bits=5))[2] is None
    bt64 = f._bucket_tables("nearest", np.dtype(np.float64), False)[0]
    assert FT.periodic_table(bt64, vals) is None
    btc, cvals, cper = _tables(f, codes=True)
    assert cper is not None
    c = cvals.copy()
    c[2 * 70] += 1  # one code off
    assert FT.periodic_table(btc, c) is None
