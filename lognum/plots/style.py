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
import contextvars
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Figure widths in inches: a single column and a full page width of a two-column paper
#: (IEEE's 252 pt column and 516 pt text width; :data:`STYLES` holds the widths per style).
WIDTHS = {"single": 3.5, "double": 7.16}

#: Line styles and markers (in this order) that keep series apart in greyscale print.
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Hatches for bars and areas (greyscale print).
HATCHES = ("", "///", "...", "xxx", "\\\\", "++", "ooo", "--")

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


#: Journal presets: column widths (inches) and rcParams on top of ``RC``. ``ieee``: IEEE
#: Transactions (252 pt / 516 pt, Times-like STIX fonts shipped with matplotlib); ``acm``: the
#: acmart two-column layout (241 pt / 506 pt, sans serif).
STYLES: dict[str, dict[str, Any]] = {
    "default": {"widths": dict(WIDTHS), "rc": {}},
    "ieee": {
        "widths": {"single": 3.5, "double": 7.16},
        "rc": {
            "font.family": "serif",
            "font.serif": ["STIXGeneral", "DejaVu Serif"],
            "mathtext.fontset": "stix",
        },
    },
    "acm": {
        "widths": {"single": 3.33, "double": 7.0},
        "rc": {"font.size": 7.5, "axes.titlesize": 7.5, "axes.labelsize": 7.5},
    },
}

_SIZE: contextvars.ContextVar[str | None] = contextvars.ContextVar("lognum_size", default=None)
_STYLE: contextvars.ContextVar[str] = contextvars.ContextVar("lognum_style", default="default")


def _check_choice(what: str, value: Any, allowed: Any) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(map(str, allowed))}, got {value!r}")


@contextlib.contextmanager
def figure_options(size: str | None = None, style: str = "default") -> Iterator[None]:
    """Context manager: figures made inside it are ``size`` columns wide ("single" or
    "double"; None keeps each figure's own width) in the journal ``style`` (:data:`STYLES`).

    Figure functions read the choice with :func:`current_size` (to stack panels in one column)
    and :func:`new_figure` applies it.
    """
    if size is not None:
        _check_choice("size", size, ("single", "double"))
    _check_choice("style", style, tuple(STYLES))
    t1, t2 = _SIZE.set(size), _STYLE.set(style)
    try:
        yield
    finally:
        _SIZE.reset(t1)
        _STYLE.reset(t2)


def current_size(default: str = "double") -> str:
    """The column size asked for by :func:`figure_options`, else ``default``."""
    return _SIZE.get() or default


@contextlib.contextmanager
def use_style(**overrides: Any) -> Iterator[None]:
    """Context manager: draw with lognum's style (``RC``, then the journal preset of
    :func:`figure_options`, then any rcParams ``overrides``).

    The colour cycle is set from ``COLORS``. Settings revert when the block exits.
    """
    import matplotlib as mpl
    from cycler import cycler

    rc = dict(RC)
    rc["axes.prop_cycle"] = cycler(color=list(COLORS))
    rc.update(STYLES[_STYLE.get()]["rc"])
    rc.update(overrides)
    with mpl.rc_context(rc):
        yield


def _figure_class() -> Any:
    global _FIG_CLASS
    if _FIG_CLASS is None:
        from matplotlib.figure import Figure

        class LognumFigure(Figure):
            """A matplotlib Figure that shows itself as a PNG in Jupyter (``_repr_png_``), with
            no pyplot and no ``%matplotlib inline`` needed."""

            def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
                import io

                buf = io.BytesIO()
                self.savefig(buf, format="png", dpi=2 * 100, metadata=_PNG_META)
                w, h = self.get_size_inches()
                # a 2x image shown at 100 px per inch: sharp on high-density screens
                return buf.getvalue(), {"width": round(w * 100), "height": round(h * 100)}

        LognumFigure.__module__ = "lognum.plots.style"
        _FIG_CLASS = LognumFigure
    return _FIG_CLASS


_FIG_CLASS: Any = None


def new_figure(width: str | float = "single", height: float | None = None, **kwargs: Any) -> Any:
    """A :class:`matplotlib.figure.Figure` not registered with pyplot (no GUI, no global state)
    that displays as a picture in Jupyter (it has ``_repr_png_``).

    ``width``: "single" (3.5 in), "double" (7.16 in) or a number of inches; ``height`` in inches
    (default 0.72 × width for single, 0.4 × width for double). Inside :func:`figure_options`
    with a size, that column width of the chosen style replaces ``width`` (a wider figure gets
    taller by the square root of the width ratio, a narrower one keeps its height). Call
    inside ``use_style()``.
    """
    widths = STYLES[_STYLE.get()]["widths"]
    if isinstance(width, str):
        _check_choice("width", width, tuple(widths))
        w = widths[width]
        h = height if height is not None else (0.72 * w if width == "single" else 0.4 * w)
    else:
        w = float(width)
        if not w > 0:
            raise ValueError(f"width must be positive, got {width}")
        h = height if height is not None else 0.72 * w
    forced = _SIZE.get()
    if forced is not None and not math.isclose(widths[forced], w):
        h = h * max(math.sqrt(widths[forced] / w), 1.0)  # taller when wider, never lower
        w = widths[forced]
    return _figure_class()(figsize=(w, h), **kwargs)


def new_panels(
    n: int, height: float = 2.6, row_height: float = 1.7, **kwargs: Any
) -> tuple[Any, list[Any]]:
    """A figure of ``n`` panels: side by side across a double column (``height`` inches), or
    stacked in a single column (``row_height`` inches each) when :func:`current_size` is
    "single". ``kwargs`` go to ``Figure.subplots``. Returns ``(fig, axes)``."""
    fkw = {k: kwargs.pop(k) for k in ("layout",) if k in kwargs}
    if current_size() == "single":
        fig = new_figure("single", 0.35 + row_height * n, **fkw)
        axs = fig.subplots(n, 1, squeeze=False, **kwargs)
    else:
        fig = new_figure("double", height, **fkw)
        axs = fig.subplots(1, n, squeeze=False, **kwargs)
    return fig, list(axs.ravel())


def fit_title(fig: Any, text: str, share: float = 1.0, key: str = "axes.titlesize") -> str:
    """``text`` wrapped onto lines that fit across ``share`` of ``fig``'s width at the size of
    rcParams ``key`` (about 15 characters per inch at 8 pt; ``figure.titlesize`` for a
    suptitle)."""
    import textwrap

    n = int(15.0 * share * fig.get_figwidth() * 8.0 / _rc(key))
    return "\n".join(textwrap.wrap(text, max(n, 10), break_long_words=False))


def _rc(key: str) -> Any:
    import matplotlib as mpl
    from matplotlib.font_manager import font_scalings

    v = mpl.rcParams[key]
    base = float(mpl.rcParams["font.size"])
    return base * font_scalings.get(v, 1.0) if isinstance(v, str) else float(v)


def label_points(
    ax: Any, xs: Any, ys: Any, labels: list[str], fontsize: float = 6.0, pad_pt: float = 3.0
) -> list[Any]:
    """Name points beside them without letting the names collide: labels of points that
    crowd are pushed apart vertically (with a thin leader line), and labels that would leave
    the axes on the right go to the left of their point. Call after the axes' limits, scales
    and the figure's legends are set. Returns the annotations."""
    import numpy as np

    fig = ax.figure
    fig.draw_without_rendering()  # settle the layout: data -> display is final
    k = 72.0 / fig.dpi  # points per pixel
    pts = ax.transData.transform(np.column_stack([np.asarray(xs, float), np.asarray(ys, float)]))
    axb = ax.get_window_extent()
    h = 1.5 * fontsize / k
    widths = [0.62 * fontsize * len(s) / k for s in labels]
    left = [p[0] + pad_pt / k + w > axb.x1 for p, w in zip(pts, widths, strict=True)]

    def place(sign: float) -> np.ndarray:
        boxes: list[tuple[float, float, float]] = []  # (x0, x1, y) of placed labels
        ly = np.empty(len(labels))
        for i in np.argsort(sign * pts[:, 1], kind="stable"):
            x0 = pts[i, 0] - pad_pt / k - widths[i] if left[i] else pts[i, 0] + pad_pt / k
            x1 = x0 + widths[i]
            y = pts[i, 1]
            for _ in range(len(boxes) + 1):  # each pass clears one more label, or stops
                hit = [
                    by
                    for bx0, bx1, by in boxes
                    if x0 < bx1 and bx0 < x1 and abs(y - by) < h * 0.999
                ]
                if not hit:
                    break
                y = (max(hit) + h) if sign > 0 else (min(hit) - h)
            boxes.append((x0, x1, y))
            ly[i] = y
        return ly

    ly = place(+1.0)  # push crowded labels up; if that leaves the axes, push them down
    if len(ly) and ly.max() > axb.y1 - 0.5 * h:
        ly = place(-1.0)
    out = []
    for i, s in enumerate(labels):
        dy = (ly[i] - pts[i, 1]) * k
        arrow = {"arrowstyle": "-", "color": "0.5", "lw": 0.4, "shrinkA": 0, "shrinkB": 2}
        out.append(
            ax.annotate(
                s,
                (xs[i], ys[i]),
                xytext=(-pad_pt if left[i] else pad_pt, dy),
                textcoords="offset points",
                fontsize=fontsize,
                va="center",
                ha="right" if left[i] else "left",
                arrowprops=arrow if abs(dy) > 0.3 * h * k else None,
            )
        )
    return out


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
