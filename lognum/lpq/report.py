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


def load_rows(d: str | Path) -> list[dict]:
    """One row per method/run: ``method``, ``family`` and the metrics of :data:`COLUMNS`."""
    d = Path(d)
    rows: list[dict] = []
    bl = d / "baselines.json"
    if bl.is_file():
        for r in json.loads(bl.read_text()):
            row = {"method": r["method"], "family": r["family"]}
            if "missing" in r:
                row["missing"] = r["missing"]
            else:
                row.update(r.get("eval", {}))
                row["fitness"] = r.get("fitness")
            rows.append(row)
    for f in sorted(d.glob("*.json")):
        if f.name == "baselines.json" or f.name.startswith("bench"):
            continue
        r = json.loads(f.read_text())
        if "method" not in r or "eval" not in r:
            continue
        fam = "lpq" if r["method"] == "lpq-ga" else "random"
        lam = r["config"]["fitness"]["lam"]
        seed = r["config"].get("ga", {}) or {}
        seed = seed.get("seed", r["config"].get("seed"))
        row = {
            "method": f"{'LPQ GA' if fam == 'lpq' else 'random search'} "
            f"(lam={lam:g}, seed {seed}, {r['evaluations']} evals)",
            "family": fam,
            "fitness": r["best_fitness"],
            "evaluations": r["evaluations"],
            "file": f.name,
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
