"""Fitness ablations as re-run searches: held-out metrics of each variant's selected genome.

:mod:`lognum.lpq.ablation` asks whether a loss *ranks* saved configurations like the held-out
metrics do.  This module reads the other kind of ablation: the GA re-run with a changed
fitness (``lognum lpq run --distill mse``, ``--w-global 0``, ``--tau 1.0``, ``--n-calib 12``,
``--lam 0.6`` without ``--max-bits`` ...), one JSON per variant and seed, named
``<variant>_seed<S>.json`` in one folder, each evaluated on the held-out sets with per-item
values (``lognum lpq evaluate --only runs <folder>``).

For every variant the table gives the mean over its seeds of each held-out metric with a 95 %
bootstrap interval over the evaluation items (the replicates of each seed's configuration
averaged over the seeds, as :func:`lognum.lpq.report.group_row` does), and the paired
difference to the *default* search on the same seeds and budget (``default_seed<S>.json`` in
the same folder unless told otherwise: contrastive, local + global, tau 0.3, 24 x 48
calibration tokens, lam 0.1 under a 6-bit cap), both on the same replicates
(:func:`lognum.lpq.stats.replicate_metrics`).  The interval counts the evaluation items'
uncertainty of the seed-averaged variant, not the seeds' spread: the JSON keeps every seed's
range and per-seed differences, and the difference table lists the per-seed differences in
the Lee cosine (read a difference as real only if its interval excludes zero *and* the seeds
agree in sign).
Each selected genome is also scored with the *default* calibration loss ``L_GL`` (so that the
variants' choices are compared on one calibration scale; the variants' own fitness values are
on different scales).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

#: Known variant prefixes (file name before ``_seed<S>``) and their labels, in table order.
VARIANTS: dict[str, str] = {
    "mse": "MSE distillation (local + global)",
    "cosine": "cosine distillation (local + global)",
    "local_only": "contrastive, local terms only",
    "global_only": "contrastive, global term only",
    "tau0.1": "contrastive, tau 0.1",
    "tau1.0": "contrastive, tau 1.0",
    "calib12x48": "calibration 12 x 48 tokens (half)",
    "calib48x48": "calibration 48 x 48 tokens (double)",
    "nocap_lam0.15": "no cap, lam 0.15",
    "nocap_lam0.3": "no cap, lam 0.3",
    "nocap_lam0.6": "no cap, lam 0.6",
}

_SEED = re.compile(r"^(?P<variant>.+)_seed(?P<seed>\d+)\.json$")


def variant_files(d: str | Path) -> dict[str, dict[int, Path]]:
    """``{variant: {seed: path}}`` of the ``<variant>_seed<S>.json`` files in ``d``."""
    out: dict[str, dict[int, Path]] = {}
    for f in sorted(Path(d).glob("*_seed*.json")):
        m = _SEED.match(f.name)
        if m:
            out.setdefault(m["variant"], {})[int(m["seed"])] = f
    return out


def _load(f: Path, human: dict) -> dict | None:
    """A run's record with its per-item values and point metrics (``None`` without items)."""
    from lognum.lpq.evaluate import items_path, load_items, metrics_from_items

    p = items_path(f.parent, f.stem)
    if not p.is_file():
        return None
    rec = json.loads(f.read_text())
    it = load_items(p)
    return {"rec": rec, "items": it, **metrics_from_items(it, human)}


def default_lgl(recs: list[dict]) -> list[float]:
    """``L_GL`` of the default fitness (contrastive, tau 0.3, 24 x 48 calibration tokens) of
    each record's selected genome."""
    from lognum.lpq.fitness import FitnessConfig, logposit_format
    from lognum.lpq.ga import LPQResult
    from lognum.lpq.problems import MiniLMProblem

    prob = MiniLMProblem()
    fc = FitnessConfig()
    out = []
    for r in recs:
        g = LPQResult.from_json(json.dumps(r)).best_genome
        loc, glob = prob.loss_terms(prob.plan_for(g, logposit_format), fc)
        out.append(fc.w_local * loc + fc.w_global * glob)
    return out


def ablation_runs_report(
    runs_dir: str | Path,
    ref_dir: str | Path,
    ref_pattern: str = "default_seed{seed}.json",
    B: int = 2000,
    seed: int = 0,
    with_lgl: bool = True,
) -> tuple[str, dict]:
    """Markdown tables (variants with CIs; differences to the default with paired CIs) and
    the numbers behind them.  ``ref_pattern`` names the default run of a seed in
    ``ref_dir``; a variant is compared on the seeds both have."""
    from lognum.lpq.report import CI_METRICS, human_ratings_offline
    from lognum.lpq.stats import _ci, draws, replicate_metrics

    human = human_ratings_offline()
    dr = draws(human, 200, B, seed)
    keys = [k for k, _, _ in CI_METRICS]
    runs = variant_files(runs_dir)
    if Path(ref_dir).resolve() == Path(runs_dir).resolve():  # the default lives beside them
        runs.pop(ref_pattern.split("_seed")[0], None)
    order = [v for v in VARIANTS if v in runs] + sorted(v for v in runs if v not in VARIANTS)
    ref_cache: dict[int, dict | None] = {}

    def ref(s: int) -> dict | None:
        if s not in ref_cache:
            f = Path(ref_dir) / ref_pattern.format(seed=s)
            ref_cache[s] = _load(f, human) if f.is_file() else None
        return ref_cache[s]

    def summary(members: list[dict]) -> dict:
        reps = [replicate_metrics(m["items"], human, dr) for m in members]
        rep = {k: np.mean([r[k] for r in reps], axis=0) for k in keys}
        pt = {k: float(np.mean([m[k] for m in members])) for k in keys}
        return {
            "point": pt,
            "rep": rep,
            "range": {k: [min(m[k] for m in members), max(m[k] for m in members)] for k in keys},
        }

    result: dict = {"variants": {}, "B": B, "seed": seed, "ref_pattern": ref_pattern}
    all_seeds = sorted({s for v in order for s in runs[v]})
    refs_all = [r for s in all_seeds if (r := ref(s)) is not None]
    rows = []
    if refs_all:
        rows.append(
            (
                "default (contrastive, local + global, tau 0.3, 24 x 48, lam 0.1, <= 6 b)",
                [s for s in all_seeds if ref(s) is not None],
                refs_all,
                None,
            )
        )
    for v in order:
        ms = {s: m for s, f in sorted(runs[v].items()) if (m := _load(f, human)) is not None}
        if ms:
            rows.append((VARIANTS.get(v, v), sorted(ms), list(ms.values()), v))
    head = (
        "| variant | seeds | avg bits | default L_GL | "
        + " | ".join(c[1] for c in CI_METRICS)
        + " |"
    )
    t1 = [head, "|---|---|---|---|" + "---|" * len(keys)]
    t2 = [
        "| variant − default | seeds | "
        + " | ".join(f"Δ {c[1]}" for c in CI_METRICS)
        + " | Δ cos Lee per seed |",
        "|---|---|" + "---|" * (len(keys) + 1),
    ]
    for label, seeds, members, v in rows:
        sm = summary(members)
        bits = float(np.mean([m["rec"]["avg_bits"] for m in members]))
        lgl = default_lgl([m["rec"] for m in members]) if with_lgl else []
        entry: dict = {
            "label": label,
            "seeds": seeds,
            "avg_bits": bits,
            "avg_bits_per_seed": [m["rec"]["avg_bits"] for m in members],
            "default_L_GL_per_seed": lgl,
            "metrics": {},
            "diff_vs_default": {},
        }
        cells = []
        for k, _, f in CI_METRICS:
            lo, hi = _ci(sm["rep"][k], 0.95)
            entry["metrics"][k] = {
                "mean": sm["point"][k],
                "ci": [lo, hi],
                "seed_range": sm["range"][k],
            }
            cells.append(f"{f.format(sm['point'][k])} [{f.format(lo)}, {f.format(hi)}]")
        lg = f"{np.mean(lgl):.4f}" if lgl else ""
        t1.append(f"| {label} | {len(seeds)} | {bits:.3f} | {lg} | " + " | ".join(cells) + " |")
        if v is not None:
            common = [s for s in seeds if ref(s) is not None]
            if common:
                a = summary([m for s, m in zip(seeds, members, strict=True) if s in common])
                b = summary([ref(s) for s in common])
                dcells = []
                for k, _, _ in CI_METRICS:
                    d = a["point"][k] - b["point"][k]
                    lo, hi = _ci(a["rep"][k] - b["rep"][k], 0.95)
                    entry["diff_vs_default"][k] = [d, lo, hi]
                    star = "*" if lo > 0 or hi < 0 else ""
                    dcells.append(f"{d:+.4f} [{lo:+.4f}, {hi:+.4f}]{star}")
                entry["diff_seeds"] = common
                by_seed = dict(zip(seeds, members, strict=True))
                entry["diff_per_seed"] = {
                    k: [by_seed[s][k] - ref(s)[k] for s in common] for k in keys
                }
                per = ", ".join(f"{v:+.4f}" for v in entry["diff_per_seed"]["cos_lee"])
                t2.append(f"| {label} | {len(common)} | " + " | ".join(dcells) + f" | {per} |")
        result["variants"][v or "default"] = entry
    md = "\n".join(t1) + "\n\n" + "\n".join(t2) + "\n"
    return md, result
