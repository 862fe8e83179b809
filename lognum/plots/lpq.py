"""Figures of the LPQ search on all-MiniLM-L6-v2, rendered from the saved JSON results.

* :func:`pareto` -- average bits per weight vs mean embedding cosine (to FP32) and vs Lee
  Pearson r, every method (fixed formats, AdaptivFloat, posits, ALPS, single LP, random
  search, the sensitivity-DP allocation, LPQ GA);
* :func:`convergence` -- best fitness vs fitness evaluations, GA vs random search, per seed;
* :func:`sensitivity` -- the per-layer cost table of ``sensitivity.json`` and, for every saved
  5.5-6-bit configuration, how the calibration loss relates to the held-out cosine and to the
  Lee Pearson correlation.

:func:`render_all` reads ``results/lpq`` of the source tree (or ``results_dir``); it never runs
a model, so it is fast.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["convergence", "pareto", "render_all", "sensitivity"]

RESULTS = Path(__file__).resolve().parents[2] / "results" / "lpq"

_MARKERS = {
    "fixed": ("s", "#0072B2"),
    "alps": ("^", "#009E73"),
    "single-lp": ("D", "#E69F00"),
    "random": ("x", "#CC79A7"),
    "lp-dp": ("P", "#56B4E9"),
    "lpq": ("o", "#D55E00"),
}
_LABELS = {
    "fixed": "fixed formats (INT/FP8/AF/posit)",
    "alps": "ALPS generalized posit",
    "single-lp": "one LP format for all layers",
    "random": "random search (LP, same budget)",
    "lp-dp": "LP per layer, sensitivity DP",
    "lpq": "LPQ GA (LP per layer)",
}


def pareto(rows: list[dict]):
    """Two panels: avg bits vs 1 - mean embedding cosine (log scale), and vs Lee Pearson r."""
    from lognum.plots.style import new_figure, use_style

    with use_style():
        fig = new_figure(width="double", height=2.9)
        axes = fig.subplots(1, 2)
        fp = next((r for r in rows if r.get("family") == "fp32"), None)
        for ax, key, ylabel in (
            (axes[0], "cos_lee", "1 - mean cos to FP32 embedding (Lee)"),
            (axes[1], "lee_pearson", "Lee Pearson r (human similarity)"),
        ):
            for fam, (mk, col) in _MARKERS.items():
                pts = [
                    (r["avg_bits"], _y(r, key)) for r in rows if r.get("family") == fam and key in r
                ]
                if pts:
                    x, y = zip(*pts, strict=True)
                    ax.scatter(x, y, marker=mk, color=col, label=_LABELS[fam], s=14)
            for r in rows:
                if r.get("family") == "fixed" and key in r:
                    ax.annotate(r["method"].split(" per")[0].replace("AdaptivFloat ", ""),
                                (r["avg_bits"], _y(r, key)), fontsize=5, xytext=(2, 2),
                                textcoords="offset points")  # fmt: skip
            if fp is not None and key == "lee_pearson":
                ax.axhline(fp[key], color="k", lw=0.6, ls="--", label="FP32")
                ax.axhline(0.99 * fp[key], color="k", lw=0.5, ls=":", label="FP32 - 1%")
            if key == "cos_lee":
                ax.axhline(0.01, color="k", lw=0.5, ls=":", label="cos 0.99")
                ax.set_yscale("log")
            ax.set_xlabel("average bits per weight (36 linear layers)")
            ax.set_ylabel(ylabel)
        axes[1].legend(loc="lower right", fontsize=5.5)
        fig.suptitle("all-MiniLM-L6-v2 weight quantization: bits vs fidelity", fontsize=8)
    return fig


def _y(r: dict, key: str) -> float:
    return max(1.0 - r[key], 1e-5) if key == "cos_lee" else r[key]


def convergence(runs: list[dict]):
    """Best fitness vs evaluations: GA (solid) vs random search (dashed), one colour per seed."""
    from lognum.plots.style import COLORS, new_figure, use_style

    with use_style():
        fig = new_figure(width="single")
        ax = fig.add_subplot()
        evals = [r["evaluations"] for r in runs]
        usual = max(set(evals), key=evals.count)  # the shared budget; others are labelled
        for r in runs:
            seed = (r["config"].get("ga") or {}).get("seed", r["config"].get("seed", 0))
            col = COLORS[1 + int(seed) % (len(COLORS) - 1)]
            h = r["history"]
            ls = "-" if r["method"] == "lpq-ga" else "--"
            lab = f"{'GA' if r['method'] == 'lpq-ga' else 'random'} seed {seed}"
            if r["evaluations"] != usual:
                lab += f" ({r['evaluations']} evals)"
            ax.plot([e["evaluations"] for e in h], [e["best_fitness"] for e in h], ls,
                    color=col, label=lab, drawstyle="steps-post")  # fmt: skip
        ax.set_xlabel("fitness evaluations")
        ax.set_ylabel("best fitness $L_F$ (lower is better)")
        ax.legend(fontsize=5.5, ncol=2)
    return fig


def sensitivity(sens: dict, points: list[dict], fp32_pearson: float | None = None):
    """Three panels: the change of ``L_GL`` when one layer moves from the base word size to
    each other one (``sens["sensitivity"]["cost_L_GL"]``, the DP's choice marked), and the
    calibration ``L_GL`` of saved configurations (:func:`lognum.lpq.report.fidelity_points`)
    against their held-out cosine and Lee Pearson r."""
    import numpy as np
    from matplotlib.colors import SymLogNorm

    from lognum.plots.style import COLORS, new_figure, use_style

    s = sens["sensitivity"]
    cost = np.asarray(s["cost_L_GL"])
    ns = s["ns"]
    alloc = [x["n"] for x in sens["layers"]]
    with use_style():
        fig = new_figure(width="double", height=2.7, layout="constrained")
        a0, a1, a2 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.5, 1, 1]})
        lim = float(np.max(np.abs(cost))) or 1.0
        norm = SymLogNorm(1e-4, vmin=-lim, vmax=lim)
        im = a0.imshow(cost.T, aspect="auto", cmap="RdBu_r", origin="lower", norm=norm)
        a0.plot(range(len(alloc)), [ns.index(n) for n in alloc], "k.", ms=3, label="DP choice")
        a0.set_yticks(range(len(ns)), [str(n) for n in ns])
        a0.set_xlabel("layer (Q K V O FFN1 FFN2 per block)")
        a0.set_ylabel("word size n")
        a0.grid(False)
        a0.legend(loc="upper right", fontsize=5.5)
        fig.colorbar(im, ax=a0, label=r"$\Delta L_{GL}$, one layer moved", pad=0.02)
        x = [p["L_GL"] for p in points]
        for ax, key, lab in ((a1, "cos_lee", "mean cos to FP32 (Lee)"),
                             (a2, "lee_pearson", "Lee Pearson r")):  # fmt: skip
            ax.scatter(x, [p[key] for p in points], s=8, color=COLORS[1])
            ax.set_xlabel(r"calibration $L_{GL}$")
            ax.set_ylabel(lab)
        if fp32_pearson is not None:
            a2.axhline(fp32_pearson, color="k", lw=0.6, ls="--", label="FP32")
            a2.axhline(0.99 * fp32_pearson, color="k", lw=0.5, ls=":", label="FP32 - 1%")
            a2.legend(fontsize=5.5)
        fig.suptitle("all-MiniLM-L6-v2, LP weights at 5.5-6 bits: what the calibration loss "
                     "predicts", fontsize=8)  # fmt: skip
    return fig


def _runs(d: Path, lam: float | None = None) -> list[dict]:
    from lognum.lpq.report import saved_runs

    out = []
    for _, r in saved_runs(d):
        if r.get("method") in ("lpq-ga", "random-search"):
            if lam is None or abs(r["config"]["fitness"]["lam"] - lam) < 1e-12:
                out.append(r)
    return out


def render_all(outdir, results_dir=None) -> list[Path]:
    """Render the LPQ figures from the saved JSON results into ``outdir`` (PDF + PNG)."""
    from lognum.lpq.report import load_rows
    from lognum.plots.style import save

    d = Path(results_dir) if results_dir is not None else RESULTS
    if not d.is_dir():
        return []
    paths: list[Path] = []
    rows = load_rows(d)
    if rows:
        paths += [Path(p) for p in save(pareto(rows), outdir, "lpq_pareto")]
    runs = _runs(d, lam=0.3)
    if runs:
        paths += [Path(p) for p in save(convergence(runs), outdir, "lpq_convergence")]
    sj = d / "sensitivity.json"
    if sj.is_file():
        from lognum.lpq.report import fidelity_points

        fp = next((r for r in rows if r.get("family") == "fp32"), None)
        fig = sensitivity(json.loads(sj.read_text()), fidelity_points(d),
                          fp["lee_pearson"] if fp else None)  # fmt: skip
        paths += [Path(p) for p in save(fig, outdir, "lpq_sensitivity")]
    return paths
