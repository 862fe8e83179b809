"""``lognum lpq ...``: run the LPQ search / baselines on MiniLM or the tiny CNN, save JSON.

    lognum lpq run --model minilm --method ga --seed 0 --out results/lpq/ga_seed0.json
    lognum lpq run --model minilm --method random --budget 316 --seed 0 --out ...
    lognum lpq baselines --out results/lpq/baselines.json
    lognum lpq table results/lpq          # the comparison table (markdown)

``--workers K`` evaluates candidates on a K-process pool (results identical for any K).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _problem(args):
    from lognum.lpq.problems import MiniLMProblem, TinyCNNProblem

    if args.model == "minilm":
        return MiniLMProblem(n_calib=args.n_calib, calib_len=args.calib_len)
    return TinyCNNProblem(n_calib=args.n_calib)


def _run(args) -> int:
    from lognum.lpq.fitness import FitnessConfig
    from lognum.lpq.ga import GAConfig, process_pool, random_search, run_lpq
    from lognum.lpq.genome import SearchSpace
    from lognum.nn._blas import pin_blas_threads

    pin_blas_threads(1)
    prob = _problem(args)
    space = SearchSpace(
        n=tuple(args.n), es=tuple(args.es), sf=tuple(args.sf), acts=args.acts, rs_min=args.rs_min
    )
    ga = GAConfig(
        population=args.population,
        generations=args.generations,
        children=args.children,
        seed=args.seed,
    )
    fc = FitnessConfig(tau=args.tau, lam=args.lam)
    ex = process_pool(args.workers) if args.workers > 1 else None
    try:
        if args.method == "ga":
            res = run_lpq(prob, space, ga, fc, executor=ex)
        else:
            budget = args.budget or ga.budget
            res = random_search(prob, budget, space, fc, executor=ex, seed=args.seed)
    finally:
        if ex is not None:
            ex.shutdown()
    d = json.loads(res.to_json())
    if args.model == "minilm" and not args.no_eval:
        from lognum.lpq.evaluate import evaluate_minilm

        st = prob.state()
        d["eval"] = evaluate_minilm(st["model"], prob.plan_for(res.best_genome, _factory()))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(d, indent=1))
    print(
        f"{args.method} seed {args.seed}: fitness {res.best_fitness:.5f} "
        f"avg bits {res.avg_bits:.3f} {d.get('eval', '')}"
    )
    return 0


def _factory():
    from lognum.lpq.fitness import logposit_format

    return logposit_format


def _baselines(args) -> int:
    from lognum.lpq.baselines import run_baselines

    run_baselines(args.out, n_calib=args.n_calib, calib_len=args.calib_len)
    return 0


def _table(args) -> int:
    from lognum.lpq.report import results_table

    print(results_table(Path(args.dir)))
    return 0


def lpq_main(argv=None) -> int:
    """Entry point of ``lognum lpq`` (wired by the lead into ``lognum.cli``)."""
    ap = argparse.ArgumentParser(prog="lognum lpq", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="GA or random search")
    r.add_argument("--model", choices=("minilm", "tinycnn"), default="minilm")
    r.add_argument("--method", choices=("ga", "random"), default="ga")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--population", type=int, default=56)
    r.add_argument("--generations", type=int, default=52)
    r.add_argument("--children", type=int, default=4)
    r.add_argument("--budget", type=int, default=0, help="random search: evaluations (0: GA's)")
    r.add_argument("--tau", type=float, default=0.3)
    r.add_argument("--lam", type=float, default=0.3)
    r.add_argument("--n", type=int, nargs="+", default=[4, 5, 6, 7, 8])
    r.add_argument("--es", type=int, nargs="+", default=[0, 1, 2])
    r.add_argument("--sf", type=float, nargs="+", default=[2, 3, 4, 5, 6])
    r.add_argument("--rs-min", type=int, default=2)
    r.add_argument("--acts", action="store_true", help="also search activation formats")
    r.add_argument("--n-calib", type=int, default=24)
    r.add_argument("--calib-len", type=int, default=48)
    r.add_argument("--workers", type=int, default=1)
    r.add_argument("--no-eval", action="store_true")
    r.add_argument("--out", required=True)
    r.set_defaults(fn=_run)
    b = sub.add_parser("baselines", help="fixed-format / ALPS / single-LP baselines on MiniLM")
    b.add_argument("--n-calib", type=int, default=24)
    b.add_argument("--calib-len", type=int, default=48)
    b.add_argument("--out", required=True)
    b.set_defaults(fn=_baselines)
    t = sub.add_parser("table", help="markdown table of the saved results")
    t.add_argument("dir", nargs="?", default="results/lpq")
    t.set_defaults(fn=_table)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    raise SystemExit(lpq_main())
