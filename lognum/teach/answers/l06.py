"""Lesson 06 (posit anatomy): expected answers from lognum's Posit kernels."""

from __future__ import annotations

import numpy as np

from lognum.teach.checks import exercise


@exercise(
    "06.1",
    "decode posit<8,1> 0b01101011",
    hint="regime '110' (k = 1), exponent '1', fraction '011' = 3/8.",
)
def _e1():
    from lognum.formats.posit import Posit

    return float(Posit(8, 1).decode(np.array([0b01101011], dtype=np.uint8))[0])


@exercise(
    "06.2",
    "decode the negative posit<8,2> 0b11011000",
    hint="two's complement first: 0b00101000 = 0 01 01 000.",
)
def _e2():
    from lognum.formats.posit import Posit

    return float(Posit(8, 2).decode(np.array([0b11011000], dtype=np.uint8))[0])


@exercise(
    "06.3",
    "round 3.3 to posit<6,2> (bit pattern)",
    hint="3.3 = 1.65 * 2^1; one fraction bit is left after regime '10' and exponent '01'.",
)
def _e3():
    from lognum.formats.posit import Posit

    return int(Posit(6, 2).encode(np.array([3.3]))[0])


@exercise(
    "06.4",
    "decimal digits of posit<16,1> and float16 at 1.1",
    rtol=1e-9,
    hint="gap 2^-12 (posit<16,1> near 1) and 2^-10 (float16); digits = -log10(gap/2.2).",
)
def _e4():
    from lognum.analysis.closed_form import decimal_digits

    return (float(decimal_digits("posit<16,1>", 1.1)), float(decimal_digits("float16", 1.1)))
