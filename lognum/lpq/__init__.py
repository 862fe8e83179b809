"""LPQ: layer-wise logarithmic-posit parameter search (Ramachandran et al., DAC 2024).

* :mod:`lognum.lpq.genome` -- per-layer ``<n, es, rs, sf>`` genomes, search space, operators;
* :mod:`lognum.lpq.fitness` -- the global-local contrastive + compression fitness
  (a reconstruction, see its docstring) and the :class:`Problem` base;
* :mod:`lognum.lpq.problems` -- all-MiniLM-L6-v2 and the tiny MNIST CNN;
* :mod:`lognum.lpq.ga` -- the GA (:func:`run_lpq`), :func:`random_search`, executors, JSON I/O;
* :mod:`lognum.lpq.baselines` -- fixed-format, ALPS and single-LP baselines;
* :mod:`lognum.lpq.sensitivity` -- per-layer loss costs and the exact best bit allocation
  within a cap (an analysis beside the GA);
* :mod:`lognum.lpq.report` -- tables, the goal / Pareto check, metric agreement;
* :mod:`lognum.lpq.evaluate` -- downstream metrics on held-out data.
"""

from lognum.lpq.fitness import FitnessConfig, evaluate_genome
from lognum.lpq.ga import GAConfig, LPQResult, process_pool, random_search, run_lpq
from lognum.lpq.genome import SearchSpace

__all__ = [
    "FitnessConfig",
    "GAConfig",
    "LPQResult",
    "SearchSpace",
    "evaluate_genome",
    "process_pool",
    "random_search",
    "run_lpq",
]
