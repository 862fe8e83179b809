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

from typing import NamedTuple

import numpy as np
from numba import int64, uint64

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


# ------------------------------------------------------------------------------------------
# the fast path: a bucket index over the input's bit pattern (no search)


class BucketTable(NamedTuple):
    """``count_below`` without a search (built by ``bucket_table``). The magnitude bits of the
    input, shifted right by ``shift``, name a bucket ``k`` (clamped to ``0..nbuckets - 1`` after
    subtracting ``kmin``) that holds at most one threshold; ``base[k]`` counts the thresholds
    below the bucket, so the index is ``base[k] + (adj[base[k]] < |x|)``. ``adj`` is ``thr`` with
    each round-up tie moved one double down (``|x| >= t`` is ``|x| > prev(t)`` for a double
    ``|x|``) and a final +inf."""

    adj: np.ndarray  # float64, T + 1 entries
    base: np.ndarray  # int64, nbuckets entries
    kmin: int
    shift: int
    nbuckets: int


def bucket_table(
    thr: np.ndarray, tup: np.ndarray, single: bool, max_buckets: int = 1 << 18
) -> BucketTable | None:
    """The ``BucketTable`` of the thresholds ``thr`` (ascending, positive) with tie flags ``tup``
    for float32 (``single``) or float64 inputs, with the fewest buckets that separate every
    threshold; None if that needs more than ``max_buckets`` (the caller then searches)."""
    adj = np.where(np.asarray(tup, dtype=bool), np.nextafter(thr, -np.inf), thr)
    if adj.size == 0 or not np.all(np.diff(adj) > 0) or not adj[0] > 0:
        return None
    if single:
        with np.errstate(over="ignore"):  # beyond float32 max: inf, the last bucket
            v = adj.astype(np.float32)  # the float32 floor of each threshold: its bucket
        v = np.where(v.astype(np.float64) > adj, np.nextafter(v, np.float32(0)), v)
        bits, mant, ft = v.view(np.uint32).astype(np.int64), 23, np.float32
        ut = np.uint32
    else:
        bits, mant, ft, ut = adj.view(np.uint64).astype(np.int64), 52, np.float64, np.uint64
    for shift in range(mant, -1, -1):
        keys = bits >> shift
        if np.all(np.diff(keys) > 0):
            kmin = int(keys[0])
            nb = int(keys[-1]) - kmin + 1
            if nb > max_buckets:
                return None
            starts = ((kmin + np.arange(nb, dtype=np.int64)) << shift).astype(ut).view(ft)
            base = np.searchsorted(adj, starts.astype(np.float64), side="left").astype(np.int64)
            adj1 = np.append(adj, np.inf)
            for a in (adj1, base):
                a.setflags(write=False)
            return BucketTable(adj1, base, kmin, shift, nb)
    return None  # pragma: no cover - shift 0 separates any strictly increasing thresholds


@jit
def round_bucket(x, xbits, out, bt, absmask, infbits, sshift, pos, neg, nanv):
    """``out[i]`` = ``pos[j]`` (``neg[j]`` for a negative sign bit) where ``j`` is the index of
    the nearest magnitude of ``|x[i]|`` (``count_below``, found through the ``BucketTable`` bt);
    ``nanv`` for NaN and ±inf. ``xbits``: ``x`` viewed as unsigned integers of its width, with
    ``absmask``/``infbits``/``sshift`` its magnitude mask, +inf pattern and sign position."""
    adj = bt.adj
    base = bt.base
    kmin = bt.kmin
    shift = uint64(bt.shift)
    top = bt.nbuckets - 1
    for i in range(x.size):
        b = uint64(xbits[i])
        mag = b & absmask
        k = int64(mag >> shift) - kmin
        k = min(max(k, 0), top)
        j = base[k]
        j += int64(adj[j] < abs(float(x[i])))
        v = neg[j] if (b >> sshift) & uint64(1) else pos[j]
        out[i] = nanv if mag >= infbits else v
