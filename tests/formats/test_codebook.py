"""Codebook (lookup-table) formats.

Oracle: the nearest entry by brute force over the whole table with exact rational distances
(``fractions.Fraction``), ties to the even code, independent of lognum's thresholds and binary
search; k-means checked against its defining property (every entry is the mean of its cell).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from lognum.formats.codebook import Codebook
from lognum.formats.parse import parse
from lognum.formats.record import Description


def _oracle_code(x: float, levels: tuple[float, ...]) -> int:
    """The nearest entry's code by exact distances over every entry; ties to the even code;
    NaN: the code of the entry nearest to 0; ±inf: the end entries."""
    if math.isnan(x):
        x = 0.0
    if math.isinf(x):
        return 0 if x < 0 else len(levels) - 1
    fx = Fraction(x)
    dist = [abs(fx - Fraction(v)) for v in levels]
    best = min(dist)
    cands = [i for i, d in enumerate(dist) if d == best]
    return cands[0] if len(cands) == 1 else next(i for i in cands if i % 2 == 0)


def _inputs(levels: tuple[float, ...], rng: np.random.Generator) -> np.ndarray:
    """Every entry, every exact midpoint that is a double, its neighbours, random values
    across and beyond the table, specials."""
    v = np.array(levels)
    mids = (v[:-1] + v[1:]) / 2
    near = np.concatenate([np.nextafter(mids, -np.inf), mids, np.nextafter(mids, np.inf)])
    lo, hi = v[0] - 1.0, v[-1] + 1.0
    u = rng.random(400)
    rand = lo * (1 - u) + hi * u  # (no hi - lo: it overflows for the widest table)
    spec = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300, -1e300, 5e-324])
    return np.concatenate([v, near, rand, spec])


TABLES = [
    (-1.0, -0.25, 0.0, 0.5, 2.0),
    (0.1, 0.2, 0.3),  # midpoints that are not doubles
    (-3.0, 1.0),
    tuple(np.cumsum(np.random.default_rng(4).exponential(size=37)) - 10.0),
    (-1e308, 0.0, 1e308),  # a gap that overflows float64
    (1.0, 1.0 + 2.0**-52, 1.0 + 2.0**-51),  # one-ulp gaps: midpoints are not doubles
]


@pytest.mark.parametrize("levels", TABLES, ids=lambda t: f"K{len(t)}")
def test_nearest_matches_exact_oracle(levels):
    f = Codebook(levels)
    x = _inputs(f.levels, np.random.default_rng(len(levels)))
    ref = np.array([_oracle_code(float(a), f.levels) for a in x])
    codes = f.encode(x)
    assert codes.dtype == f.code_dtype and np.array_equal(codes, ref)
    q = f.quantize(x)
    exp = np.where(np.isnan(x), np.nan, np.array(f.levels)[ref])
    assert np.array_equal(q, exp, equal_nan=True)
    assert np.array_equal(f.decode(codes), np.array(f.levels)[ref])
    assert np.array_equal(f.ufunc(x), q, equal_nan=True)
    # float32 input: the float64 result rounded to float32 (the oracle on the float32 values)
    with np.errstate(over="ignore"):  # ±1e300 become ±inf in float32
        x32 = x.astype(np.float32)
    ref32 = np.array([_oracle_code(float(a), f.levels) for a in x32])
    q32 = f.quantize(x32)
    assert q32.dtype == np.float32
    with np.errstate(over="ignore"):
        e32 = np.array(f.levels)[ref32].astype(np.float32)
    e32 = np.where(np.isinf(e32), np.copysign(np.finfo(np.float32).max, e32), e32)
    assert np.array_equal(q32, np.where(np.isnan(x32), np.nan, e32), equal_nan=True)
    assert np.array_equal(f.ufunc(x32), q32, equal_nan=True)


def test_ties_go_to_the_even_code_and_ends_saturate():
    f = Codebook([2.0, -1, 0.5, 0, -0.25])  # any order; stored sorted
    assert f.levels == (-1.0, -0.25, 0.0, 0.5, 2.0) and f.nbits == 3 and f.size == 5
    x = np.array([-0.625, -0.125, 0.25, 1.25, -7.0, 9.0, np.nan])
    assert f.encode(x).tolist() == [0, 2, 2, 4, 0, 4, 2]
    assert f.quantize(x)[:6].tolist() == [-1.0, 0.0, 0.0, 2.0, -1.0, 2.0]
    assert np.isnan(f.quantize(x)[6])
    # codes 5..7 are unused: they decode to NaN and are not values
    assert np.isnan(f.decode(np.array([5, 7]))).all()
    assert f.values().tolist() == list(f.levels)
    assert (f.maxpos, f.minpos) == (2.0, 0.5)


def test_stochastic_rounding_is_unbiased_between_neighbours():
    f = Codebook([-1.0, 0.0, 0.25, 1.0])
    x = np.full(40_000, 0.4)  # between 0.25 and 1.0: up with probability 0.2
    q = f.quantize(x, rounding="stochastic", rng=np.random.default_rng(3))
    assert set(np.unique(q)) == {0.25, 1.0}
    assert abs(np.mean(q == 1.0) - 0.2) < 6 * math.sqrt(0.2 * 0.8 / x.size)
    c = f.encode(x, rounding="stochastic", rng=np.random.default_rng(3))
    assert np.array_equal(f.decode(c), q)
    y = np.array([-5.0, 7.0, 0.25, np.nan])  # outside: the ends; an entry stays
    qs = f.quantize(y, rounding="stochastic", rng=np.random.default_rng(0))
    assert qs[:3].tolist() == [-1.0, 1.0, 0.25] and np.isnan(qs[3])


def test_notation_describe_and_kind():
    f = Codebook((-0.5, 1e-5, 3.0))
    assert str(f) == "codebook[-0.5;1e-05;3.0]" and parse(str(f)) == f
    assert parse("Codebook[ 3; -0.5; 0.00001 ]") == f
    g = Codebook(tuple(np.random.default_rng(1).standard_normal(20)))
    assert parse(str(g)) == g  # repr floats: exact
    assert f.kind == "element" and f.family == "codebook" and f.fit(np.ones(3)) is f
    d = f.describe(1)
    assert isinstance(d, Description) and d.value == 1e-5 and d["index"] == 1
    assert (
        d.field("index").bits == "01"
        and str(d) == "codebook[-0.5;1e-05;3.0] 01: entry 1 of 3, value 1e-05"
    )
    u = f.describe(3)
    assert u.special == "unused" and math.isnan(u.value)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: Codebook([1.0]), "levels must hold"),
        (lambda: Codebook(np.arange(65537.0)), "levels must hold"),
        (lambda: Codebook([0.0, np.nan]), "finite"),
        (lambda: Codebook([0.0, np.inf]), "finite"),
        (lambda: Codebook([1.0, 2.0, 1.0]), "distinct"),
        (lambda: Codebook([0.0, -0.0]), "distinct"),
        (lambda: Codebook("ab"), "levels must"),
        (lambda: parse("codebook[1;x]"), "codebook"),
        (lambda: Codebook.kmeans(np.ones(10), 2), "k must"),
        (lambda: Codebook.kmeans(np.arange(10.0), 1), "k must"),
        (lambda: Codebook([-2.0, -1.0]).maxpos, "no positive"),
    ],
)
def test_bad_parameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_kmeans_finds_clusters_and_is_a_lloyd_fixed_point():
    rng = np.random.default_rng(0)
    centres = np.array([-5.0, 0.0, 7.0])
    d = np.concatenate([rng.normal(c, 0.1, 2000) for c in centres])
    f = Codebook.kmeans(d, 3, seed=1)
    assert np.allclose(f.levels, centres, atol=0.02)
    w = rng.standard_normal(20_000)
    g = Codebook.kmeans(w, 16)
    assert g.nbits == 4 and g == Codebook.kmeans(w, 16)  # deterministic for a seed
    # Lloyd's fixed point: every entry is the mean of the data that round to it
    codes = g.encode(w)
    for i, v in enumerate(g.levels):
        assert math.isclose(v, float(w[codes == i].mean()), rel_tol=1e-9, abs_tol=1e-12)
    # the Lloyd-Max quantizer of N(0, 1) with 16 levels has MSE 0.009497 (Max 1960)
    assert abs(np.mean((w - g.quantize(w)) ** 2) - 0.009497) < 0.0015
    # as many entries as distinct values: the values themselves
    assert Codebook.kmeans(np.array([3.0, 1.0, 1.0, 2.0, np.nan]), 3).levels == (1.0, 2.0, 3.0)
