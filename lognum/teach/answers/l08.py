"""Lesson 08 (the quire): expected answers (exact Fractions, lognum.arith)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from lognum.teach.checks import exercise


@exercise(
    "08.1",
    "quire width of posit<8,1> for 2^20 products",
    hint="posit<8,1>: Max/Min = 2^24; 20 + 2*24 + 2.",
)
def _e1():
    from lognum.analysis.closed_form import quire_width

    return int(quire_width("posit<8,1>", 2**20))


@exercise(
    "08.2",
    "the quire integer of a posit<8,2> dot product",
    hint="Q = (exact sum of the products) * 2^48, an integer.",
)
def _e2():
    from lognum.formats.posit import Posit

    p = Posit(8, 2)
    a = p.quantize(np.array([0.375, 5, -1.25, 0.0625]))
    b = p.quantize(np.array([-3, 0.5, 0.4375, 16]))
    s = sum(Fraction(x) * Fraction(y) for x, y in zip(a, b, strict=True)) * 2**48
    return int(s)


@exercise(
    "08.3",
    "posit<8,2> dot product rounded after every operation",
    hint="quantize x and y first, then round each product and each partial sum in order.",
)
def _e3():
    from lognum.arith import dot

    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(64), rng.standard_normal(64)
    return float(dot(x, y, "posit<8,2>", "format"))
