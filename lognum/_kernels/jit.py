"""The house decorators: every compiled function in lognum uses one of these spellings.

All of them use ``error_model="numpy"`` (a division by zero gives inf/nan as in NumPy instead
of raising, and the compiled code carries no zero-division checks) and none uses fastmath (the
kernels rely on exact IEEE rounding: TwoSum, TwoProduct, ties-to-even). Nothing compiles at
import: a function compiles on its first call, or is loaded from Numba's disk cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numba
import numpy as np

__all__ = ["FLOAT_SIGNATURES", "jit", "jit_callee", "jit_inline", "ufunc"]

#: Entry points (the array loops, and the scalar operations that uncached closures call):
#: cached on disk so a new process does not recompile them, GIL released so ``threads=`` works.
jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: Small scalar references: inlined into each caller at the Numba IR level, so the readable
#: scalar function costs nothing inside a loop (the caller's cache holds the result).
jit_inline = numba.njit(inline="always", error_model="numpy")

#: Scalar references too large to inline, and closures over per-format constants: compiled
#: once per signature and linked into their (cached) callers; a closure cannot be cached.
jit_callee = numba.njit(error_model="numpy")

#: The signatures of a format's ``ufunc``: float32 -> float32 and float64 -> float64.
FLOAT_SIGNATURES: tuple[str, ...] = ("float32(float32)", "float64(float64)")


def ufunc(
    signatures: Sequence[str] = FLOAT_SIGNATURES, *, identity: Any = None
) -> Callable[[Callable[..., Any]], np.ufunc]:
    """The decorator that makes a genuine NumPy ufunc of a scalar function (``numba.vectorize``
    with eager ``signatures``; the scalar usually closes over a format's constants, so it is not
    cached). ``identity`` is the ufunc's identity (e.g. 0 for an addition), for ``reduce``."""
    return numba.vectorize(list(signatures), identity=identity)
