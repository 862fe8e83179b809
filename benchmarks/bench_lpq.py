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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=None)
    ap.add_argument("--dask", action="store_true", help="dask LocalCluster executors")
    args = ap.parse_args(argv)
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
            c = LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                             dashboard_address=None)  # fmt: skip
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
    Path(args.out).write_text(json.dumps({
        "evaluations_per_generation": 1 + args.children, "repeats": args.repeats,
        "seconds_1_worker": times[1], "seconds_2_workers": times[2],
        "median_speedup": ratio, "identical_fitness": same, "loadavg": os.getloadavg(),
        "cpu_seconds_1_worker": cpu[1], "cpu_seconds_2_workers": cpu[2],
        "worker_cpu_per_wall_second": share, "executor": "dask" if args.dask else "process pool",
    }, indent=1))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
