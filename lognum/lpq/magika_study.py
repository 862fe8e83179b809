"""Top-1 study on magika (a real pretrained file-type CNN): FP32 vs LP / INT / FP8 formats.

Model: :mod:`lognum.nn.magika` (784 k parameters; layers ``dense0``, ``conv0``, ``dense1``).
Test set: :func:`lognum.nn.magika.package_files` -- files of the pinned packages of the test
set-up, up to 40 per model label, labelled by their extension (label noise included: the FP32
top-1 against these labels is not magika's accuracy, it is the ceiling the quantized models are
compared with).  Calibration: ``n_calib`` further files of the same packages, disjoint from the
test set (:class:`lognum.lpq.problems.MagikaProblem`).

Every configuration reports top-1 against the extension labels, the top-1 drop against FP32
and the agreement of its top-1 with FP32's, each ``[point, lo, hi]`` with a 95 % percentile
bootstrap interval over the test files (``B`` replicates; the drop and the agreement are
paired: both models on the same resampled files).

Rows: FP32; per-channel INT8 / 6 / 4 (absmax and MSE clip, FP16 scale per channel);
FP8 E4M3 with one scale per tensor; per-layer ``LP<n>`` with the least weight MSE
(:func:`lognum.lpq.quantizers.calibrate_lp`) and the best single ``LP<n>`` for all layers by
calibration fitness, for ``n`` = 8, 6, 5, 4; per-channel LP (an ``sf`` per output channel, a
lognum extension beyond the paper); W+A rows with static activation formats calibrated on
the calibration files (INT8 per tensor, MSE scale; ``LP<8>`` per layer, least MSE); and,
optionally, the LPQ GA (weights only, <= 6 average bits) over ``seeds``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from lognum.lpq.ga import GAConfig
from lognum.nn.quant import PerTensorScaled, QuantPlan, WeightCache


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) binomial interval of ``k`` successes in ``n`` trials.

    Used next to the bootstrap for the agreement with FP32: when no file (or every file)
    flips, the percentile bootstrap collapses to a point, the exact interval does not.
    """
    from scipy.stats import beta

    if not 0 <= k <= n or n < 1:
        raise ValueError(f"need 0 <= k <= n and n >= 1, got k={k}, n={n}")
    a = (1.0 - level) / 2
    lo = 0.0 if k == 0 else float(beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - a, k + 1, n - k))
    return lo, hi


def run_magika_study(
    out: str | Path,
    per_label: int = 40,
    n_calib: int = 16,
    B: int = 2000,
    seeds: tuple[int, ...] = (),
    ga: GAConfig | None = None,
    dp_bits: tuple[float, ...] = (6.0, 5.0),
    progress: bool = True,
) -> dict:
    """Run the study and write ``out`` (JSON); see the module docstring.

    ``dp_bits``: average-bit caps of the sensitivity allocation (:mod:`lognum.lpq.sensitivity`:
    per-layer costs of moving the per-layer least-MSE ``LP<8>`` to ``n`` = 4..7, then the
    exact knapsack under the cap; 14 fitness evaluations each).  ``seeds`` (default none)
    runs the LPQ GA once per seed with ``ga`` (default population 16, 20 generations of 2
    children: 76 evaluations), weights only, <= 6 average bits.
    """
    from lognum._progress import Progress
    from lognum.formats.parse import parse
    from lognum.lpq.baselines import FIXED, calibration_activations, fixed_quantizer
    from lognum.lpq.cnn_study import top1_record
    from lognum.lpq.fitness import FitnessConfig, logposit_format
    from lognum.lpq.ga import run_lpq
    from lognum.lpq.genome import SearchSpace
    from lognum.lpq.problems import MagikaProblem
    from lognum.lpq.quantizers import (
        PerChannelInt,
        PerChannelLP,
        PerTensorInt,
        calibrate_lp,
        calibrate_scale,
        storage_bits,
    )
    from lognum.lpq.sensitivity import run_sensitivity
    from lognum.nn.magika import package_files, package_key

    if per_label < 1:
        raise ValueError(f"per_label must be >= 1, got {per_label}")
    if B < 100:
        raise ValueError(f"B must be >= 100 bootstrap replicates, got {B}")
    t0 = time.perf_counter()
    prob = MagikaProblem(n_calib)
    st = prob.state()
    model, names = st["model"], st["names"]
    test, _ = package_files(model, per_label=per_label, n_calib=n_calib)
    x = np.stack([model.tokens_of(p)[0] for p, _ in test])
    y = np.array([model.labels.index(lab) for _, lab in test])
    dr = np.random.default_rng(0).integers(len(y), size=(B, len(y)))
    fp_pred = model.predict(x)
    fc = FitnessConfig()
    shapes = {nm: model.weight_of(nm).shape for nm in names}
    sizes = np.array([model.n_params(nm) for nm in names], dtype=float)
    rows: list[dict] = []

    def avg_bits(plan: QuantPlan) -> float:
        b = [storage_bits(plan.weights.get(nm), shapes[nm]) for nm in names]
        return float(np.sum(np.array(b) * sizes) / sizes.sum())

    def add(label: str, plan: QuantPlan, **extra) -> None:
        plan.cache = WeightCache()
        rec = {"method": label, "avg_weight_bits": avg_bits(plan), **extra}
        if plan.weights or plan.acts:
            loc, glob = prob.loss_terms(plan, fc)
            rec["L_GL"] = loc + glob
        rec.update(top1_record(model, plan, fp_pred, x, y, dr))
        k = int(round((1.0 - rec["agreement"][0]) * len(y)))
        rec["disagreements"] = k
        rec["agreement_exact95"] = list(clopper_pearson(len(y) - k, len(y)))
        rows.append(rec)
        if progress:
            print(f"{label}: top1 {rec['top1'][0]:.4f} drop {rec['top1_drop'][0]:+.4f}", flush=True)

    add("FP32", QuantPlan())
    for n in (8, 6, 4):
        for clip in ("absmax", "mse"):
            add(
                f"INT{n} per-channel {clip}",
                QuantPlan(dict.fromkeys(names, PerChannelInt(n, clip))),
            )
    fp8 = PerTensorScaled(parse("float8_e4m3fn"))
    add("FP8 E4M3 per-tensor scale", QuantPlan(dict.fromkeys(names, fp8)))
    # the co-design table's posit8 + quire and AdaptivFloat accelerators (MiniLM's FIXED rows)
    for label, spec, per_tensor in FIXED:
        if spec in ("posit<8,2>", "AF<8,4>"):
            add(label, QuantPlan(dict.fromkeys(names, fixed_quantizer(spec, per_tensor))))
    mse_lp: dict[int, dict] = {}
    single: dict[int, object] = {}
    for n in (8, 6, 5, 4):
        mse_lp[n] = {nm: logposit_format(*calibrate_lp(model.weight_of(nm), n)) for nm in names}
        add(
            f"LP<{n}> per layer, least weight MSE",
            QuantPlan(mse_lp[n]),
            formats={nm: str(f) for nm, f in mse_lp[n].items()},
        )
        best = None
        for es in (0, 1):
            for sf in (1, 2, 3, 4):
                f = logposit_format(n, es, n - 1, sf)
                loc, glob = prob.loss_terms(QuantPlan(dict.fromkeys(names, f)), fc)
                if best is None or loc + glob < best[0]:
                    best = (loc + glob, f)
        single[n] = best[1]
        add(
            f"single LP for all layers (fitness grid): {best[1]}",
            QuantPlan(dict.fromkeys(names, best[1])),
        )
    for n in (6, 4):
        add(
            f"per-channel LP<{n},0,{n - 1},sf per row> (lognum extension)",
            QuantPlan(dict.fromkeys(names, PerChannelLP(n, 0, n - 1))),
        )
    acts = calibration_activations(prob)
    a_int = {nm: PerTensorInt(8, calibrate_scale(v, 8)) for nm, v in acts.items()}
    a_lp = {nm: logposit_format(*calibrate_lp(v, 8)) for nm, v in acts.items()}
    add(
        "W8A8 INT8 per-channel absmax / static INT8 per tensor",
        QuantPlan(dict.fromkeys(names, PerChannelInt(8)), a_int),
    )
    add(
        "W8A8 FP8 E4M3 / static INT8 per tensor",
        QuantPlan(dict.fromkeys(names, fp8), a_int),
    )
    add(
        "W4A8 INT4 per-channel mse / static INT8 per tensor",
        QuantPlan(dict.fromkeys(names, PerChannelInt(4, "mse")), a_int),
    )
    for n in (8, 6, 4):
        add(
            f"W{n}A8 LP: LP<{n}> per layer (least MSE) / LP<8> per layer (calibrated)",
            QuantPlan(mse_lp[n], a_lp),
            formats={nm: str(f) for nm, f in mse_lp[n].items()},
            act_formats={nm: str(f) for nm, f in a_lp.items()},
        )
    fc_s = FitnessConfig(lam=0.1)
    base = np.array([calibrate_lp(model.weight_of(nm), 8) for nm in names], dtype=np.float64)
    for cap in dp_bits:
        r = run_sensitivity(prob, base, cap, fitness=fc_s, progress=False)
        genome = np.array([[g["n"], g["es"], g["rs"], g["sf"]] for g in r["layers"]], float)
        plan = prob.plan_for(genome, logposit_format)
        add(
            f"LP sensitivity DP (<= {cap:g} b, {r['evaluations']} evals)",
            QuantPlan(plan.weights),
            search="LP sensitivity DP",
            fitness=r["best_fitness"],
            formats={nm: str(f) for nm, f in plan.weights.items()},
        )
    if seeds:
        from dataclasses import replace

        ga = ga or GAConfig(population=16, generations=20, children=2)
        space = SearchSpace(sf=tuple(float(v) for v in range(0, 7)), max_avg_bits=6.0)
        bar = Progress(len(seeds), "magika GA", enabled=progress)
        for s in seeds:
            r = run_lpq(prob, space, replace(ga, seed=s), fc_s, progress=False)
            plan = prob.plan_for(r.best_genome, logposit_format)
            add(
                f"LPQ GA W-only (lam=0.1, <= 6 b, seed {s}, {r.evaluations} evals)",
                QuantPlan(plan.weights),
                search="LPQ GA W-only",
                seed=s,
                fitness=r.best_fitness,
                evaluations=r.evaluations,
                formats=[f["format"] for f in r.formats()],
            )
            bar.update(1)
        bar.close()
    miss: dict[tuple[str, str], int] = {}
    for (_, lab), q in zip(test, fp_pred, strict=True):
        if model.labels[int(q)] != lab:
            key = (lab, model.labels[int(q)])
            miss[key] = miss.get(key, 0) + 1
    confusions = [[a, b, c] for (a, b), c in sorted(miss.items(), key=lambda t: -t[1])]
    res = {
        "model": "magika 1.0.3 standard_v3_3",
        "rows": rows,
        "seconds": time.perf_counter() - t0,
        "test_files": int(len(y)),
        "labels_in_test": sorted({lab for _, lab in test}),
        "per_label": per_label,
        "bootstrap": B,
        "n_calib": n_calib,
        "seeds": list(seeds),
        "dp_bits": list(dp_bits),
        "files": [
            [package_key(p), lab, model.labels[int(q)]]
            for (p, lab), q in zip(test, fp_pred, strict=True)
        ],
        "fp32_confusions": confusions,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(res, indent=1))
    return res


def magika_table(res: dict) -> str:
    """Markdown table of :func:`run_magika_study` rows."""
    f = lambda c: f"{c[0]:.3f} [{c[1]:.3f}, {c[2]:.3f}]"  # noqa: E731
    lines = [
        "| configuration | avg weight bits | top-1 | top-1 drop vs FP32 | agreement with FP32 "
        "| files flipped (exact 95 % CI of agreement) |",
        "|---|---|---|---|---|---|",
    ]
    for r in res["rows"]:
        ex = r.get("agreement_exact95")
        flips = f"{r['disagreements']} [{ex[0]:.3f}, {ex[1]:.3f}]" if ex else ""
        lines.append(
            f"| {r['method']} | {r['avg_weight_bits']:.2f} | {f(r['top1'])} | "
            f"{f(r['top1_drop'])} | {f(r['agreement'])} | {flips} |"
        )
    return "\n".join(lines)
