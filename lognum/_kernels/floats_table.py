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
    """``count_below`` without a search, in the integer domain of the input's bit patterns
    (built by ``bucket_table``). For a nonnegative float, ``|x| > t`` is ``bits(|x|) > b`` where
    ``b`` is the pattern of the largest float of the input's width that is ``<= t`` (moved one
    double down first where a tie rounds up), so the thresholds become integers ``bits``. A
    magnitude pattern ``mag``, clamped to ``[lo, hi]``, names the bucket
    ``k = (mag - lo) >> shift``, which holds at most one threshold; ``base[k]`` counts the
    thresholds below the bucket, so the index is ``base[k] + (mag > bits[base[k]])``. NaN and
    ±inf (``mag >= inf``) are moved to the pattern ``nanpat``, in one extra bucket past ``hi``
    whose index is ``T + 1`` (T thresholds separate T + 1 magnitudes; that slot follows).
    ``bits`` ends with two all-ones sentinels.
    """

    bits: np.ndarray  # uint32 (float32 inputs) or uint64, T + 2 entries
    base: np.ndarray  # uint32, one entry per bucket
    lo: int  # smallest magnitude pattern of bucket 0 (smaller ones are clamped into it)
    hi: int  # largest magnitude pattern of the last bucket (larger finite ones clamp there)
    inf: int  # the +inf pattern: larger magnitudes are NaN
    nanpat: int  # where NaN and inf go: the first pattern of the extra bucket
    shift: int
    sshift: int  # position of the sign bit (31 or 63)


def bucket_table(
    thr: np.ndarray, tup: np.ndarray, single: bool, max_buckets: int = 1 << 18
) -> BucketTable | None:
    """The ``BucketTable`` of the thresholds ``thr`` (ascending, positive) with tie flags ``tup``
    for float32 (``single``) or float64 inputs, with the fewest buckets that separate every
    threshold; None if that needs more than ``max_buckets`` (the caller then searches)."""
    adj = np.where(np.asarray(tup, dtype=bool), np.nextafter(thr, -np.inf), thr)
    if adj.size == 0 or not adj[0] > 0:
        return None
    if single:
        with np.errstate(over="ignore"):  # beyond float32 max: inf (then not separable)
            v = adj.astype(np.float32)
        v = np.where(v.astype(np.float64) > adj, np.nextafter(v, np.float32(0)), v)
        bits = v.view(np.uint32).astype(np.int64)
        mant, inf, ut = 23, 0x7F800000, np.uint32
    else:
        bits = adj.view(np.uint64).astype(np.int64)
        mant, inf, ut = 52, 0x7FF0000000000000, np.uint64
    if not np.all(np.diff(bits) > 0):
        return None
    for shift in range(mant, -1, -1):
        keys = bits >> shift
        if np.all(np.diff(keys) > 0):
            kmin = int(keys[0])
            nb = int(keys[-1]) - kmin + 1
            if nb > max_buckets:
                return None
            starts = (kmin + np.arange(nb, dtype=np.int64)) << shift
            base = np.searchsorted(bits, starts, side="left").astype(np.uint32)
            base = np.append(base, np.uint32(bits.size + 1))  # the NaN bucket
            allones = np.iinfo(ut).max
            b = np.append(bits.astype(ut), [ut(allones), ut(allones)])
            for a in (b, base):
                a.setflags(write=False)
            lo = kmin << shift
            hi = lo + (nb << shift) - 1
            return BucketTable(b, base, lo, hi, inf, hi + 1, shift, 31 if single else 63)
    return None  # pragma: no cover - shift 0 separates any strictly increasing patterns


def bucket_values(pos: np.ndarray, neg: np.ndarray, nan_value: float | int) -> np.ndarray:
    """The value table of ``round_bucket``: ``pos[j]`` at ``2j`` and ``neg[j]`` at ``2j + 1``,
    then the NaN/inf slot (``nan_value`` for both signs)."""
    v = np.stack([pos, neg], axis=1).reshape(-1)
    return np.append(v, [nan_value, nan_value]).astype(v.dtype if v.dtype.kind == "f" else np.int64)


@jit
def round_bucket(xbits, out, bt, vals):
    """``out[i] = vals[2 j + s]`` where ``s`` is the sign bit of ``x[i]`` and ``j`` the index of
    the nearest magnitude of ``|x[i]|`` (``count_below``, found through the ``BucketTable`` bt;
    ``T + 1`` for NaN and ±inf); ``xbits`` is ``x`` viewed as unsigned integers of its width,
    ``vals`` a ``bucket_values`` table. Branch-free: two dependent table loads per element."""
    bits = bt.bits
    base = bt.base
    lo = uint64(bt.lo)
    hi = uint64(bt.hi)
    inf = uint64(bt.inf)
    nanpat = uint64(bt.nanpat)
    shift = uint64(bt.shift)
    sshift = uint64(bt.sshift)
    absmask = (uint64(1) << sshift) - uint64(1)
    for i in range(xbits.size):
        b = uint64(xbits[i])
        mag = b & absmask
        m = min(max(mag, lo), hi)
        m = nanpat if mag >= inf else m
        k = (m - lo) >> shift
        j = uint64(base[k])
        j += uint64(mag > uint64(bits[j]))
        out[i] = vals[(j << uint64(1)) | (b >> sshift)]
