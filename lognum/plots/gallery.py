"""The gallery page of the docs, generated from the figure registry so that it cannot drift.

``python -m lognum.plots.gallery [PATH]`` writes ``docs/gallery.md`` (MyST markdown): every
registered figure with its picture (from ``figures/``), caption, function, command, what it
reproduces and the data it uses. A test checks that the committed page equals
:func:`gallery_markdown`.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["gallery_markdown", "main"]

_HEAD = """\
# Figure gallery

Every figure of lognum, as `lognum figures` renders it into `figures/`. Each figure is written
three times: `NAME.pdf` (TrueType fonts embedded, identical bytes on every run), `NAME.png`
(200 dpi) and `NAME.csv` (the plotted series; the header names the units), so you can drop the
PDF into a paper or re-plot the CSV in your own style.

```console
$ lognum figures                                    # all of them, into figures/
$ lognum figures alps_fig4a_sqnr -o out/ --size single --style ieee
$ lognum figures --list                             # the names and captions
```

`--size single|double` sets the column width (3.5 in / 7.16 in; `--style acm` uses 3.33 in /
7.0 in), `--style default|ieee|acm` the fonts. In Python every figure is one call, and in
Jupyter the returned figure shows as a picture by itself (no `%matplotlib inline`):

```python
from lognum.plots import FIGURES
from lognum.plots.style import save

fig = FIGURES["alps_fig4a_sqnr"](size="single", style="ieee")
save(fig, "out", "sqnr")  # out/sqnr.pdf and out/sqnr.png, deterministic bytes
```

A test draws every figure below at both column widths and fails on overlapping text, a font
under 6 pt, anything outside the canvas, colours outside the colour-blind safe Okabe-Ito
palette, series that cannot be told apart in greyscale, or a PDF without embedded TrueType
fonts. Where a figure reproduces a paper's figure with other data (no ImageNet offline), the
*data* line says which.
"""


def gallery_markdown(figdir: str = "../figures") -> str:
    """The gallery page (MyST markdown) for the current registry; images from ``figdir``
    relative to the page."""
    from lognum.plots import FIGURES

    parts = [_HEAD]
    for e in FIGURES.values():
        lines = [
            f"## `{e.name}`",
            "",
            "```{figure} " + f"{figdir}/{e.name}.png",
            f":alt: {e.caption}",
            ":width: 100%",
            "",
            e.caption,
            "```",
            "",
        ]
        if e.reproduces:
            lines.append(f"- **Reproduces:** {e.reproduces}")
        if e.data:
            lines.append(f"- **Data:** {e.data}")
        lines.append(f"- **Function:** `{e.qualname}()`")
        lines.append(f"- **Command:** `lognum figures {e.name}`")
        if e.requires:
            where = (
                "a file of an installed data package (installed `--no-deps`, as in the README)"
                if e.requires.startswith("package:")
                else "the saved results in the repository"
            )
            lines.append(f"- **Needs:** `{e.requires}` ({where})")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Write the gallery to ``argv[0]`` (default ``docs/gallery.md``)."""
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "docs/gallery.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(gallery_markdown())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
