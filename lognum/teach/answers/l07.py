"""Lesson 07 (posit arithmetic): expected answers from lognum's posit rounding of exact
(Fraction) results."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from lognum.teach.checks import exercise


def _round(spec: str, x: Fraction) -> float:
    from lognum.formats.parse import parse

    return float(parse(spec).quantize(np.array([float(x)]))[0])


@exercise("07.1", "1.5 + 0.0625 in posit<8,2>", hint="1.5625 is a tie between 1.5 and 1.625.")
def _e1():
    return _round("posit<8,2>", Fraction(3, 2) + Fraction(1, 16))


@exercise("07.2", "3.25 x 0.40625 in posit<8,1>", hint="1.3203125 with a step of 1/16.")
def _e2():
    return _round("posit<8,1>", Fraction(13, 4) * Fraction(13, 32))


@exercise(
    "07.3",
    "64 + 1.25 - 64 rounded each time and with a quire",
    hint="65.25 rounds to 64 at a step of 16; the quire keeps 1.25.",
)
def _e3():
    acc = Fraction(0)
    for x in (Fraction(64), Fraction(5, 4), Fraction(-64)):
        acc = Fraction(_round("posit<8,2>", acc + x))
    return (float(acc), _round("posit<8,2>", Fraction(64) + Fraction(5, 4) - Fraction(64)))
