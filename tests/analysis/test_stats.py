"""Kurtosis, ALPS Algorithm 1, eqs 12-16 (lognum.analysis.stats)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as st

from lognum.analysis import stats


def test_excess_kurtosis_vs_scipy():
    rng = np.random.default_rng(0)
    for x in (rng.standard_normal(5000), rng.laplace(size=5000), rng.uniform(size=5000)):
        assert stats.excess_kurtosis(x) == pytest.approx(
            st.kurtosis(x, fisher=True, bias=True), rel=1e-12
        )
    with pytest.raises(ValueError, match="constant"):
        stats.excess_kurtosis([1.0, 1.0])


def test_format_kurtosis_values_from_formats_md_a4():
    # docs/errata.md: GP<8,es,rs,0> values in [-2.29, 2.29]
    table = {
        (1, 1): -0.81,
        (1, 2): 0.51,
        (1, 3): 0.55,
        (1, 7): 0.55,
        (2, 1): 0.51,
        (2, 2): 3.24,
        (2, 5): 3.25,
        (0, 1): -1.45,
        (0, 2): -0.81,
    }
    for (es, rs), k in table.items():
        assert stats.format_kurtosis(f"GP<8,{es},{rs},0>", 2.29) == pytest.approx(k, abs=0.006)


def test_algorithm1_literal_sc_search_is_degenerate():
    rng = np.random.default_rng(1)
    for w in (0.05 * rng.standard_normal(4096), np.abs(rng.laplace(size=4096)) + 0.3):
        r = stats.alps_algorithm1(w, 8, 1, "literal")
        assert r.sc == 0
        assert set(r.mean_candidates.values()) == {0.0}
        assert r.notes


def test_algorithm1_rs_search_by_hand():
    w = np.random.default_rng(2).laplace(size=4096)
    r = stats.alps_algorithm1(w, 8, 2, "corrected")
    a = np.max(np.abs(w))
    kw = st.kurtosis(w, fisher=True, bias=True)
    cand = {i: stats.format_kurtosis(f"GP<8,2,{i},0>", a) for i in (3, 4, 5, 6, 7)}
    best_i, best = 7, abs(kw - cand[7])
    for i in (3, 4, 5, 6):
        if abs(kw - cand[i]) < best:
            best_i, best = i, abs(kw - cand[i])
    assert r.rs == best_i
    assert r.kurtosis_candidates == pytest.approx(cand)


def test_algorithm1_corrected_sc_follows_the_data_scale():
    w = np.random.default_rng(3).standard_normal(4096)
    r0 = stats.alps_algorithm1(w * 2.0**-1, 8, 1)
    r1 = stats.alps_algorithm1(w * 2.0**1, 8, 1)
    assert r1.sc - r0.sc == 2
    rm = stats.alps_algorithm1(w * 2.0**-1, 8, 1, sc_criterion="mse")
    assert -3 <= rm.sc <= 3 and rm.sc_criterion[rm.sc] == min(rm.sc_criterion.values())


def test_layerwise_rules_by_hand():
    ew = [1.0, 2.0, 8.0, 32.0, 1 / 16]
    ea = [4.0, 1.0, 1.0, 1.0, 1.0]
    out = stats.alps_layerwise(ew, ea, ref=0, rs_ref=5, sc_ref=0, n=8, clamp=False)
    # log2 sqrt: 0, 0.5→0 (half-even), 1.5→2, 2.5→2, -2
    np.testing.assert_array_equal(out["rs_w"], [5, 5, 7, 7, 3])
    np.testing.assert_array_equal(out["sc_w"], [0, 0, 2, 2, -2])
    np.testing.assert_array_equal(out["rs_a"], [6, 5, 5, 5, 5])
    c = stats.alps_layerwise(ew, ea, 0, 5, 0, 8)
    np.testing.assert_array_equal(c["rs_w"], [5, 5, 7, 7, 3])
    d = stats.alps_layerwise(ew, ea, 0, 5, 0, 8, activation_ref="activation")
    np.testing.assert_array_equal(d["rs_a"], [5, 4, 4, 4, 4])
    e = stats.alps_layerwise([1.0, 1e6], [1.0, 1.0], 0, 6, 3, 8)
    assert e["rs_w"][1] == 7 and e["sc_w"][1] == 3


def test_mismatch_bound_by_hand():
    assert stats.mismatch_bound([1.0, 2.0], [10.0, 20.0], [3.0], [30.0]) == pytest.approx(
        1 / 10 + 2 / 100 + 3 / 1000
    )


# ---------------------------------------------------------------------------------------------
# scale invariance and the statistics' user errors


def _kurt_fraction(x):
    """Excess kurtosis with exact rational arithmetic (independent of float scaling)."""
    from fractions import Fraction

    f = [Fraction(float(v)) for v in x]
    mu = sum(f) / len(f)
    m2 = sum((v - mu) ** 2 for v in f) / len(f)
    m4 = sum((v - mu) ** 4 for v in f) / len(f)
    return float(m4 / (m2 * m2)) - 3.0


def test_excess_kurtosis_is_scale_invariant():
    x = [1e200, -1e200, 3e200, 0.0]
    assert stats.excess_kurtosis(x) == pytest.approx(_kurt_fraction(x), abs=1e-12)  # was nan
    assert stats.excess_kurtosis(x) == pytest.approx(-1.154, abs=5e-4)
    small = np.array(x) * 1e-200 * 1e-200 * 1e-100  # was "x is constant"
    assert stats.excess_kurtosis(small) == pytest.approx(_kurt_fraction(small), abs=1e-12)
    rng = np.random.default_rng(9)
    w = rng.laplace(size=2000)
    k0 = stats.excess_kurtosis(w)
    for e in (-1000, -600, -1, 1, 600, 1020):  # results stay normal floats
        assert stats.excess_kurtosis(np.ldexp(w, e)) == k0  # power-of-two scaling: bit-exact
    for s in (1e-300, 1e-30, 1e30, 1e300):
        assert stats.excess_kurtosis(w * s) == pytest.approx(k0, rel=1e-12)


def test_format_statistics_exact_and_checked():
    for spec in ("posit<12,2>", "GP<10,1,4,3>", "LP<8,1,5,0>"):
        assert stats.format_mean(spec) == 0.0  # exactly: a rounded exact sum
    assert stats.format_mean("posit<16,4>") == 0.0  # values up to 2^224, no overflow
    with pytest.raises(ValueError, match="a must be a finite number > 0"):
        stats.format_kurtosis("GP<8,1,3,0>", float("nan"))
    with pytest.raises(ValueError, match="fewer than two values"):
        stats.format_kurtosis("GP<8,1,3,0>", 1e-30)


def test_algorithm1_at_extreme_scales():
    rng = np.random.default_rng(4)
    w = rng.standard_normal(4096)
    r1 = stats.alps_algorithm1(w, 8, 1)
    big = stats.alps_algorithm1(w * 1e200, 8, 1, sc_criterion="mse")
    assert big.kurtosis_data == pytest.approx(r1.kurtosis_data, rel=1e-12)
    assert big.mean_data == pytest.approx(np.mean(w) * 1e200, rel=1e-9)
    # every candidate saturates at a maxpos < 2^16: the errors x − maxpos are the same doubles
    # for every sc, the MSEs (~1e400) are a tie (reported as inf), resolved to sc = 0 as
    # documented — not an arbitrary pick among infinities
    assert big.sc == 0 and set(big.sc_criterion.values()) == {np.inf}
    mid = stats.alps_algorithm1(w * 1e3, 8, 1, sc_criterion="mse")  # saturating, resolvable
    assert mid.sc == min(mid.sc_criterion, key=lambda s: (mid.sc_criterion[s], abs(s), s))
    with pytest.raises(ValueError, match="max|w|"):
        stats.alps_algorithm1(w * 1e-30, 8, 1)
    # literal variant on huge data: means are finite, sc stays 0 (degenerate search)
    lit = stats.alps_algorithm1(np.abs(w) * 1e306, 8, 1, "literal")
    assert np.isfinite(lit.mean_data) and lit.sc == 0


def test_layerwise_log_domain_and_exact_ties():
    # ratios 8, 2, 32 of gains that are not powers of two: log2 sqrt = 1.5, 0.5, 2.5 exactly
    # (half-even: 2, 0, 2), at any magnitude of the gains
    for s in (1.0, 1e-290, 1e290):
        ew = np.array([3.0, 24.0, 6.0, 96.0]) * s
        out = stats.alps_layerwise(ew, ew, ref=0, rs_ref=5, sc_ref=0, n=8, clamp=False)
        np.testing.assert_array_equal(out["sc_w"], [0, 2, 0, 2])
    # a ratio of 1e600 (overflows float64) is ~1993 binades: RNE(996.6) = 997
    out = stats.alps_layerwise([1e-300, 1e300], [1.0, 1.0], 0, 5, 0, 8, clamp=False)
    assert out["sc_w"][1] == 997
    with pytest.raises(ValueError, match="finite and > 0"):
        stats.alps_layerwise([1.0, np.inf], [1.0, 1.0], 0, 5, 0, 8)


def test_mismatch_bound_log_domain_and_errors():
    assert stats.mismatch_bound([1e300], [3000.0], [0.0], [10.0]) == pytest.approx(1.0, rel=1e-9)
    assert stats.mismatch_bound([2.0], [-np.inf], [1.0], [0.0]) == np.inf
    with pytest.raises(ValueError, match="sqnr_w_db must not contain NaN"):
        stats.mismatch_bound([1.0], [np.nan], [1.0], [1.0])
    with pytest.raises(ValueError, match="gains e_a must be finite"):
        stats.mismatch_bound([1.0], [1.0], [-1.0], [1.0])
