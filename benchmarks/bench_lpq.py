"""Benchmark: evaluating one LPQ generation on all-MiniLM-L6-v2 with 1 vs 2 worker processes.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_lpq.py [--children 7] [--repeats 3]

A "generation" is the GA's batch of fitness evaluations (the regenerated child plus the diverse
children; here ``1 + children`` genomes drawn from the default search space).  Both pools are
``lognum.lpq.process_pool`` (spawned processes, one BLAS thread each) and are warmed up first
(model loading, FP32 reference representations, Numba compilation), so the timing is the
steady-state cost of a generation.  Prints the median times and the ratio measured in this run;
writes ``results/lpq/bench_lpq.json``.  The quantized-weight cache is cleared between repeats
(``fresh genomes``: every repeat draws new genomes).

``--dask``: the same with ``dask.distributed`` ``LocalCluster`` executors (processes, one
thread each, 1 and 2 workers; ``client.get_executor()``), written to
``results/lpq/bench_lpq_dask.json``.

``--ga``: the wall time of a short MiniLM GA run (``run_lpq``; ``--population``,
``--generations``, ``--children``; seed = repeat index, the same for both) on a dask
``LocalCluster`` of 1 and of 2 worker processes, the two clusters started once and warmed
up, the runs interleaved (1, 2 in even repeats, 2, 1 in odd ones) and the workers'
quantized-weight caches cleared before every run; also the ideal speed-up of the run's
evaluation batches on 2 workers (``sum b / sum ceil(b / 2)``: a GA generation evaluates
``1 + children`` genomes, so 5 with the default 4 children splits 3 + 2) and the load
average around every run and the CPU seconds the workers obtained (on a loaded machine the
speed-up is bounded by the CPU share the other jobs leave: with ``nice`` the workers get
what is left, whatever their number); written to ``results/lpq/bench_lpq_dask_ga.json``.

It also prints how many CPU seconds the workers obtained per wall-clock second.  On 2 idle cores
that is about 1 for one worker and about 2 for two workers.  On a shared machine it shows how
much of the possible speed-up the other jobs left.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np


def _cpu_timed_task(args):
    """One fitness evaluation and the CPU seconds its worker process spent on it."""
    from lognum.lpq.fitness import _evaluate_task

    c0 = time.process_time()
    out = _evaluate_task(args)
    return out, time.process_time() - c0


def _time_generation(ex, problem, genomes, fcfg, n_max):
    from lognum.lpq.fitness import logposit_format

    tasks = [(problem, g, fcfg, n_max, logposit_format) for g in genomes]
    t0 = time.perf_counter()
    res = list(ex.map(_cpu_timed_task, tasks))
    wall = time.perf_counter() - t0
    return wall, [r[0][0] for r in res], sum(r[1] for r in res)


def _fresh_caches():
    """Run on every dask worker: empty the per-process quantized-weight caches."""
    from lognum.lpq.fitness import _STATE
    from lognum.nn.quant import WeightCache

    for st in _STATE.values():
        st["cache"] = WeightCache()


def _warm(n_calib: int = 24, calib_len: int = 48):
    """Run on every dask worker: one BLAS thread, model and FP32 references loaded, the
    quantization kernels compiled (one evaluation of a random genome)."""
    from lognum.lpq.fitness import FitnessConfig, evaluate_genome
    from lognum.lpq.genome import SearchSpace
    from lognum.lpq.problems import MiniLMProblem
    from lognum.nn._blas import pin_blas_threads

    pin_blas_threads(1)
    prob = MiniLMProblem(n_calib=n_calib, calib_len=calib_len)
    g = SearchSpace().random_genome(len(prob.layer_names), np.random.default_rng(99))
    evaluate_genome(prob, g, FitnessConfig(), 8)


def ga_timing(args) -> dict:
    """``--ga``: short MiniLM GA runs on 1- and 2-worker dask LocalClusters, interleaved."""
    import math

    from dask.distributed import Client, LocalCluster

    from lognum.lpq.fitness import FitnessConfig
    from lognum.lpq.ga import GAConfig, run_lpq
    from lognum.lpq.genome import SearchSpace
    from lognum.lpq.problems import MiniLMProblem

    prob = MiniLMProblem()
    space, fc = SearchSpace(max_avg_bits=6.0), FitnessConfig(lam=0.1)
    clusters = {}
    t_start = {}
    try:
        for w in (1, 2):
            t0 = time.perf_counter()
            c = LocalCluster(
                n_workers=w, threads_per_worker=1, processes=True, dashboard_address=None
            )
            cl = Client(c)
            cl.run(_warm)
            t_start[w] = time.perf_counter() - t0
            clusters[w] = (cl, c)
        runs: list[dict] = []
        for rep in range(args.repeats):
            ga = GAConfig(
                population=args.population,
                generations=args.generations,
                children=args.children,
                seed=rep,
            )
            for w in (1, 2) if rep % 2 == 0 else (2, 1):
                cl, _ = clusters[w]
                cl.run(_fresh_caches)
                la0 = os.getloadavg()
                c0 = sum(cl.run(time.process_time).values())
                t0 = time.perf_counter()
                res = run_lpq(prob, space, ga, fc, executor=cl.get_executor(), progress=False)
                wall = time.perf_counter() - t0
                cpu = sum(cl.run(time.process_time).values()) - c0
                runs.append(
                    {
                        "repeat": rep,
                        "seed": rep,
                        "workers": w,
                        "seconds": wall,
                        "worker_cpu_seconds": cpu,
                        "loadavg_before": la0,
                        "loadavg_after": os.getloadavg(),
                        "best_fitness": res.best_fitness,
                        "evaluations": res.evaluations,
                    }
                )
                print(
                    f"repeat {rep} workers {w}: {wall:.1f} s (worker CPU {cpu:.1f} s)  "
                    f"fitness {res.best_fitness:.5f}  "
                    f"load {la0[0]:.1f} -> {os.getloadavg()[0]:.1f}"
                )
    finally:
        for cl, c in clusters.values():
            cl.close()
            c.close()
    sec = {w: [r["seconds"] for r in runs if r["workers"] == w] for w in (1, 2)}
    ratios = [a / b for a, b in zip(sec[1], sec[2], strict=True)]
    fit = {w: [r["best_fitness"] for r in runs if r["workers"] == w] for w in (1, 2)}
    batches = [args.population] + [1 + args.children] * args.generations
    ideal = sum(batches) / sum(math.ceil(b / 2) for b in batches)
    out = {
        "executor": "dask LocalCluster (processes, 1 thread each)",
        "ga": {
            "population": args.population,
            "generations": args.generations,
            "children": args.children,
            "evaluations": sum(batches),
        },
        "cluster_start_and_model_load_seconds": t_start,
        "runs": runs,
        "median_seconds": {w: statistics.median(v) for w, v in sec.items()},
        "speedup_per_repeat": ratios,
        "median_speedup": statistics.median(ratios),
        "ideal_speedup_2_workers": ideal,
        "worker_cpu_per_wall_second": {
            w: statistics.median(
                r["worker_cpu_seconds"] / r["seconds"] for r in runs if r["workers"] == w
            )
            for w in (1, 2)
        },
        "identical_results": fit[1] == fit[2],
        "cpu_count": os.cpu_count(),
    }
    print(
        f"median {out['median_seconds'][1]:.1f} s (1 worker) vs "
        f"{out['median_seconds'][2]:.1f} s (2 workers): {out['median_speedup']:.2f}x "
        f"(per repeat {', '.join(f'{r:.2f}' for r in ratios)}; ideal {ideal:.2f}x); "
        f"identical results: {out['identical_results']}; worker CPU s per wall s "
        f"{out['worker_cpu_per_wall_second']}"
    )
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--children", type=int, default=None, help="children per generation (7; --ga: 4)"
    )
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=None)
    ap.add_argument("--dask", action="store_true", help="dask LocalCluster executors")
    ap.add_argument("--ga", action="store_true", help="dask: short GA runs, 1 vs 2 workers")
    ap.add_argument("--population", type=int, default=16, help="--ga: initial population")
    ap.add_argument("--generations", type=int, default=8, help="--ga: generations")
    args = ap.parse_args(argv)
    if args.ga:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        args.children = 4 if args.children is None else args.children
        out = ga_timing(args)
        p = Path(args.out or "results/lpq/bench_lpq_dask_ga.json")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(out, indent=1))
        return 0
    args.children = 7 if args.children is None else args.children
    if args.out is None:
        args.out = f"results/lpq/bench_lpq{'_dask' if args.dask else ''}.json"
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from lognum.lpq.fitness import FitnessConfig
    from lognum.lpq.ga import process_pool
    from lognum.lpq.genome import SearchSpace
    from lognum.lpq.problems import MiniLMProblem

    prob = MiniLMProblem()
    space = SearchSpace()
    fcfg = FitnessConfig()
    L = 36
    times: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    fits: dict[int, list] = {1: [], 2: []}
    clients = []
    if args.dask:
        from dask.distributed import Client, LocalCluster

        pools = {}
        for w in (1, 2):
            c = LocalCluster(
                n_workers=w, threads_per_worker=1, processes=True, dashboard_address=None
            )
            cl = Client(c)
            # each worker pins BLAS to one thread before it loads the model
            from lognum.nn._blas import pin_blas_threads

            cl.run(pin_blas_threads)
            clients.append((cl, c))
            pools[w] = cl.get_executor()
    else:
        pools = {w: process_pool(w) for w in (1, 2)}
    try:
        for w, ex in pools.items():  # warm-up: every worker loads the model and compiles
            warm = [space.random_genome(L, np.random.default_rng([99, i])) for i in range(2 * w)]
            _time_generation(ex, prob, warm, fcfg, space.n_max)
        for rep in range(args.repeats):
            gen = [
                space.random_genome(L, np.random.default_rng([rep, i]))
                for i in range(1 + args.children)
            ]
            for w, ex in pools.items():
                t, f, c = _time_generation(ex, prob, gen, fcfg, space.n_max)
                times[w].append(t)
                fits[w].append(f)
                cpu[w].append(c)
    finally:
        if clients:
            for cl, c in clients:
                cl.close()
                c.close()
        else:
            for ex in pools.values():
                ex.shutdown()
    med = {w: statistics.median(v) for w, v in times.items()}
    ratio = med[1] / med[2]
    same = fits[1] == fits[2]
    print(f"one generation ({1 + args.children} evaluations), median of {args.repeats}:")
    print(f"  1 worker : {med[1]:.2f} s   (all: {', '.join(f'{t:.2f}' for t in times[1])})")
    print(f"  2 workers: {med[2]:.2f} s   (all: {', '.join(f'{t:.2f}' for t in times[2])})")
    print(f"  speed-up 2 vs 1 workers: {ratio:.2f}x   identical fitness values: {same}")
    # CPU seconds the workers got per wall second: 2 workers on 2 idle cores give ~2.0
    share = {
        w: statistics.median(c / t for c, t in zip(cpu[w], times[w], strict=True)) for w in cpu
    }
    print(f"  worker CPU s per wall s: 1 worker {share[1]:.2f}, 2 workers {share[2]:.2f}")
    print(
        f"  CPU s per generation: 1 worker {statistics.median(cpu[1]):.2f}, "
        f"2 workers {statistics.median(cpu[2]):.2f}"
    )
    print(f"  load average: {os.getloadavg()}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(
            {
                "evaluations_per_generation": 1 + args.children,
                "repeats": args.repeats,
                "seconds_1_worker": times[1],
                "seconds_2_workers": times[2],
                "median_speedup": ratio,
                "identical_fitness": same,
                "loadavg": os.getloadavg(),
                "cpu_seconds_1_worker": cpu[1],
                "cpu_seconds_2_workers": cpu[2],
                "worker_cpu_per_wall_second": share,
                "executor": "dask" if args.dask else "process pool",
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
