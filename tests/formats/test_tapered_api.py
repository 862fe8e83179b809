"""The Format API on the posit family: shapes, dtypes, out=, errors, parse, describe,
stochastic rounding, property tests."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lognum as ln

FORMATS = [
    ln.Posit(8, 2),
    ln.Posit(16, 1),
    ln.GeneralizedPosit(6, 1, 3, -1),
    ln.LogPosit(6, 2, 5, 0),
    ln.LogPosit(8, 1, 5, 0.5),
    ln.GeneralizedPosit(32, 2, 9, 3),
]


@pytest.mark.parametrize("f", FORMATS, ids=str)
def test_shapes_dtypes_scalars_empty_out(f):
    x = np.random.default_rng(0).standard_normal((3, 4, 5))
    for dt in (np.float32, np.float64):
        xd = x.astype(dt)
        y = f.quantize(xd)
        assert y.shape == x.shape and y.dtype == dt
        assert np.array_equal(y.ravel(), f.quantize(xd.ravel()))
        # non-contiguous input and output
        yt = f.quantize(xd.T)
        assert np.array_equal(yt, y.T)
        out = np.empty_like(xd)
        r = f.quantize(xd, out=out)
        assert r is out and np.array_equal(out, y)
        out_nc = np.empty((5, 4, 3), dt).T
        f.quantize(xd, out=out_nc)
        assert np.array_equal(out_nc, y)
    assert f.quantize(np.empty((0, 3))).shape == (0, 3)
    assert f.encode(np.empty(0)).dtype == f.code_dtype
    z = f.quantize(np.array(1.3))
    assert isinstance(z, np.ndarray) and z.shape == ()
    s = f.quantize(1.3)
    assert np.isscalar(s) and s == z
    assert f.quantize(np.arange(5)).dtype == np.float64  # integers -> float64
    assert f.encode(1.0).dtype == f.code_dtype
    assert f.code_dtype == {8: np.uint8, 6: np.uint8, 16: np.uint16, 32: np.uint32}[f.n]
    assert np.isnan(f.quantize(np.nan)) and np.isnan(f.quantize(-np.inf))
    assert f.quantize(-0.0) == 0 and math.copysign(1, f.quantize(-0.0)) == 1


def test_bad_parameters_name_the_parameter():
    cases = [
        (lambda: ln.Posit(1, 2), "n"),
        (lambda: ln.Posit(33, 2), "n"),
        (lambda: ln.Posit(8, 5), "es"),
        (lambda: ln.Posit(8.0, 2), "n"),
        (lambda: ln.GeneralizedPosit(8, 1, 0), "rs"),
        (lambda: ln.GeneralizedPosit(8, 1, 8), "rs"),
        (lambda: ln.GeneralizedPosit(8, 1, 3, 65), "sc"),
        (lambda: ln.GeneralizedPosit(8, 1, 3, 0.5), "sc"),
        (lambda: ln.LogPosit(8, 1, 3, float("nan")), "sf"),
        (lambda: ln.LogPosit(8, 1, 3, 100), "sf"),
        (lambda: ln.LogPosit(8, -1, 3), "es"),
    ]
    for make, name in cases:
        with pytest.raises(ValueError, match=rf"^{name} "):
            make()
    p = ln.Posit(8, 2)
    with pytest.raises(ValueError, match="rounding"):
        p.quantize([1.0], rounding="up")
    with pytest.raises(ValueError, match="rounding"):
        p.quantize([1.0], rounding="linear")  # only LP rounds by value
    with pytest.raises(ValueError, match="rng"):
        p.quantize([1.0], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        p.quantize([1.0], rounding="stochastic", rng=42)
    with pytest.raises(ValueError, match="out"):
        p.quantize(np.ones(3), out=np.empty(4))
    with pytest.raises(ValueError, match="codes"):
        p.decode([256])
    with pytest.raises(ValueError, match="codes"):
        p.decode([0.5])
    with pytest.raises(ValueError, match="code"):
        p.describe(300)
    with pytest.raises(ValueError, match="x"):
        p.quantize(np.array(["a"]))
    with pytest.raises(ValueError, match="n must be <= 24"):
        ln.Posit(32, 2).values()


def test_parse_roundtrip_equality_hash():
    specs = ["posit<8,2>", "GP<6,1,3,-1>", "LP<6,2,5,0>", "LP<8,1,5,0.5>", "LP<8,1,5,-0.3>"]
    for s in specs:
        f = ln.parse(s)
        assert str(f) == s and ln.parse(str(f)) == f and hash(ln.parse(s)) == hash(f)
    assert ln.parse(" Posit < 8 , 2 > ") == ln.Posit(8, 2)
    assert ln.parse("gp<6,1,3,-1>") == ln.GeneralizedPosit(6, 1, 3, -1)
    assert ln.parse("logposit<6,2,5,0>") == ln.LogPosit(6, 2, 5)
    assert ln.parse("posit16") == ln.Posit(16, 2)
    assert ln.LogPosit(6, 2, 5, 0) == ln.LogPosit(6, 2, 5, 0.0)
    assert ln.Posit(8, 2) != ln.Posit(8, 1) and ln.Posit(8, 2) != ln.GeneralizedPosit(8, 2, 7, 0)
    assert len({ln.Posit(8, 2), ln.parse("posit<8,2>"), ln.Posit(8, 1)}) == 2
    assert ln.parse(ln.Posit(8, 2)) is not None
    with pytest.raises(ValueError, match="unknown format notation"):
        ln.parse("posit<8>")
    with pytest.raises(ValueError, match="rs"):
        ln.parse("GP<6,1,9,0>")
    lp = ln.LogPosit(8, 1, 5, 0.1)
    assert ln.parse(str(lp)).sf == lp.sf


def test_describe_posit_6_2_by_hand():
    p = ln.Posit(6, 2)
    d = p.describe(0b010110)  # 0 10 11 0: k = 0, e = 3, f = 0 -> 2^3 = 8
    assert [(r.name, r.bits) for r in d.fields[:4]] == [
        ("sign", "0"),
        ("regime", "10"),
        ("exponent", "11"),
        ("fraction", "0"),
    ]
    assert (d["sign"], d["regime"], d["k"], d["run"], d["exponent"], d["e"]) == (0, 0, 0, 1, 3, 3)
    assert d.value == 8.0 and d["scale"] == 3.0 and d.special is None and d.code == 0b010110
    d = p.describe(0b111010)  # negative: two's complement 000110 -> 0 001 10 -> k=-2, e=2
    assert d["sign"] == 1 and d["k"] == -2 and d["e"] == 2 and d.value == -(2.0 ** (-8 + 2))
    assert d.field("regime").bits == "001" and d.pattern == "111010"
    assert p.describe(0).special == "zero" and p.describe(32).special == "NaR"
    assert "NaR (not a real)" in str(p.describe(32))
    with pytest.raises(ValueError, match="fields"):
        d.field("mantissa")
    lp = ln.LogPosit(6, 2, 5, 0)
    d = lp.describe(0b010111)  # 0 10 11 1: 2^(0 + 3 + 1/2)
    assert d["f"] == 0.5 and d["fraction"] == 0.5 and d.value == 2**3.5
    assert "regime" in str(d) and "LP<6,2,5,0>" in str(d) and str(d) == d.text
    for c in range(64):  # describe (pure Python) agrees with the kernels everywhere
        dv = p.describe(c).value
        assert (math.isnan(dv) and c == 32) or dv == p.decode(c)


def test_ufunc_is_a_numpy_ufunc_equal_to_quantize():
    for f in (ln.Posit(8, 2), ln.LogPosit(6, 2, 5, 0)):
        uf = f.ufunc
        assert isinstance(uf, np.ufunc) or hasattr(uf, "ufunc")
        x = np.random.default_rng(1).standard_normal((4, 7)).astype(np.float32)
        assert np.array_equal(uf(x), f.quantize(x))
        out = np.empty_like(x)
        uf(x, out=out)
        assert np.array_equal(out, f.quantize(x))


# ------------------------------------------------------------------------------------------
# stochastic rounding


@pytest.mark.parametrize(
    "f,domain",
    [
        (ln.Posit(8, 2), "value"),
        (ln.GeneralizedPosit(8, 1, 3, 0), "value"),
        (ln.LogPosit(8, 1, 5, 0), "log"),
    ],
)
def test_stochastic_rounding_unbiased_and_reproducible(f, domain):
    vals = f.values()
    rng = np.random.default_rng(0)
    for lo, hi in [(1.0, None), (vals[-2], vals[-1]), (vals[vals > 0][0], None)]:
        i = np.searchsorted(vals, lo)
        lo, hi = vals[i], vals[i + 1]
        for w in (0.1, 0.5, 0.77):
            if domain == "value":
                x = lo + w * (hi - lo)
            else:
                x = 2 ** (np.log2(lo) + w * (np.log2(hi) - np.log2(lo)))
            N = 200_000
            xs = np.full(N, x)
            q = f.quantize(xs, rounding="stochastic", rng=np.random.default_rng(42))
            assert set(np.unique(q)) <= {lo, hi}
            p = np.mean(q == hi)
            # probability of the upper neighbour = fraction of the gap covered; 6 sigma
            assert abs(p - w) < 6 * math.sqrt(w * (1 - w) / N), (lo, hi, w, p)
            if domain == "value":
                assert abs(q.mean() - x) < 6 * (hi - lo) * math.sqrt(w * (1 - w) / N)
            q2 = f.quantize(xs[:1000], rounding="stochastic", rng=np.random.default_rng(42))
            assert np.array_equal(q2, q[:1000])
            q3 = f.quantize(-xs[:1000], rounding="stochastic", rng=np.random.default_rng(42))
            assert np.array_equal(q3, -q[:1000])
    x = rng.standard_normal(1000)
    q = f.quantize(x, rounding="stochastic", rng=rng)
    lo_ok = (q == f.quantize(x)) | (np.abs(q - x) <= np.abs(np.diff(vals)).max())
    assert lo_ok.all()
    # exactly representable values, zero, NaN and saturation are deterministic
    for v in (vals[len(vals) // 2 + 3], 0.0, 1e30, -1e30, 1e-30):
        assert (
            f.quantize(np.full(50, v), rounding="stochastic", rng=rng).tolist()
            == [f.quantize(v)] * 50
        )
    assert np.isnan(f.quantize(np.nan, rounding="stochastic", rng=rng))


def test_lp_stochastic_linear_is_unbiased_in_value():
    f = ln.LogPosit(6, 2, 5, 0)
    vals = f.values()
    lo, hi = vals[vals > 1][0], vals[vals > 1][1]
    x = lo + 0.3 * (hi - lo)
    N = 200_000
    q = f.quantize(np.full(N, x), rounding="stochastic_linear", rng=np.random.default_rng(1))
    assert abs(q.mean() - x) < 6 * (hi - lo) * math.sqrt(0.21 / N)
    ql = f.quantize(np.full(N, x), rounding="stochastic", rng=np.random.default_rng(1))
    assert abs(ql.mean() - x) > 10 * (hi - lo) * math.sqrt(0.25 / N)  # log domain is biased


# ------------------------------------------------------------------------------------------
# property tests

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
FMTS = st.sampled_from(
    [
        ln.Posit(8, 2),
        ln.Posit(16, 1),
        ln.GeneralizedPosit(7, 2, 3, -2),
        ln.LogPosit(7, 1, 4, 0.25),
        ln.LogPosit(12, 0, 11, 0),
        ln.GeneralizedPosit(24, 3, 5, 1),
    ]
)


@settings(max_examples=300, deadline=None)
@given(FMTS, finite, finite)
def test_quantize_idempotent_odd_monotone(f, a, b):
    qa, qb = f.quantize(a), f.quantize(b)
    assert f.quantize(qa) == qa
    assert f.quantize(-a) == -qa
    if a <= b:
        assert qa <= qb
    if a != 0:
        assert qa != 0 and abs(qa) <= f.maxpos and abs(qa) >= f.minpos
