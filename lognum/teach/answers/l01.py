"""Lesson 01 (quantization basics): expected answers, computed with lognum's formats."""

from __future__ import annotations

import math

import numpy as np

from lognum.teach.checks import exercise


@exercise(
    "01.1",
    "scale and zero point of asymmetric uint8 on [-1, 3]",
    hint="S = 4/255; Z = round(1/S) = round(63.75).",
)
def _e1():
    from lognum.formats.fixed import AffineInt

    f = AffineInt(8).fit(np.array([-1.0, 3.0]))
    return (float(f.scale), int(f.zero_point))


@exercise(
    "01.2",
    "MSE-optimal clip of a 3-bit symmetric quantizer on Laplace data",
    rtol=0,
    atol=1e-9,
    hint="sweep the grid, quantize with levels a*q/3, take the argmin.",
)
def _e2():
    from lognum.formats.fixed import SymmetricInt

    lap = np.random.default_rng(0).laplace(0, 1, 100_000)
    grid = np.arange(0.5, 12.01, 0.05)
    mse = [np.mean((lap - SymmetricInt(3, scale=a / 3).quantize(lap)) ** 2) for a in grid]
    return float(grid[int(np.argmin(mse))])


@exercise(
    "01.3",
    "integer multiplier M0 and shift of M = 0.0123",
    hint="scale M by 2^shift into [0.5, 1), then M0 = round(M * 2^(31 + shift)).",
)
def _e3():
    mant, ex = math.frexp(0.0123)
    return (int(round(mant * 2**31)), -ex)
