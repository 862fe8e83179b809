"""Publication checks of a drawn figure, measured with the renderer's bounding boxes.

``problems(fig)`` draws ``fig`` once with the Agg renderer, records every piece of text the
renderer actually draws (tick labels, axis labels, titles, legends, annotations, colour-bar
labels) with its window extent, and returns a list of human-readable problems:

- ``overlap``: two drawn texts (or a legend and a text outside it) intersect by more than
  ``tol_px`` pixels in both directions;
- ``legend``: a legend covers a bar, an image or a data point of its own axes;
- ``font``: a text is smaller than ``min_pt`` points at the figure's final size;
- ``canvas``: something is drawn outside the figure;
- ``palette``: a line, marker, bar or text colour is not from the colour-blind safe palette
  (:data:`lognum.plots.style.COLORS`, greys and white), or an image uses a colour map outside
  :data:`CMAPS`;
- ``greyscale``: two legend entries differ only by hue (same line style, marker and hatch, and
  greyscale luminances closer than ``min_luma``).

``pdf_problems(data)`` checks PDF bytes: TrueType fonts embedded (``FontFile2``), no Type 3
fonts, no creation date. An empty list means the figure passes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CMAPS", "problems", "pdf_problems", "drawn_texts"]

#: Colour maps accepted for images (perceptually ordered and colour-blind safe).
CMAPS = frozenset(
    "viridis cividis magma inferno plasma Greys Blues RdBu RdBu_r PuOr PuOr_r gray binary".split()
)


def drawn_texts(fig: Any) -> tuple[Any, list[tuple[Any, Any, float]]]:
    """Draw ``fig`` with Agg; return ``(renderer, [(text artist, window bbox, size pt)])`` for
    every non-empty text the renderer drew."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    renderer = canvas.get_renderer()
    seen: dict[int, Any] = {}
    orig = renderer.draw_text

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if mtext is not None and s.strip():
            seen[id(mtext)] = (mtext, prop.get_size_in_points())
        return orig(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = record
    try:
        fig.draw(renderer)
    finally:
        del renderer.draw_text
    from matplotlib.text import Text

    # Text's own extent (an Annotation's would include its arrow)
    out = [(t, Text.get_window_extent(t, renderer), sz) for t, sz in seen.values()]
    return renderer, out


def _name(t: Any) -> str:
    s = t.get_text().replace("\n", " ")
    return repr(s if len(s) <= 30 else s[:27] + "...")


def _inter(a: Any, b: Any, tol: float) -> bool:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w > tol and h > tol


def _luma(c: Any) -> float:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(c)
    return 0.299 * r + 0.587 * g + 0.114 * b


def _allowed(c: Any) -> bool:
    from matplotlib.colors import to_rgba

    from lognum.plots.style import COLORS

    if isinstance(c, str) and c.lower() == "none":
        return True
    r, g, b, a = to_rgba(c)
    if a == 0:
        return True
    if abs(r - g) < 1e-6 and abs(g - b) < 1e-6:  # black, greys, white
        return True
    return any(
        max(abs(x - y) for x, y in zip((r, g, b), to_rgba(p)[:3], strict=False)) < 2e-3
        for p in COLORS
    )


def _handle_signature(h: Any) -> tuple[tuple, float]:
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if isinstance(h, Line2D):
        ls = h.get_linestyle()
        dash = getattr(h, "_dash_pattern", None)
        dash = None if ls in ("None", " ", "") else (ls, str(dash))
        mk = h.get_marker()
        mk = None if mk in ("None", None, "", " ") else (str(mk), h.get_markerfacecolor() == "none")
        col = h.get_color() if dash is not None or mk is None else h.get_markerfacecolor()
        if mk is not None and h.get_markerfacecolor() == "none":
            col = h.get_markeredgecolor()
        return (dash, mk, None), _luma(col)
    if isinstance(h, Patch):
        return (None, None, h.get_hatch() or ""), _luma(h.get_facecolor())
    if isinstance(h, Collection):
        paths = h.get_paths()
        key = tuple(map(tuple, paths[0].vertices.round(2))) if paths else ()
        fc = h.get_facecolor()
        return (None, key, None), _luma(fc[0] if len(fc) else h.get_edgecolor()[0])
    return (type(h).__name__,), 0.5


def problems(
    fig: Any, min_pt: float = 6.0, tol_px: float = 0.5, min_luma: float = 0.25
) -> list[str]:
    """The publication problems of ``fig`` (see the module docstring); [] when it passes."""
    import numpy as np
    from matplotlib.collections import Collection
    from matplotlib.patches import Rectangle

    out: list[str] = []
    renderer, texts = drawn_texts(fig)
    W, H = fig.bbox.width, fig.bbox.height
    legends = [lg for ax in fig.axes if (lg := ax.get_legend()) is not None] + list(fig.legends)
    owner: dict[int, Any] = {}
    for lg in legends:
        for t in [*lg.get_texts(), lg.get_title()]:
            owner[id(t)] = lg
    # fonts and canvas
    for t, bb, sz in texts:
        if sz < min_pt - 1e-9:
            out.append(f"font: {_name(t)} is {sz:.2f} pt < {min_pt:g} pt")
        if bb.x0 < -1 or bb.y0 < -1 or bb.x1 > W + 1 or bb.y1 > H + 1:
            out.append(f"canvas: {_name(t)} extends outside the figure")
    tb = fig.get_tightbbox(renderer)
    w_in, h_in = fig.get_size_inches()
    if tb.x0 < -0.01 or tb.y0 < -0.01 or tb.x1 > w_in + 0.01 or tb.y1 > h_in + 0.01:
        out.append(f"canvas: drawing extends to {tb.bounds} outside (0, 0, {w_in}, {h_in}) in")
    # text against text
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            (a, ba, _), (b, bb, _) = texts[i], texts[j]
            if _inter(ba, bb, tol_px):
                out.append(f"overlap: {_name(a)} and {_name(b)}")
    # legends against other texts, other legends and their axes' data
    for k, lg in enumerate(legends):
        lb = lg.get_window_extent(renderer)
        for t, bb, _ in texts:
            if owner.get(id(t)) is not lg and _inter(lb, bb, tol_px):
                out.append(f"overlap: legend {k} and {_name(t)}")
        for lg2 in legends[k + 1 :]:
            if _inter(lb, lg2.get_window_extent(renderer), tol_px):
                out.append(f"overlap: two legends ({k})")
        ax = lg.axes if lg in [a.get_legend() for a in fig.axes] else None
        if ax is None:
            continue
        for p in ax.patches:
            if (
                isinstance(p, Rectangle)
                and p.get_visible()
                and p.get_height() != 0
                and _inter(lb, p.get_window_extent(renderer), tol_px)
            ):
                out.append(f"legend: legend {k} covers a bar")
                break
        for im in ax.images:
            if _inter(lb, im.get_window_extent(renderer), tol_px):
                out.append(f"legend: legend {k} covers an image")
        pts = []
        for ln in ax.get_lines():
            if ln.get_transform() in (ax.get_xaxis_transform(), ax.get_yaxis_transform()):
                continue
            xy = np.column_stack(
                [np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)]
            )
            if len(xy):
                pts.append(ln.get_transform().transform(xy))
        for col in ax.collections:
            off = np.asarray(col.get_offsets(), float)
            if off.size:
                pts.append(col.get_offset_transform().transform(off))
        if pts:
            p = np.concatenate(pts)
            p = p[np.isfinite(p).all(axis=1)]
            axb = ax.get_window_extent(renderer)
            inside_ax = (
                (p[:, 0] >= axb.x0)
                & (p[:, 0] <= axb.x1)
                & (p[:, 1] >= axb.y0)
                & (p[:, 1] <= axb.y1)
            )
            hit = (
                inside_ax
                & (p[:, 0] > lb.x0)
                & (p[:, 0] < lb.x1)
                & (p[:, 1] > lb.y0)
                & (p[:, 1] < lb.y1)
            )
            if hit.any():
                out.append(f"legend: legend {k} covers {int(hit.sum())} data point(s)")
    # palette
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        for ln in ax.get_lines():
            for c in (ln.get_color(), ln.get_markerfacecolor(), ln.get_markeredgecolor()):
                if not _allowed(c):
                    out.append(f"palette: line {ln.get_label()!r} uses {c}")
                    break
        for p in ax.patches:
            for c in (p.get_facecolor(), p.get_edgecolor()):
                if not _allowed(c):
                    out.append(f"palette: patch {p.get_label()!r} uses {c}")
                    break
        for col in ax.collections:
            if not isinstance(col, Collection) or col.get_array() is not None:
                if col.get_array() is not None and col.get_cmap().name not in CMAPS:
                    out.append(f"palette: colour map {col.get_cmap().name}")
                continue
            for c in [*col.get_facecolor(), *col.get_edgecolor()]:
                if not _allowed(c):
                    out.append(f"palette: collection {col.get_label()!r} uses {c}")
                    break
        for im in ax.images:
            if im.get_cmap().name not in CMAPS:
                out.append(f"palette: colour map {im.get_cmap().name}")
    for t, _, _ in texts:
        if not _allowed(t.get_color()):
            out.append(f"palette: text {_name(t)} in {t.get_color()}")
    # greyscale separation of legend entries
    for k, lg in enumerate(legends):
        hs = getattr(lg, "legend_handles", None) or getattr(lg, "legendHandles", [])
        labs = [t.get_text() for t in lg.get_texts()]
        sig = [_handle_signature(h) for h in hs]
        for i in range(len(sig)):
            for j in range(i + 1, len(sig)):
                if sig[i][0] == sig[j][0] and abs(sig[i][1] - sig[j][1]) < min_luma:
                    out.append(
                        f"greyscale: legend {k} entries {labs[i]!r} and {labs[j]!r} "
                        "differ only by hue"
                    )
    return out


def pdf_problems(data: bytes) -> list[str]:
    """Problems of PDF bytes: fonts not embedded as TrueType, Type 3 fonts, a creation date."""
    out = []
    if b"/Type3" in data or b"/Subtype /Type3" in data:
        out.append("pdf: Type 3 font")
    if b"FontFile2" not in data:
        out.append("pdf: no embedded TrueType font (pdf.fonttype = 42)")
    if b"CreationDate" in data:
        out.append("pdf: creation date (bytes not deterministic)")
    return out
