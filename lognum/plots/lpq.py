"""Figures of the LPQ search on all-MiniLM-L6-v2, rendered from the saved JSON results.

* :func:`pareto` -- average bits per weight vs mean embedding cosine (to FP32) and vs Lee
  Pearson r, every saved method (per-tensor fixed formats, ALPS, single LP, per-channel INT,
  MX, per-channel LP, GPTQ, HAWQ-style, W+A rows at their weight bits, random search, the
  sensitivity-DP allocation, LPQ GA);
* :func:`convergence` -- best fitness vs fitness evaluations, GA vs random search, per seed;
* :func:`sensitivity` -- the per-layer cost table of ``sensitivity.json`` and, for every saved
  5.5-6-bit configuration, how the calibration loss relates to the held-out cosine and to the
  Lee Pearson correlation.

* :func:`weight_distribution` -- log2|w| of real MiniLM layers (the LPQ poster's panel).

The registered ``fig_*`` functions read ``results/lpq`` of the working directory or the source
tree; they never run a model, so they are fast.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = [
    "convergence",
    "pareto",
    "render_all",
    "sensitivity",
    "weight_distribution",
    "fig_pareto",
    "fig_convergence",
    "fig_sensitivity",
    "fig_weight_distribution",
]

RESULTS = Path(__file__).resolve().parents[2] / "results" / "lpq"

# (marker, colour, filled) per row family, in legend order; the searches' clusters are drawn
# beneath the baselines (:data:`_BELOW`), random search's thin crosses on top
_MARKERS = {
    "fixed": ("s", "#0072B2", True),
    "alps": ("^", "#009E73", True),
    "single-lp": ("D", "#E69F00", True),
    "per-channel": ("v", "#0072B2", False),
    "mx": ("h", "#CC79A7", True),
    "per-channel-lp": ("*", "#E69F00", True),
    "gptq": ("<", "#7F7F7F", True),
    "hawq": ("X", "#000000", True),
    "w+a": ("p", "#7F7F7F", False),
    "lp-dp": ("P", "#56B4E9", True),
    "hill-climb": ("d", "#009E73", False),
    "greedy": (">", "#56B4E9", False),
    "lpq": ("o", "#D55E00", True),
    "lpq-wa": ("8", "#D55E00", False),
    "random": ("x", "#CC79A7", True),
}
_BELOW = ("lpq", "lpq-wa", "lp-dp", "hill-climb", "greedy")
_LABELS = {
    "fixed": "per-tensor INT/FP8/AF/posit",
    "alps": "ALPS generalized posit",
    "single-lp": "one LP format for all layers",
    "per-channel": "per-channel INT (+scales)",
    "mx": "OCP MX, block 32 (+scales)",
    "per-channel-lp": "LP, sf per channel (ext.)",
    "gptq": "GPTQ rounding (INT/LP)",
    "hawq": "HAWQ-style trace+DP (INT/LP)",
    "w+a": "W+A rows (x: weight bits)",
    "lp-dp": "LP per layer, sensitivity DP",
    "hill-climb": "hill climbing (LP)",
    "greedy": "greedy (LP)",
    "lpq": "LPQ GA (LP per layer)",
    "lpq-wa": "LPQ GA, W+A (x: weight bits)",
    "random": "random search (LP)",
}


def pareto(rows: list[dict], pearson_floor: float = 0.58):
    """Two panels: avg bits vs 1 - mean embedding cosine (log scale), and vs Lee Pearson r,
    one marker per row family (:data:`_MARKERS`: the baselines, W+A rows at their weight
    bits, and the searches drawn last).  The per-tensor fixed formats are named beside their
    points; rows whose Pearson r is below ``pearson_floor`` sit on the panel's lower edge
    (open) and are named in a note.  The legend sits under the panels."""
    from lognum.plots.style import current_size, label_points, new_panels, use_style

    with use_style():
        fig, axes = new_panels(2, height=3.9, row_height=2.2, layout="constrained")
        fp = next((r for r in rows if r.get("family") == "fp32"), None)
        for ax, key, ylabel in (
            (axes[0], "cos_lee", "1 - cos to FP32 (Lee)"),
            (axes[1], "lee_pearson", "Lee Pearson r"),
        ):
            low = []
            for fam, (mk, col, filled) in _MARKERS.items():
                sel = [r for r in rows if r.get("family") == fam and r.get(key) is not None]
                if not sel:
                    continue
                x = [r["avg_bits"] for r in sel]
                y = [_y(r, key) for r in sel]
                if key == "lee_pearson":
                    low += [r for r in sel if r[key] < pearson_floor]
                    y = [max(v, pearson_floor) for v in y]
                ax.scatter(
                    x,
                    y,
                    marker=mk,
                    s=22 if mk == "*" else 14,
                    linewidths=0.8,
                    label=_LABELS[fam],
                    zorder=2.2 if fam in _BELOW else 2.6 if fam == "random" else 2.4,
                    **(
                        {"color": col}
                        if filled or mk == "x"
                        else {"facecolors": "none", "edgecolors": col}
                    ),
                )
            if fp is not None and key == "lee_pearson":
                ax.axhline(fp[key], color="k", lw=0.6, ls="--", label="FP32")
                ax.axhline(0.99 * fp[key], color="k", lw=0.5, ls=":", label="FP32 - 1%")
            if key == "cos_lee":
                ax.axhline(0.01, color="k", lw=0.5, ls="-.", label="cos 0.99")
                ax.set_yscale("log")
            else:
                top = max([r[key] for r in rows if r.get(key) is not None] + [pearson_floor])
                ax.set_ylim(pearson_floor - 0.005, top + 0.01)
                if low:
                    names = "\n".join(
                        f"{_short(r['method'])} {r[key]:.2f}"
                        for r in sorted(low, key=lambda r: r[key])
                    )
                    ax.text(
                        0.98,
                        0.03,
                        f"r < {pearson_floor:g}, on the lower edge:\n{names}",
                        transform=ax.transAxes,
                        ha="right",
                        va="bottom",
                        fontsize=5,
                    )
            ax.set_xlim(3.5, 9.9)
            ax.set_xlabel("average bits per weight (36 linear layers)")
            ax.set_ylabel(ylabel)
        handles, labels = [], []
        for ax in axes:
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                if lab not in labels:
                    handles.append(h)
                    labels.append(lab)
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=3 if current_size() == "double" else 2,
            fontsize=6,
        )
        fig.suptitle("MiniLM-L6: bits per weight vs fidelity")
        fixed = [r for r in rows if r.get("family") == "fixed"]
        for ax, key in ((axes[0], "cos_lee"), (axes[1], "lee_pearson")):
            pts = [
                r for r in fixed if key in r and (key != "lee_pearson" or r[key] >= pearson_floor)
            ]
            label_points(
                ax,
                [r["avg_bits"] for r in pts],
                [_y(r, key) for r in pts],
                [r["method"].split(" per")[0].replace("AdaptivFloat ", "") for r in pts],
            )
    return fig


def _short(method: str) -> str:
    """A short name of a row for the figure's notes (``"LP<6,0,5,4> + GPTQ"``)."""
    m = method.split(" (")[0]
    return m + " + GPTQ" if "GPTQ" in method and "GPTQ" not in m else m


def _y(r: dict, key: str) -> float:
    return max(1.0 - r[key], 1e-5) if key == "cos_lee" else r[key]


def convergence(runs: list[dict]):
    """Best fitness vs evaluations: GA (solid) vs random search (dashed); one colour and
    marker per seed; runs with a smaller budget have open markers."""
    import numpy as np

    from lognum.plots.style import COLORS, MARKERS, new_figure, use_style

    with use_style():
        fig = new_figure(width="single", height=3.2)
        ax = fig.add_subplot()
        evals = [r["evaluations"] for r in runs]
        usual = max(set(evals), key=evals.count)  # the shared budget; others are labelled
        for r in runs:
            seed = int((r["config"].get("ga") or {}).get("seed", r["config"].get("seed", 0)))
            col = COLORS[1 + seed % (len(COLORS) - 1)]
            h = r["history"]
            ls = "-" if r["method"] == "lpq-ga" else "--"
            lab = f"{'GA' if r['method'] == 'lpq-ga' else 'random'} seed {seed}"
            if r["evaluations"] != usual:
                lab += f" ({r['evaluations']} evals)"
            x = np.array([e["evaluations"] for e in h])
            every = max(len(x) // 5, 1)
            ax.plot(
                x,
                [e["best_fitness"] for e in h],
                ls,
                color=col,
                label=lab,
                drawstyle="steps-post",
                lw=0.9,
                marker=MARKERS[seed % len(MARKERS)],
                ms=3,
                markevery=every,
                mfc=col if r["evaluations"] == usual else "none",
            )
        ax.set_xlabel("fitness evaluations")
        ax.set_ylabel("best fitness $L_F$ (lower is better)")
        ax.legend(ncol=2, fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    return fig


def sensitivity(sens: dict, points: list[dict], fp32_pearson: float | None = None):
    """Three panels: the change of ``L_GL`` when one layer moves from the base word size to
    each other one (``sens["sensitivity"]["cost_L_GL"]``, the DP's choice marked), and the
    calibration ``L_GL`` of saved configurations (:func:`lognum.lpq.report.fidelity_points`)
    against their held-out cosine and Lee Pearson r."""
    import numpy as np
    from matplotlib.colors import SymLogNorm
    from matplotlib.ticker import MaxNLocator

    from lognum.plots.style import COLORS, current_size, fit_title, new_figure, use_style

    s = sens["sensitivity"]
    cost = np.asarray(s["cost_L_GL"])
    ns = s["ns"]
    alloc = [x["n"] for x in sens["layers"]]
    with use_style():
        if current_size() == "single":
            fig = new_figure(width="single", height=6.2, layout="constrained")
            a0, a1, a2 = fig.subplots(3, 1, gridspec_kw={"height_ratios": [1.3, 1, 1]})
        else:
            fig = new_figure(width="double", height=2.9, layout="constrained")
            a0, a1, a2 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.5, 1, 1]})
        lim = float(np.max(np.abs(cost))) or 1.0
        norm = SymLogNorm(1e-4, vmin=-lim, vmax=lim)
        im = a0.imshow(cost.T, aspect="auto", cmap="RdBu_r", origin="lower", norm=norm)
        a0.plot(range(len(alloc)), [ns.index(n) for n in alloc], "k.", ms=3, label="DP choice")
        a0.set_yticks(range(len(ns)), [str(n) for n in ns])
        a0.set_xlabel("layer (Q K V O FFN1 FFN2 per block)")
        a0.set_ylabel("word size n")
        a0.grid(False)
        a0.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=6, borderaxespad=0.2)
        cb = fig.colorbar(im, ax=a0, pad=0.02)
        cb.set_label(r"$\Delta L_{GL}$, one layer moved")
        cb.set_ticks(
            [-lim, -1e-3, 0, 1e-3, lim] if lim > 2e-3 else [-lim, 0, lim],
            labels=[
                f"{v:.0e}" if v else "0"
                for v in ([-lim, -1e-3, 0, 1e-3, lim] if lim > 2e-3 else [-lim, 0, lim])
            ],
        )
        x = [p["L_GL"] for p in points]
        for ax, key, lab in (
            (a1, "cos_lee", "mean cos to FP32 (Lee)"),
            (a2, "lee_pearson", "Lee Pearson r"),
        ):
            ax.scatter(x, [p[key] for p in points], s=8, color=COLORS[1])
            ax.set_xlabel(r"calibration $L_{GL}$")
            ax.set_ylabel(lab)
            ax.xaxis.set_major_locator(MaxNLocator(4))
        if fp32_pearson is not None:
            a2.axhline(fp32_pearson, color="k", lw=0.6, ls="--", label="FP32")
            a2.axhline(0.99 * fp32_pearson, color="k", lw=0.5, ls=":", label="FP32 - 1%")
            a2.legend(
                fontsize=6, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, borderaxespad=0.2
            )
        fig.suptitle(
            fit_title(
                fig,
                "all-MiniLM-L6-v2, LP weights at 5.5-6 bits: what the calibration loss predicts",
                key="figure.titlesize",
            )
        )
    return fig


def weight_distribution(weights: dict, bins: int = 60):
    """log2|w| per layer: a histogram (fraction of weights per bin) of every layer in
    ``weights`` (name → array), and each layer's 1st / 50th / 99th percentile and max|w|."""
    import numpy as np

    from lognum.plots.style import COLORS, LINESTYLES, MARKERS, new_panels, use_style

    names = list(weights)
    logs = {
        k: np.log2(np.abs(np.asarray(v, np.float64))[np.asarray(v) != 0])
        for k, v in weights.items()
    }
    lo = np.floor(min(float(v.min()) for v in logs.values()))
    hi = np.ceil(max(float(v.max()) for v in logs.values()))
    edges = np.linspace(lo, hi, bins + 1)
    with use_style():
        fig, (a0, a1) = new_panels(2, height=2.8, row_height=2.1, layout="constrained")
        show = [k for k in names if k.endswith(("query", "ffn1", "ffn2"))][:4]
        for i, k in enumerate(show):
            h, _ = np.histogram(logs[k], edges)
            a0.plot(
                edges[:-1],
                h / h.sum(),
                drawstyle="steps-post",
                lw=1.0,
                ls=LINESTYLES[i % len(LINESTYLES)],
                color=COLORS[i % len(COLORS)],
                label=k,
            )
        a0.set_xlabel(r"$\log_2|w|$")
        a0.set_ylabel("fraction of weights per bin")
        a0.legend(loc="upper left")
        a0.set_title("histograms", loc="left")
        x = np.arange(len(names))
        for j, (q, lab) in enumerate(
            ((1, "1st percentile"), (50, "median"), (99, "99th percentile"))
        ):
            a1.plot(
                x,
                [np.percentile(logs[k], q) for k in names],
                MARKERS[j],
                ls=LINESTYLES[j],
                color=COLORS[j + 1],
                label=lab,
                lw=0.8,
                mfc="none",
            )
        a1.plot(
            x,
            [logs[k].max() for k in names],
            MARKERS[3],
            ls="none",
            color=COLORS[0],
            label="max |w|",
        )
        a1.set_xticks(x, names, rotation=90)
        a1.set_ylabel(r"$\log_2|w|$")
        a1.set_title("per layer", loc="left")
        a1.legend(loc="lower left", ncols=2)
        a1.set_ylim(lo - 5, hi + 1)
        a1.grid(axis="x", visible=False)
    return fig


def fig_weight_distribution():
    """:func:`weight_distribution` of the bundled all-MiniLM-L6-v2 extract
    (:func:`lognum.data.load_minilm_weights`, 4096 real weights of each of 8 layers)."""
    from lognum.data import load_minilm_weights

    return weight_distribution(load_minilm_weights())


def _results_dir():
    from lognum.plots.registry import requirement

    return requirement("results/lpq")


def fig_pareto():
    """:func:`pareto` of the saved LPQ results (``results/lpq``)."""
    from lognum.lpq.report import load_rows

    return pareto(load_rows(_results_dir()))


def fig_convergence():
    """:func:`convergence` of the saved LPQ runs with lambda = 0.3."""
    return convergence(_runs(_results_dir(), lam=0.3))


def fig_sensitivity():
    """:func:`sensitivity` of ``results/lpq/sensitivity.json`` and the saved configurations."""
    from lognum.lpq.report import fidelity_points, load_rows

    d = _results_dir()
    fp = next((r for r in load_rows(d) if r.get("family") == "fp32"), None)
    return sensitivity(
        json.loads((d / "sensitivity.json").read_text()),
        fidelity_points(d),
        fp["lee_pearson"] if fp else None,
    )


def _runs(d: Path, lam: float | None = None) -> list[dict]:
    from lognum.lpq.report import saved_runs

    out = []
    for _, r in saved_runs(d):
        if r.get("method") in ("lpq-ga", "random-search"):
            if lam is None or abs(r["config"]["fitness"]["lam"] - lam) < 1e-12:
                out.append(r)
    return out


def render_all(outdir, results_dir=None) -> list[Path]:
    """Render the LPQ figures of the saved results in ``results_dir`` (default: the
    repository's ``results/lpq``) into ``outdir`` as PDF + PNG; figures whose inputs are not
    saved there are left out. (``lognum figures`` renders them by name from the registry.)"""
    from lognum.lpq.report import fidelity_points, load_rows
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
    if (d / "sensitivity.json").is_file():
        fp = next((r for r in rows if r.get("family") == "fp32"), None)
        fig = sensitivity(
            json.loads((d / "sensitivity.json").read_text()),
            fidelity_points(d),
            fp["lee_pearson"] if fp else None,
        )
        paths += [Path(p) for p in save(fig, outdir, "lpq_sensitivity")]
    return paths
