"""``lognum lpq ...``: run the LPQ search / baselines on MiniLM or the tiny CNN, save JSON.

    lognum lpq run --model minilm --method ga --seed 0 --out results/lpq/ga_seed0.json
    lognum lpq run --model minilm --method random --budget 316 --seed 0 --out ...
    lognum lpq baselines --out results/lpq/baselines.json
    lognum lpq sensitivity --out results/lpq/sensitivity.json   # per-layer costs, DP allocation
    lognum lpq table results/lpq          # the comparison table (markdown)

``--workers K`` evaluates candidates on a K-process pool (results identical for any K).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


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
        n=tuple(args.n),
        es=tuple(args.es),
        sf=tuple(args.sf),
        acts=args.acts,
        rs_min=args.rs_min,
        max_avg_bits=args.max_bits,
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


def _sensitivity(args) -> int:
    import lognum
    from lognum.lpq.evaluate import evaluate_minilm
    from lognum.lpq.fitness import FitnessConfig
    from lognum.lpq.sensitivity import run_sensitivity
    from lognum.nn._blas import pin_blas_threads

    pin_blas_threads(1)
    prob = _problem(args)
    b = lognum.parse(args.base)
    if not isinstance(b, lognum.LogPosit):
        raise SystemExit(f"--base must be an LP<n,es,rs,sf> format, got {args.base!r}")
    base = np.tile([b.n, b.es, b.rs, b.sf], (len(prob.layer_names), 1)).astype(np.float64)
    model = prob.state()["model"]
    out = run_sensitivity(
        prob,
        base,
        args.max_bits,
        ns=tuple(args.n),
        fitness=FitnessConfig(tau=args.tau, lam=args.lam),
        evaluate=lambda plan: evaluate_minilm(model, plan),
        noise_samples=args.noise_samples,
        # the perturbed configurations only need the Lee metrics (4x faster)
        evaluate_noise=lambda plan: evaluate_minilm(model, plan, polarity=False),
        seed=args.seed,
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))
    s = out["sensitivity"]
    print(
        f"sensitivity DP <= {args.max_bits} bits: avg {out['avg_bits']:.3f}, L_GL predicted "
        f"{s['predicted_L_GL']:.5f} measured {s['measured_L_GL']:.5f} (base {s['base_L_GL']:.5f})"
        f"; {out['eval']}"
    )
    return 0


def _table(args) -> int:
    from lognum.lpq.report import goals_table, load_rows, results_table

    print(results_table(Path(args.dir)))
    rows = load_rows(Path(args.dir))
    if any(r.get("family") == "fp32" for r in rows):
        print("\nGoal (a) per searched row (Pareto check against the fixed-format baselines):\n")
        print(goals_table(rows))
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
    r.add_argument(
        "--max-bits", type=float, default=None, help="cap on the average weight bits (default none)"
    )
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
    s = sub.add_parser(
        "sensitivity",
        help="MiniLM: per-layer costs, best bit allocation in a cap, metric noise",
    )
    s.add_argument("--base", default="LP<6,0,5,4>", help="uniform base format")
    s.add_argument("--max-bits", type=float, default=6.0)
    s.add_argument("--n", type=int, nargs="+", default=[4, 5, 6, 7, 8])
    s.add_argument("--tau", type=float, default=0.3)
    s.add_argument("--lam", type=float, default=0.3)
    s.add_argument("--noise-samples", type=int, default=8)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--n-calib", type=int, default=24)
    s.add_argument("--calib-len", type=int, default=48)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=_sensitivity, model="minilm")
    t = sub.add_parser("table", help="markdown table of the saved results")
    t.add_argument("dir", nargs="?", default="results/lpq")
    t.set_defaults(fn=_table)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    raise SystemExit(lpq_main())
