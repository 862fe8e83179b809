"""Array loops over the tapered-format kernels (``tapered.py``).

How parameters reach the kernels (a measured trade-off, CONTRIBUTING.md): the loops take
the format parameters as **run-time integers**. With every scalar helper inlined
(``jit_inline``) and no data-dependent control flow in the loop body, LLVM still vectorises
them; they are somewhat slower than a loop with the parameters frozen as compile-time constants
(a format's ``ufunc``), but one compilation per dtype signature, cached on disk, serves every
configuration: the LPQ search that visits hundreds of (n, es, rs, sf) pays no compilation per
configuration.

All loops take 1-D contiguous arrays and write into a NumPy-allocated output.
"""

from __future__ import annotations

import math

from numba import int64, uint64

from lognum._kernels.bits import bits_f64, f64_bits, mask, two_sum
from lognum._kernels.jit import jit, jit_callee
from lognum._kernels.tapered import (
    decode,
    decode_dd,
    decode_gp_fast,
    encode,
    encode_gp_fast,
    encode_lp_fast,
    encode_magnitude,
    fields,
    log2_of_body,
    negate,
)

# ------------------------------------------------------------------------------------------
# reference loops over the readable scalar kernels (tests compare the fast loops with these)


@jit
def encode_ref(x, out, n, es, rs, sc, logm, sfi, sff):
    for i in range(x.size):
        out[i] = encode(x[i], n, es, rs, sc, logm, sfi, sff)


@jit
def decode_ref(codes, out, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    m = mask(n)
    for i in range(codes.size):
        out[i] = decode(uint64(codes[i]) & m, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)


# ------------------------------------------------------------------------------------------
# GP / posit fast loops


@jit
def encode_gp(x, out, n, es, rs, sc):
    for i in range(x.size):
        out[i] = encode_gp_fast(x[i], n, es, rs, sc)


@jit
def decode_gp(codes, out, n, es, rs, sc):
    m = mask(n)
    for i in range(codes.size):
        out[i] = decode_gp_fast(uint64(codes[i]) & m, n, es, rs, sc)


@jit
def quantize_gp(x, out, n, es, rs, sc):
    for i in range(x.size):
        out[i] = decode_gp_fast(encode_gp_fast(x[i], n, es, rs, sc), n, es, rs, sc)


# ------------------------------------------------------------------------------------------
# LP fast loops


@jit
def encode_lp(x, out, n, es, rs, sfi, sff):
    """Vectorised pass with the fast log2; the rare inputs near a tie are redone exactly."""
    near_count = 0
    for i in range(x.size):
        c, near = encode_lp_fast(x[i], n, es, rs, sfi, sff)
        out[i] = c
        near_count += near
    if near_count:
        for i in range(x.size):
            c, near = encode_lp_fast(x[i], n, es, rs, sfi, sff)
            if near:
                out[i] = encode(x[i], n, es, rs, 0, 1, sfi, sff)
    return near_count


@jit
def lp_value_table(n, es, rs, sfi, sff, c_hi, c_lo, out):
    """Decode of every n-bit LP code (``out`` has 2^n entries)."""
    for c in range(out.size):
        out[c] = decode(uint64(c), n, es, rs, 0, 1, sfi, sff, c_hi, c_lo)


@jit
def take(codes, table, out):
    """``out[i] = table[codes[i]]``."""
    for i in range(codes.size):
        out[i] = table[codes[i]]


@jit
def decode_lp(codes, out, n, es, rs, sfi, sff, c_hi, c_lo):
    """LP decode without a table (n too large for one): double-double 2^fraction per element."""
    m = mask(n)
    for i in range(codes.size):
        out[i] = decode(uint64(codes[i]) & m, n, es, rs, 0, 1, sfi, sff, c_hi, c_lo)


# ------------------------------------------------------------------------------------------
# other rounding modes (run-time parameters; not the hot path)


@jit_callee
def _bracket(mag, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    """Bodies (lo, hi) bracketing |x| (binary64 bits ``mag``, finite, nonzero); lo == hi when
    |x| is representable or beyond [minpos, maxpos]."""
    maxp = mask(n - 1)
    c = encode_magnitude(mag, n, es, rs, sc, logm, sfi, sff)
    vh, vl = decode_dd(c, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
    d = (bits_f64(mag) - vh) - vl
    if d == 0.0:
        return c, c
    if d > 0.0:
        if c == maxp:
            return c, c
        return c, c + uint64(1)
    if c == uint64(1):
        return c, c
    return c - uint64(1), c


@jit
def round_linear(x, out, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    """Nearest by value, ties to the even pattern (LP ``rounding="linear"``). The midpoint of the
    two neighbours is formed in double-double."""
    for i in range(x.size):
        xf = float(x[i])
        if not math.isfinite(xf) or xf == 0.0:
            out[i] = encode(xf, n, es, rs, sc, logm, sfi, sff)
            continue
        b = f64_bits(xf)
        lo, hi = _bracket(b & mask(63), n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
        body = lo
        if lo != hi:
            ah, al = decode_dd(lo, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
            bh, bl = decode_dd(hi, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
            s, t = two_sum(ah, bh)
            t += al + bl
            mh, ml = two_sum(s, t)
            d = (abs(xf) - mh * 0.5) - ml * 0.5
            if d > 0.0 or (d == 0.0 and (lo & uint64(1))):
                body = hi
        if b >> uint64(63):
            body = negate(body, n)
        out[i] = body


@jit
def round_stochastic(x, u, out, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo, logdomain):
    """Stochastic rounding: the upper neighbour (in magnitude) with probability equal to the
    fraction of the gap that |x| covers, measured in value (``logdomain=0``) or in log2 (1).
    Beyond [minpos, maxpos] the result saturates (never 0). ``u``: uniform [0, 1) draws."""
    for i in range(x.size):
        xf = float(x[i])
        if not math.isfinite(xf) or xf == 0.0:
            out[i] = encode(xf, n, es, rs, sc, logm, sfi, sff)
            continue
        b = f64_bits(xf)
        lo, hi = _bracket(b & mask(63), n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
        body = lo
        if lo != hi:
            xv = abs(xf)
            if logdomain:
                a = log2_of_body(lo, n, es, rs, sc, logm, sfi, sff)
                z = log2_of_body(hi, n, es, rs, sc, logm, sfi, sff)
                p = (math.log2(xv) - a) / (z - a)
            else:
                ah, al = decode_dd(lo, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
                bh, bl = decode_dd(hi, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
                p = ((xv - ah) - al) / ((bh - ah) + (bl - al))
            if u[i] < p:
                body = hi
        if b >> uint64(63):
            body = negate(body, n)
        out[i] = body


@jit
def fields_of(codes, n, es, rs, out):
    """Fields of each code (not 0, not NaR) into ``out[:, 0:5]`` = sign, k, e, F, j."""
    for i in range(codes.size):
        sign, k, e, F, j, _ = fields(uint64(codes[i]), n, es, rs)
        out[i, 0] = int64(sign)
        out[i, 1] = k
        out[i, 2] = e
        out[i, 3] = F
        out[i, 4] = int64(j)
