"""Lesson 02 (bit widths inside a MAC): expected answers (exact integer arithmetic, IEEE
half precision from NumPy's float16 as an independent oracle)."""

from __future__ import annotations

import numpy as np

from lognum.teach.checks import exercise


@exercise(
    "02.1",
    "smallest signed accumulator for a 3x3x256 int8 convolution",
    hint="largest sum 2304*2^14, most negative 2304*(-128)*127; count the bits of both.",
)
def _e1():
    k = 3 * 3 * 256
    hi, lo = k * 128 * 128, k * -128 * 127
    return max(hi.bit_length() + 1, (-lo - 1).bit_length() + 1)


@exercise(
    "02.2",
    "fraction of int16-accumulated dot products that are wrong",
    hint="the register holds ((s + 2^15) mod 2^16) - 2^15 of the exact sum s.",
)
def _e2():
    rng = np.random.default_rng(1)
    A = rng.integers(-128, 128, (1000, 128))
    B = rng.integers(-128, 128, (1000, 128))
    wrong = 0
    for a, b in zip(A.tolist(), B.tolist(), strict=True):
        s = sum(x * y for x, y in zip(a, b, strict=True))
        wrong += ((s + 2**15) % 2**16) - 2**15 != s
    return wrong / 1000


@exercise(
    "02.3",
    "where an FP16 accumulator of +0.25 steps stops",
    hint="it stops when 0.25 is at most half an ulp of the sum (ties go to even).",
)
def _e3():
    acc = np.float16(0)
    while True:
        nxt = np.float16(acc + np.float16(0.25))
        if nxt == acc:
            return float(acc)
        acc = nxt
