"""``lognum lpq ...``: run the LPQ search / baselines on MiniLM or the tiny CNN, save JSON.

    lognum lpq run --model minilm --method ga --seed 0 --out results/lpq/ga_seed0.json
    lognum lpq run --model minilm --method random --budget 316 --seed 0 --out ...
    lognum lpq baselines --out results/lpq/baselines.json
    lognum lpq sensitivity --out results/lpq/sensitivity.json   # per-layer costs, DP allocation
    lognum lpq baselines --groups hawq --no-fp32 --out results/lpq/baselines_hawq.json  # HAWQ-style
    lognum lpq table results/lpq          # the comparison table (markdown)

``--workers K`` evaluates candidates on a K-process pool, ``--scheduler tcp://host:8786`` on
the workers of a dask.distributed cluster (results identical for any K and any cluster).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np


class UsageError(Exception):
    """A user's mistake: printed as one line on stderr, exit code 2 (no traceback)."""


_OPTION_OF = {
    "max_avg_bits": "max-bits",
    "rs_min": "rs-min",
    "n_calib": "n-calib",
    "w_local": "w-local",
    "w_global": "w-global",
}


@contextmanager
def _user_input(what: str = ""):
    """Turn the ``ValueError`` / ``FileNotFoundError`` of validating the user's arguments or
    loading the model and data into a :class:`UsageError` (``what`` prefixes the message,
    ``"--"`` turns a leading parameter name into its option)."""
    try:
        yield
    except (ValueError, FileNotFoundError) as e:
        msg = str(e)
        if what == "--":
            for k, v in _OPTION_OF.items():
                msg = msg.replace(k, v)
        raise UsageError(f"{what}{msg}") from None


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (exit code 2)."""

    def error(self, message: str):  # type: ignore[override]
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _check_out(path: str) -> Path:
    """``--out`` must be a writable file path (checked before a long run starts)."""
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"--out {path!r} is a directory; give a file name")
    parent = p.parent
    for a in (parent, *parent.parents):
        if a.exists():
            if not a.is_dir():
                raise UsageError(f"--out {path!r}: {str(a)!r} is not a directory")
            if not os.access(a, os.W_OK | os.X_OK):
                raise UsageError(f"--out {path!r}: {str(a)!r} is not writable")
            break
    if parent.is_dir() and not p.exists():
        try:  # can the file be created? (root passes os.access on read-only mounts)
            p.open("x").close()
            p.unlink()
        except OSError as e:
            raise UsageError(f"cannot write --out {path!r}: {e.strerror or e}") from None
    return p


def _write_json(path: str, d) -> None:
    """Write the result; an unwritable ``--out`` is the user's error, not a traceback."""
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(d, indent=1))
    except OSError as e:
        raise UsageError(f"cannot write --out {path!r}: {e.strerror or e}") from None


def _positive(name: str, v, minimum=1) -> None:
    if v < minimum:
        raise UsageError(f"{name} must be >= {minimum}, got {v}")


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
    _check_out(args.out)
    _positive("--workers", args.workers)
    _positive("--n-calib", args.n_calib)
    _positive("--calib-len", args.calib_len, 3)
    _positive("--budget", args.budget, 0)
    with _user_input("--"):
        space = SearchSpace(
            n=tuple(args.n),
            es=tuple(args.es),
            sf=tuple(args.sf),
            acts=args.acts or args.act_n is not None,
            act_n=None if args.act_n is None else tuple(args.act_n),
            act_sf=tuple(args.act_sf),
            rs_min=args.rs_min,
            max_avg_bits=args.max_bits,
        )
    if args.act_calibrate and (not space.acts or args.model != "minilm"):
        raise UsageError("--act-calibrate needs --acts (or --act-n) and --model minilm")
    with _user_input("--"):
        ga = GAConfig(
            population=args.population,
            generations=args.generations,
            children=args.children,
            seed=args.seed,
        )
        fc = FitnessConfig(
            tau=args.tau,
            lam=args.lam,
            w_local=args.w_local,
            w_global=args.w_global,
            distill=args.distill,
        )
    with _user_input("--"):
        prob = _problem(args)
    with _user_input():
        prob.state()  # loads the model and the calibration data (clear error if missing)
    if args.act_calibrate:
        from dataclasses import replace

        from lognum.lpq.problems import calibrated_act_sf

        prob = replace(prob, act_sf_base=calibrated_act_sf(prob))
    budget = args.budget or ga.budget
    if args.method in ("hill-climb", "greedy") and budget < args.population:
        raise UsageError(f"--budget must be >= --population = {args.population}, got {budget}")
    client = None
    if args.scheduler:
        if args.workers > 1:
            raise UsageError("--scheduler and --workers > 1 exclude each other")
        try:
            from dask.distributed import Client
        except ImportError:
            msg = "--scheduler needs dask.distributed: pip install 'dask[distributed]'"
            raise UsageError(msg) from None
        try:
            client = Client(args.scheduler, timeout=args.scheduler_timeout)
        except (OSError, ValueError, TypeError) as e:
            raise UsageError(f"--scheduler {args.scheduler!r}: cannot connect ({e})") from None
        ex = client.get_executor()
    else:
        ex = process_pool(args.workers) if args.workers > 1 else None
    try:
        if args.method == "ga":
            res = run_lpq(prob, space, ga, fc, executor=ex)
        elif args.method == "random":
            res = random_search(prob, budget, space, fc, executor=ex, seed=args.seed)
        else:
            from lognum.lpq.local import greedy, hill_climb

            search = hill_climb if args.method == "hill-climb" else greedy
            res = search(prob, budget, space, fc, executor=ex, seed=args.seed, init=args.population)
    finally:
        if client is not None:
            client.close()
        elif ex is not None:
            ex.shutdown()
    d = json.loads(res.to_json())
    if args.model == "minilm" and not args.no_eval:
        from lognum.lpq.evaluate import evaluate_minilm

        st = prob.state()
        d["eval"] = evaluate_minilm(st["model"], prob.plan_for(res.best_genome, _factory()))
    _write_json(args.out, d)
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

    _check_out(args.out)
    _positive("--n-calib", args.n_calib)
    _positive("--calib-len", args.calib_len, 3)
    if args.genome is not None and not Path(args.genome).is_file():
        raise UsageError(f"--genome {args.genome!r} is not a saved run")
    with _user_input():
        from lognum.lpq.problems import MiniLMProblem

        MiniLMProblem(n_calib=args.n_calib, calib_len=args.calib_len).state()

    from lognum.lpq.baselines import GROUPS

    groups = tuple(args.groups) if args.groups else GROUPS
    bad = [g for g in groups if g not in GROUPS]
    if bad:
        raise UsageError(f"--groups must be among {', '.join(GROUPS)}; got {', '.join(bad)}")
    _positive("--hawq-probes", args.hawq_probes, 2)
    if not args.hawq_eps > 0:
        raise UsageError(f"--hawq-eps must be > 0, got {args.hawq_eps}")
    if not args.max_bits >= 4:
        raise UsageError(
            f"--max-bits must be >= 4 (the smallest HAWQ word size), got {args.max_bits}"
        )
    hawq = {
        "probes": args.hawq_probes,
        "rel_eps": args.hawq_eps,
        "max_avg_bits": args.max_bits,
        "seed": args.seed,
    }
    run_baselines(
        args.out,
        n_calib=args.n_calib,
        calib_len=args.calib_len,
        groups=groups,
        include_fp32=not args.no_fp32,
        genome_file=args.genome,
        methods=None if args.methods is None else tuple(args.methods),
        single_lp_n=tuple(args.lp_n),
        hawq=hawq,
    )
    return 0


def _sensitivity(args) -> int:
    from lognum.formats.logposit import LogPosit
    from lognum.formats.parse import parse
    from lognum.lpq.evaluate import evaluate_minilm
    from lognum.lpq.fitness import FitnessConfig
    from lognum.lpq.sensitivity import run_sensitivity
    from lognum.nn._blas import pin_blas_threads

    pin_blas_threads(1)
    _check_out(args.out)
    _positive("--n-calib", args.n_calib)
    _positive("--calib-len", args.calib_len, 3)
    _positive("--noise-samples", args.noise_samples, 0)
    try:
        b = parse(args.base)
    except ValueError as e:
        raise UsageError(f"--base: {e}") from None
    if not isinstance(b, LogPosit):
        raise UsageError(f"--base must be an LP<n,es,rs,sf> format, got {args.base!r}")
    if b.n not in args.n:
        raise UsageError(f"--base word size {b.n} must be one of --n {args.n}")
    if any(not 3 <= v <= 16 for v in args.n):
        raise UsageError(f"--n must be within [3, 16], got {args.n}")
    if not min(args.n) <= args.max_bits:
        raise UsageError(f"--max-bits must be >= min(--n) = {min(args.n)}, got {args.max_bits}")
    with _user_input("--"):
        fc = FitnessConfig(tau=args.tau, lam=args.lam)
    with _user_input("--"):
        prob = _problem(args)
    with _user_input():
        prob.state()
    base = np.tile([b.n, b.es, b.rs, b.sf], (len(prob.layer_names), 1)).astype(np.float64)
    model = prob.state()["model"]
    out = run_sensitivity(
        prob,
        base,
        args.max_bits,
        ns=tuple(args.n),
        fitness=fc,
        evaluate=lambda plan: evaluate_minilm(model, plan),
        noise_samples=args.noise_samples,
        # the perturbed configurations only need the Lee metrics (4x faster)
        evaluate_noise=lambda plan: evaluate_minilm(model, plan, polarity=False),
        seed=args.seed,
    )
    _write_json(args.out, out)
    s = out["sensitivity"]
    print(
        f"sensitivity DP <= {args.max_bits} bits: avg {out['avg_bits']:.3f}, L_GL predicted "
        f"{s['predicted_L_GL']:.5f} measured {s['measured_L_GL']:.5f} (base {s['base_L_GL']:.5f})"
        f"; {out['eval']}"
    )
    return 0


def _evaluate(args) -> int:
    from lognum.lpq.baselines import reevaluate_baselines
    from lognum.lpq.report import reevaluate_runs

    d = Path(args.dir)
    if not d.is_dir():
        raise UsageError(f"{args.dir!r} is not a directory of saved results")
    with _user_input():
        from lognum.lpq.problems import MiniLMProblem

        MiniLMProblem().state()
    done = []
    if (d / "baselines.json").is_file() and args.only in (None, "baselines"):
        done += reevaluate_baselines(d / "baselines.json", force=args.force)
    if args.only in (None, "runs"):
        done += reevaluate_runs(d, force=args.force, pattern=args.pattern)
    print(f"evaluated {len(done)} saved configurations")
    return 0


def _ablation(args) -> int:
    from lognum.lpq.ablation import run_ablation

    if not Path(args.dir).is_dir():
        raise UsageError(f"{args.dir!r} is not a directory of saved results")
    _check_out(args.out)
    with _user_input():
        from lognum.lpq.problems import MiniLMProblem

        MiniLMProblem().state()
    res = run_ablation(Path(args.dir))
    _write_json(args.out, res)
    for band, d in res["spearman"].items():
        print(f"{band}: {d['configurations']} configurations")
        for loss, v in d.items():
            if isinstance(v, dict):
                print(f"  {loss:36s} " + "  ".join(f"{m} {x:+.2f}" for m, x in v.items()))
    return 0


def _ablation_runs(args) -> int:
    from lognum.lpq.ablation_runs import ablation_runs_report

    ref = args.reference or args.dir
    for d in (args.dir, ref):
        if not Path(d).is_dir():
            raise UsageError(f"{d!r} is not a directory of saved results")
    if "{seed}" not in args.ref_pattern:
        raise UsageError(f"--ref-pattern must contain {{seed}}, got {args.ref_pattern!r}")
    _positive("--bootstrap", args.bootstrap, 10)
    _check_out(args.out)
    md, res = ablation_runs_report(
        args.dir, ref, args.ref_pattern, B=args.bootstrap, with_lgl=not args.no_lgl
    )
    res["markdown"] = md
    _write_json(args.out, res)
    print(md)
    return 0


def _cnn_study(args) -> int:
    from lognum.lpq.cnn_study import cnn_table, run_cnn_study

    _check_out(args.out)
    with _user_input():
        from lognum.lpq.problems import TinyCNNProblem

        TinyCNNProblem().state()
    res = run_cnn_study(args.out, seeds=tuple(args.seeds))
    print(cnn_table(res))
    return 0


def _magika_study(args) -> int:
    from lognum.lpq.magika_study import magika_table, run_magika_study

    _check_out(args.out)
    with _user_input():
        from lognum.lpq.problems import MagikaProblem

        MagikaProblem(args.n_calib).state()
    res = run_magika_study(
        args.out, per_label=args.per_label, n_calib=args.n_calib, seeds=tuple(args.seeds)
    )
    print(magika_table(res))
    return 0


def _table(args) -> int:
    from lognum.lpq.report import goals_table, load_rows, results_table

    if not Path(args.dir).is_dir():
        raise UsageError(f"{args.dir!r} is not a directory of saved results")

    if args.ci:
        from lognum.lpq.report import research_report

        print(research_report(Path(args.dir), B=args.bootstrap))
        return 0
    print(results_table(Path(args.dir)))
    rows = load_rows(Path(args.dir))
    if any(r.get("family") == "fp32" for r in rows):
        print("\nGoal (a) per searched row (Pareto check against the fixed-format baselines):\n")
        print(goals_table(rows))
    return 0


def lpq_main(argv=None) -> int:
    """Entry point of ``lognum lpq`` (wired by the lead into ``lognum.cli``)."""
    ap = _Parser(prog="lognum lpq", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    r = sub.add_parser("run", help="GA or random search")
    r.add_argument("--model", choices=("minilm", "tinycnn"), default="minilm")
    r.add_argument("--method", choices=("ga", "random", "hill-climb", "greedy"), default="ga")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--population", type=int, default=56)
    r.add_argument("--generations", type=int, default=52)
    r.add_argument("--children", type=int, default=4)
    r.add_argument(
        "--budget", type=int, default=0, help="random / hill-climb / greedy: evaluations (0: GA's)"
    )
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
    r.add_argument(
        "--act-n", type=int, nargs="+", default=None, help="activation word sizes (implies --acts)"
    )
    r.add_argument("--act-sf", type=float, nargs="+", default=[-4, -3, -2, -1, 0, 1, 2, 3, 4])
    r.add_argument(
        "--act-calibrate",
        action="store_true",
        help="activation sf genes are offsets from a per-layer sf calibrated on the "
        "calibration texts (LP<8> least squares); give --act-sf as offsets, e.g. -2 -1 0 1 2",
    )
    r.add_argument(
        "--distill",
        choices=("contrastive", "mse", "cosine"),
        default="contrastive",
        help="distillation term of the fitness (default contrastive InfoNCE; others: ablations)",
    )
    r.add_argument("--w-local", type=float, default=1.0, help="weight of the local terms")
    r.add_argument("--w-global", type=float, default=1.0, help="weight of the global term")
    r.add_argument("--n-calib", type=int, default=24)
    r.add_argument("--calib-len", type=int, default=48)
    r.add_argument("--workers", type=int, default=1)
    r.add_argument(
        "--scheduler",
        default=None,
        help="dask.distributed scheduler address (tcp://host:8786): evaluate there",
    )
    r.add_argument("--scheduler-timeout", type=float, default=10.0, help="seconds")
    r.add_argument("--no-eval", action="store_true")
    r.add_argument("--out", required=True)
    r.set_defaults(fn=_run)
    b = sub.add_parser("baselines", help="fixed-format / ALPS / single-LP baselines on MiniLM")
    b.add_argument("--n-calib", type=int, default=24)
    b.add_argument("--calib-len", type=int, default=48)
    b.add_argument(
        "--groups", nargs="+", help="baseline groups to (re-)run; the others are kept from --out"
    )
    b.add_argument("--no-fp32", action="store_true", help="keep the saved FP32 record")
    b.add_argument("--methods", nargs="+", default=None, help="only the rows with these labels")
    b.add_argument("--lp-n", type=int, nargs="+", default=[4, 5, 6, 7, 8], help="LP word sizes")
    b.add_argument(
        "--genome", default=None, help="saved GA run for the genome-based rows (default: best cap)"
    )
    b.add_argument(
        "--hawq-probes", type=int, default=6, help="hawq: Rademacher probes per layer (>= 2)"
    )
    b.add_argument(
        "--hawq-eps", type=float, default=0.01, help="hawq: probe step relative to rms(W)"
    )
    b.add_argument("--max-bits", type=float, default=6.0, help="hawq: average-bits budget")
    b.add_argument("--seed", type=int, default=0, help="hawq: probe directions")
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
    e = sub.add_parser(
        "evaluate",
        help="evaluate the saved baselines and runs again (all metrics, per-item values for CIs)",
    )
    e.add_argument("dir", nargs="?", default="results/lpq")
    e.add_argument("--force", action="store_true", help="also those already evaluated")
    e.add_argument("--only", choices=("baselines", "runs"), default=None)
    e.add_argument("--pattern", default="*", help="runs: only the files matching this glob")
    e.set_defaults(fn=_evaluate)
    a = sub.add_parser(
        "ablation", help="rank agreement of fitness variants with held-out metrics (saved configs)"
    )
    a.add_argument("dir", nargs="?", default="results/lpq")
    a.add_argument("--out", required=True)
    a.set_defaults(fn=_ablation)
    ar = sub.add_parser(
        "ablation-runs",
        help="re-run fitness ablations: held-out metrics per variant vs the default (CIs)",
    )
    ar.add_argument("dir", help="folder of <variant>_seed<S>.json runs with items/")
    ar.add_argument(
        "--reference", default=None, help="folder of the default runs (default: DIR itself)"
    )
    ar.add_argument(
        "--ref-pattern",
        default="default_seed{seed}.json",
        help="file name of the default run of a seed, e.g. ga_cap6_lam0.1_seed{seed}.json",
    )
    ar.add_argument("--bootstrap", type=int, default=2000, help="replicates")
    ar.add_argument("--no-lgl", action="store_true", help="skip the default-fitness L_GL")
    ar.add_argument("--out", required=True)
    ar.set_defaults(fn=_ablation_runs)
    c = sub.add_parser("cnn-study", help="tiny MNIST CNN: top-1 of W-only / W+A formats, searches")
    c.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    c.add_argument("--out", required=True)
    c.set_defaults(fn=_cnn_study)
    g = sub.add_parser(
        "magika-study", help="magika file-type CNN: top-1 of LP / INT / FP8 formats, W-only and W+A"
    )
    g.add_argument("--per-label", type=int, default=40, help="test files per label (max)")
    g.add_argument("--n-calib", type=int, default=16, help="calibration files")
    g.add_argument("--seeds", type=int, nargs="*", default=[], help="GA seeds (default: no GA)")
    g.add_argument("--out", required=True)
    g.set_defaults(fn=_magika_study)
    t = sub.add_parser("table", help="markdown table of the saved results")
    t.add_argument("dir", nargs="?", default="results/lpq")
    t.add_argument(
        "--ci",
        action="store_true",
        help="95%% bootstrap CIs, seeds and paired differences (from the saved per-item values)",
    )
    t.add_argument("--bootstrap", type=int, default=2000, help="replicates (with --ci)")
    t.set_defaults(fn=_table)
    args = ap.parse_args(argv)
    try:
        return args.fn(args)
    except UsageError as e:
        print(f"lognum lpq {args.cmd}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(lpq_main())
