"""Collect the saved LPQ results (``results/lpq/*.json``) into rows and a markdown table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

COLUMNS = (
    ("avg_bits", "avg bits/weight", "{:.2f}"),
    ("fitness", "fitness L_F", "{:.4f}"),
    ("cos_lee", "mean cos vs FP32 (Lee)", "{:.4f}"),
    ("lee_pearson", "Lee Pearson", "{:.4f}"),
    ("lee_spearman", "Lee Spearman", "{:.4f}"),
    ("polarity_cv_acc", "polarity CV acc", "{:.3f}"),
    ("polarity_zeroshot_acc", "polarity 0-shot acc", "{:.3f}"),
)


FAMILY_OF_METHOD = {
    "lpq-ga": "lpq",
    "random-search": "random",
    "lp-sensitivity-dp": "lp-dp",
    "hill-climb": "hill-climb",
    "greedy": "greedy",
}
SEARCH_LABEL = {
    "lpq": "LPQ GA",
    "random": "random search",
    "hill-climb": "hill climbing",
    "greedy": "greedy",
}
BASELINE_FAMILIES = ("fixed", "alps", "single-lp", "per-channel", "mx", "per-channel-lp")
SEARCH_FAMILIES = ("lpq", "random", "lp-dp", "hill-climb", "greedy", "lpq-wa")


def saved_baselines(d: str | Path) -> list[dict]:
    """The records of ``d/baselines*.json`` (``lognum lpq baselines``; ``baselines.json`` first,
    then the others by name), or ``[]``."""
    files = sorted(
        Path(d).glob("baselines*.json"), key=lambda f: (f.name != "baselines.json", f.name)
    )
    out: list[dict] = []
    for f in files:
        out += json.loads(f.read_text())
    return out


def saved_runs(d: str | Path) -> list[tuple[str, dict]]:
    """``(file name, record)`` of every saved search result in ``d`` (sorted by name): each
    JSON file except the ``baselines*`` and the ``bench*`` benchmark files."""
    out = []
    for f in sorted(Path(d).glob("*.json")):
        if not f.name.startswith(("baselines", "bench")):
            out.append((f.name, json.loads(f.read_text())))
    return out


def load_rows(d: str | Path) -> list[dict]:
    """One row per method/run: ``method``, ``family`` and the metrics of :data:`COLUMNS`."""
    rows: list[dict] = []
    for r in saved_baselines(d):
        row = {"method": r["method"], "family": r["family"]}
        if "missing" in r:
            row["missing"] = r["missing"]
        else:
            row.update(r.get("eval", {}))
            row["fitness"] = r.get("fitness")
            row["L_GL"] = r.get("L_GL")
        rows.append(row)
    for name, r in saved_runs(d):
        if "method" not in r or "eval" not in r:
            continue
        fam = FAMILY_OF_METHOD.get(r["method"], "random")
        acts = bool((r["config"].get("space") or {}).get("acts"))
        lam = r["config"]["fitness"]["lam"]
        seed = r["config"].get("ga", {}) or {}
        seed = seed.get("seed", r["config"].get("seed"))
        cap = (r["config"].get("space") or {}).get("max_avg_bits")
        cap = "" if cap is None else f", <= {cap:g} b"
        if fam == "lp-dp":
            label = f"LP per layer, sensitivity DP (lam={lam:g}{cap}, {r['evaluations']} evals)"
        else:
            label = f"{SEARCH_LABEL[fam]} (lam={lam:g}{cap}, seed {seed}, {r['evaluations']} evals)"
        if acts:
            an = r["config"]["space"].get("act_n") or ["n"]
            label = f"W+A (A{'/'.join(str(v) for v in an)}) " + label
            fam = "lpq-wa"
        row = {
            "method": label,
            "family": fam,
            "fitness": r["best_fitness"],
            "L_GL": r["best_terms"].get("L_GL"),
            "evaluations": r["evaluations"],
            "file": name,
            **r["eval"],
        }
        row["avg_bits"] = r["avg_bits"]
        rows.append(row)
    return rows


def results_table(d: str | Path) -> str:
    """Markdown table of every saved result (missing baselines listed with the reason)."""
    rows = load_rows(d)
    head = "| method | " + " | ".join(c[1] for c in COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 1)]
    for r in rows:
        if "missing" in r:
            lines.append(f"| {r['method']} | missing: {r['missing']} |" + " |" * (len(COLUMNS) - 1))
            continue
        cells = []
        for key, _, fmt in COLUMNS:
            v = r.get(key)
            cells.append(
                "" if v is None or (isinstance(v, float) and np.isnan(v)) else fmt.format(v)
            )
        lines.append(f"| {r['method']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def pareto_check(
    rows: list[dict], metrics: tuple[str, ...] = ("cos_lee", "lee_pearson")
) -> list[dict]:
    """For every searched (per-layer) row, the fixed-format baselines that beat it.

    * ``dominated_by``: baselines with *at most* the row's average bits that are at least as
      good on every metric and better on one (the Pareto reading of "not worse than any
      fixed-format baseline at equal or higher average bits": a row is fine when this is
      empty);
    * ``better_with_more_bits[m]``: baselines with *at least* the row's bits that are better on
      metric ``m`` (the strict reading: a <= 6-bit row would have to beat 8-bit formats).

    Baselines are the rows of :data:`BASELINE_FAMILIES` (missing ones are ignored).
    """
    base = [r for r in rows if r.get("family") in BASELINE_FAMILIES and "missing" not in r]
    out = []
    for r in rows:
        if r.get("family") not in SEARCH_FAMILIES:
            continue
        bits = r["avg_bits"]
        dom = []
        for b in base:
            ge = all(b[m] >= r[m] for m in metrics)
            gt = any(b[m] > r[m] for m in metrics)
            if b["avg_bits"] <= bits + 1e-9 and ge and gt:
                dom.append(b["method"])
        more = {
            m: [b["method"] for b in base if b["avg_bits"] >= bits - 1e-9 and b[m] > r[m]]
            for m in metrics
        }
        out.append(
            {
                "method": r["method"],
                "avg_bits": bits,
                **{m: r[m] for m in metrics},
                "dominated_by": dom,
                "better_with_more_bits": more,
            }
        )
    return out


def goals_table(rows: list[dict], max_bits: float = 6.0, rel: float = 0.01) -> str:
    """Markdown check of the LPQ goal (a) for every searched row: ``<= max_bits`` average
    weight bits, mean cosine >= 0.99, Lee Pearson within ``rel`` of FP32, and not dominated
    by a fixed-format baseline (:func:`pareto_check`)."""
    fp = next((r for r in rows if r.get("family") == "fp32"), None)
    if fp is None:
        raise ValueError("the rows need the FP32 record (baselines.json) for the Pearson goal")
    lo = fp["lee_pearson"] * (1 - rel)
    lines = [
        f"| method | bits <= {max_bits:g} | cos >= 0.99 | Pearson >= {lo:.4f} | "
        "dominated by (<= bits) | beat on cos by (>= bits) |",
        "|---|---|---|---|---|---|",
    ]
    yes = {True: "yes", False: "**no**"}
    for c in pareto_check(rows):
        lines.append(
            f"| {c['method']} | {yes[c['avg_bits'] <= max_bits + 1e-9]} "
            f"({c['avg_bits']:.2f}) | {yes[c['cos_lee'] >= 0.99]} ({c['cos_lee']:.4f}) | "
            f"{yes[c['lee_pearson'] >= lo]} ({c['lee_pearson']:.4f}) | "
            f"{', '.join(c['dominated_by']) or 'none'} | "
            f"{len(c['better_with_more_bits']['cos_lee'])} baselines |"
        )
    return "\n".join(lines)


def fidelity_points(d: str | Path, bits: tuple[float, float] = (5.5, 6.0)) -> list[dict]:
    """Every saved configuration with ``bits[0] <= avg bits <= bits[1]`` and both a calibration
    ``L_GL`` and held-out metrics: the GA / random / DP results, the single-LP baselines and the
    base, allocation and perturbed samples of ``sensitivity.json``.  Each point is a dict with
    ``source``, ``avg_bits``, ``L_GL``, ``cos_lee``, ``lee_pearson``.
    """
    pts: list[dict] = []

    def add(src, bits_, lgl, ev):
        if bits[0] - 1e-9 <= bits_ <= bits[1] + 1e-9 and lgl is not None:
            pts.append(
                {
                    "source": src,
                    "avg_bits": float(bits_),
                    "L_GL": float(lgl),
                    "cos_lee": ev["cos_lee"],
                    "lee_pearson": ev["lee_pearson"],
                }
            )

    for r in saved_baselines(d):
        if r.get("family") == "single-lp":
            add(r["method"], r["eval"]["avg_bits"], r.get("L_GL"), r["eval"])
    for name, r in saved_runs(d):
        if "eval" not in r or "best_terms" not in r:
            continue
        add(name, r["avg_bits"], r["best_terms"].get("L_GL"), r["eval"])
        s = r.get("sensitivity")
        if s and "base_eval" in s:
            add(f"{name}:base", s["base_avg_bits"], s["base_L_GL"], s["base_eval"])
            for which, v in s.get("metric_noise", {}).items():
                for k, rec in enumerate(v["samples"]):
                    add(f"{name}:{which}-perturbed-{k}", rec["avg_bits"], rec["L_GL"], rec)
    return pts


def metric_agreement(d: str | Path, bits: tuple[float, float] = (5.5, 6.0)) -> dict:
    """How well the calibration loss ``L_GL`` predicts each held-out metric among the saved
    configurations of :func:`fidelity_points`: Spearman rank correlations (a good predictor
    of the cosine gives a strongly negative value: lower loss, higher cosine) and the range of
    each metric."""
    from scipy import stats

    pts = fidelity_points(d, bits)
    if len(pts) < 3:
        raise ValueError(f"need at least 3 saved configurations in {bits} bits, got {len(pts)}")
    lgl = [p["L_GL"] for p in pts]
    out: dict = {"points": len(pts), "bits": list(bits)}
    for m in ("cos_lee", "lee_pearson"):
        v = [p[m] for p in pts]
        out[m] = {
            "spearman_vs_L_GL": float(stats.spearmanr(lgl, v)[0]),
            "min": float(min(v)),
            "max": float(max(v)),
            "mean": float(np.mean(v)),
            "std": float(np.std(v, ddof=1)),
        }
    return out


# ----------------------------------------------------------------------------------------
# Confidence intervals: per-item values saved beside the results (items/*.npz)
# ----------------------------------------------------------------------------------------

CI_METRICS = (
    ("cos_lee", "cos Lee", "{:.4f}"),
    ("lee_pearson", "Lee Pearson", "{:.3f}"),
    ("wordsim353_spearman", "WS-353 rho", "{:.3f}"),
    ("simlex999_spearman", "SimLex rho", "{:.3f}"),
    ("polarity_cv_acc", "polarity CV", "{:.3f}"),
    ("polarity_zeroshot_acc", "polarity 0-shot", "{:.3f}"),
)


def reevaluate_runs(
    d: str | Path, force: bool = False, progress: bool = True, pattern: str = "*"
) -> list[str]:
    """Evaluate every saved search result in ``d`` again (all metrics incl. the word sets)
    and save its per-item values under ``d/items``; files whose items exist are skipped
    unless ``force``; only the files matching the glob ``pattern``.  Returns the names of the
    files evaluated."""
    from lognum._progress import Progress
    from lognum.lpq.evaluate import evaluate_minilm, items_path, save_items
    from lognum.lpq.fitness import logposit_format
    from lognum.lpq.ga import LPQResult
    from lognum.lpq.problems import MiniLMProblem

    todo = []
    for name, r in saved_runs(d):
        if not Path(name).match(pattern):
            continue
        if "layers" not in r or r["config"]["problem"]["class"] != "MiniLMProblem":
            continue
        if force or not items_path(d, Path(name).stem).is_file():
            todo.append(name)
    bar = Progress(len(todo), "re-evaluate", enabled=progress)
    for name in todo:
        f = Path(d) / name
        rec = json.loads(f.read_text())
        res = LPQResult.from_json(f)
        cfg = {k: v for k, v in rec["config"]["problem"].items() if k != "class"}
        prob = MiniLMProblem(**cfg)
        items: dict = {}
        plan = prob.plan_for(res.best_genome, logposit_format)
        rec["eval"] = evaluate_minilm(prob.state()["model"], plan, items_out=items)
        save_items(items_path(d, f.stem), items)
        f.write_text(json.dumps(rec, indent=1))
        bar.update(1, name)
    bar.close()
    return todo


def row_items_path(d: str | Path, row: dict) -> Path:
    """The items file of a row of :func:`load_rows`."""
    from lognum.lpq.evaluate import items_path

    if "file" in row:
        return items_path(d, Path(row["file"]).stem)
    return items_path(d, f"baselines:{row['method']}")


def human_ratings_offline() -> dict[str, np.ndarray]:
    """The human ratings of the Lee pairs and the word sets (read from the gensim data)."""
    from lognum.nn.data import load_lee, load_word_pairs

    _, h = load_lee()
    out = {"lee": h[np.triu_indices(len(h), 1)]}
    for ws in ("wordsim353", "simlex999"):
        out[ws] = load_word_pairs(ws)[1]
    return out


def ci_rows(d: str | Path, B: int = 2000, seed: int = 0) -> tuple[list[dict], dict]:
    """Rows of :func:`load_rows` that have items, each with ``ci[metric] = [point, lo, hi]``
    (:func:`lognum.lpq.stats.bootstrap_cis`); also returns the shared replicate draws."""
    from lognum.lpq.evaluate import load_items, metrics_from_items
    from lognum.lpq.stats import bootstrap_cis, draws

    human = human_ratings_offline()
    dr = draws(human, 200, B, seed)
    out = []
    for row in load_rows(d):
        p = row_items_path(d, row)
        if "missing" in row or not p.is_file():
            continue
        it = load_items(p)
        pt = metrics_from_items(it, human)
        row = {**row, **pt, "items": it, "ci": bootstrap_cis(it, human, pt, dr)}
        out.append(row)
    return out, {"human": human, "draws": dr}


def _cell(c, fmt: str) -> str:
    return f"{fmt.format(c[0])} [{fmt.format(c[1])}, {fmt.format(c[2])}]"


def ci_table(rows: list[dict]) -> str:
    """Markdown table: bits, calibration L_GL and every metric with its 95 % bootstrap CI."""
    head = "| method | bits/weight | L_GL (calib) | " + " | ".join(c[1] for c in CI_METRICS)
    lines = [head + " |", "|" + "---|" * (len(CI_METRICS) + 3)]
    for r in rows:
        lgl = r.get("L_GL")
        cells = [_cell(r["ci"][k], f) if k in r["ci"] else "" for k, _, f in CI_METRICS]
        lg = "" if lgl is None else f"{lgl:.4f}"
        lines.append(f"| {r['method']} | {r['avg_bits']:.3f} | {lg} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def group_row(members: list[dict], label: str) -> dict:
    """A pseudo-row for several runs (e.g. the seeds of one search): point metrics and
    replicates are the means over ``members`` (the interval then counts the evaluation items'
    uncertainty of the seed-averaged method; the seeds' own spread is reported separately)."""
    keys = [k for k, _, _ in CI_METRICS if all(k in m for m in members)]
    return {
        "method": label,
        "members": members,
        "avg_bits": float(np.mean([m.get("avg_bits", np.nan) for m in members])),
        **{k: float(np.mean([m[k] for m in members])) for k in keys},
    }


def replicates(row: dict, ctx: dict) -> dict[str, np.ndarray]:
    """Replicate metrics of a row (cached in the row; a group row averages its members)."""
    from lognum.lpq.stats import replicate_metrics

    if "_rep" not in row:
        if "members" in row:
            reps = [replicates(m, ctx) for m in row["members"]]
            row["_rep"] = {k: np.mean([r[k] for r in reps], axis=0) for k in reps[0]}
        else:
            row["_rep"] = replicate_metrics(row["items"], ctx["human"], ctx["draws"])
    return row["_rep"]


def paired(a: dict, b: dict, ctx: dict, level: float = 0.95) -> dict[str, list[float]]:
    """``{metric: [A - B, lo, hi]}``: paired bootstrap (same replicates for both rows)."""
    ra, rb = replicates(a, ctx), replicates(b, ctx)
    q = (1 - level) / 2
    out = {}
    for k in ra:
        if k in rb and k in a and k in b:
            lo, hi = np.quantile(ra[k] - rb[k], [q, 1 - q])
            out[k] = [float(a[k] - b[k]), float(lo), float(hi)]
    return out


def paired_table(pairs: list[tuple[dict, dict]], ctx: dict) -> str:
    """Markdown table of ``A - B`` with paired-bootstrap 95 % CIs for each ``(A, B)`` pair of
    rows (a ``*`` marks an interval that excludes zero)."""
    lines = [
        "| A | B | " + " | ".join(f"Δ {c[1]}" for c in CI_METRICS) + " |",
        "|---|---|" + "---|" * len(CI_METRICS),
    ]
    for a, b in pairs:
        diff = paired(a, b, ctx)
        cells = []
        for k, _, _ in CI_METRICS:
            if k not in diff:
                cells.append("")
                continue
            v, lo, hi = diff[k]
            star = "*" if lo > 0 or hi < 0 else ""
            cells.append(f"{v:+.4f} [{lo:+.4f}, {hi:+.4f}]{star}")
        lines.append(f"| {a['method']} | {b['method']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _setting(row: dict) -> str | None:
    """The search setting of a run row (method, lam, cap, budget), without the seed."""
    if row.get("family") not in SEARCH_FAMILIES or "file" not in row:
        return None
    import re

    return re.sub(r", seed \d+", "", row["method"])


def seed_groups(rows: list[dict]) -> dict[str, list[dict]]:
    """Run rows grouped by search setting (one member per seed)."""
    out: dict[str, list[dict]] = {}
    for r in rows:
        k = _setting(r)
        if k is not None:
            out.setdefault(k, []).append(r)
    return out


def seeds_table(groups: dict[str, list[dict]]) -> str:
    """Per search setting: seeds, and the mean over seeds with a bootstrap interval over the
    seeds (:func:`lognum.lpq.stats.seed_mean_ci`) of the fitness, L_GL, bits and metrics."""
    from lognum.lpq.stats import seed_mean_ci

    cols = (
        ("fitness", "{:.4f}"),
        ("L_GL", "{:.4f}"),
        ("avg_bits", "{:.2f}"),
        ("cos_lee", "{:.4f}"),
        ("lee_pearson", "{:.4f}"),
        ("simlex999_spearman", "{:.4f}"),
    )
    lines = [
        "| search | seeds | " + " | ".join(c for c, _ in cols) + " |",
        "|---|---|" + "---|" * len(cols),
    ]
    for k, ms in groups.items():
        cells = []
        for c, f in cols:
            v = [m[c] for m in ms if m.get(c) is not None]
            if not v:
                cells.append("")
                continue
            m, lo, hi = seed_mean_ci(v)
            cells.append(f"{f.format(m)} [{f.format(lo)}, {f.format(hi)}]")
        lines.append(f"| {k} | {len(ms)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _find(rows: list[dict], method: str) -> dict | None:
    return next((r for r in rows if r["method"] == method), None)


def goal_within(rows: list[dict], ctx: dict, ref: dict, rel: float = 0.01) -> str:
    """For each row: every metric's paired difference to ``ref`` (FP32) relative to the FP32
    value, with its CI.  Two readings: "points" -- every point estimate within ``rel``;
    "CIs" -- every interval's lower end above ``-rel`` (demonstrated within ``rel``)."""
    keys = [k for k, _, _ in CI_METRICS]
    lines = [
        "| configuration | bits | "
        + " | ".join(c[1] for c in CI_METRICS)
        + f" | points within {rel:.0%} | CIs within {rel:.0%} |",
        "|---|---|" + "---|" * (len(CI_METRICS) + 2),
    ]
    for r in rows:
        d = paired(r, ref, ctx)
        ok = pt = True
        cells = []
        for k in keys:
            if k not in d:
                cells.append("")
                continue
            v, lo, hi = (x / abs(ref[k]) for x in d[k])
            ok &= lo > -rel
            pt &= v > -rel
            cells.append(f"{v:+.2%} [{lo:+.2%}, {hi:+.2%}]")
        yes = {True: "met", False: "**not met**"}
        lines.append(
            f"| {r['method']} | {r['avg_bits']:.2f} | "
            + " | ".join(cells)
            + f" | {yes[pt]} | {yes[ok]} |"
        )
    return "\n".join(lines)


def research_report(d: str | Path, B: int = 2000, seed: int = 0) -> str:
    """The full markdown report of ``d``: every configuration with 95 % bootstrap CIs, the
    seeds of every search, paired comparisons (LP vs per-channel INT / MX at equal bits, GA vs
    random search) and the W+A within-1 %-of-FP32 check."""
    rows, ctx = ci_rows(d, B, seed)
    out = ["## Every configuration (95 % bootstrap CIs)\n", ci_table(rows)]
    groups = seed_groups(rows)
    if groups:
        out += [
            "\n## Searches over seeds (mean [95 % bootstrap CI over seeds])\n",
            seeds_table(groups),
            "\n## GA vs the other searches at equal budget, paired by seed (fitness)\n",
            seed_paired_fitness(groups),
            "\n## Convergence: best fitness after e evaluations, mean [min, max] over seeds\n",
            convergence_table(d),
        ]
    pairs = []
    int6 = [_find(rows, m) for m in ("INT6 per-channel absmax", "INT6 per-channel mse")]
    mx6 = _find(rows, "MXFP6 e2m3")
    refs = [r for r in (*int6, mx6) if r is not None]
    hawq = [r for r in rows if r.get("family") == "hawq"]
    for k, ms in groups.items():
        if "<= 6 b" in k and len(ms) > 1 and ms[0].get("family") != "lpq-wa":
            g = group_row(ms, f"{k}, mean of {len(ms)} seeds")
            best = min(ms, key=lambda r: r["fitness"])
            best = {**best, "method": best["method"] + " (lowest calibration fitness)"}
            pairs += [(g, b) for b in refs] + [(best, b) for b in refs]
            if k.startswith("LPQ GA"):
                pairs += [(g, h) for h in hawq]
    lp6 = _find(rows, "single LP n=6")
    pc6 = _find(rows, "LP n=6 per-channel sf (lognum extension)")
    ga_pc = _find(rows, "LPQ GA genome (<= 6 b) + per-channel sf (lognum extension)")
    for a in (lp6, pc6, ga_pc, *hawq):
        if a is not None:
            pairs += [(a, b) for b in refs]
    ga = {k: v for k, v in groups.items() if k.startswith("LPQ GA")}
    for other in ("random search", "hill climbing", "greedy"):
        rnd = {k.replace(other, "LPQ GA"): (k, v) for k, v in groups.items() if k.startswith(other)}
        for k, ms in ga.items():
            if k in rnd and len(ms) > 1:
                ko, mo = rnd[k]
                pairs.append(
                    (
                        group_row(ms, f"{k}, mean of {len(ms)} seeds"),
                        group_row(mo, f"{ko}, mean of {len(mo)} seeds"),
                    )
                )
    if pairs:
        out += [
            "\n## Paired differences A − B (95 % paired-bootstrap CIs; * excludes 0)\n",
            paired_table(pairs, ctx),
        ]
    wa_pairs = joint_wa_pairs(rows, groups)
    if wa_pairs:
        out += [
            "\n## Joint W+A search vs the W-only GA and the W+A baselines "
            "(A − B, 95 % paired-bootstrap CIs; * excludes 0)\n",
            paired_table(wa_pairs, ctx),
        ]
    fp = _find(rows, "FP32")
    wa = [r for r in rows if r.get("family") in ("w+a", "lpq-wa")]
    wa += [
        group_row(ms, f"{k}, mean of {len(ms)} seeds")
        for k, ms in groups.items()
        if ms[0].get("family") == "lpq-wa" and len(ms) > 1
    ]
    if fp is not None and wa:
        out += [
            "\n## W+A: difference to FP32 relative to the FP32 value (95 % paired CIs)\n",
            goal_within(wa, ctx, fp),
        ]
    return "\n".join(out) + "\n"


#: W+A baseline rows the joint W+A search is compared with (those that are saved).
WA_REFERENCES = (
    "W6A8 LP: LPQ GA genome (<= 6 b) / LP<8> per layer (calibrated)",
    "W6A8 LP: LP<6,0,5,4> / LP<8> per layer (calibrated)",
    "W6A8 INT per-channel mse / per-token INT8",
    "W8A8 LP: LP<8,0,7,4> / LP<8> per layer (calibrated)",
    "W8A8 INT per-channel absmax / per-token INT8",
    "MXFP6 weights + activations",
)


def joint_wa_pairs(rows: list[dict], groups: dict[str, list[dict]]) -> list[tuple[dict, dict]]:
    """``(A, B)`` rows for the joint W+A GA: its seed mean against the W-only GA of the same
    setting (mean over the same seeds) and against each saved row of :data:`WA_REFERENCES`."""
    import re

    seed_of = lambda r: int(re.search(r"seed (\d+)", r["method"])[1])  # noqa: E731
    pairs = []
    for k, ms in groups.items():
        if ms[0].get("family") != "lpq-wa" or len(ms) < 2:
            continue
        g = group_row(ms, f"{k}, mean of {len(ms)} seeds")
        w_only = groups.get(re.sub(r"^W\+A \(A[^)]*\) ", "", k), [])
        seeds = {seed_of(r) for r in ms}
        same = [r for r in w_only if seed_of(r) in seeds]
        if len(same) == len(ms):
            w_key = re.sub(r"^W\+A \(A[^)]*\) ", "", k)
            pairs.append((g, group_row(same, f"{w_key} (weights only), mean of {len(same)} seeds")))
        for m in WA_REFERENCES:
            b = _find(rows, m)
            if b is not None:
                pairs.append((g, b))
    return pairs


def _best_at(history: list[dict], e: int) -> float:
    """Best fitness after ``e`` evaluations (the last history entry with <= e)."""
    v = [h["best_fitness"] for h in history if h["evaluations"] <= e]
    return v[-1] if v else float("nan")


def convergence_table(d: str | Path) -> str:
    """Best calibration fitness vs evaluations per search setting: mean over seeds and the
    band [min, max] over seeds at equal evaluation budgets (one table per budget)."""
    runs: dict[str, list[dict]] = {}
    for row in load_rows(d):
        k = _setting(row)
        if k is not None and row.get("family") != "lp-dp":
            runs.setdefault(k, []).append(json.loads((Path(d) / row["file"]).read_text()))
    by_budget: dict[int, list[str]] = {}
    for k, rs in runs.items():
        by_budget.setdefault(min(r["evaluations"] for r in rs), []).append(k)
    out = []
    for budget, keys in sorted(by_budget.items()):
        cps = {56, budget // 4, budget // 2, 3 * budget // 4, budget}
        cps = tuple(sorted(c for c in cps if 0 < c <= budget))
        lines = [
            "| search | seeds | " + " | ".join(f"e = {c}" for c in cps) + " |",
            "|---|---|" + "---|" * len(cps),
        ]
        for k in keys:
            rs = runs[k]
            cells = []
            for c in cps:
                v = np.array([_best_at(r["history"], c) for r in rs])
                cells.append(f"{np.mean(v):.4f} [{np.min(v):.4f}, {np.max(v):.4f}]")
            lines.append(f"| {k} | {len(rs)} | " + " | ".join(cells) + " |")
        out.append("\n".join(lines))
    return "\n\n".join(out)


def seed_paired_fitness(groups: dict[str, list[dict]]) -> str:
    """GA minus each other search of the same setting, paired by seed (calibration fitness):
    the per-seed differences and their mean with a bootstrap interval over seeds."""
    from lognum.lpq.stats import seed_mean_ci

    seed_of = lambda r: int(r["method"].split("seed ")[1].split(",")[0])  # noqa: E731
    lines = [
        "| GA setting | vs | seeds | GA − other per seed | mean [95 % CI over seeds] |",
        "|---|---|---|---|---|",
    ]
    for k, ms in groups.items():
        if not k.startswith("LPQ GA"):
            continue
        ga = {seed_of(r): r["fitness"] for r in ms}
        for other in ("random search", "hill climbing", "greedy"):
            ko = k.replace("LPQ GA", other)
            if ko not in groups:
                continue
            ot = {seed_of(r): r["fitness"] for r in groups[ko]}
            common = sorted(set(ga) & set(ot))
            if len(common) < 2:
                continue
            diff = [ga[s] - ot[s] for s in common]
            m, lo, hi = seed_mean_ci(diff)
            lines.append(
                f"| {k} | {other} | {len(common)} | "
                + ", ".join(f"{x:+.4f}" for x in diff)
                + f" | {m:+.4f} [{lo:+.4f}, {hi:+.4f}] |"
            )
    return "\n".join(lines)
