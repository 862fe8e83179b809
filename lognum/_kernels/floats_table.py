"""Table-driven rounding for any element format of at most 16 bits.

A format is given by its sorted nonnegative magnitudes ``pv`` (``pv[0]`` is 0 when the format
has a zero). Round to nearest uses the decision thresholds ``thr[i]`` between ``pv[i]`` and
``pv[i+1]`` with explicit tie flags ``tup[i]`` (1: ``|x| == thr[i]`` rounds up): the thresholds
may be arithmetic midpoints (linear rounding) or the float64 nearest to a geometric midpoint
(log-domain rounding; the flag then says on which side of the true midpoint the double lies).
This is the slow, readable path: the families use it where no bit-level kernel exists (LNS, log
quantization) and tests compare the fast kernels with it.
"""

from __future__ import annotations

from numba import int64

from lognum._kernels.jit import jit, jit_inline


@jit_inline
def count_below(a, thr, tup):
    """Number of thresholds that ``a`` passes (the index of its nearest magnitude)."""
    lo = 0
    hi = thr.size
    while lo < hi:  # first i with a < thr[i] or (a == thr[i] and not tup[i])
        mid = (lo + hi) >> 1
        t = thr[mid]
        if a > t or (a == t and tup[mid]):
            lo = mid + 1
        else:
            hi = mid
    return lo


@jit
def nearest_index(x, thr, tup, out):
    """``out[i]`` = index into the magnitude table of the nearest value to ``|x[i]|``
    (finite inputs; the caller handles NaN/inf)."""
    for i in range(x.size):
        out[i] = count_below(abs(float(x[i])), thr, tup)


@jit
def stochastic_index(x, u, pv, out):
    """``out[i]`` = index into ``pv`` of the stochastically rounded ``|x[i]|``: the upper
    neighbour with probability (|x| - lo) / (hi - lo), so the expectation is |x| (unbiased).
    Below ``pv[0]`` the result is 0 and above ``pv[-1]`` it is the last index (the caller
    applies the overflow rule there)."""
    last = pv.size - 1
    for i in range(x.size):
        a = abs(float(x[i]))
        lo = 0
        hi = last
        if a >= pv[last]:
            out[i] = last
        elif a <= pv[0]:
            out[i] = 0
        else:
            while hi - lo > 1:  # pv[lo] < a < pv[hi] or a == pv[lo]
                mid = (lo + hi) >> 1
                if pv[mid] <= a:
                    lo = mid
                else:
                    hi = mid
            p = (a - pv[lo]) / (pv[hi] - pv[lo])
            k = lo
            if u[i] < p:
                k = hi
            out[i] = int64(k)
