"""Per-layer sensitivity of the LPQ fitness and the best bit allocation it implies.

This is an analysis tool beside the GA, not part of the LPQ poster: it asks how much a
per-layer word-size allocation *can* gain over one format for all layers, so that the GA's
results (and the goals set for them) can be read against a measured ceiling.

1. :func:`layer_costs` -- start from a base genome (e.g. the best uniform ``LP<6,...>``) and
   move one layer at a time to each other word size ``n`` (``LP<n, es, min(rs + n - n0, n-1),
   sf>``, the base's ``es`` and ``sf``), measuring the change of the calibration loss
   ``L_GL`` (:mod:`lognum.lpq.fitness`): a table ``cost[l, j]`` for word size ``ns[j]``
   (zero at the base's own ``n``), ``L * (len(ns) - 1)`` fitness evaluations.
2. :func:`best_allocation` -- under the *separable* approximation ``L_GL(n_1..n_L) ~ L_GL(base)
   + sum_l cost[l, n_l]`` (per-layer quantization errors add, which holds to first order for
   independent weight errors), the word sizes minimising it with ``sum n_l |theta_l| <=
   max_avg_bits * sum |theta_l|``: an exact dynamic programme over the budget in units of
   the greatest common divisor of the layer sizes (a multiple-choice knapsack).

The allocation is then evaluated for real (not through the approximation) by the caller;
``lognum lpq sensitivity`` does so on all-MiniLM-L6-v2 and also measures how much the held-out
Lee Pearson correlation moves between configurations of nearly equal fidelity.
"""

from __future__ import annotations

from math import gcd

import numpy as np

from lognum.lpq.fitness import FitnessConfig, Problem, logposit_format


def moved_gene(gene: np.ndarray, n: int) -> np.ndarray:
    """``gene`` at word size ``n``: same ``es`` and ``sf``, ``rs`` shifted with ``n`` and
    capped at ``n - 1`` (``LP<6,0,5,4>`` -> ``LP<4,0,3,4>``, ``LP<8,0,7,4>``)."""
    g = np.array(gene, dtype=np.float64)
    n0 = int(g[0])
    g[2] = float(max(1, min(int(g[2]) + n - n0, n - 1)))
    g[0] = float(n)
    return g


def layer_costs(
    problem: Problem,
    base: np.ndarray,
    ns: tuple[int, ...] = (4, 5, 6, 7, 8),
    fitness: FitnessConfig | None = None,
    factory=logposit_format,
    progress: bool = True,
    base_L_GL: float | None = None,
) -> tuple[float, np.ndarray]:
    """``(L_GL(base), cost)`` with ``cost[l, j] = L_GL(base, layer l at ns[j]) - L_GL(base)``.

    ``base`` is a weight genome ``(L, 4)``; every row of it must have its ``n`` in ``ns``.
    ``base_L_GL``: the base's loss if the caller has it already (saves one evaluation).
    """
    from lognum._progress import Progress
    from lognum.lpq.fitness import evaluate_genome

    fc = fitness or FitnessConfig()
    base = np.asarray(base, dtype=np.float64)
    L = len(problem.layer_names)
    if base.shape != (L, 4):
        raise ValueError(f"base must be a weight genome of shape ({L}, 4), got {base.shape}")
    if not set(int(v) for v in base[:, 0]) <= set(ns):
        raise ValueError(f"every base word size must be in ns={ns}")

    def l_gl(g):
        return evaluate_genome(problem, g, fc, max(ns), factory)[1]["L_GL"]

    f0 = l_gl(base) if base_L_GL is None else float(base_L_GL)
    cost = np.zeros((L, len(ns)))
    bar = Progress(L * (len(ns) - 1), "layer costs", enabled=progress)
    for li in range(L):
        for j, n in enumerate(ns):
            if n == int(base[li, 0]):
                continue
            g = base.copy()
            g[li] = moved_gene(base[li], n)
            cost[li, j] = l_gl(g) - f0
            bar.update(1)
    bar.close()
    return f0, cost


def best_allocation(
    cost: np.ndarray,
    sizes: np.ndarray,
    ns: tuple[int, ...],
    max_avg_bits: float,
    max_units: int = 2**17,
) -> tuple[np.ndarray, float]:
    """Word sizes ``n_l`` (from ``ns``) minimising ``sum_l cost[l, n_l]`` subject to
    ``sum_l n_l sizes_l <= max_avg_bits * sum_l sizes_l``; returns ``(n, total cost)``.

    Dynamic programming over the bit budget in units of ``gcd(sizes)`` (bits above ``min(ns)``
    per layer are the knapsack weights): exact whenever ``sum(sizes) / gcd(sizes) <=
    max_units`` (all-MiniLM-L6-v2: 72 units).  Otherwise the unit grows to
    ``ceil(sum(sizes) / max_units)`` and every layer's size is rounded *up* to it, so the
    allocation still meets the cap but may miss the optimum by what the rounding costs.
    Raises ``ValueError`` if even ``min(ns)`` everywhere exceeds the budget.
    """
    cost = np.asarray(cost, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.int64)
    L, J = cost.shape
    if len(sizes) != L or J != len(ns):
        raise ValueError("cost must have shape (len(sizes), len(ns))")
    if np.any(sizes <= 0):
        raise ValueError("sizes must be positive")
    if not min(ns) <= max_avg_bits:
        raise ValueError(f"max_avg_bits must be >= min(ns) = {min(ns)}, got {max_avg_bits}")
    g = 0
    for s in sizes:
        g = gcd(g, int(s))
    total = int(np.sum(sizes))
    if total // g > max_units:
        g = -(-total // max_units)
    units = -(-sizes // g)  # exact for the gcd, rounded up otherwise
    n0 = min(ns)
    cap = int(np.floor((max_avg_bits - n0) * total / g + 1e-9))
    inf = np.inf
    best = np.full(cap + 1, inf)
    best[0] = 0.0
    choice = np.zeros((L, cap + 1), dtype=np.int16)
    for li in range(L):
        new = np.full(cap + 1, inf)
        ch = np.zeros(cap + 1, dtype=np.int16)
        for j, n in enumerate(ns):
            w = int((n - n0) * units[li])
            if w > cap:
                continue
            cand = np.full(cap + 1, inf)
            cand[w:] = best[: cap + 1 - w] + cost[li, j]
            better = cand < new
            new[better] = cand[better]
            ch[better] = j
        best, choice[li] = new, ch
    b = int(np.argmin(best))
    total = float(best[b])
    alloc = np.zeros(L, dtype=np.int64)
    for li in range(L - 1, -1, -1):
        j = int(choice[li, b])
        alloc[li] = ns[j]
        b -= int((ns[j] - n0) * units[li])
    return alloc, total


def perturbed(genome: np.ndarray, rng: np.random.Generator, layers: int = 4) -> np.ndarray:
    """``genome`` with ``sf`` moved by +-1 in ``layers`` distinct random weight rows: a
    configuration of nearly the same fidelity, to see how much a held-out metric moves."""
    g = np.array(genome, dtype=np.float64)
    for r in rng.choice(len(g), size=min(layers, len(g)), replace=False):
        g[r, 3] += float(rng.choice([-1.0, 1.0]))
    return g


def run_sensitivity(
    problem: Problem,
    base: np.ndarray,
    max_avg_bits: float,
    ns: tuple[int, ...] = (4, 5, 6, 7, 8),
    fitness: FitnessConfig | None = None,
    evaluate=None,
    noise_samples: int = 0,
    evaluate_noise=None,
    seed: int = 0,
    factory=logposit_format,
    progress: bool = True,
) -> dict:
    """Layer costs, the best allocation within ``max_avg_bits``, and its real fitness.

    Returns a JSON-able dict with the ``LPQResult`` fields of the allocation (``method`` is
    ``"lp-sensitivity-dp"``) plus ``sensitivity`` (cost table, predicted and measured
    ``L_GL``) and, if ``evaluate(plan) -> dict`` is given, ``eval`` (held-out metrics of the
    allocation) and ``base_eval``.  ``noise_samples > 0`` also evaluates that many
    :func:`perturbed` variants of the base and of the allocation (``default_rng([seed, which,
    k])``) with ``evaluate_noise`` (default ``evaluate``; a cheaper subset of the metrics, say)
    and reports every value with its mean and standard deviation.

    Fitness evaluations: the base, the ``L * (len(ns) - 1)`` moves of :func:`layer_costs` and
    the allocation (the ``evaluations`` of the record), plus one per perturbed configuration.
    """
    import json
    import time

    from lognum.lpq.fitness import evaluate_genome
    from lognum.lpq.ga import LPQResult, _config_dict
    from lognum.lpq.genome import SearchSpace, average_bits

    fc = fitness or FitnessConfig()
    t0 = time.perf_counter()
    base = np.asarray(base, dtype=np.float64)
    sizes = np.asarray(problem.layer_sizes)
    n_max = max(ns)
    fb, terms_b = evaluate_genome(problem, base, fc, n_max, factory)
    f0, cost = layer_costs(problem, base, ns, fc, factory, progress, base_L_GL=terms_b["L_GL"])
    alloc, pred = best_allocation(cost, sizes, ns, max_avg_bits)
    genome = np.array([moved_gene(base[i], int(n)) for i, n in enumerate(alloc)])
    f, terms = evaluate_genome(problem, genome, fc, n_max, factory)
    evals = len(base) * (len(ns) - 1) + 2
    space = SearchSpace(n=tuple(ns), max_avg_bits=max_avg_bits)
    res = LPQResult(
        method="lp-sensitivity-dp",
        layer_names=list(problem.layer_names),
        layer_sizes=[int(s) for s in sizes],
        best_genome=genome,
        best_fitness=float(f),
        best_terms=terms,
        config=_config_dict(space, None, fc, problem),
        evaluations=evals,
        seconds=time.perf_counter() - t0,
    )
    out = json.loads(res.to_json())
    out["sensitivity"] = {
        "ns": list(ns),
        "base": [list(map(float, r)) for r in base],
        "base_avg_bits": average_bits(base, sizes),
        "base_fitness": float(fb),
        "base_terms": terms_b,
        "base_L_GL": float(f0),
        "cost_L_GL": cost.tolist(),
        "predicted_L_GL": float(f0 + pred),
        "measured_L_GL": float(terms["L_GL"]),
    }
    if evaluate is not None:
        out["eval"] = evaluate(problem.plan_for(genome, factory))
        out["sensitivity"]["base_eval"] = evaluate(problem.plan_for(base, factory))
        if noise_samples > 0:
            from lognum._progress import Progress

            evaluate_noise = evaluate_noise or evaluate
            noise = {}
            bar = Progress(2 * noise_samples, "metric noise", enabled=progress)
            for w, g0 in enumerate((base, genome)):
                recs = []
                for k in range(noise_samples):
                    g = perturbed(g0, np.random.default_rng([seed, w, k]))
                    _, t = evaluate_genome(problem, g, fc, n_max, factory)
                    recs.append({"L_GL": t["L_GL"], **evaluate_noise(problem.plan_for(g, factory))})
                    bar.update(1)
                keys = [k for k in recs[0] if isinstance(recs[0][k], float)]
                noise["base" if w == 0 else "allocation"] = {
                    "samples": recs,
                    "mean": {k: float(np.mean([r[k] for r in recs])) for k in keys},
                    "std": {k: float(np.std([r[k] for r in recs], ddof=1)) for k in keys},
                }
            bar.close()
            out["sensitivity"]["metric_noise"] = noise
    return out
