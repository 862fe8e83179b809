"""Round to nearest by a threshold table: the fast path for formats with few values.

Any round-to-nearest of a sign-symmetric format is a monotone step function of |x|: with the
positive values ``v_1 < ... < v_P`` and ``T_j`` the smallest input magnitude that rounds to
``v_{j+1}``, ``q(|x|) = v_{1 + #{j : T_j <= |x|}}``. Whatever the rounding rule (nearest in the
log domain for LP, bit-string RNE with ties at geometric means for posits), it lives entirely in
the thresholds, which are found once per format by bisection with the *exact* scalar encoder
(``tapered.encode_magnitude``) over the bit patterns of the input type: the table is exact by
construction, for every float32 or float64 input.

The count is read from a table of *buckets*: the bit pattern of x shifted right by S (sign,
binade and top M mantissa bits) indexes a bucket, M chosen so that no bucket holds two
thresholds; zero, NaN/inf and the sign have their own buckets and steps. Each bucket stores one
threshold and the two candidate results, so a quantize is a shift, one table row and a compare
per element, on the integer bit patterns of x (float32 and float64 in one kernel:
``x.view(uint32)`` / ``x.view(uint64)``). The same table can hold codes instead of values
(encode).
"""

from __future__ import annotations

import numpy as np
from numba import uint64

from lognum._kernels.bits import bits_f32, f64_bits
from lognum._kernels.jit import jit, jit_callee
from lognum._kernels.tapered import encode_magnitude


@jit_callee
def _body(bits, single, n, es, rs, sc, logm, sfi, sff):
    """Code body of the positive input with bit pattern ``bits`` (binary32 if ``single``)."""
    if single:
        b = f64_bits(float(bits_f32(np.uint32(bits))))
    else:
        b = uint64(bits)
    return encode_magnitude(b, n, es, rs, sc, logm, sfi, sff)


@jit
def tapered_thresholds(n, es, rs, sc, logm, sfi, sff, single, out):
    """``out[j - 1]`` = bit pattern of the smallest positive finite binary32 (``single``) or
    binary64 input whose code body is >= j + 1, for j = 1 .. 2^(n-1) - 2 (bisection over bit
    patterns with the exact encoder, which is monotone in them). A threshold above every
    finite input is the pattern of +inf."""
    top = uint64(0x7F800000) if single else uint64(0x7FF0000000000000)
    lo = uint64(1)  # smallest positive pattern; every search starts at the previous threshold
    for j in range(1, out.size + 1):
        want = uint64(j + 1)
        a = lo
        b = top  # invariant: body(a - 1) < want (or a minimal), body(b) >= want or b = top
        while a < b:
            mid = a + (b - a) // uint64(2)
            if _body(mid, single, n, es, rs, sc, logm, sfi, sff) >= want:
                b = mid
            else:
                a = mid + uint64(1)
        out[j - 1] = a
        lo = a


def bucket_table(
    thresholds: np.ndarray, results: np.ndarray, width: int, mant: int, max_rows: int, codes: bool
) -> tuple[int, np.ndarray, np.ndarray] | None:
    """(shift S, thresholds, results) of the full bucket table over every ``width``-bit input
    pattern, or None when no bucket size fits ``max_rows`` rows with at most one threshold per
    bucket.

    ``thresholds``: the format's sorted T_j as bit patterns; ``results``: the unsigned results
    for counts 0 .. P-1 (bit patterns of v_1 .. v_P, or code bodies 1 .. P if ``codes``).
    Zero and NaN/inf join as two more steps (|x| >= 1 ulp leaves 0, |x| >= +inf gives NaN/NaR),
    and negative inputs get their own rows (the pattern with the sign bit set): the kernel then
    needs no special case. Row k covers the patterns ``[k 2^S, (k+1) 2^S)``; its threshold
    ``thr[k]`` (all ones when none) selects ``res[2k]`` (below) or ``res[2k + 1]``."""
    ut = np.uint32 if width == 32 else np.uint64
    inf = (1 << (width - 1)) - (1 << mant)  # +inf pattern: exponent all ones
    sign = ut(1 << (width - 1))
    if codes:
        nan = 1 << (int(results.max()).bit_length())  # NaR = 2^(n-1), above every body
    else:
        nan = 0x7FC00000 if width == 32 else 0x7FF8000000000000
    T = np.concatenate(
        [
            np.array([1], dtype=np.uint64),
            thresholds.astype(np.uint64),
            np.array([inf], dtype=np.uint64),
        ]
    )
    res = np.concatenate([np.zeros(1, dtype=ut), results.astype(ut), np.array([nan], dtype=ut)])
    for M in range(0, mant + 1):
        S = mant - M
        half = 1 << (width - 1 - S)  # rows of the positive patterns
        if 2 * half > max_rows:
            return None
        keys = T >> np.uint64(S)
        if np.any(np.diff(keys) == 0):
            continue
        start = np.arange(half, dtype=np.uint64) << np.uint64(S)
        c = np.searchsorted(T, start, side="left")  # steps below each bucket's first pattern
        inside = np.zeros(half, dtype=bool)
        inside[keys.astype(np.int64)] = True  # (T < 2^(width-1): keys < half)
        all_ones = np.iinfo(ut).max
        thr = np.where(inside, T[np.minimum(c, T.size - 1)], all_ones).astype(ut)
        lo = res[c]
        hi = res[np.minimum(c + inside, res.size - 1)]
        pair = np.stack([lo, hi], axis=1)
        if codes:
            neg = (ut(2 * nan) - pair) & ut(2 * nan - 1)  # two's complement; 0 and NaR stay
        else:
            neg = np.where((pair == 0) | (pair == nan), pair, pair | sign)  # -0 -> +0
        thr_all = np.concatenate([thr, np.where(thr == all_ones, thr, thr | sign)])
        res_all = np.concatenate([pair, neg]).reshape(-1).astype(ut)
        return S, thr_all, res_all
    return None


@jit
def round_table(xb, out, thr, res, S):
    """``out[i]`` = the result for the input bit pattern ``xb[i]`` from a table of
    ``bucket_table``: row ``k = xb[i] >> S``, then ``res[2k + (xb[i] >= thr[k])]`` (values'
    bit patterns, or codes; ``out`` of any integer type that holds them)."""
    for i in range(xb.size):
        b = xb[i]
        k = np.int64(b >> S)
        out[i] = res[2 * k + np.int64(b >= thr[k])]
