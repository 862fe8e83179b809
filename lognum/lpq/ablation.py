"""Fitness ablation: which calibration loss ranks the held-out fidelity of saved configurations.

A full ablation would re-run every search with every loss; at about 0.5 CPU-s per fitness
evaluation that is out of this machine's budget.  This is the cheaper question a search
depends on: over the saved configurations (baselines with a rebuildable weight plan, and the
best genome of every saved search), does a calibration loss order the configurations the way
the held-out metrics do?  For every configuration the calibration representations are computed
once; then every loss variant is evaluated on them:

* ``contrastive`` -- the default reconstruction (InfoNCE, local + global, tau 0.3, centred;
  :mod:`lognum.lpq.fitness`), and its variants ``local only``, ``global only``,
  ``tau 0.1``, ``tau 1.0``, ``uncentred``;
* ``mse`` -- relative squared error ``sum ||z_q - z_fp||^2 / sum ||z_fp||^2`` of the same
  representations (local mean + global);
* ``cosine`` -- ``1 - mean cosine(z_q, z_fp)`` per sample (local mean + global);
* ``contrastive, 8 calibration texts`` -- the default loss on the first 8 of the 24 texts.

The result is the Spearman correlation of each loss with each held-out metric (a good
predictor of a higher-is-better metric gives a strongly *negative* value), over all
configurations and within the 5.5-6.5-bit band where the capped searches operate.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from lognum.lpq.fitness import FitnessConfig, contrastive_terms


def _flat(z):
    return np.asarray(z, dtype=np.float64).reshape(len(z), -1)


def loss_variants(reps_q: list, reps_fp: list) -> dict[str, float]:
    """Every loss variant of the module docstring for one configuration."""
    fc = FitnessConfig()
    out = {}
    loc, glob = contrastive_terms(reps_q, reps_fp, fc)
    out["contrastive (default)"] = loc + glob
    out["contrastive, local only"] = loc
    out["contrastive, global only"] = glob
    for tau in (0.1, 1.0):
        lo, gl = contrastive_terms(reps_q, reps_fp, replace(fc, tau=tau))
        out[f"contrastive, tau {tau:g}"] = lo + gl
    lo, gl = contrastive_terms(reps_q, reps_fp, replace(fc, center=False))
    out["contrastive, uncentred"] = lo + gl
    mse, cos = [], []
    for a, b in zip(reps_q, reps_fp, strict=True):
        a, b = _flat(a), _flat(b)
        mse.append(float(np.sum((a - b) ** 2) / np.sum(b**2)))
        c = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        cos.append(float(1 - np.mean(c)))
    out["mse distillation"] = float(np.mean(mse[:-1]) + mse[-1])
    out["cosine distillation"] = float(np.mean(cos[:-1]) + cos[-1])
    sub = [np.asarray(r)[:8] for r in reps_q], [np.asarray(r)[:8] for r in reps_fp]
    lo, gl = contrastive_terms(sub[0], sub[1], fc)
    out["contrastive, 8 calibration texts"] = lo + gl
    return out


def saved_configurations(d) -> list[tuple[str, float, object, dict]]:
    """``(label, avg bits, weight plan, held-out metrics)`` of every saved configuration whose
    plan can be rebuilt and whose per-item values exist."""
    import json
    from pathlib import Path

    from lognum.lpq.baselines import baseline_plan
    from lognum.lpq.evaluate import items_path, load_items, metrics_from_items
    from lognum.lpq.fitness import logposit_format
    from lognum.lpq.ga import LPQResult
    from lognum.lpq.problems import MiniLMProblem
    from lognum.lpq.report import human_ratings_offline, saved_baselines, saved_runs
    from lognum.nn.quant import WeightCache

    human = human_ratings_offline()
    prob = MiniLMProblem()
    names = prob.layer_names
    out = []
    for r in saved_baselines(d):
        p = items_path(d, f"baselines:{r['method']}")
        if "missing" in r or r.get("family") == "fp32" or not p.is_file():
            continue
        plan = baseline_plan(r, names)
        if plan is not None:
            plan.cache = WeightCache()
            out.append(
                (r["method"], r["eval"]["avg_bits"], plan, metrics_from_items(load_items(p), human))
            )
    for name, r in saved_runs(d):
        p = items_path(d, Path(name).stem)
        if "layers" not in r or not p.is_file() or (r["config"].get("space") or {}).get("acts"):
            continue
        res = LPQResult.from_json(json.dumps(r))
        plan = prob.plan_for(res.best_genome, logposit_format)
        out.append((name, r["avg_bits"], plan, metrics_from_items(load_items(p), human)))
    return out


def run_ablation(d, metrics=("cos_lee", "lee_pearson", "simlex999_spearman")) -> dict:
    """Loss variants of every saved configuration and their rank agreement with the
    held-out ``metrics`` (all configurations, and those with 5.5-6.5 average bits)."""
    from scipy import stats

    from lognum._progress import Progress
    from lognum.lpq.problems import MiniLMProblem

    prob = MiniLMProblem()
    st = prob.state()
    confs = saved_configurations(d)
    rows = []
    bar = Progress(len(confs), "fitness ablation")
    for label, bits, plan, ev in confs:
        reps = prob._reps(st["model"], plan)
        rows.append(
            {"config": label, "avg_bits": bits, **ev, "losses": loss_variants(reps, st["fp"])}
        )
        bar.update(1, label)
    bar.close()
    agree: dict = {}
    for band, sel in (
        ("all", lambda r: True),
        ("5.5-6.5 bits", lambda r: 5.5 <= r["avg_bits"] <= 6.5),
    ):
        rs = [r for r in rows if sel(r)]
        agree[band] = {"configurations": len(rs)}
        if len(rs) < 3:
            continue
        for loss in rs[0]["losses"]:
            v = [r["losses"][loss] for r in rs]
            agree[band][loss] = {
                m: float(stats.spearmanr(v, [r[m] for r in rs])[0]) for m in metrics
            }
    return {"rows": rows, "spearman": agree}
