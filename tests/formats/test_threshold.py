"""Threshold tables (``lognum._kernels.threshold``, used by LP quantize and every tapered
encode for n <= 12) against the exact oracle (tapered_oracle.py: Fractions, exact logs).

The bisection's thresholds are checked to be the exact rounding boundaries (the pattern rounds
up, the one below it does not), and the public quantize/encode that read the tables are checked
on both sides of every boundary, both signs, the special values and random bit patterns, in
float32 and float64.
"""

from __future__ import annotations

import numpy as np
import pytest

import lognum as ln
from lognum._kernels.threshold import tapered_thresholds
from lognum.formats.tapered import threshold_table
from tests.formats.tapered_oracle import Oracle

FORMATS = [
    ln.Posit(2, 0),
    ln.Posit(5, 1),
    ln.Posit(8, 2),
    ln.GeneralizedPosit(6, 1, 3, -1),
    ln.GeneralizedPosit(7, 2, 2, 3),
    ln.LogPosit(4, 0, 1, 0),
    ln.LogPosit(6, 2, 5, 0),
    ln.LogPosit(8, 1, 5, 0.3),
    ln.LogPosit(5, 0, 2, -1.0),
    ln.LogPosit(8, 3, 7, -3.3),
    ln.LogPosit(10, 1, 4, 2.5),
]
TYPES = [(np.float32, np.uint32), (np.float64, np.uint64)]


def _oracle(f) -> Oracle:
    n, es, rs, sc, logm, sfi, sff = f._kparams
    return Oracle(n, es, rs, sc, bool(logm), f.sf if logm else 0)


def _thresholds(f, single: bool) -> np.ndarray:
    n, es, rs, sc, logm, sfi, sff = f._kparams
    T = np.empty((1 << (n - 1)) - 2, dtype=np.uint64)
    tapered_thresholds(n, es, rs, sc, logm, sfi, np.uint64(sff), single, T)
    return T


def _boundary_inputs(f, ft, ut, rng, sample):
    """Every (or ``sample`` random) threshold pattern and the pattern below it, both signs."""
    T = _thresholds(f, ft is np.float32)
    if sample is not None and T.size > sample:
        T = rng.choice(T, sample, replace=False)
    pats = np.concatenate([T, T - 1]).astype(ut)
    x = pats.view(ft)
    return np.concatenate([x, -x])


SPECIAL_PATTERNS = {
    np.uint32: [
        0,
        1,
        2,
        0x007FFFFF,
        0x00800000,
        0x7F7FFFFF,
        0x7F800000,
        0x7F800001,
        0x7FC00000,
        0x7FFFFFFF,
    ],
    np.uint64: [
        0,
        1,
        0x000FFFFFFFFFFFFF,
        0x0010000000000000,
        0x7FEFFFFFFFFFFFFF,
        0x7FF0000000000000,
        0x7FF0000000000001,
        0x7FF8000000000000,
    ],
}


def _oracle_codes(o: Oracle, x) -> np.ndarray:
    return np.array([o.encode(float(v)) for v in x], dtype=np.uint64)


@pytest.mark.parametrize("f", FORMATS, ids=str)
@pytest.mark.parametrize("ft,ut", TYPES, ids=["f32", "f64"])
def test_thresholds_are_the_exact_boundaries(f, ft, ut):
    o = _oracle(f)
    T = _thresholds(f, ft is np.float32)
    assert np.all(np.diff(T.astype(np.int64)) > 0)
    j = np.arange(1, T.size + 1)
    up = T.astype(ut).view(ft)
    below = (T - 1).astype(ut).view(ft)
    assert np.array_equal(_oracle_codes(o, up), j + 1)
    assert np.array_equal(_oracle_codes(o, below), j)


@pytest.mark.parametrize("f", FORMATS, ids=str)
@pytest.mark.parametrize("ft,ut", TYPES, ids=["f32", "f64"])
def test_table_quantize_and_encode_equal_the_oracle(f, ft, ut):
    if f.n <= 8 or ft is np.float32:  # (binary64 tables of n > 8 exceed the row limit)
        assert threshold_table(f._kparams, ft is np.float32, True) is not None
    o = _oracle(f)
    rng = np.random.default_rng(f.n * 31 + f.es)
    specials = np.array(SPECIAL_PATTERNS[ut], dtype=ut).view(ft)
    width = 32 if ft is np.float32 else 64
    patterns = rng.integers(0, 1 << 62, 300, dtype=np.uint64) >> np.uint64(64 - width)
    x = np.concatenate(
        [
            _boundary_inputs(f, ft, ut, rng, None),
            specials,
            -specials,
            (patterns.astype(ut) | ut(1 << (width - 1)) * (rng.random(300) < 0.5)).view(ft),
            rng.standard_normal(200).astype(ft),
        ]
    )
    codes = _oracle_codes(o, x)
    assert np.array_equal(f.encode(x).astype(np.uint64), codes)
    with np.errstate(over="ignore"):
        want = np.array([o.float_value(int(c)) for c in codes]).astype(ft)
    got = f.quantize(x)
    same = (got.view(ut) == want.view(ut)) | (np.isnan(got) & np.isnan(want))
    assert same.all(), list(zip(x[~same][:5], got[~same][:5], want[~same][:5], strict=True))
    assert not np.signbit(f.quantize(np.array([-0.0], dtype=ft))[0])  # -0 -> +0


def test_large_n_uses_no_table():
    assert threshold_table(ln.LogPosit(13, 1, 5, 0)._kparams, True, False) is None
    assert threshold_table(ln.Posit(16, 1)._kparams, False, True) is None
    assert threshold_table(ln.LogPosit(12, 2, 7, 1.25)._kparams, True, False) is not None
