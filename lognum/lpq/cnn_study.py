"""Top-1 study on the tiny MNIST CNN: W-only and W+A formats, searches over seeds, with CIs.

The tiny CNN (:mod:`lognum.nn.cnn`, 51 k parameters, trained by this project on MNIST-5k) is a
cheap model with a top-1 metric -- a teaching model, *not* the second real model the LPQ
paper's CNN/ViT claim needs, and its weights are near-Gaussian (no outlier channels), so the
numbers say little about large models.  Calibration: 128 training images; test: the 1,000
held-out test images of :func:`lognum.nn.data.mnist_split` (never used for calibration or
selection).

Every configuration reports top-1 accuracy, the top-1 drop against FP32 and the agreement of
its predictions with FP32's, each with a 95 % percentile bootstrap interval over the test
images (2,000 replicates; the drop is paired: both models on the same resampled images).

Rows: FP32; per-channel INT8 / 6 / 4 (absmax and MSE clip); the best single LP per ``n``
(grid over es, rs, sf by calibration fitness); W+A with per-tensor static INT8 activations
(MSE-calibrated scale) and with an ``LP<8>`` per layer calibrated on the calibration
activations; and the searches (GA, random search, hill climbing) at 316 evaluations over
``seeds``, weight-only under a 6-bit cap and with LP<8> activation formats searched with the
weights (``act_n = (8,)``).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from lognum.lpq.ga import GAConfig
from lognum.nn.quant import QuantPlan, WeightCache


def _ci(v: np.ndarray) -> tuple[float, float]:
    lo, hi = np.quantile(v, [0.025, 0.975])
    return float(lo), float(hi)


def top1_record(model, plan: QuantPlan, fp_pred: np.ndarray, x, y, dr) -> dict:
    """Top-1, drop vs FP32 and agreement with FP32, each ``[point, lo, hi]``."""
    if plan.cache is None:
        plan.cache = WeightCache()
    pred = model.predict(x, plan)
    c = (pred == y).astype(float)
    cf = (fp_pred == y).astype(float)
    a = (pred == fp_pred).astype(float)
    return {
        "top1": [float(c.mean()), *_ci(c[dr].mean(axis=1))],
        "top1_drop": [float(cf.mean() - c.mean()), *_ci((cf[dr] - c[dr]).mean(axis=1))],
        "agreement": [float(a.mean()), *_ci(a[dr].mean(axis=1))],
    }


def run_cnn_study(
    out: str | Path,
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4),
    n_calib: int = 128,
    B: int = 2000,
    progress: bool = True,
    budget_ga: GAConfig | None = None,
) -> dict:
    """Run the study and write ``out`` (JSON); see the module docstring."""
    from lognum.lpq.baselines import calibration_activations
    from lognum.lpq.fitness import FitnessConfig, logposit_format
    from lognum.lpq.ga import random_search, run_lpq
    from lognum.lpq.genome import SearchSpace
    from lognum.lpq.local import hill_climb
    from lognum.lpq.problems import TinyCNNProblem
    from lognum.lpq.quantizers import PerChannelInt, PerTensorInt, calibrate_lp, calibrate_scale
    from lognum.nn.data import mnist_split

    t0 = time.perf_counter()
    prob = TinyCNNProblem(n_calib)
    st = prob.state()
    model, names = st["model"], st["names"]
    sp = mnist_split()
    x, y = sp["x_test"], sp["y_test"]
    dr = np.random.default_rng(0).integers(len(y), size=(B, len(y)))
    fp_pred = model.predict(x)
    fc = FitnessConfig()
    rows: list[dict] = []

    def add(label, plan, **extra):
        loc, glob = prob.loss_terms(plan, fc) if plan.weights or plan.acts else (None, None)
        rec = {"method": label, **extra, **top1_record(model, plan, fp_pred, x, y, dr)}
        if loc is not None:
            rec["L_GL"] = loc + glob
        rows.append(rec)

    add("FP32", QuantPlan())
    for n in (8, 6, 4):
        for clip in ("absmax", "mse"):
            q = PerChannelInt(n, clip)
            add(f"INT{n} per-channel {clip}", QuantPlan(dict.fromkeys(names, q)))
    single = {}
    for n in (8, 6, 5, 4):
        best = None
        for es in (0, 1, 2):
            for rs in range(2, n):
                for sf in (0, 1, 2, 3, 4, 5, 6):
                    f = logposit_format(n, es, rs, sf)
                    loc, glob = prob.loss_terms(QuantPlan(dict.fromkeys(names, f)), fc)
                    if best is None or loc + glob < best[0]:
                        best = (loc + glob, f)
        single[n] = best[1]
        add(f"single LP n={n}: {best[1]}", QuantPlan(dict.fromkeys(names, best[1])))
    acts = calibration_activations(prob)
    a_int = {nm: PerTensorInt(8, calibrate_scale(acts[nm], 8)) for nm in names}
    a_lp = {nm: logposit_format(*calibrate_lp(acts[nm], 8)) for nm in names}
    add(
        "W8A8 INT per-channel absmax / static INT8",
        QuantPlan(dict.fromkeys(names, PerChannelInt(8)), a_int),
    )
    add(
        "W4A8 INT per-channel mse / static INT8",
        QuantPlan(dict.fromkeys(names, PerChannelInt(4, "mse")), a_int),
    )
    for n in (8, 6, 4):
        add(
            f"W{n}A8 LP: {single[n]} / LP<8> per layer (calibrated)",
            QuantPlan(dict.fromkeys(names, single[n]), a_lp),
            act_formats={nm: str(f) for nm, f in a_lp.items()},
        )
    w_space = SearchSpace(sf=tuple(float(v) for v in range(0, 7)), max_avg_bits=6.0)
    wa_space = SearchSpace(
        sf=tuple(float(v) for v in range(0, 7)),
        max_avg_bits=6.0,
        acts=True,
        act_n=(8,),
        act_sf=(-2.0, -1.0, 0.0, 1.0, 2.0),
    )
    fc_s = FitnessConfig(lam=0.1)
    searches = []
    for s in seeds:
        ga = GAConfig(seed=s) if budget_ga is None else replace(budget_ga, seed=s)
        searches += [
            ("LPQ GA W-only", s, lambda ga=ga: run_lpq(prob, w_space, ga, fc_s, progress=False)),
            (
                "random search W-only",
                s,
                lambda s=s, ga=ga: random_search(
                    prob, ga.budget, w_space, fc_s, seed=s, progress=False
                ),
            ),
            (
                "hill climbing W-only",
                s,
                lambda s=s, ga=ga: hill_climb(
                    prob, ga.budget, w_space, fc_s, seed=s, init=ga.population, progress=False
                ),
            ),
            ("LPQ GA W+A8", s, lambda ga=ga: run_lpq(prob, wa_space, ga, fc_s, progress=False)),
        ]
    from lognum._progress import Progress

    bar = Progress(len(searches), "tiny CNN searches", enabled=progress)
    for label, s, fn in searches:
        r = fn()
        plan = prob.plan_for(r.best_genome, logposit_format)
        add(
            f"{label} (lam=0.1, <= 6 b, seed {s}, {r.evaluations} evals)",
            QuantPlan(plan.weights, plan.acts),
            search=label,
            seed=s,
            fitness=r.best_fitness,
            avg_bits=r.avg_bits,
            formats=[f["format"] for f in r.formats()],
        )
        bar.update(1, label)
    bar.close()
    res = {
        "rows": rows,
        "seconds": time.perf_counter() - t0,
        "test_images": int(len(y)),
        "bootstrap": B,
        "seeds": list(seeds),
        "n_calib": n_calib,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(res, indent=1))
    return res


def cnn_table(res: dict) -> str:
    """Markdown table of :func:`run_cnn_study` rows (and the seed means of the searches)."""
    f = lambda c: f"{c[0]:.3f} [{c[1]:.3f}, {c[2]:.3f}]"  # noqa: E731
    lines = [
        "| configuration | top-1 | top-1 drop vs FP32 | agreement with FP32 |",
        "|---|---|---|---|",
    ]
    groups: dict[str, list[dict]] = {}
    for r in res["rows"]:
        if "search" in r:
            groups.setdefault(r["search"], []).append(r)
            continue
        lines.append(
            f"| {r['method']} | {f(r['top1'])} | {f(r['top1_drop'])} | {f(r['agreement'])} |"
        )
    if groups:
        lines += [
            "",
            "| search (316 evaluations, <= 6 b) | seeds | fitness mean [min, max] | "
            "top-1 per seed | top-1 drop, mean of seeds | avg bits |",
            "|---|---|---|---|---|---|",
        ]
        for k, ms in groups.items():
            fit = [m["fitness"] for m in ms]
            lines.append(
                f"| {k} | {len(ms)} | {np.mean(fit):.4f} [{min(fit):.4f}, {max(fit):.4f}] | "
                + ", ".join(f"{m['top1'][0]:.3f}" for m in ms)
                + f" | {np.mean([m['top1_drop'][0] for m in ms]):+.4f} | "
                f"{np.mean([m['avg_bits'] for m in ms]):.2f} |"
            )
    return "\n".join(lines)
