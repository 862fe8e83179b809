"""The LPQ genetic algorithm (LPQ poster steps, docs/lpq.md) and the random-search baseline.

Steps as stated on the poster [S], with the unstated constants and operator details as
:class:`GAConfig` parameters [R] (reconstruction choices, not from the paper):

1. *Candidate initialisation*: ``population`` random candidates, evaluated on calibration data.
   [R] Each is drawn by :meth:`SearchSpace.random_candidate` -- with probability ``p_shared`` a
   random *uniform* candidate (one random gene for all layers), otherwise i.i.d. random genes
   per layer -- the sampler random search uses too.
2. *Regeneration*: take the top-2 candidates; choose a block of layers [R: the whole model with
   probability ``p_global``, otherwise uniformly among ``problem.blocks()``]; child ``C_N`` =
   the best candidate with the block's layers taken from the second with probability
   ``p_crossover`` (uniform crossover), then mutated [R: each layer of the block with
   probability ``p_mutation``, at least one; a mutation steps one field by +-1 along its grid
   with probability ``p_step``, otherwise re-draws it; with probability ``p_block`` the
   mutation is a *block move* instead: one field steps by the same +-1 in every layer of the
   block -- for the whole-model block a *global move*, which keeps a uniform candidate uniform;
   steps of ``n`` go down with probability ``p_down``].
3. *Diversity-prompting selection*: ``children`` random parents are generated and "mutated
   with ``C_N``": child ``C_Nk`` = ``C_N`` with each layer of the block replaced by the random
   parent's with probability ``p_diversity``, then mutated as in 2.  [R] The random parents
   are drawn from the population by tournament (the best of ``tournament`` members picked
   uniformly at random); ``tournament=0`` draws fresh i.i.d. random genomes instead.
4. *Evaluation and population update*: ``C_N`` and all ``C_Nk`` are evaluated (in parallel on
   the executor); ``C_N`` and the best ``C_Nk`` join the population, which is then truncated
   to its best ``max_population`` candidates (``None``: it grows, as on the poster).

[R] No genome is evaluated twice: a generated candidate that was evaluated before (or earlier in
the same generation) is re-drawn from its own random stream, up to 20 times.

Bit cap (``SearchSpace.max_avg_bits``, off by default): every generated candidate -- initial,
child, diverse child, and random search's samples alike -- is repaired into the cap by
:meth:`SearchSpace.enforce_budget`; in a regenerated child the layers whose word size grew
are protected, so a mutation that adds a bit to one layer takes it from others (a bit
*transfer*).

Budget: ``population + generations * (1 + children)`` fitness evaluations (default
56 + 52 x 5 = 316).

The defaults of :class:`GAConfig` were chosen by comparing the GA with random search on the
calibration fitness of all-MiniLM-L6-v2; the measurements are in ``results/lpq/NOTES.md``.

Parallelism and determinism: every random draw of candidate ``i`` in generation ``g`` uses
``numpy.random.default_rng([seed, g, i])`` in the driver, never worker state; the executor only
evaluates fitness, and results are consumed in submission order, so the run is identical for
any number of workers.  Any :class:`concurrent.futures.Executor` works, e.g. a
``ProcessPoolExecutor`` (:func:`process_pool`) or, across machines, a ``dask.distributed``
client's executor::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
    result = run_lpq(MiniLMProblem(), executor=client.get_executor())

(each dask worker loads the model once and keeps it in its per-process cache).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from lognum._progress import Progress
from lognum.lpq.fitness import FitnessConfig, Problem, _evaluate_task, logposit_format
from lognum.lpq.genome import (
    SearchSpace,
    average_bits,
    crossover_block,
    mutate_block,
    rows_of_block,
)


@dataclass(frozen=True)
class GAConfig:
    """GA constants (not given by the LPQ poster; defaults are this reconstruction's)."""

    population: int = 56
    generations: int = 52
    children: int = 4
    p_crossover: float = 0.5
    p_mutation: float = 0.1
    p_diversity: float = 0.15
    p_step: float = 0.8
    p_block: float = 0.5
    p_global: float = 0.3
    p_shared: float = 0.75
    p_down: float = 0.65
    tournament: int = 3
    max_population: int | None = 32
    seed: int = 0

    def __post_init__(self) -> None:
        if self.population < 2:
            raise ValueError(f"population must be >= 2, got {self.population}")
        if self.generations < 0:
            raise ValueError(f"generations must be >= 0, got {self.generations}")
        if self.children < 0:
            raise ValueError(f"children must be >= 0, got {self.children}")
        for nm in (
            "p_crossover",
            "p_mutation",
            "p_diversity",
            "p_step",
            "p_block",
            "p_global",
            "p_shared",
            "p_down",
        ):
            v = getattr(self, nm)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{nm} must be in [0, 1], got {v}")
        if self.tournament < 0:
            raise ValueError(f"tournament must be >= 0, got {self.tournament}")
        if self.max_population is not None and self.max_population < 2:
            raise ValueError(f"max_population must be >= 2 or None, got {self.max_population}")

    @property
    def budget(self) -> int:
        return self.population + self.generations * (1 + self.children)


@dataclass
class LPQResult:
    """Outcome of a search: best genome, per-layer formats, fitness history (JSON-able)."""

    method: str
    layer_names: list[str]
    layer_sizes: list[int]
    best_genome: np.ndarray
    best_fitness: float
    best_terms: dict
    history: list[dict] = field(default_factory=list)
    config: dict = field(default_factory=dict)
    evaluations: int = 0
    seconds: float = 0.0

    @property
    def avg_bits(self) -> float:
        return average_bits(self.best_genome, np.asarray(self.layer_sizes))

    def formats(self) -> list[dict]:
        """Per-layer parameters and names ``LP<n,es,rs,sf>`` (weights, then activations).

        ``sf`` is the gene; when the problem calibrated the activations (``act_sf_base`` in
        its config, :class:`lognum.lpq.problems.MiniLMProblem`) an activation row's gene is an
        offset, its ``sf_base`` is recorded and ``format`` names the format actually applied.
        """
        L = len(self.layer_names)
        base = (self.config.get("problem") or {}).get("act_sf_base") or ()
        out = []
        for r, g in enumerate(self.best_genome):
            n, es, rs, sf = (int(g[0]), int(g[1]), int(g[2]), float(g[3]))
            d = {
                "layer": self.layer_names[r % L],
                "tensor": "weight" if r < L else "activation",
                "n": n,
                "es": es,
                "rs": rs,
                "sf": sf,
            }
            if r >= L and base:
                d["sf_base"] = float(base[r - L])
                sf = sf + d["sf_base"]
            d["format"] = str(logposit_format(n, es, rs, sf))
            out.append(d)
        return out

    def to_json(self, path: str | Path | None = None) -> str:
        d = {
            "method": self.method,
            "best_fitness": self.best_fitness,
            "best_terms": self.best_terms,
            "avg_bits": self.avg_bits,
            "evaluations": self.evaluations,
            "seconds": self.seconds,
            "config": self.config,
            "layers": self.formats(),
            "layer_sizes": [int(s) for s in self.layer_sizes],
            "history": self.history,
        }
        s = json.dumps(d, indent=1)
        if path is not None:
            Path(path).write_text(s)
        return s

    @classmethod
    def from_json(cls, src: str | Path) -> LPQResult:
        """Reload a result saved by :meth:`to_json` (a path or the JSON text)."""
        text = Path(src).read_text() if not str(src).lstrip().startswith("{") else str(src)
        d = json.loads(text)
        layers = d["layers"]
        L = len(d["layer_sizes"])
        g = np.array([[x["n"], x["es"], x["rs"], x["sf"]] for x in layers], dtype=np.float64)
        return cls(
            method=d["method"],
            layer_names=[x["layer"] for x in layers[:L]],
            layer_sizes=d["layer_sizes"],
            best_genome=g,
            best_fitness=d["best_fitness"],
            best_terms=d["best_terms"],
            history=d["history"],
            config=d["config"],
            evaluations=d["evaluations"],
            seconds=d["seconds"],
        )


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers pin BLAS to one thread (spawned, so fork-safe)."""
    from lognum.nn._blas import pin_blas_threads

    return ProcessPoolExecutor(
        max_workers=int(workers), mp_context=mp.get_context("spawn"), initializer=pin_blas_threads
    )


_MAX_TRIES = 20


def _fresh(make, args: tuple, seen: set[bytes], tries: int = _MAX_TRIES) -> np.ndarray:
    """``make(*args)`` until it returns a genome not evaluated before (at most ``tries`` draws,
    all from the random stream in ``args``; the last draw is kept even if it is a repeat), and
    mark it as seen."""
    for _ in range(tries):
        g = make(*args)
        key = g.tobytes()
        if key not in seen:
            break
    seen.add(key)
    return g


def _regenerate(base, other, rows, rng, p_cross, space, ga, n_layers, sizes) -> np.ndarray:
    """Uniform crossover of ``base`` with ``other`` on ``rows``, then mutation of ``rows``;
    with a bit cap, the rows whose word size grew are kept and others pay for them."""
    child = crossover_block(base, other, rows, rng, p_cross)
    child = mutate_block(
        child, rows, space, rng, ga.p_mutation, n_layers, ga.p_step, ga.p_block, ga.p_down
    )
    if space.max_avg_bits is None:
        return child
    grown = np.flatnonzero(child[:n_layers, 0] > base[:n_layers, 0])
    return space.enforce_budget(child, sizes, rng, protect=tuple(int(r) for r in grown))


def _tournament(pop: list, rng: np.random.Generator, size: int) -> np.ndarray:
    """Genome of the best of ``size`` population members drawn uniformly with replacement."""
    idx = rng.integers(len(pop), size=size)
    return pop[min(idx, key=lambda i: pop[i][0])][1]


def _evaluate_all(problem, genomes, fcfg, n_max, factory, executor) -> list[tuple[float, dict]]:
    tasks = [(problem, g, fcfg, n_max, factory) for g in genomes]
    if executor is None:
        return [_evaluate_task(t) for t in tasks]
    return list(executor.map(_evaluate_task, tasks))


def _config_dict(space, ga, fcfg, problem) -> dict:
    return {
        "space": space.to_dict(),
        "ga": asdict(ga) if ga is not None else None,
        "fitness": asdict(fcfg),
        "problem": {"class": type(problem).__name__, **asdict(problem)},
    }


def run_lpq(
    problem: Problem,
    space: SearchSpace | None = None,
    ga: GAConfig | None = None,
    fitness: FitnessConfig | None = None,
    executor: Executor | None = None,
    factory=logposit_format,
    progress: bool = True,
) -> LPQResult:
    """Run the LPQ genetic algorithm on ``problem``; see the module docstring for the steps."""
    space = space or SearchSpace()
    ga = ga or GAConfig()
    fcfg = fitness or FitnessConfig()
    t0 = time.perf_counter()
    names = problem.layer_names
    L = len(names)
    sizes = problem.layer_sizes
    blocks = problem.blocks()
    n_max = space.n_max
    bar = Progress(ga.budget, f"LPQ seed {ga.seed}", enabled=progress)

    # 1. candidate initialisation
    seen: set[bytes] = set()
    pop_g = []
    for i in range(ga.population):
        rng0 = np.random.default_rng([ga.seed, 0, i])
        pop_g.append(_fresh(space.random_candidate, (L, rng0, ga.p_shared, sizes), seen))
    res = _evaluate_all(problem, pop_g, fcfg, n_max, factory, executor)
    pop = [(f, g, t) for (f, t), g in zip(res, pop_g, strict=True)]
    evals = len(pop)
    history: list[dict] = []

    def record(gen: int) -> None:
        best = min(pop, key=lambda c: c[0])
        history.append(
            {
                "generation": gen,
                "evaluations": evals,
                "best_fitness": best[0],
                "best_avg_bits": average_bits(best[1], problem.layer_sizes),
                **{f"best_{k}": v for k, v in best[2].items()},
            }
        )
        bar.update(0, f"best {best[0]:.4f} ({history[-1]['best_avg_bits']:.2f} b)")

    bar.update(evals)
    record(0)
    for gen in range(1, ga.generations + 1):
        rng = np.random.default_rng([ga.seed, gen, 0])
        order = sorted(range(len(pop)), key=lambda i: pop[i][0])
        p1, p2 = pop[order[0]][1], pop[order[1]][1]
        # 2. regeneration on a chosen block
        if rng.random() < ga.p_global:
            block = list(range(L))
        else:
            block = blocks[int(rng.integers(len(blocks)))]
        rows = rows_of_block(block, L, space.acts)
        args = (p1, p2, rows, rng, ga.p_crossover, space, ga, L, sizes)
        child = _fresh(_regenerate, args, seen)
        # 3. diversity-prompting selection
        kids = []
        for k in range(ga.children):
            rk = np.random.default_rng([ga.seed, gen, k + 1])
            if ga.tournament > 0:
                rand_parent = _tournament(pop, rk, ga.tournament)
            else:
                rand_parent = space.random_genome(L, rk)
            args = (child, rand_parent, rows, rk, ga.p_diversity, space, ga, L, sizes)
            kids.append(_fresh(_regenerate, args, seen))
        # 4. evaluation and population update
        res = _evaluate_all(problem, [child, *kids], fcfg, n_max, factory, executor)
        evals += len(res)
        pop.append((res[0][0], child, res[0][1]))
        if kids:
            j = min(range(len(kids)), key=lambda i: res[1 + i][0])
            pop.append((res[1 + j][0], kids[j], res[1 + j][1]))
        if ga.max_population is not None and len(pop) > ga.max_population:
            pop = sorted(pop, key=lambda c: c[0])[: ga.max_population]
        bar.update(len(res))
        record(gen)
    bar.close()
    best = min(pop, key=lambda c: c[0])
    return LPQResult(
        method="lpq-ga",
        layer_names=list(names),
        layer_sizes=[int(s) for s in problem.layer_sizes],
        best_genome=best[1],
        best_fitness=float(best[0]),
        best_terms=best[2],
        history=history,
        config=_config_dict(space, ga, fcfg, problem),
        evaluations=evals,
        seconds=time.perf_counter() - t0,
    )


def random_search(
    problem: Problem,
    budget: int,
    space: SearchSpace | None = None,
    fitness: FitnessConfig | None = None,
    executor: Executor | None = None,
    factory=logposit_format,
    seed: int = 0,
    batch: int = 8,
    progress: bool = True,
    p_shared: float = 0.5,
) -> LPQResult:
    """Random search baseline: ``budget`` random candidates, the best one wins.

    Candidates come from the GA's initial-population sampler
    (:meth:`SearchSpace.random_candidate` with the same ``p_shared``); candidate ``i`` uses
    ``default_rng([seed, 10**6, i])`` (a stream disjoint from the GA's).
    """
    space = space or SearchSpace()
    fcfg = fitness or FitnessConfig()
    if budget < 1:
        raise ValueError(f"budget must be >= 1, got {budget}")
    t0 = time.perf_counter()
    names = problem.layer_names
    L = len(names)
    bar = Progress(budget, f"random seed {seed}", enabled=progress)
    best = (np.inf, None, {})
    history = []
    for s in range(0, budget, batch):
        gs = [
            space.random_candidate(
                L, np.random.default_rng([seed, 10**6, i]), p_shared, problem.layer_sizes
            )
            for i in range(s, min(s + batch, budget))
        ]
        res = _evaluate_all(problem, gs, fcfg, space.n_max, factory, executor)
        for (f, t), g in zip(res, gs, strict=True):
            if f < best[0]:
                best = (f, g, t)
        n_done = s + len(gs)
        history.append(
            {
                "evaluations": n_done,
                "best_fitness": best[0],
                "best_avg_bits": average_bits(best[1], problem.layer_sizes),
                **{f"best_{k}": v for k, v in best[2].items()},
            }
        )
        bar.update(len(gs), f"best {best[0]:.4f}")
    bar.close()
    return LPQResult(
        method="random-search",
        layer_names=list(names),
        layer_sizes=[int(s) for s in problem.layer_sizes],
        best_genome=best[1],
        best_fitness=float(best[0]),
        best_terms=best[2],
        history=history,
        config={
            **_config_dict(space, None, fcfg, problem),
            "seed": seed,
            "budget": budget,
            "p_shared": p_shared,
        },
        evaluations=budget,
        seconds=time.perf_counter() - t0,
    )
