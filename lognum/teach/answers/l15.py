"""Lesson 15 (stochastic rounding): expected answers from the formats' value sets."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from lognum.teach.checks import exercise


def _neighbours(spec: str, x: float) -> tuple[float, float]:
    from lognum.formats.parse import parse

    v = parse(spec).values()
    return float(v[v <= x].max()), float(v[v >= x].min())


@exercise(
    "15.1",
    "probability that SR rounds 0.3 up in E4M3",
    hint="neighbours 0.28125 and 0.3125; p = (x - a)/(b - a).",
)
def _e1():
    a, b = _neighbours("float8_e4m3fn", 0.3)
    return (0.3 - a) / (b - a)


@exercise("15.2", "variance of SR(2.75) on the posit<6,2> grid", hint="neighbours 2 and 3.")
def _e2():
    a, b = _neighbours("posit<6,2>", 2.75)
    return (b - 2.75) * (2.75 - a)


@exercise(
    "15.3",
    "expected sum of 1000 stochastic FP16 adds of 0.1",
    rtol=0,
    atol=0,
    hint="1000 times the FP16 value nearest to 0.1 (SR is unbiased).",
)
def _e3():
    from lognum.formats.parse import parse

    q = parse("float16").quantize(np.array([0.1]))[0]
    return float(Fraction(float(q)) * 1000)
