"""Lesson 03 (floats): expected answers, from lognum's Minifloat formats (enumerated)."""

from __future__ import annotations

import numpy as np

from lognum.teach.checks import exercise


@exercise(
    "03.1",
    "max and min subnormal of FP8 E5M2",
    hint="max: E = 30, M = 11 (1.75 * 2^15); min subnormal 2^(1 - 15 - 2).",
)
def _e1():
    from lognum.formats.parse import parse

    v = parse("float8_e5m2").values()
    v = v[np.isfinite(v) & (v > 0)]
    return (float(v.max()), float(v.min()))


@exercise("03.2", "0.3 rounded to E4M3", hint="0.3 = 1.2 * 2^-2; 0.2 * 8 = 1.6 rounds to 2.")
def _e2():
    from lognum.formats.parse import parse

    return float(parse("float8_e4m3fn").quantize(np.array([0.3]))[0])


@exercise(
    "03.3",
    "number of NaN codes in E5M2 and E4M3",
    hint="IEEE: exponent all ones with a nonzero mantissa; fn: only S.1111.111.",
)
def _e3():
    from lognum.formats.parse import parse

    c = np.arange(256, dtype=np.uint8)
    return tuple(int(np.isnan(parse(s).decode(c)).sum()) for s in ("float8_e5m2", "float8_e4m3fn"))
