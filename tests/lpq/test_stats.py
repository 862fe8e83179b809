"""Bootstrap intervals and paired differences of the downstream metrics (synthetic items)."""

import numpy as np
import pytest
from scipy import stats

from lognum.lpq.evaluate import metrics_from_items
from lognum.lpq.report import group_row, paired, replicates
from lognum.lpq.stats import bootstrap_cis, draws, replicate_metrics, seed_mean_ci
from lognum.nn.metrics import lee_correlation

RNG = np.random.default_rng(1)


def _human():
    h = RNG.random((50, 50))
    h = (h + h.T) / 2
    return {
        "lee_full": h,
        "lee": h[np.triu_indices(50, 1)],
        "wordsim353": RNG.random(353) * 10,
        "simlex999": RNG.random(999) * 10,
    }


def _items(human, noise):
    emb = RNG.standard_normal((50, 8))
    # pair cosines of real embeddings, shifted towards the human ratings
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    c = e @ e.T + 0.3 * human["lee_full"]
    return {
        "lee_cos_fp": 1 - noise * RNG.random(50),
        "lee_pair_cos": c[np.triu_indices(50, 1)],
        "wordsim353_cos": human["wordsim353"] + noise * 10 * RNG.standard_normal(353),
        "simlex999_cos": human["simlex999"] + noise * 10 * RNG.standard_normal(999),
        "pol_cos_fp": 1 - noise * RNG.random(200),
        "pol_cv_correct": (RNG.random(200) < 0.7).astype(float),
        "pol_zs_correct": (RNG.random(200) < 0.6).astype(float),
    }, emb


def test_point_metrics_match_the_direct_functions():
    h = _human()
    it, emb = _items(h, 0.1)
    m = metrics_from_items(it, h)
    assert m["lee_pearson"] == pytest.approx(stats.pearsonr(it["lee_pair_cos"], h["lee"])[0])
    r, _ = lee_correlation(emb, h["lee_full"])  # the old metric on the embeddings themselves
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    it2 = dict(it, lee_pair_cos=(e @ e.T)[np.triu_indices(50, 1)])
    assert metrics_from_items(it2, h)["lee_pearson"] == pytest.approx(r, abs=1e-12)
    assert m["simlex999_spearman"] == pytest.approx(
        stats.spearmanr(it["simlex999_cos"], h["simlex999"])[0]
    )
    assert m["polarity_cv_acc"] == np.mean(it["pol_cv_correct"])


def test_identity_replicate_is_the_point_metric():
    h = _human()
    it, _ = _items(h, 0.1)
    ident = {
        "lee": np.arange(50)[None],
        "pol": np.arange(200)[None],
        "wordsim353": np.arange(353)[None],
        "simlex999": np.arange(999)[None],
    }
    rep = replicate_metrics(it, h, ident)
    pt = metrics_from_items(it, h)
    for k, v in rep.items():
        assert v[0] == pytest.approx(pt[k], abs=1e-12), k


def test_cis_cover_the_point_and_paired_is_narrower():
    h = _human()
    a, _ = _items(h, 0.05)
    b = {k: v.copy() for k, v in a.items()}
    b["simlex999_cos"] = b["simlex999_cos"] + 0.5 * RNG.standard_normal(999)  # B is noisier
    dr = draws(h, 200, B=200, seed=0)
    pa, pb = metrics_from_items(a, h), metrics_from_items(b, h)
    ci = bootstrap_cis(a, h, pa, dr)
    for _k, (p, lo, hi) in ci.items():
        assert lo <= p <= hi
    ctx = {"human": h, "draws": dr}
    ra = {"method": "A", "items": a, **pa}
    rb = {"method": "B", "items": b, **pb}
    d = paired(ra, rb, ctx)
    # identical items: exactly zero difference; SimLex: A better, interval excludes zero
    assert d["lee_pearson"] == [0.0, 0.0, 0.0]
    v, lo, hi = d["simlex999_spearman"]
    assert v > 0 and lo > 0
    cb = bootstrap_cis(b, h, pb, dr)["simlex999_spearman"]
    assert hi - lo < (ci["simlex999_spearman"][2] - ci["simlex999_spearman"][1]) + (cb[2] - cb[1])
    g = group_row([ra, rb], "mean of A, B")
    assert g["simlex999_spearman"] == pytest.approx(
        (pa["simlex999_spearman"] + pb["simlex999_spearman"]) / 2
    )
    np.testing.assert_allclose(
        replicates(g, ctx)["simlex999_spearman"],
        (replicates(ra, ctx)["simlex999_spearman"] + replicates(rb, ctx)["simlex999_spearman"]) / 2,
    )


def test_seed_mean_ci():
    m, lo, hi = seed_mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    assert m == 3.0 and 1.0 <= lo < 3.0 < hi <= 5.0
    assert seed_mean_ci([2.0, 2.0]) == [2.0, 2.0, 2.0]
