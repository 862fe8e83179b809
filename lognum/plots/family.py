"""The posit family at a glance: the main job's table and value figure."""

from __future__ import annotations

from typing import Any

#: Configurations from the papers: the 2022 standard posits, ALPS' GP examples (docs/theory.md)
#: and the LPQ poster's formats.
PAPER_FORMATS = (
    "posit<8,0>",
    "posit<8,2>",
    "posit<16,1>",
    "posit<16,2>",
    "posit<32,2>",
    "posit<6,2>",
    "GP<8,1,3,0>",
    "GP<8,2,5,0>",
    "GP<6,2,3,0>",
    "GP<8,1,1,0>",
    "LP<6,2,5,0>",
    "LP<6,2,2,0>",
    "LP<8,1,5,0>",
    "LP<8,2,3,1.5>",
)


def family_table(specs: tuple[str, ...] = PAPER_FORMATS) -> list[dict[str, Any]]:
    """Key figures of each format: maxpos, minpos, dynamic range, number of values."""
    from lognum.formats.parse import parse

    return [parse(s).info() for s in specs]


def format_table(rows: list[dict[str, Any]]) -> str:
    """The table as aligned text."""
    head = f"{'format':<16}{'maxpos':>14}{'minpos':>14}{'range (decades)':>17}{'values':>12}"
    lines = [head, "-" * len(head)]
    for r in rows:
        nv = "" if r["values"] is None else str(r["values"])
        lines.append(
            f"{r['format']:<16}{r['maxpos']:>14.6g}{r['minpos']:>14.6g}"
            f"{r['dynamic_range_decades']:>17.2f}{nv:>12}"
        )
    return "\n".join(lines)


def fig_family_values(specs: tuple[str, ...] = ("posit<6,2>", "GP<6,2,3,0>", "LP<6,2,5,0>")) -> Any:
    """Positive values of each format on one log2 axis (one row per format)."""
    import numpy as np

    from lognum.formats.parse import parse
    from lognum.plots.style import COLORS, fit_title, new_figure, use_style

    with use_style():
        fig = new_figure(width="double", height=1.0 + 0.45 * len(specs))
        ax = fig.add_subplot()
        for i, s in enumerate(specs):
            v = parse(s).values()
            v = v[v > 0]
            ax.plot(
                np.log2(v),
                np.full(v.size, i),
                "|",
                ms=10,
                mew=1.0,
                color=COLORS[(i + 1) % len(COLORS)],
            )
        ax.set_yticks(range(len(specs)), [str(parse(s)) for s in specs])
        ax.set_ylim(-0.6, len(specs) - 0.4)
        ax.set_xlabel(r"$\log_2$ of the positive values")
        ax.grid(axis="y", visible=False)
        ax.set_title(
            fit_title(fig, "Where the values lie: " + ", ".join(str(parse(s)) for s in specs))
        )
    return fig
