"""Figures (docs/tutorials.md): each figure function returns a matplotlib ``Figure``.

``lognum.plots.style`` holds the shared style sheet (``use_style``) and the deterministic
writer (``save``); figure modules (``theory``, ...) are imported on demand.
"""
