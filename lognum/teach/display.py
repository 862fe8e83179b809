"""Show a Matplotlib figure as an image in a notebook, independent of the active backend."""

from __future__ import annotations

import io
import sys
from typing import Any


def png_bytes(fig: Any, dpi: int = 90) -> bytes:
    """The figure rendered as PNG bytes (Agg canvas; pyplot is not needed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def show(fig: Any, dpi: int = 90) -> None:
    """Display ``fig`` (a ``matplotlib.figure.Figure``) as an ``image/png`` output.

    Figures made without pyplot (every ``lognum.plots`` function returns one) would otherwise
    show as the text ``<Figure size ...>``. Outside IPython this does nothing visible.
    """
    if not hasattr(fig, "savefig"):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    data = png_bytes(fig, dpi)
    try:
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - plain Python
        return
    display(Image(data=data, format="png"))
    if "matplotlib.pyplot" in sys.modules:  # a pyplot figure would show again at cell end
        sys.modules["matplotlib.pyplot"].close(fig)
