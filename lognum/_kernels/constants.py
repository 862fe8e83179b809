"""Constant tables the kernels take as array arguments (built once, lazily, in Python)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from functools import cache

import numpy as np


@cache
def exp2_dd_table() -> tuple[np.ndarray, np.ndarray]:
    """``2^(2^-i)`` for i = 0..59 as double-double (hi, lo) arrays (entry 0 unused = 2).

    Computed with 60-digit decimal arithmetic; hi is the nearest double, lo the nearest double
    to the remainder, so hi + lo carries about 106 bits.
    """
    hi = np.empty(60)
    lo = np.empty(60)
    with localcontext() as ctx:
        ctx.prec = 60
        for i in range(60):
            v = Decimal(2) ** (Decimal(1) / (Decimal(2) ** i))
            h = float(v)
            hi[i] = h
            lo[i] = float(v - Decimal(h))
    hi.setflags(write=False)
    lo.setflags(write=False)
    return hi, lo
