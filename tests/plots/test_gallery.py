"""docs/gallery.md is generated from the registry and figures/ holds every registered figure."""

from __future__ import annotations

import re
from pathlib import Path

from lognum.plots import FIGURES
from lognum.plots.gallery import gallery_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_gallery_page_matches_the_registry():
    page = (ROOT / "docs" / "gallery.md").read_text()
    assert page == gallery_markdown(), "regenerate: python -m lognum.plots.gallery"
    shown = re.findall(r"^## `([a-z0-9_]+)`$", page, flags=re.M)
    assert shown == list(FIGURES)
    for e in FIGURES.values():
        assert e.caption in page and f"lognum figures {e.name}`" in page


def test_figures_folder_holds_every_registered_figure_and_nothing_else():
    files = {p.name for p in (ROOT / "figures").iterdir() if not p.name.startswith(".")}
    want = {f"{n}.{x}" for n in FIGURES for x in ("pdf", "png", "csv")}
    assert files == want, (sorted(files - want), sorted(want - files))
    for n in FIGURES:
        head = (ROOT / "figures" / f"{n}.csv").read_text().splitlines()[0]
        assert head == f"# {n}: {FIGURES[n].caption}"
