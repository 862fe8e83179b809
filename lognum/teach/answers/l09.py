"""Lesson 09 (GP Max/Min and Δ): expected answers by enumeration and lognum's closed forms."""

from __future__ import annotations

import numpy as np

from lognum.teach.checks import exercise


def _values(n: int, es: int, rs: int) -> np.ndarray:
    from lognum.formats.posit import GeneralizedPosit

    return GeneralizedPosit(n, es, rs).values()


@exercise("09.1", "Max and Min of GP<8,2,3,0>", hint="t = 4 > es: the t > es branches.")
def _e1():
    v = _values(8, 2, 3)
    return (float(v.max()), float(v[v > 0].min()))


@exercise(
    "09.2",
    "eq 9, eq 25 and the smallest gap of GP<8,2,6,0>",
    hint="t = 1 <= es: eq 25 = 2^-(24 - 2); eq 9 = 2^-(24 - 4 - 1).",
)
def _e2():
    from lognum.analysis.closed_form import delta_gp

    v = _values(8, 2, 6)
    return (
        delta_gp(8, 2, 6, 0, "eq9"),
        delta_gp(8, 2, 6, 0, "eq25"),
        float(np.min(np.diff(v[v >= 0]))),
    )


@exercise(
    "09.3",
    "the rs where eq 9 and eq 25 disagree (n = 8, es = 1)",
    hint="they can differ only when 0 < t = 7 - rs <= es.",
)
def _e3():
    from lognum.analysis.closed_form import delta_gp

    return [rs for rs in range(1, 8) if delta_gp(8, 1, rs, 0, "eq9") != delta_gp(8, 1, rs, 0)]
