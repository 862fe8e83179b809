"""Empirical, exact-by-cells and closed-form SQNR (lognum.analysis.sqnr)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import lognum as ln
from lognum.analysis import closed_form as cf
from lognum.analysis.sqnr import cells, empirical_sqnr, fit_gamma, sqnr, sqnr_curve


def _sampled(fmt, dist, n=2_000_000, seed=0, batches=20):
    """Sampled SQNR and its standard error (batch means)."""
    x = dist.rvs(size=n, random_state=np.random.default_rng(seed))
    e = x - fmt.quantize(x)
    s, q = x * x, e * e
    b = [10 * math.log10(s[i::batches].sum() / q[i::batches].sum()) for i in range(batches)]
    return 10 * math.log10(s.sum() / q.sum()), float(np.std(b) / math.sqrt(batches))


def test_empirical_by_hand():
    # posit<8,0>: 1 + 2^-6 is a tie between 0x40 and 0x41 → even 0x40 = 1.0 (docs/guide/tapered.md)
    x = 1.015625
    assert math.isclose(sqnr("posit<8,0>", [x]), 10 * math.log10(x * x / (x - 1) ** 2))
    assert sqnr("posit<8,0>", [1.0, -0.5]) == math.inf
    with pytest.raises(ValueError, match="either"):
        sqnr("posit<8,0>", [1.0], dist=stats.norm())


def test_no_data_closed_forms():
    assert sqnr("GP<8,1,3,0>") == cf.sqnr_eq8("GP<8,1,3,0>")
    assert sqnr("GP<8,2,5,0>", delta="eq9") == cf.sqnr_eq8("GP<8,2,5,0>", delta_eq="eq9")
    assert sqnr("LP<6,2,5,0>") == cf.sqnr_lp("LP<6,2,5,0>")


@pytest.mark.parametrize(
    "spec,dist,wrong",
    [
        ("LP<6,2,5,0>", stats.norm(), "arithmetic"),  # LP ties are geometric everywhere
        ("posit<6,2>", stats.loguniform(2.0**6, 2.0**15), "arithmetic"),  # regime-zone ties
        ("GP<8,1,3,0>", stats.laplace(scale=0.5), "geometric"),  # fraction-zone ties
        ("GP<6,1,3,-1>", stats.norm(scale=3.0), "geometric"),
    ],
)
def test_exact_sqnr_matches_sampling_and_rejects_a_wrong_tie_rule(spec, dist, wrong):
    f = ln.parse(spec)
    exact = sqnr(f, dist=dist)
    bad = sqnr(f, dist=dist, rule=wrong)
    samp, se = _sampled(f, dist)
    assert abs(exact - samp) < 4 * se + 1e-3, (exact, samp, se)
    assert abs(bad - samp) > 6 * se, (bad, samp, se)


def test_exact_sqnr_uniform_quantizer_closed_form():
    # GP<8,1,1,0> near 1 is a fixed-point grid of step 2^-5 on [1, 2): uniform data on [1, 2)
    # has noise step²/12 exactly.
    f = ln.GeneralizedPosit(8, 1, 1, 0)
    d = stats.uniform(1.0, 1.0)
    step = 2.0**-5
    expect = 10 * math.log10((7 / 3) / (step**2 / 12))
    assert math.isclose(sqnr(f, dist=d), expect, abs_tol=1e-9)


def test_cells_partition_and_agree_with_quantize():
    f = ln.GeneralizedPosit(7, 1, 4, 0)
    c = cells(f)
    assert c.lower[0] == -math.inf and c.upper[-1] == math.inf
    np.testing.assert_array_equal(c.lower[1:], c.upper[:-1])
    mid = np.where(np.isfinite(c.lower) & np.isfinite(c.upper), 0.5 * (c.lower + c.upper), c.value)
    ok = c.upper > c.lower
    np.testing.assert_array_equal(f.quantize(mid[ok]), c.value[ok])
    # the bisection boundary: last double that rounds down
    b = c.upper[ok][:-1]
    np.testing.assert_array_equal(f.quantize(b), c.value[ok][:-1])
    assert np.all(f.quantize(np.nextafter(b, np.inf)) > c.value[ok][:-1])


def test_fit_gamma_reproduces_measurement():
    x = np.random.default_rng(0).standard_normal(100_000)
    g = fit_gamma("GP<8,1,3,0>", x)
    assert math.isclose(cf.sqnr_eq8("GP<8,1,3,0>", g), empirical_sqnr("GP<8,1,3,0>", x))


def test_sqnr_curve_against_sampling_and_shape():
    f = ln.Posit(8, 1)
    m = np.array([-15.0, -4.0, 0.0, 3.0, 15.0])
    curve = sqnr_curve(f, m)
    rng = np.random.default_rng(1)
    for mi, ci in zip(m, curve, strict=True):
        x = 2.0 ** (mi + rng.uniform(-0.5, 0.5, 400_000))
        assert abs(empirical_sqnr(f, x) - ci) < 0.1
    assert curve[2] == curve.max()  # tapered: best precision around 1
    assert curve[0] < 0 and curve[-1] < 10  # beyond minpos / maxpos


@pytest.mark.parametrize(
    "spec", ["float8_e4m3fn", "float4_e2m1fn", "float6_e3m2fn", "int4", "lns<8,3>", "bfloat16"]
)
def test_exact_sqnr_of_baseline_formats_matches_sampling(spec):
    f = ln.parse(spec)
    d = stats.norm(scale=0.7)
    exact = sqnr(f, dist=d)
    samp, se = _sampled(f, d, n=1_000_000)
    assert abs(exact - samp) < 4 * se + 1e-3, (exact, samp, se)


def test_adaptive_and_block_formats():
    x = np.random.default_rng(4).standard_normal(100_000)
    af = ln.parse("AF<6,3>")
    fitted = af.fit(x)
    e = x - fitted.quantize(x)
    assert math.isclose(sqnr(af, x), 10 * math.log10(np.sum(x * x) / np.sum(e * e)))
    d = stats.norm()
    ff = af.fit(np.array([-d.isf(0.5 / 4096), d.isf(0.5 / 4096)]))
    assert sqnr(af, dist=d) == sqnr(ff, dist=d)
    mx = ln.parse("mxfp4")
    e = x - mx.quantize(x)
    assert math.isclose(sqnr(mx, x), 10 * math.log10(np.sum(x * x) / np.sum(e * e)))
    with pytest.raises(ValueError, match="block"):
        sqnr(mx, dist=d)
    with pytest.raises(ValueError, match="fit"):
        sqnr_curve(af, [0.0])


@pytest.mark.parametrize(
    "spec,dist",
    [
        ("posit<6,1>", stats.norm()),
        ("GP<7,2,3,-1>", stats.laplace(scale=0.3)),
        ("GP<6,0,4,0>", stats.t(df=5)),
    ],
)
def test_exact_sqnr_against_quad_over_tie_theorem_cells(spec, dist):
    """Independent oracle: cell boundaries = GP<n+1> values at odd codes (bit-string RNE ties),
    each cell integrated with scipy.integrate.quad."""
    from scipy import integrate

    f = ln.parse(spec)
    wide = ln.GeneralizedPosit(f.n + 1, f.es, f.rs, f.sc)
    codes = np.arange(1, 1 << (f.n - 1), dtype=np.uint64)
    v = f.decode(codes)
    ties = wide.decode(2 * codes[:-1] + 1)
    edges = np.concatenate([[0.0], ties, [np.inf]])  # x in (0, minpos) rounds to minpos
    mse = 0.0
    for lo, hi, val in zip(edges[:-1], edges[1:], v, strict=True):
        for a, b, s in ((lo, hi, 1.0), (-hi, -lo, -1.0)):
            r, _ = integrate.quad(
                lambda t, s=s, val=val: (t - s * val) ** 2 * dist.pdf(t),
                a,
                b,
                epsabs=0,
                epsrel=1e-11,
                limit=200,
            )
            mse += r
    oracle = 10 * math.log10(dist.var() / mse)
    assert abs(sqnr(f, dist=dist) - oracle) < 1e-8


def test_empirical_sqnr_keeps_the_shape_of_per_channel_and_block_formats():
    """A per-channel format quantizes x in its own shape (one scale per row here), not a
    flattened copy (which gave one scale per element: 341 dB instead of ~44 dB)."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((16, 64)) * np.geomspace(0.01, 10.0, 16)[:, None]
    s = np.abs(w).max(axis=1, keepdims=True) / 127.0  # symmetric int8 per row, by hand
    q = np.clip(np.round(w / s), -127, 127) * s
    ref = 10.0 * np.log10((w**2).sum() / ((w - q) ** 2).sum())
    assert ln.sqnr(ln.SymmetricInt(8, axis=0), w) == pytest.approx(ref, abs=1e-9)
    assert ln.sqnr(ln.SymmetricInt(8, axis=0), w) < 60.0
