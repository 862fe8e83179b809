"""Lesson 12 (logarithmic posits): expected answers (lognum's LP kernels, SciPy quadrature)."""

from __future__ import annotations

import math

import numpy as np

from lognum.teach.checks import exercise


@exercise(
    "12.1",
    "decode LP<8,1,7,0> 0b00110101",
    hint="regime '01' (k = -1), exponent '1', log fraction '0101' = 5/16.",
)
def _e1():
    from lognum.formats.logposit import LogPosit

    return float(LogPosit(8, 1, 7, 0).decode(np.array([0b00110101], dtype=np.uint8))[0])


@exercise("12.2", "Mitchell's worst case", rtol=1e-7, hint="maximise at f = 1/ln 2 - 1.")
def _e2():
    from scipy.optimize import minimize_scalar

    r = minimize_scalar(
        lambda f: -(1 + f) / 2**f, bounds=(0, 1), method="bounded", options={"xatol": 1e-12}
    )
    return float(-r.fun)


@exercise(
    "12.3",
    "0.7 x 5.0 by adding logs in LP<8,1,7,0>",
    hint="quantize both, add the log2 values, round the sum to the nearest LP log.",
)
def _e3():
    from lognum.formats.logposit import LogPosit

    f = LogPosit(8, 1, 7, 0)
    a, b = f.quantize(np.array([0.7, 5.0]))
    return float(f.quantize(np.array([2.0 ** (math.log2(a) + math.log2(b))]))[0])


@exercise(
    "12.4",
    "E[2^2u]/E[(2^u-1)^2] in dB for h = 1/2",
    rtol=1e-9,
    hint="E[2^(cu)] = (2^(ch/2) - 2^(-ch/2)) / (c h ln 2).",
)
def _e4():
    from scipy.integrate import quad

    h = 0.5
    num = quad(lambda u: 2.0 ** (2 * u), -h / 2, h / 2, epsabs=1e-14)[0]
    den = quad(lambda u: (2.0**u - 1) ** 2, -h / 2, h / 2, epsabs=1e-16)[0]
    return 10 * math.log10(num / den)
