"""The shared figure style and a deterministic PDF + PNG writer.

Every figure function in ``lognum.plots`` draws inside ``use_style()`` and returns a
:class:`matplotlib.figure.Figure` (no pyplot state, so it works headless and papers can restyle
it); ``save(fig, outdir, name)`` writes ``name.pdf`` and ``name.png``.

The style needs no LaTeX (mathtext only), embeds TrueType fonts (``pdf.fonttype = 42``, no
Type 3 fonts, as most publishers require) and uses DejaVu Sans, which ships with matplotlib, so
the output does not depend on the fonts installed on the machine. ``save`` strips the creation
timestamps and the software-version metadata, so the same figure gives byte-identical files
on every run (tested).

Example::

    from lognum.plots.style import use_style, save, new_figure
    with use_style():
        fig = new_figure(width="single")
        ax = fig.add_subplot()
        ax.plot([1, 2, 3])
    save(fig, "figures", "example")      # figures/example.pdf, figures/example.png
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Figure widths in inches: a single column and a full page width of a two-column paper.
WIDTHS = {"single": 3.5, "double": 7.16}

#: Colour cycle (Okabe-Ito, colour-blind safe), black first.
COLORS = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")

#: The style sheet as rcParams (the package's single source of truth for figure looks).
RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "mathtext.fontset": "dejavusans",
    "text.usetex": False,
    "font.size": 8.0,
    "axes.titlesize": 8.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "legend.fontsize": 7.0,
    "legend.frameon": False,
    "axes.linewidth": 0.6,
    "axes.grid": True,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.35,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "figure.dpi": 100,
    "figure.figsize": (WIDTHS["single"], 2.5),
    "figure.constrained_layout.use": True,
    "savefig.dpi": 200,
    "savefig.bbox": "standard",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "svg.hashsalt": "lognum",
    "path.simplify": False,
    "image.cmap": "viridis",
}


@contextlib.contextmanager
def use_style(**overrides: Any) -> Iterator[None]:
    """Context manager: draw with lognum's style (``RC`` plus any rcParams ``overrides``).

    The colour cycle is set from ``COLORS``. Settings revert when the block exits.
    """
    import matplotlib as mpl
    from cycler import cycler

    rc = dict(RC)
    rc["axes.prop_cycle"] = cycler(color=list(COLORS))
    rc.update(overrides)
    with mpl.rc_context(rc):
        yield


def new_figure(width: str | float = "single", height: float | None = None, **kwargs: Any) -> Any:
    """A :class:`matplotlib.figure.Figure` not registered with pyplot (no GUI, no global state).

    ``width``: "single" (3.5 in), "double" (7.16 in) or a number of inches; ``height`` in inches
    (default 0.72 × width for single, 0.4 × width for double). Call inside ``use_style()``.
    """
    from matplotlib.figure import Figure

    if isinstance(width, str):
        if width not in WIDTHS:
            raise ValueError(f"width must be one of {sorted(WIDTHS)} or inches, got {width!r}")
        w = WIDTHS[width]
        h = height if height is not None else (0.72 * w if width == "single" else 0.4 * w)
    else:
        w = float(width)
        if not w > 0:
            raise ValueError(f"width must be positive, got {width}")
        h = height if height is not None else 0.72 * w
    return Figure(figsize=(w, h), **kwargs)


#: Metadata that would make the files depend on the date or the software version.
_PDF_META = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}
_PNG_META = {"Software": None}


def save(
    fig: Any,
    outdir: str | Path,
    name: str,
    formats: tuple[str, ...] = ("pdf", "png"),
    dpi: int | None = None,
) -> list[Path]:
    """Write ``fig`` as ``outdir/name.pdf`` and ``outdir/name.png`` (deterministically).

    No timestamps and no software versions are written into the files, fonts are TrueType
    (``pdf.fonttype = 42``) and the PNG resolution is ``savefig.dpi`` of the style (200) unless
    ``dpi`` is given. Creates ``outdir``. Returns the written paths.
    """
    import matplotlib as mpl

    allowed = ("pdf", "png", "svg")
    for f in formats:
        if f not in allowed:
            raise ValueError(f"formats must be a subset of {allowed}, got {f!r}")
    if not name or "/" in name or "\\" in name:
        raise ValueError(f"name must be a plain file stem, got {name!r}")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with mpl.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42, "svg.hashsalt": "lognum"}):
        for f in formats:
            p = out / f"{name}.{f}"
            meta = _PDF_META if f == "pdf" else _PNG_META if f == "png" else {"Date": None}
            kw: dict[str, Any] = {"metadata": meta}
            if f == "png":
                kw["dpi"] = dpi if dpi is not None else RC["savefig.dpi"]
            fig.savefig(p, format=f, **kw)
            paths.append(p)
    return paths
