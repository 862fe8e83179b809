"""Point values, 95 % bootstrap CIs and paired differences of the GPTQ rows before / after the
saturation fix (docs/lpq_results.md, "GPTQ-style rounding").  Run from the repository root:
``PYTHONPATH=. python results/lpq/gptq/paired_gptq.py OLD_ITEMS_DIR`` where OLD_ITEMS_DIR holds
the items of the rows before the fix (``git show <commit before the fix>:results/lpq/items/<f>``;
commit a00126e's parent has them)."""

import sys
from pathlib import Path

import numpy as np

from lognum.lpq.evaluate import load_items, metrics_from_items
from lognum.lpq.report import CI_METRICS, human_ratings_offline
from lognum.lpq.stats import _ci, draws, replicate_metrics

old = Path(sys.argv[1])
it = Path("results/lpq/items")
human = human_ratings_offline()
dr = draws(human, 200, 2000, 0)
ga = [it / f"ga_cap6_lam0.1_seed{s}.npz" for s in range(5)]
rows = {
    "GPTQ LP<6,0,5,4> (fixed)": [it / "baselines_LP_6,0,5,4_single_LP_n=6_+_GPTQ.npz"],
    "GPTQ LP<6,0,5,4> (before)": [old / "baselines_LP_6,0,5,4_single_LP_n=6_+_GPTQ.npz"],
    "GPTQ INT6 (fixed)": [it / "baselines_INT6_per-channel_mse_+_GPTQ.npz"],
    "GPTQ INT6 (before)": [old / "baselines_INT6_per-channel_mse_+_GPTQ.npz"],
    "GPTQ LP<4,1,2,4> (fixed)": [it / "baselines_LP_4,1,2,4_single_LP_n=4_+_GPTQ.npz"],
    "GPTQ LP<4,1,2,4> (before)": [old / "baselines_LP_4,1,2,4_single_LP_n=4_+_GPTQ.npz"],
    "GPTQ INT4 (fixed)": [it / "baselines_INT4_per-channel_mse_+_GPTQ.npz"],
    "GPTQ INT4 (before)": [old / "baselines_INT4_per-channel_mse_+_GPTQ.npz"],
    "INT6 per-channel absmax": [it / "baselines_INT6_per-channel_absmax.npz"],
    "INT4 per-channel mse": [it / "baselines_INT4_per-channel_mse.npz"],
    "LPQ GA (<= 6 b, 316 evals), mean of 5 seeds": ga,
}
S = {}
for k, fs in rows.items():
    its = [load_items(f) for f in fs]
    reps = [replicate_metrics(i, human, dr) for i in its]
    pts = [metrics_from_items(i, human) for i in its]
    S[k] = (
        {m: float(np.mean([p[m] for p in pts])) for m, _, _ in CI_METRICS},
        {m: np.mean([r[m] for r in reps], axis=0) for m, _, _ in CI_METRICS},
    )
print("| configuration | " + " | ".join(c[1] for c in CI_METRICS) + " |")
print("|---|" + "---|" * len(CI_METRICS))
for k in rows:
    p, r = S[k]
    cells = [
        f"{f.format(p[m])} [{f.format(_ci(r[m], 0.95)[0])}, {f.format(_ci(r[m], 0.95)[1])}]"
        for m, _, f in CI_METRICS
    ]
    print(f"| {k} | " + " | ".join(cells) + " |")
pairs = [
    ("GPTQ LP<6,0,5,4> (fixed)", "GPTQ LP<6,0,5,4> (before)"),
    ("GPTQ INT6 (fixed)", "GPTQ INT6 (before)"),
    ("GPTQ LP<4,1,2,4> (fixed)", "GPTQ LP<4,1,2,4> (before)"),
    ("GPTQ INT4 (fixed)", "GPTQ INT4 (before)"),
    ("GPTQ LP<6,0,5,4> (fixed)", "INT6 per-channel absmax"),
    ("GPTQ LP<6,0,5,4> (fixed)", "GPTQ INT6 (fixed)"),
    ("GPTQ LP<6,0,5,4> (fixed)", "LPQ GA (<= 6 b, 316 evals), mean of 5 seeds"),
    ("GPTQ LP<4,1,2,4> (fixed)", "GPTQ INT4 (fixed)"),
    ("GPTQ INT4 (fixed)", "INT4 per-channel mse"),
]
print()
print("| A | B | " + " | ".join(f"Δ {c[1]}" for c in CI_METRICS) + " |")
print("|---|---|" + "---|" * len(CI_METRICS))
for a, b in pairs:
    cells = []
    for m, _, _ in CI_METRICS:
        d = S[a][0][m] - S[b][0][m]
        lo, hi = _ci(S[a][1][m] - S[b][1][m], 0.95)
        cells.append(f"{d:+.4f} [{lo:+.4f}, {hi:+.4f}]" + ("*" if lo > 0 or hi < 0 else ""))
    print(f"| {a} | {b} | " + " | ".join(cells) + " |")
