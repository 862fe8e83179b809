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
from numba import int32, int64, uint32, uint64

from lognum._kernels.bits import bits_f32, f32_bits
from lognum._kernels.floats import srl32
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


# ------------------------------------------------------------------------------------------
# binary32 inputs, thresholds that repeat every binade: no table load at all


class PeriodicTable(NamedTuple):
    """``round_bucket`` for float32 inputs whose thresholds repeat in every binade (LNS and log
    quantization with at most 8 values per octave: the thresholds of the binade [2^E, 2^(E+1))
    are 2^E times those of [1, 2)), giving values whose patterns repeat too, or codes that
    count the thresholds passed. With the input's magnitude pattern clamped to ``[lo, hi]``
    (the patterns of minpos and maxpos: every pattern above ``zthr`` and below minpos rounds
    to minpos, every larger finite one to maxpos), E its binary32 exponent field and ``mant``
    its mantissa, the result is ``(E emul + v0 + sum_i [mant > t_i] d_i) & vmask``, with
    ``sbit`` or-ed in for negative inputs; ``|x| <= zthr`` gives the zero slot, NaN and ±inf
    the NaN slot. Values: ``emul = 2^23`` and the d_i the steps of the value pattern; codes:
    ``emul`` = thresholds per binade and every ``d_i = 1``. Unused slots have ``t_i = 2^23``
    (never passed). Built and verified by ``periodic_table``; all fields ``np.int32``."""

    t: tuple  # 8 threshold mantissas (int32), ascending; 2^23 for unused slots
    d: tuple  # 8 increments (int32)
    emul: np.int32  # what one binade adds
    v0: np.int32  # offset
    vmask: np.int32  # the result's bits (codes: 2^(n-1) - 1; values: all)
    sbit: np.int32  # or-ed in for negative inputs (not in the zero slot)
    lo: np.int32
    hi: np.int32
    zthr: np.int32
    zval: np.int32  # the zero slot's result for x >= +0
    zneg: np.int32  # ... and for x <= -0
    nan: np.int32  # the NaN slot's result (NaN and ±inf inputs)


PERIOD_MAX = 8


@jit_inline
def _periodic_one(x, p):
    b = int32(f32_bits(x))
    mag = int32(b & int32(0x7FFFFFFF))
    m = mag
    if m < p.lo:
        m = p.lo
    if m > p.hi:
        m = p.hi
    mant = int32(m & int32(0x7FFFFF))
    t, d = p.t, p.d
    v = int32(int32(srl32(m, int32(23)) * p.emul) + p.v0)
    v = int32(v + (d[0] if mant > t[0] else int32(0)))
    v = int32(v + (d[1] if mant > t[1] else int32(0)))
    v = int32(v + (d[2] if mant > t[2] else int32(0)))
    v = int32(v + (d[3] if mant > t[3] else int32(0)))
    v = int32(v + (d[4] if mant > t[4] else int32(0)))
    v = int32(v + (d[5] if mant > t[5] else int32(0)))
    v = int32(v + (d[6] if mant > t[6] else int32(0)))
    v = int32(v + (d[7] if mant > t[7] else int32(0)))
    v = int32(v & p.vmask)
    if b < int32(0):
        v = int32(v | p.sbit)
    if mag <= p.zthr:
        v = p.zval
        if b < int32(0):
            v = p.zneg
    if mag >= int32(0x7F800000):
        v = p.nan
    return v


@jit
def round_periodic(x, out, p):
    """``out[i]`` (float32) = ``round_bucket`` of the float32 ``x[i]`` for a ``PeriodicTable``
    p of values: 8 compares and adds in 32-bit lanes per element, no load but x's."""
    for i in range(x.size):
        out[i] = bits_f32(uint32(_periodic_one(x[i], p)))


@jit
def encode_periodic(x, out, p):
    """``out[i]`` (unsigned integers) = the code of the float32 ``x[i]`` for a
    ``PeriodicTable`` p of codes (as ``round_periodic``)."""
    for i in range(x.size):
        out[i] = _periodic_one(x[i], p)


def periodic_table(bt: BucketTable, vals: np.ndarray) -> PeriodicTable | None:
    """The ``PeriodicTable`` equal to ``round_bucket(x.view(uint32), out, bt, vals)`` for every
    float32 ``x`` (``bt`` of float32 inputs; ``vals`` float32 values or integer codes of a
    ``bucket_values`` table), or None when the thresholds or results do not repeat per binade
    with at most 8 thresholds per binade.

    Verified here, not assumed: both rules are constant between their decision points (the
    patterns after which a compare flips: the thresholds, every ``E 2^23 + t_i`` of the
    periodic rule and the binade boundaries), so they are compared on every decision point of
    either and the patterns beside it, on the ends of the range, ±0, ±inf and NaN."""
    codes = vals.dtype.kind in "iu"
    if bt.sshift != 31 or not (codes or vals.dtype == np.float32):
        return None
    T = bt.bits[:-2].astype(np.int64)
    if T.size < 3 or not (0 < T[0] and T[-1] < 0x7F800000 - 1 and np.all(np.diff(T) > 0)):
        return None
    vb = vals.astype(np.int64) if codes else vals.view(np.uint32).astype(np.int64)
    pos, neg = vb[0:-2:2], vb[1:-2:2]  # result per count 0 .. T (then the NaN slot)
    nanpat = int(vb[-2])
    if int(vb[-1]) != nanpat:
        return None
    # the thresholds above the zero threshold T[0], and their mantissas per binade
    U = T[1:]
    mants = np.unique(U & 0x7FFFFF)
    P = mants.size
    if P > PERIOD_MAX or np.any(mants >= 0x7FFFFF) or np.any(U >> 23 == 0):
        return None
    lo = int(T[0]) + 1  # the patterns of minpos and maxpos: they round to themselves, and
    hi = int(T[-1]) + 1  # for values the clamp goes there (a value pattern is in its binade)
    if not codes:
        lo, hi = int(pos[1]), int(pos[-1])
        if (pos[-1] & 0x7F800000) == 0x7F800000 or (nanpat & 0x7F800000) != 0x7F800000:
            return None
    if codes:
        sbit = int(neg[1] ^ pos[1])
        vmask = sbit - 1
        if sbit & (sbit - 1) or sbit == 0 or not np.all(neg[1:] == pos[1:] | sbit):
            return None
        d = np.ones(P, dtype=np.int64)
        emul = P
        c_lo = P * (lo >> 23) + int(np.count_nonzero(mants < (lo & 0x7FFFFF)))
        v0 = (int(pos[1]) - c_lo) % (sbit << 1)  # count + v0 = code (mod 2 sbit)
    else:
        sbit, vmask, emul = 1 << 31, -1, 1 << 23
        if not np.all(neg[1:] == pos[1:] | sbit):
            return None
        # the rule read off a binade whose thresholds are all there: after passing j of them
        # the value pattern is E 2^23 + w[j]
        full = [
            e
            for e in range(int(U[0] >> 23), int(U[-1] >> 23) + 1)
            if np.all(np.isin((e << 23) | mants, U))
        ]
        if not full:
            return None
        e0 = full[0]
        at = np.searchsorted(T, (e0 << 23) | mants)  # index of each of them in T
        w = np.concatenate([[pos[at[0]]], pos[at + 1]]) - (e0 << 23)
        d = np.diff(w)
        v0 = int(w[0])
    tt = np.full(PERIOD_MAX, 1 << 23, dtype=np.int64)
    dd = np.zeros(PERIOD_MAX, dtype=np.int64)
    tt[:P] = mants
    dd[:P] = d
    fields = (emul, v0, vmask, sbit, lo, hi, T[0], pos[0], neg[0], nanpat)
    if not all(-(1 << 31) <= int(v) < 1 << 32 for v in (*fields, *dd)):
        return None
    i32 = np.int32

    def c32(v: int) -> np.int32:
        return i32(np.uint32(int(v) & 0xFFFFFFFF).view(np.int32))

    p = PeriodicTable(tuple(c32(v) for v in tt), tuple(c32(v) for v in dd), *map(c32, fields))
    # the verification: every decision point of either rule and the patterns beside it
    es = np.arange(int(lo >> 23), int(hi >> 23) + 2, dtype=np.int64)
    dp = np.concatenate([T, ((es[:, None] << 23) | mants[None, :]).reshape(-1), es << 23])
    dp = np.concatenate([dp - 1, dp, dp + 1, [0, 1, lo - 1, lo, lo + 1, hi - 1, hi, hi + 1]])
    dp = np.concatenate([dp, [0x7F7FFFFF, 0x7F800000, 0x7F800001, 0x7FC00000, 0x7FFFFFFF]])
    dp = dp[(dp >= 0) & (dp <= 0x7FFFFFFF)]
    x = np.unique(np.concatenate([dp, dp | (1 << 31)])).astype(np.uint32)
    a = np.empty(x.size, dtype=vals.dtype if not codes else np.int64)
    b = np.empty(x.size, dtype=a.dtype)
    round_bucket(x, b, bt, vals)
    if codes:
        encode_periodic(x.view(np.float32), a, p)
        same = np.array_equal(a, b)
    else:
        round_periodic(x.view(np.float32), a, p)
        same = np.array_equal(a.view(np.uint32), b.view(np.uint32))
    return p if same else None


@jit
def take_table(codes, table, out):
    """``out[i] = table[codes[i]]`` for unsigned integer codes of any width (no widening copy
    of the codes); ``table`` has a power-of-two size and the codes are masked to it."""
    m = uint64(table.size - 1)
    for i in range(codes.size):
        out[i] = table[uint64(codes[i]) & m]
