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
    # FORMATS.md A.4: GP<8,es,rs,0> values in [-2.29, 2.29]
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
