"""Local-search baselines for the LPQ GA at the same evaluation budget (not from the paper).

Both start like the GA: the ``init`` candidates of the GA's initial population (the same
sampler and random streams ``default_rng([seed, 0, i])``, so for one seed all three searches
start from the same candidates), then spend the rest of ``budget`` as follows.

* :func:`hill_climb` -- stochastic first-improvement hill climbing (a (1 + ``batch``)
  evolution strategy): every step proposes ``batch`` neighbours of the current best, each
  made by the GA's mutation operator on one block of layers (:func:`lognum.lpq.genome.
  mutate_block` with the GA's rates, the block drawn as in the GA), repaired into the bit
  cap; the best neighbour replaces the current one if it is better.  Neighbour ``k`` of step
  ``t`` uses ``default_rng([seed, 2 * 10**6 + t, k])``.
* :func:`greedy` -- deterministic coordinate descent from the best initial candidate: layer
  by layer (in order, cyclically), each field stepped by +-1 along its grid (up to 8
  neighbours, repaired into the cap), the best improvement taken at once.

No genome is evaluated twice (a repeat is skipped without spending budget in greedy; in
hill climbing it is re-drawn, as in the GA).
"""

from __future__ import annotations

import time
from concurrent.futures import Executor

import numpy as np

from lognum._progress import Progress
from lognum.lpq.fitness import FitnessConfig, Problem, logposit_format
from lognum.lpq.ga import GAConfig, LPQResult, _config_dict, _evaluate_all, _fresh
from lognum.lpq.genome import SearchSpace, average_bits, mutate_block, rows_of_block


def _initial(problem, space, ga, fcfg, factory, executor, seen):
    L = len(problem.layer_names)
    sizes = problem.layer_sizes
    gs = []
    for i in range(ga.population):
        rng0 = np.random.default_rng([ga.seed, 0, i])
        gs.append(_fresh(space.random_candidate, (L, rng0, ga.p_shared, sizes), seen))
    res = _evaluate_all(problem, gs, fcfg, space.n_max, factory, executor)
    return [(f, g, t) for (f, t), g in zip(res, gs, strict=True)]


def _hist(evals, best, sizes) -> dict:
    return {
        "evaluations": evals,
        "best_fitness": best[0],
        "best_avg_bits": average_bits(best[1], sizes),
        **{f"best_{k}": v for k, v in best[2].items()},
    }


def _result(method, problem, space, ga, fcfg, best, history, evals, t0, extra) -> LPQResult:
    return LPQResult(
        method=method,
        layer_names=list(problem.layer_names),
        layer_sizes=[int(s) for s in problem.layer_sizes],
        best_genome=best[1],
        best_fitness=float(best[0]),
        best_terms=best[2],
        history=history,
        config={**_config_dict(space, ga, fcfg, problem), "seed": ga.seed, **extra},
        evaluations=evals,
        seconds=time.perf_counter() - t0,
    )


def _start(name, problem, budget, space, fitness, executor, seed, init, factory, progress):
    """What both local searches begin with: the configurations, the GA's initial population
    (evaluated), its best candidate and the first history point."""
    space = space or SearchSpace()
    fcfg = fitness or FitnessConfig()
    ga = GAConfig(population=init, seed=seed)
    if budget < init:
        raise ValueError(f"budget must be >= init = {init}, got {budget}")
    t0 = time.perf_counter()
    seen: set[bytes] = set()
    bar = Progress(budget, f"{name} seed {seed}", enabled=progress)
    pop = _initial(problem, space, ga, fcfg, factory, executor, seen)
    best = min(pop, key=lambda c: c[0])
    evals = len(pop)
    history = [_hist(evals, best, problem.layer_sizes)]
    bar.update(evals)
    return space, fcfg, ga, t0, seen, bar, best, evals, history


def hill_climb(
    problem: Problem,
    budget: int,
    space: SearchSpace | None = None,
    fitness: FitnessConfig | None = None,
    executor: Executor | None = None,
    seed: int = 0,
    init: int = 56,
    batch: int = 4,
    factory=logposit_format,
    progress: bool = True,
) -> LPQResult:
    """Stochastic hill climbing from the GA's initial population (see the module doc)."""
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch}")
    space, fcfg, ga, t0, seen, bar, best, evals, history = _start(
        "hill-climb", problem, budget, space, fitness, executor, seed, init, factory, progress
    )
    L = len(problem.layer_names)
    sizes = problem.layer_sizes
    blocks = problem.blocks()
    step = 0
    while evals < budget:
        kids = []
        for k in range(min(batch, budget - evals)):
            rng = np.random.default_rng([seed, 2 * 10**6 + step, k])

            def make(rng=rng, cur=best[1]):
                if rng.random() < ga.p_global:
                    block = list(range(L))
                else:
                    block = blocks[int(rng.integers(len(blocks)))]
                rows = rows_of_block(block, L, space.acts)
                g = mutate_block(
                    cur, rows, space, rng, ga.p_mutation, L, ga.p_step, ga.p_block, ga.p_down
                )
                if space.max_avg_bits is None:
                    return g
                grown = np.flatnonzero(g[:L, 0] > cur[:L, 0])
                return space.enforce_budget(g, sizes, rng, protect=tuple(int(r) for r in grown))

            kids.append(_fresh(make, (), seen))
        res = _evaluate_all(problem, kids, fcfg, space.n_max, factory, executor)
        evals += len(kids)
        for (f, t), g in zip(res, kids, strict=True):
            if f < best[0]:
                best = (f, g, t)
        step += 1
        history.append(_hist(evals, best, sizes))
        bar.update(len(kids), f"best {best[0]:.4f}")
    bar.close()
    return _result(
        "hill-climb",
        problem,
        space,
        ga,
        fcfg,
        best,
        history,
        evals,
        t0,
        {"budget": budget, "batch": batch},
    )


def greedy(
    problem: Problem,
    budget: int,
    space: SearchSpace | None = None,
    fitness: FitnessConfig | None = None,
    executor: Executor | None = None,
    seed: int = 0,
    init: int = 56,
    factory=logposit_format,
    progress: bool = True,
) -> LPQResult:
    """Greedy coordinate descent from the best initial candidate (see the module doc)."""
    space, fcfg, ga, t0, seen, bar, best, evals, history = _start(
        "greedy", problem, budget, space, fitness, executor, seed, init, factory, progress
    )
    L = len(problem.layer_names)
    rows_all = rows_of_block(list(range(L)), L, space.acts)
    sizes = problem.layer_sizes
    stale = 0
    r_i = 0
    while evals < budget and stale < len(rows_all):
        r = rows_all[r_i % len(rows_all)]
        r_i += 1
        cands = []
        for f in range(4):
            for d in (-1, 1):
                g = best[1].copy()
                g[r] = space.step_field(g[r], f, d, is_act=r >= L)
                if space.max_avg_bits is not None:
                    g = space.enforce_budget(
                        g, sizes, np.random.default_rng([seed, 3, r_i]), protect=(r,)
                    )
                key = g.tobytes()
                if key not in seen and len(cands) < budget - evals:
                    seen.add(key)
                    cands.append(g)
        if not cands:
            stale += 1
            continue
        res = _evaluate_all(problem, cands, fcfg, space.n_max, factory, executor)
        evals += len(cands)
        i = int(np.argmin([f for f, _ in res]))
        if res[i][0] < best[0]:
            best = (res[i][0], cands[i], res[i][1])
            stale = 0
        else:
            stale += 1
        history.append(_hist(evals, best, sizes))
        bar.update(len(cands), f"best {best[0]:.4f}")
    bar.close()
    return _result("greedy", problem, space, ga, fcfg, best, history, evals, t0, {"budget": budget})
