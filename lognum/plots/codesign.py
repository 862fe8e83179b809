"""Figures ``hw_codesign`` (MiniLM) and ``hw_codesign_magika`` (magika): accelerators at their
measured accuracy, performance per area and energy efficiency relative to INT8
(:mod:`lognum.hw.codesign`; estimates)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["hw_codesign", "hw_codesign_magika", "DEFAULT_TABLE", "MAGIKA_TABLE"]

DEFAULT_TABLE = Path("results/hw/codesign.json")
MAGIKA_TABLE = Path("results/hw/codesign_magika.json")
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
    if rows is None:
        if DEFAULT_TABLE.is_file():
            rows = json.loads(DEFAULT_TABLE.read_text())["rows"]
        else:
            from lognum.hw.codesign import codesign_table

            rows = codesign_table(progress=False)
    return _figure(
        _load(rows), "cos_lee", "cos to FP32 (Lee, measured)", "(b) fidelity of the formats"
    )


def hw_codesign_magika(rows: list[dict[str, Any]] | str | Path | None = None) -> Any:
    """:func:`hw_codesign` for magika (``lognum hw codesign --model magika``): panel (b) is the
    measured top-1 of each row's formats (``not measured`` for posit8 and AdaptivFloat, which
    the magika study did not run). ``rows``: the rows, a saved ``.json`` table, or ``None``:
    ``results/hw/codesign_magika.json`` if it exists, else the table is computed from
    ``results/lpq/magika/study.json`` (a few seconds)."""
    if rows is None:
        if MAGIKA_TABLE.is_file():
            rows = json.loads(MAGIKA_TABLE.read_text())["rows"]
        else:
            from lognum.hw.codesign import magika_codesign_table

            rows = magika_codesign_table(progress=False)
    return _figure(_load(rows), "top1", "top-1 (measured)", "(b) top-1 of the formats")


def _load(rows: list[dict[str, Any]] | str | Path) -> list[dict[str, Any]]:
    if isinstance(rows, (str, Path)):
        p = Path(rows)
        if not p.is_file():
            raise ValueError(f"rows: no co-design table at {p} (lognum hw codesign --out)")
        rows = json.loads(p.read_text())["rows"]
    if not rows:
        raise ValueError("rows: empty co-design table")
    return rows


def _figure(rows, acc_key: str, acc_label: str, acc_title: str) -> Any:
    from lognum.plots.style import COLORS, current_size, new_panels, use_style

    labels = [r["accelerator"] for r in rows]
    y = np.arange(len(rows))[::-1]
    single = current_size() == "single"
    c_pa, c_ee = COLORS[1], COLORS[2]
    with use_style():
        fig, (ax, bx) = new_panels(
            2,
            height=3.6,
            row_height=2.6,
            layout="constrained",
            **({} if single else {"gridspec_kw": {"width_ratios": [2.2, 1]}}),
        )
        pa = np.array([r["perf_per_area_vs_int8"] for r in rows])
        ee = np.array([r["energy_eff_vs_int8"] for r in rows])
        pac = np.array([r["perf_per_area_vs_int8_compute_only"] for r in rows])
        eec = np.array([r["energy_eff_vs_int8_compute_only"] for r in rows])
        ax.scatter(pa, y + 0.12, marker="o", color=c_pa, label="perf/area (accelerator)")
        ax.scatter(ee, y - 0.12, marker="s", color=c_ee, label="energy eff. (incl. DRAM)")
        ax.scatter(
            pac,
            y + 0.12,
            marker="^",
            facecolors="none",
            edgecolors=c_pa,
            label="perf/area (PE array only)",
        )
        ax.scatter(
            eec,
            y - 0.12,
            marker="D",
            facecolors="none",
            edgecolors=c_ee,
            label="energy eff. (compute only)",
        )
        ax.axvline(1.0, color="0.5", lw=0.8)
        ax.axvline(PAPER_PERF_PER_AREA, color=c_pa, ls=":", lw=0.8, label="paper: LPA 2x perf/area")
        ax.axvline(PAPER_ENERGY_EFF, color=c_ee, ls="--", lw=0.8, label="paper: LPA 2.2x energy")
        ax.set_xscale("log", base=2)
        ax.set_xlim(0.125, 4.0)
        ax.set_yticks(y, labels)
        ax.set_xlabel("vs INT8 (estimates; > 1 better)")
        ax.set_ylim(-0.7, len(rows) - 0.3)
        fig.legend(
            *ax.get_legend_handles_labels(),
            loc="outside lower center",
            ncols=1 if single else 3,
            frameon=False,
        )
        acc = np.array(
            [np.nan if r.get(acc_key) in (None, "") else float(r[acc_key]) for r in rows]
        )
        bx.barh(y, np.nan_to_num(acc), color="0.75")
        for yi, c in zip(y, acc, strict=True):
            txt = "not measured" if np.isnan(c) else f"{c:.3f}"
            bx.text(0.02, yi, txt, va="center", ha="left", fontsize=6)
        bx.set_xlim(0.0, 1.0)
        bx.set_yticks(y, labels if single else [""] * len(y))
        bx.set_ylim(ax.get_ylim())
        bx.set_xlabel(acc_label)
        ax.set_title("(a) accelerator vs INT8")
        bx.set_title(acc_title)
    return fig
