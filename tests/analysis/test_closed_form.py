"""Closed forms of lognum.analysis.closed_form against enumeration of the formats' values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lognum as ln
from lognum.analysis import closed_form as cf

GRID = [(n, es, rs) for n in range(3, 11) for es in range(4) for rs in range(1, n)]


def _pos(f):
    v = f.values()
    return v[v > 0]


def test_grid_is_the_176_configurations_of_formats_md():
    assert len(GRID) == 176


@pytest.mark.parametrize("family", ["GP", "LP"])
def test_max_min_equal_enumeration(family):
    bad = []
    for n, es, rs in GRID:
        f = ln.parse(f"{family}<{n},{es},{rs},0>")
        v = _pos(f)
        mx, mn = cf.max_min(f)
        if not (math.isclose(mx, v[-1], rel_tol=1e-15) and math.isclose(mn, v[0], rel_tol=1e-15)):
            bad.append((n, es, rs))
    assert bad == []


def test_max_min_with_sc_and_sf():
    g = ln.GeneralizedPosit(8, 1, 4, -2)
    assert cf.max_min(g) == (_pos(g)[-1], _pos(g)[0])
    lp = ln.LogPosit(6, 2, 3, 1.5)
    mx, mn = cf.max_min(lp)
    assert math.isclose(mx, _pos(lp)[-1], rel_tol=1e-14)
    assert math.isclose(mn, _pos(lp)[0], rel_tol=1e-14)


def test_delta_eq25_is_min_gap_everywhere_and_eq9_differs_in_44_configs():
    eq9_bad = 0
    for n, es, rs in GRID:
        f = ln.GeneralizedPosit(n, es, rs, 0)
        v = np.concatenate([[0.0], _pos(f)])
        gap = float(np.min(np.diff(v)))  # enumeration oracle
        assert cf.delta_gp(n, es, rs, 0, "eq25") == gap, (n, es, rs)
        eq9_bad += cf.delta_gp(n, es, rs, 0, "eq9") != gap
    assert eq9_bad == 44  # docs/guide/tapered.md


def test_delta_examples_from_formats_table():
    assert cf.delta_gp(8, 2, 5, 0, "eq9") == 2.0**-14
    assert cf.delta_gp(8, 2, 5, 0, "eq25") == 2.0**-19
    assert cf.delta_gp(6, 2, 3, 0, "eq9") == 2.0**-6
    assert cf.delta_gp(6, 2, 3, 0) == 2.0**-11
    assert cf.delta_gp(8, 1, 3, -1) == 2.0**-10  # sc shifts Δ
    with pytest.raises(ValueError, match="eq"):
        cf.delta_gp(8, 1, 3, 0, "eq7")


def test_dynamic_range_decades_and_db():
    f = ln.Posit(8, 2)
    v = _pos(f)
    dr = cf.dynamic_range(f)
    dec = math.log10(v[-1] / v[0])
    assert math.isclose(dr["decades"], dec) and math.isclose(dr["dB"], 20 * dec)
    assert dr["binades"] == 48.0


def test_quire_width_standard_and_softposit_sizes():
    for n in (8, 16, 32):
        assert cf.quire_width(ln.Posit(n, 2), 2**30) == 16 * n
        assert cf.quire_width(ln.Posit(n, 2), rule="standard") == 16 * n
    # softposit quire8 / quire16 / quire32 with ceil(log2 m) = n - 2 (docs/guide/tapered.md)
    assert cf.quire_width(ln.Posit(8, 0), 2**6) == 32
    assert cf.quire_width(ln.Posit(16, 1), 2**14) == 128
    assert cf.quire_width(ln.Posit(32, 2), 2**30) == 512
    with pytest.raises(ValueError, match="standard"):
        cf.quire_width(ln.Posit(8, 1), rule="standard")


@pytest.mark.parametrize(
    "spec",
    [
        "GP<8,1,3,0>",
        "GP<10,2,4,-1>",
        "posit<8,0>",
        "GP<7,3,2,1>",
        "LP<8,1,5,0>",
        "LP<6,2,2,0>",
        "LP<9,0,3,0.5>",
        "GP<8,2,1,0>",
    ],
)
def test_enclosing_values_and_decimal_digits_closed_form_vs_enumeration(spec):
    f = ln.parse(spec)
    v = _pos(f)
    rng = np.random.default_rng(3)
    lo_, hi_ = math.log2(v[0]), math.log2(v[-1])
    xs = np.concatenate([2.0 ** rng.uniform(lo_, hi_, 300), v[:-1]])
    i = np.searchsorted(v, xs, side="right")
    for x, ii in zip(xs, i, strict=True):
        lo, hi = cf.enclosing_values(f, float(x))
        assert math.isclose(lo, v[ii - 1], rel_tol=1e-13) and math.isclose(hi, v[ii], rel_tol=1e-13)
    d = cf.decimal_digits(f, xs)
    d_enum = -np.log10((v[i] - v[i - 1]) / (2 * xs))
    np.testing.assert_allclose(d, d_enum, rtol=1e-10)
    assert np.isnan(cf.decimal_digits(f, [v[-1] * 2])[0])


def test_fraction_bits_match_enumeration_near_one():
    # docs/guide/tapered.md table, "frac. bits near 1"
    for (n, es, rs), fb in {
        (8, 1, 1): 5,
        (8, 1, 2): 4,
        (8, 1, 5): 4,
        (8, 2, 3): 3,
        (6, 2, 3): 1,
    }.items():
        assert cf.fraction_bits(ln.GeneralizedPosit(n, es, rs), 0) == fb


def test_sqnr_eq8_by_hand():
    # GP<8,1,3,0>: Δ = 2^-9 → 10·log10 12 + 20·9·log10 2
    assert math.isclose(cf.sqnr_eq8("GP<8,1,3,0>"), 10 * math.log10(12) + 180 * math.log10(2))
    # γ = 2 costs 20 log10 2 dB; eq 9 uses the literal Δ
    assert math.isclose(
        cf.sqnr_eq8("GP<8,1,3,0>", 2.0), cf.sqnr_eq8("GP<8,1,3,0>") - 20 * math.log10(2)
    )
    assert math.isclose(
        cf.sqnr_eq8("GP<8,2,5,0>", delta_eq="eq9"), 10 * math.log10(12) + 20 * 14 * math.log10(2)
    )
    with pytest.raises(ValueError, match="gamma"):
        cf.sqnr_eq8("GP<8,1,3,0>", gamma=0.0)


def test_lp_relative_mse_matches_numeric_integral():
    for h in (1.0, 0.5, 2.0**-4):
        d = np.linspace(-h / 2, h / 2, 200001)
        num = np.trapezoid((2.0**d - 1) ** 2, d) / h
        assert math.isclose(cf.lp_relative_mse(h), num, rel_tol=1e-7)
    assert math.isclose(cf.lp_relative_mse(1e-3), (1e-3 * math.log(2)) ** 2 / 12, rel_tol=1e-5)


@pytest.mark.parametrize(
    "spec,m",
    [("LP<8,1,5,0>", 0.0), ("LP<10,0,6,0>", -1.0), ("LP<6,2,5,0>", 0.0), ("LP<8,2,3,1>", -1.0)],
)
def test_lp_closed_form_sqnr_against_empirical(spec, m):
    f = ln.parse(spec)
    h = cf.log2_step(f, m)
    # log-uniform data covering whole cells of one regime (an integer number of steps)
    rng = np.random.default_rng(5)
    x = 2.0 ** (m + rng.uniform(0, 1, 400_000) * max(h, 1.0))
    x *= rng.choice([-1.0, 1.0], x.size)
    e = x - f.quantize(x)
    emp = 10 * math.log10(np.sum(x * x) / np.sum(e * e))
    assert abs(cf.sqnr_lp(f, m) - emp) < 0.05


@pytest.mark.parametrize(
    "spec",
    ["posit<8,0>", "posit<8,2>", "GP<8,1,3,0>", "GP<10,2,4,-1>", "GP<8,0,2,0>", "GP<9,1,6,2>"],
)
def test_quire_width_against_enumerated_products(spec):
    """Bits needed to hold every sum of m products exactly, from the enumerated values:
    lsb = the smallest lsb of a product, msb from Max², plus sign and carry bits."""
    f = ln.parse(spec)
    v = _pos(f)
    lsb = min(
        math.frexp(x)[1]
        - 53
        + (
            int(math.ldexp(math.frexp(x)[0], 53)) & -int(math.ldexp(math.frexp(x)[0], 53))
        ).bit_length()
        - 1
        for x in v
    )
    m = 2**10
    need = 10 + (math.floor(math.log2(v[-1] ** 2)) + 1 - 2 * lsb) + 1  # carries + magnitude + sign
    exact = cf.quire_width(f, m, rule="exact")
    assert need <= exact <= need + 2
    t = f.n - f.rs - 1
    alps = cf.quire_width(f, m)
    if t <= f.es:  # posit-like: ALPS' formula is enough
        assert alps == exact
    else:  # Min > Δ by a factor 2^(t-es)(1 + 2^(es-t)): ALPS' width is short of exactness
        assert alps < need and 2 * (t - f.es) <= exact - alps <= 2 * (t - f.es + 1)


# ---------------------------------------------------------------------------------------------
# cancellation, non-finite inputs and the errors of the closed forms


def _lp_mse_decimal(h):
    """E[(2^δ − 1)²], δ ~ U[−h/2, h/2], at 80 digits: sinh(c)/c − 2 sinh(c/2)/(c/2) + 1."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 80
        c = Decimal(h) * Decimal(2).ln()

        def sinhc(x):
            return (x.exp() - (-x).exp()) / (2 * x)

        return float(sinhc(c) - 2 * sinhc(c / 2) + 1)


@pytest.mark.parametrize("h", [2.0**-40, 2.0**-27, 2.0**-20, 2.0**-10, 0.5, 1.0, 1.4427, 2.0, 32.0])
def test_lp_relative_mse_has_no_cancellation(h):
    # the closed form was negative at h = 2^-20 (math domain error in sqnr_lp for LP<24,...>)
    assert cf.lp_relative_mse(h) == pytest.approx(_lp_mse_decimal(h), rel=1e-14)


def test_sqnr_lp_for_wide_lp_formats():
    # LP<24,1,5,0> at its centre: h = 2^-20, SQNR = -10 log10((h ln 2)² / 12) to ~1e-11 dB
    h = 2.0**-20
    expect = -10 * math.log10((h * math.log(2)) ** 2 / 12)
    assert cf.sqnr_lp("LP<24,1,5,0>") == pytest.approx(expect, abs=1e-9)
    assert ln.sqnr("LP<24,1,5,0>") == cf.sqnr_lp("LP<24,1,5,0>")
    x = 2.0 ** np.random.default_rng(0).uniform(-0.5, 0.5, 200_000)
    assert abs(ln.sqnr("LP<24,1,5,0>", x) - expect) < 0.05


def test_closed_form_errors_name_the_parameter():
    with pytest.raises(ValueError, match="h must be a finite number > 0"):
        cf.lp_relative_mse(math.inf)
    assert cf.lp_relative_mse(5000.0) == math.inf  # beyond float64, not an OverflowError
    for bad in (math.nan, math.inf):
        with pytest.raises(ValueError, match="log2_magnitude must be a finite number"):
            cf.sqnr_lp("LP<8,1,5,0>", bad)
        with pytest.raises(ValueError, match="log2_magnitude must be a finite number"):
            cf.log2_step("LP<8,1,5,0>", bad)
        with pytest.raises(ValueError, match="scale must be a finite number"):
            cf.regime_of("posit<8,2>", bad)
    with pytest.raises(ValueError, match=r"delta_eq must be one of \('eq25', 'eq9'\)"):
        cf.sqnr_eq8("posit<8,2>", 1.0, "x")
    with pytest.raises(ValueError, match=r"k must be an integer in \[-7, 6\]"):
        cf.bits_after_regime("posit<8,2>", 100)
    with pytest.raises(ValueError, match="k must be an integer"):
        cf.fraction_bits("posit<8,2>", -8)
    with pytest.raises(ValueError, match="sc"):
        cf.delta_gp(8, 1, 3, -2000)  # was 0.0 (underflow), then log10(0) in eq 8
    with pytest.raises(ValueError, match="rs"):
        cf.delta_gp(8, 1, 9, 0)
