"""Bootstrap confidence intervals of the downstream metrics, and paired differences.

The input is the per-item output of :func:`lognum.lpq.evaluate.evaluate_items`.  Each metric
is resampled over its own independent unit (percentile bootstrap, ``B`` replicates):

* Lee (``cos_lee``, ``lee_pearson``, ``lee_spearman``): the 50 *documents* -- a replicate
  draws 50 documents with replacement and recomputes the metric over the pairs of distinct
  drawn documents (resampling the 1,225 pairs as if independent would understate the
  uncertainty: every document takes part in 49 pairs);
* WordSim-353 / SimLex-999 Spearman: the word pairs;
* polarity (``cos_polarity``, ``polarity_cv_acc``, ``polarity_zeroshot_acc``): the 200
  sentences.  The CV classifiers are held fixed (only the test-side variation is counted).

:func:`paired_difference` uses the *same* replicate indices for both configurations, so the
interval of ``metric(A) - metric(B)`` reflects only how differently the two respond to the
same items (much narrower than the two marginal intervals when A and B are close).  A claim
that A beats B on a metric needs that interval to exclude zero.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

N_LEE = 50


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


def _spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman rho of every row pair of ``(B, m)`` arrays (average ranks for ties)."""
    rx = stats.rankdata(x, axis=1)
    ry = stats.rankdata(y, axis=1)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    return np.sum(rx * ry, axis=1) / np.sqrt(np.sum(rx * rx, axis=1) * np.sum(ry * ry, axis=1))


def _square(v: np.ndarray, n: int = N_LEE) -> np.ndarray:
    m = np.zeros((n, n))
    iu = np.triu_indices(n, 1)
    m[iu] = v
    return m + m.T


def draws(human: dict[str, np.ndarray], n_pol: int, B: int = 2000, seed: int = 0) -> dict:
    """The replicate indices of every resampling unit (shared by all configurations)."""
    rng = np.random.default_rng(seed)
    d = {"lee": rng.integers(N_LEE, size=(B, N_LEE)), "pol": rng.integers(n_pol, size=(B, n_pol))}
    for k in ("wordsim353", "simlex999"):
        m = len(human[k])
        d[k] = rng.integers(m, size=(B, m))
    return d


def _lee_pairs(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p, q = np.triu_indices(len(idx), 1)
    a, b = idx[p], idx[q]
    keep = a != b
    return a[keep], b[keep]


def replicate_metrics(
    items: dict[str, np.ndarray], human: dict[str, np.ndarray], dr: dict
) -> dict[str, np.ndarray]:
    """Every metric on every replicate of ``dr`` (:func:`draws`): ``{metric: (B,) array}``."""
    B = len(dr["lee"])
    out: dict[str, np.ndarray] = {"cos_lee": items["lee_cos_fp"][dr["lee"]].mean(axis=1)}
    cq, hq = _square(items["lee_pair_cos"]), _square(human["lee"])
    pr, sr = np.empty(B), np.empty(B)
    for r in range(B):
        a, b = _lee_pairs(dr["lee"][r])
        x, y = cq[a, b], hq[a, b]
        pr[r] = _pearson(x, y)
        sr[r] = _spearman_rows(x[None], y[None])[0]
    out["lee_pearson"], out["lee_spearman"] = pr, sr
    for k in ("wordsim353", "simlex999"):
        i = dr[k]
        out[f"{k}_spearman"] = _spearman_rows(items[f"{k}_cos"][i], human[k][i])
    if "pol_cos_fp" in items:
        i = dr["pol"]
        out["cos_polarity"] = items["pol_cos_fp"][i].mean(axis=1)
        out["polarity_cv_acc"] = items["pol_cv_correct"][i].mean(axis=1)
        out["polarity_zeroshot_acc"] = items["pol_zs_correct"][i].mean(axis=1)
    return out


def _ci(v: np.ndarray, level: float) -> tuple[float, float]:
    a = (1 - level) / 2
    lo, hi = np.quantile(v, [a, 1 - a])
    return float(lo), float(hi)


def bootstrap_cis(
    items: dict[str, np.ndarray],
    human: dict[str, np.ndarray],
    point: dict[str, float],
    dr: dict,
    level: float = 0.95,
) -> dict[str, list[float]]:
    """``{metric: [point, lo, hi]}``: the point value and its percentile bootstrap interval."""
    rep = replicate_metrics(items, human, dr)
    return {k: [float(point[k]), *_ci(v, level)] for k, v in rep.items()}


def paired_difference(
    items_a: dict[str, np.ndarray],
    items_b: dict[str, np.ndarray],
    human: dict[str, np.ndarray],
    point_a: dict[str, float],
    point_b: dict[str, float],
    dr: dict,
    level: float = 0.95,
) -> dict[str, list[float]]:
    """``{metric: [A - B, lo, hi]}`` with both configurations on the same replicates."""
    ra = replicate_metrics(items_a, human, dr)
    rb = replicate_metrics(items_b, human, dr)
    return {k: [float(point_a[k] - point_b[k]), *_ci(ra[k] - rb[k], level)] for k in ra if k in rb}


def seed_mean_ci(
    values: list[float] | np.ndarray, level: float = 0.95, B: int = 10000, seed: int = 0
) -> list[float]:
    """``[mean, lo, hi]`` over search seeds: percentile bootstrap of the mean (few seeds:
    read it as a spread, not an exact interval)."""
    v = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = v[rng.integers(len(v), size=(B, len(v)))].mean(axis=1)
    return [float(v.mean()), *_ci(means, level)]
