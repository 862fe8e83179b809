"""The data beside each figure: a CSV of every plotted series, read back from the Figure.

``write_csv(fig, path)`` writes one row per plotted point, with the columns

    panel, series, x, y, z

- lines and markers (``Line2D``): x, y of each point (``series`` = legend label or
  ``line<k>``); horizontal / vertical reference lines (``axhline``) appear with x or y in
  axes units 0..1 and ``series`` ending in ``[axes x]``/``[axes y]``;
- bars (``ax.bar``): x = the bar's category (tick label) or centre, y = its top, z = its base;
- scatter points (``PathCollection``): x, y;
- images / heat maps (``imshow``): x = column, y = row, z = the value.

Comment lines (``#``) before the header give the figure's name and caption, and for every panel
its title and the axis labels, which carry the units (``SQNR (dB)``, ``energy (uJ)``...).
Because the table is read from the drawn artists it is exactly what the picture shows.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

__all__ = ["figure_data", "write_csv"]


def _fmt(v: Any) -> str:
    if isinstance(v, str):
        return v
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    return repr(v) if v != int(v) or abs(v) > 1e15 else str(int(v))


def _axis_kind(line: Any, ax: Any) -> str:
    tr = line.get_transform()
    if tr == ax.get_xaxis_transform():
        return " [axes x]"
    if tr == ax.get_yaxis_transform():
        return " [axes y]"
    return ""


def figure_data(fig: Any) -> tuple[list[str], list[list[str]]]:
    """``(comment lines, rows)`` of the plotted data of ``fig`` (see the module docstring)."""
    import numpy as np
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer

    notes: list[str] = []
    rows: list[list[str]] = []
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    for p, ax in enumerate(axes, 1):
        title = (ax.get_title() or ax.get_title("left")).replace("\n", " ")
        notes.append(
            f"panel {p}: {title or '(untitled)'}; x = {ax.get_xlabel() or '-'}; "
            f"y = {ax.get_ylabel() or '-'}"
        )
        in_bars = set()
        for k, c in enumerate(ax.containers):
            if not isinstance(c, BarContainer):
                continue
            lab = c.get_label() or f"bars{k}"
            lab = f"bars{k}" if lab.startswith("_") else lab
            ticks = {
                round(float(t), 9): lb.get_text()
                for t, lb in zip(ax.get_xticks(), ax.get_xticklabels(), strict=False)
            }
            for r in c.patches:
                in_bars.add(id(r))
                xc = r.get_x() + r.get_width() / 2
                x = ticks.get(round(xc, 9)) or _fmt(xc)
                rows.append([str(p), lab, x, _fmt(r.get_y() + r.get_height()), _fmt(r.get_y())])
        for k, ln in enumerate(ax.get_lines()):
            lab = ln.get_label()
            lab = f"line{k}" if not lab or lab.startswith("_") else lab
            lab += _axis_kind(ln, ax)
            x, y = np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)
            for a, b in zip(x.ravel(), y.ravel(), strict=False):
                rows.append([str(p), lab, _fmt(a), _fmt(b), ""])
        for k, col in enumerate(ax.collections):
            if not isinstance(col, PathCollection):
                continue
            lab = col.get_label()
            lab = f"points{k}" if not lab or lab.startswith("_") else lab
            for a, b in np.asarray(col.get_offsets(), float):
                rows.append([str(p), lab, _fmt(a), _fmt(b), ""])
        for k, im in enumerate(ax.images):
            arr = np.asarray(im.get_array(), float)
            cb = getattr(im, "colorbar", None)
            unit = cb.ax.get_ylabel() if cb is not None else ""
            notes.append(f"panel {p}: image{k}: x = column, y = row, z = {unit or 'value'}")
            for (i, j), v in np.ndenumerate(arr):
                rows.append([str(p), f"image{k}", str(j), str(i), _fmt(v)])
    return notes, rows


def write_csv(fig: Any, path: str | Path, entry: Any = None) -> Path:
    """Write the plotted data of ``fig`` to ``path`` (``entry``: a registry entry whose name,
    caption and reproduction note go into the header)."""
    notes, rows = figure_data(fig)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        if entry is not None:
            fh.write(f"# {entry.name}: {entry.caption}\n")
            if entry.reproduces:
                fh.write(f"# reproduces: {entry.reproduces}\n")
            if entry.data:
                fh.write(f"# data: {entry.data}\n")
        fh.write(
            "# columns: panel, series, x, y, z (bars: z = base; images: z = value);"
            " units are in the axis labels below\n"
        )
        for n in notes:
            fh.write(f"# {n}\n")
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["panel", "series", "x", "y", "z"])
        w.writerows(rows)
    return path
