"""Kernels of codebook (lookup-table) quantization: the nearest entry of a sorted table.

A codebook is a sorted table ``v[0] < v[1] < ... < v[K-1]`` of float64 values and code ``i``
means ``v[i]`` (unconstrained non-uniform quantization: any K values). Round to nearest
compares x with the decision thresholds ``thr[i]`` between ``v[i]`` and ``v[i+1]``:
``thr[i]`` is the double nearest to the exact midpoint ``(v[i] + v[i+1]) / 2`` and ``tup[i]``
says where an input equal to ``thr[i]`` goes (1: up, to ``i+1``). When the midpoint is a
double, that is the tie and ``tup[i]`` sends it to the even code; otherwise ``tup[i]`` records
on which side of the exact midpoint the double lies, so the rounding is exact. Below ``v[0]``
and above ``v[K-1]`` (±inf included) the result saturates to the end entries.

``nearest_code`` (``floats_table.count_below``, the search the table formats use on
magnitudes) is the readable scalar reference; ``encode``, ``quantize`` and
``stochastic_code`` are the array loops (1-D contiguous input, NumPy-allocated output).
"""

from __future__ import annotations

from lognum._kernels.floats_table import count_below as nearest_code
from lognum._kernels.jit import jit


@jit
def encode(x, thr, tup, nancode, out):
    """``out[i]`` = the code nearest to ``x[i]`` (``nancode`` for NaN)."""
    for i in range(x.size):
        a = float(x[i])
        if a != a:
            out[i] = nancode
        else:
            out[i] = nearest_code(a, thr, tup)


@jit
def quantize(x, thr, tup, values, out):
    """``out[i]`` = the entry nearest to ``x[i]`` (NaN stays NaN)."""
    for i in range(x.size):
        a = float(x[i])
        if a != a:
            out[i] = a
        else:
            out[i] = values[nearest_code(a, thr, tup)]


@jit
def stochastic_code(x, u, values, nancode, out):
    """``out[i]`` = the code of a neighbour of ``x[i]``: with ``lo = v[j] <= x < v[j+1] = hi``
    the upper one with probability (x - lo) / (hi - lo), so E[v[code]] = x (unbiased); an
    entry itself, or x beyond the table's ends, gives that entry's (the end's) code; NaN gives
    ``nancode``. ``u``: uniform numbers in [0, 1), one per element."""
    last = values.size - 1
    for i in range(x.size):
        a = float(x[i])
        if a != a:
            out[i] = nancode
        elif a <= values[0]:
            out[i] = 0
        elif a >= values[last]:
            out[i] = last
        else:
            lo = 0
            hi = last
            while hi - lo > 1:  # values[lo] <= a < values[hi]
                mid = (lo + hi) >> 1
                if values[mid] <= a:
                    lo = mid
                else:
                    hi = mid
            d = values[hi] - values[lo]
            if d > 1.7976931348623157e308:  # the gap overflowed to inf: use halves
                p = (0.5 * a - 0.5 * values[lo]) / (0.5 * values[hi] - 0.5 * values[lo])
            else:
                p = (a - values[lo]) / d
            out[i] = hi if u[i] < p else lo
