"""Figures of the systolic-array simulator (:mod:`lognum.hw`).

Each function returns a :class:`matplotlib.figure.Figure`. The ``fig_*`` functions (in the
registry, :data:`lognum.plots.FIGURES`) draw the default set: a small network, four ResNet-18
layers from SCALE-Sim's ``Resnet18.csv`` plus its FC layer, on a 16x16 array.
"""

from __future__ import annotations

import functools

import numpy as np

from lognum.plots.style import COLORS, HATCHES

__all__ = [
    "trace_frames",
    "utilisation_per_layer",
    "cycle_breakdown",
    "energy_breakdown",
    "pe_utilisation_map",
    "small_network",
    "fig_utilisation_per_layer",
    "fig_cycle_breakdown",
    "fig_energy_breakdown",
    "fig_pe_utilisation",
]


def _category_ticks(ax, x, names) -> None:
    """Category labels under bars: horizontal when they fit, else vertical."""
    from lognum.plots.style import current_size

    wide = current_size(default="double") == "double" and max(map(len, names)) <= 10
    ax.set_xticks(x, names, rotation=0 if wide else 90)


def _style():
    from lognum.plots.style import use_style

    return use_style()


def _fig(width="double", height=None):
    from lognum.plots.style import new_figure

    return new_figure(width=width, height=height)


def small_network():
    """Five layers of ResNet-18 (SCALE-Sim ``Resnet18.csv`` rows, with padding) as
    :class:`lognum.hw.Layer` objects: cheap enough for ``lognum figures``."""
    from lognum.hw import conv, gemm

    return [
        conv(56, 56, 3, 3, 64, 64, padding=1, name="conv2_1a"),
        conv(56, 56, 3, 3, 64, 128, stride=2, padding=1, name="conv3_1a"),
        conv(28, 28, 1, 1, 64, 128, stride=1, name="conv3_s"),
        conv(7, 7, 3, 3, 512, 512, padding=1, name="conv5_2a"),
        gemm(1, 1000, 512, name="fc"),
    ]


def utilisation_per_layer(results: dict):
    """Overall utilisation per layer; ``results`` maps a label (e.g. dataflow) to a
    :class:`lognum.hw.SimResult`."""
    with _style():
        fig = _fig()
        ax = fig.add_subplot()
        labels = list(results)
        names = [r.name for r in results[labels[0]].layers]
        x = np.arange(len(names))
        w = 0.8 / len(labels)
        for i, lab in enumerate(labels):
            ax.bar(
                x + (i - (len(labels) - 1) / 2) * w,
                [r.overall_util for r in results[lab].layers],
                w,
                label=lab,
                color=COLORS[(i + 1) % len(COLORS)],
                hatch=HATCHES[i % len(HATCHES)],
                edgecolor="white",
                linewidth=0.3,
            )
        _category_ticks(ax, x, names)
        ax.set_ylabel("utilisation (%)")
        ax.set_ylim(0, 100)
        ax.legend(
            ncols=len(labels),
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            borderaxespad=0.2,
            title="dataflow",
        )
        ax.grid(axis="x", visible=False)
    return fig


def cycle_breakdown(result):
    """Stacked cycles per layer: compute (streaming), fill/drain (skew), stalls."""
    with _style():
        fig = _fig()
        ax = fig.add_subplot()
        names = [r.name for r in result.layers]
        x = np.arange(len(names))
        comp = np.array([r.compute_cycles for r in result.layers], float)
        fd = np.array([r.fill_drain_cycles for r in result.layers], float)
        st = np.array([r.stall_cycles for r in result.layers], float)
        kw = {"edgecolor": "white", "linewidth": 0.3}
        ax.bar(x, comp, label="compute", color=COLORS[1], hatch=HATCHES[0], **kw)
        ax.bar(x, fd, bottom=comp, label="fill / drain", color=COLORS[5], hatch=HATCHES[1], **kw)
        ax.bar(x, st, bottom=comp + fd, label="stall", color=COLORS[2], hatch=HATCHES[2], **kw)
        _category_ticks(ax, x, names)
        ax.set_ylabel("cycles")
        ax.grid(axis="x", visible=False)
        c = result.config
        ax.set_title(f"{c.rows}x{c.cols} {c.dataflow}, {c.bandwidth_mode} bandwidth", loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.3)
    return fig


def energy_breakdown(results: dict, title: str | None = None):
    """Stacked energy (uJ, estimates) of the whole network by component, one bar per PE type;
    ``results`` maps a PE name to a :class:`SimResult` computed with ``pe=...``. The title
    (default: the array, its dataflow and the number of layers) says what was simulated; the
    legend sits beside the bars, never on them."""
    with _style():
        fig = _fig()
        ax = fig.add_subplot()
        labels = list(results)
        comps = sorted({k for res in results.values() for r in res.layers for k in r.energy})
        bottom = np.zeros(len(labels))
        for i, comp in enumerate(comps):
            v = np.array(
                [sum(r.energy.get(comp, 0.0) for r in results[lab].layers) / 1e6 for lab in labels]
            )
            ax.bar(
                labels,
                v,
                bottom=bottom,
                label=comp.replace("_", " "),
                color=COLORS[(i + 1) % len(COLORS)],
                hatch=HATCHES[i % len(HATCHES)],
                edgecolor="white",
                linewidth=0.3,
            )
            bottom += v
        ax.set_ylabel("energy (uJ, estimate)")
        ax.set_xlabel("PE type")
        ax.grid(axis="x", visible=False)
        if title is None:
            first = results[labels[0]]
            c = first.config
            title = f"{len(first.layers)} layers on a {c.rows}x{c.cols} {c.dataflow} array"
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.3, title="component")
    return fig


def pe_utilisation_map(layer_result):
    """Heat map of per-PE utilisation (busy cycles / total cycles) of one layer."""
    with _style():
        fig = _fig(width="single")
        ax = fig.add_subplot()
        im = ax.imshow(layer_result.pe_util, vmin=0, vmax=1, cmap="viridis")
        ax.set_xlabel("PE column")
        ax.set_ylabel("PE row")
        ax.grid(False)
        ax.set_title(f"layer {layer_result.name}")
        fig.colorbar(im, ax=ax, label="busy fraction")
    return fig


def trace_frames(trace, cycles=None, ncols: int = 6):
    """A grid of frames, one per cycle, of a :class:`lognum.hw.sim.FoldTrace`: each PE shows
    the slot it is working on (``k`` for os, ``m`` for ws, ``n`` for is), shaded when it does a
    MAC; in ws/is the load cycles show the stationary row index entering from the top."""
    sym = {"os": "k", "ws": "m", "is": "n"}[trace.dataflow]
    cyc = list(range(trace.cycles)) if cycles is None else list(cycles)
    nrows = -(-len(cyc) // ncols)
    with _style():
        fig = _fig(height=1.25 * nrows + 0.3)
        axs = fig.subplots(nrows, ncols, squeeze=False)
        for ax in axs.ravel():
            ax.set_axis_off()
        for ax, t in zip(axs.ravel(), cyc, strict=False):
            mac = trace.mac[t]
            ax.imshow(mac >= 0, vmin=0, vmax=1, cmap="Blues", alpha=0.8)
            for r in range(trace.R):
                for c in range(trace.C):
                    if mac[r, c] >= 0:
                        txt = f"{sym}{mac[r, c]}"
                    elif (
                        trace.dataflow != "os"
                        and trace.left[t, r, c] < 0
                        and trace.top[t, r, c] >= 0
                        and t < trace.R
                    ):
                        txt = f"w{trace.top[t, r, c]}"
                    else:
                        txt = ""
                    col = "white" if mac[r, c] >= 0 else "black"
                    ax.text(c, r, txt, ha="center", va="center", fontsize=6, color=col)
            ax.set_title(f"cycle {t}", fontsize=7)
            ax.set_xticks(np.arange(-0.5, trace.C), minor=True)
            ax.set_yticks(np.arange(-0.5, trace.R), minor=True)
            ax.set_axis_on()
            ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
            ax.grid(which="minor", color="0.6", lw=0.5)
            ax.grid(which="major", visible=False)
        fig.suptitle(f"{trace.dataflow}: {trace.R}x{trace.C} array, T = {trace.T}", fontsize=8)
    return fig


@functools.lru_cache(maxsize=1)
def _default_runs():
    from lognum.hw import ArrayConfig, simulate

    net = small_network()
    res = {
        df: simulate(ArrayConfig(rows=16, cols=16, dataflow=df), net, progress=False)
        for df in ("os", "ws", "is")
    }
    user = simulate(
        ArrayConfig(
            rows=16,
            cols=16,
            dataflow="os",
            bandwidth_mode="USER",
            ifmap_bw=4,
            filter_bw=4,
            ofmap_bw=4,
        ),
        net,
        progress=False,
    )
    pes = {
        p: simulate(ArrayConfig(rows=16, cols=16, dataflow="os"), net, pe=p, progress=False)
        for p in ("int8", "fp8", "posit8", "lp8", "lp4x2")
    }
    return res, user, pes


def fig_utilisation_per_layer():
    """:func:`utilisation_per_layer` of :func:`small_network` in os / ws / is (16x16)."""
    return utilisation_per_layer(_default_runs()[0])


def fig_cycle_breakdown():
    """:func:`cycle_breakdown` of :func:`small_network`, 16x16 os, 4 words/cycle DRAM."""
    return cycle_breakdown(_default_runs()[1])


def fig_energy_breakdown():
    """:func:`energy_breakdown` of :func:`small_network` for five PE types (16x16 os)."""
    return energy_breakdown(_default_runs()[2], title="5 ResNet-18 layers, 16x16 os array")


def fig_pe_utilisation():
    """:func:`pe_utilisation_map` of the FC layer of :func:`small_network` (16x16 os)."""
    return pe_utilisation_map(_default_runs()[0]["os"].layers[-1])
