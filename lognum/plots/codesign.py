"""Figure ``hw_codesign``: accelerators for MiniLM at their measured accuracy, performance per
area and energy efficiency relative to INT8 (:mod:`lognum.hw.codesign`; estimates)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["hw_codesign", "DEFAULT_TABLE"]

DEFAULT_TABLE = Path("results/hw/codesign.json")
#: the LPQ paper's claim for LPA over other-datatype quantization accelerators
PAPER_PERF_PER_AREA = 2.0
PAPER_ENERGY_EFF = 2.2


def hw_codesign(rows: list[dict[str, Any]] | str | Path | None = None) -> Any:
    """Two panels over the accelerators of the co-design table: (a) performance per area and
    energy efficiency relative to INT8 (whole accelerator: PE array + SRAM area, energy incl.
    SRAM and DRAM; hollow markers: PE array / compute energy only), with the paper's claimed
    2x / 2.2x for LPA marked; (b) the measured fidelity (mean cosine to FP32 on Lee) of each
    row's formats.

    ``rows``: the rows of :func:`lognum.hw.codesign.codesign_table`, the path of a saved table
    (``.json`` written by ``lognum hw codesign --out``), or ``None``: ``results/hw/codesign.json``
    if it exists, else the table is computed (about 10 s). Returns a
    :class:`matplotlib.figure.Figure` (estimates: the axis labels say so).
    """
    from lognum.plots.style import new_figure, use_style

    if rows is None:
        if DEFAULT_TABLE.is_file():
            rows = json.loads(DEFAULT_TABLE.read_text())["rows"]
        else:
            from lognum.hw.codesign import codesign_table

            rows = codesign_table(progress=False)
    elif isinstance(rows, (str, Path)):
        p = Path(rows)
        if not p.is_file():
            raise ValueError(f"rows: no co-design table at {p} (lognum hw codesign --out)")
        rows = json.loads(p.read_text())["rows"]
    if not rows:
        raise ValueError("rows: empty co-design table")
    labels = [r["accelerator"] for r in rows]
    y = np.arange(len(rows))[::-1]
    with use_style():
        fig = new_figure(width="double", height=3.8)
        ax, bx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1]}, sharey=True)
        pa = np.array([r["perf_per_area_vs_int8"] for r in rows])
        ee = np.array([r["energy_eff_vs_int8"] for r in rows])
        pac = np.array([r["perf_per_area_vs_int8_compute_only"] for r in rows])
        eec = np.array([r["energy_eff_vs_int8_compute_only"] for r in rows])
        ax.scatter(pa, y + 0.12, marker="o", color="C0", label="perf/area (accelerator)")
        ax.scatter(ee, y - 0.12, marker="s", color="C1", label="energy eff. (incl. DRAM)")
        ax.scatter(pac, y + 0.12, marker="o", facecolors="none", edgecolors="C0",
                   label="perf/area (PE array only)")  # fmt: skip
        ax.scatter(eec, y - 0.12, marker="s", facecolors="none", edgecolors="C1",
                   label="energy eff. (compute only)")  # fmt: skip
        ax.axvline(1.0, color="0.5", lw=0.8)
        ax.axvline(PAPER_PERF_PER_AREA, color="C0", ls=":", lw=0.8)
        ax.axvline(PAPER_ENERGY_EFF, color="C1", ls=":", lw=0.8)
        ax.text(PAPER_ENERGY_EFF, y.max() + 0.6, "paper: 2x / 2.2x", fontsize=7, ha="center")
        ax.set_xscale("log", base=2)
        ax.set_yticks(y, labels)
        ax.set_xlabel("relative to INT8 (estimates; > 1 is better)")
        ax.set_ylim(-0.7, len(rows) - 0.1)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2, fontsize=6)
        cos = np.array([np.nan if r["cos_lee"] in (None, "") else float(r["cos_lee"])
                        for r in rows])  # fmt: skip
        bx.barh(y, cos, color="0.6")
        for yi, c in zip(y, cos, strict=True):
            bx.text(min(c, 1.0) - 0.01, yi, f"{c:.3f}", va="center", ha="right", fontsize=6)
        bx.set_xlim(0.0, 1.0)
        bx.set_xlabel("cos to FP32 (Lee, measured)")
        ax.set_title("(a) accelerator vs INT8", fontsize=8)
        bx.set_title("(b) fidelity of the formats", fontsize=8)
    return fig
