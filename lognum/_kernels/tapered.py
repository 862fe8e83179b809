"""Scalar reference kernels of the tapered formats: posit, generalized posit (GP), log posit (LP).

All three share one bit layout (docs/guide/tapered.md)::

    sign | regime run (capped at rs; no terminator at the cap) | es exponent bits | F bits

and differ only in how the last F bits are read: GP/posit read them as a linear fraction,
value ``(1 + j/2^F) * 2^(2^es k + e + sc)``; LP reads them as a log2 fraction,
value ``2^(2^es k + e + j/2^F - sf)``. A posit is GP with ``rs = n - 1`` and ``sc = 0``.

Encoding (docs/guide/tapered.md): write the infinitely precise encoding of |x|, keep the first
``n - 1`` bits after the sign, round to nearest with ties to the even *pattern* on the bit string
(guard + sticky), clamp to [minpos, maxpos] (never 0, never NaR), negate by two's complement.
For LP the infinitely precise encoding is the fixed-point expansion of ``log2|x| + sf``; its
59 fraction bits come from a fast polynomial log2, and any input whose dropped bits lie within
``2^-39`` of a tie is redone with an exact bit-by-bit double-double log2 (``log2_frac_exact``),
so LP rounding is the correctly rounded log-domain RNE (docs/guide/tapered.md).

Parameters (all integers, see ``lognum.formats.posit`` / ``logposit`` for their validation):
``n`` bits, ``es`` exponent bits, ``rs`` maximum regime run, ``sc`` (GP) power-of-two bias,
``logm`` 1 for LP, ``sfi``/``sff`` the LP scale factor ``sf = sfi + sff / 2^59`` (``sff`` in
[0, 2^59)). Codes are ``uint64`` holding the n-bit pattern.
"""

from __future__ import annotations

import math

from numba import int64, uint64
from numba.cpython.unsafe.numbers import leading_zeros

from lognum._kernels.bits import bits_f64, dd_mul, f64_bits, mask
from lognum._kernels.jit import jit_callee, jit_inline

FB_LP = 59  # fraction bits of the fixed-point log2 used by the LP encoder
_ONE59 = 1 << FB_LP
_NEAR_TIE = 1 << 20  # in units of 2^-59: the fast log2 is accurate to far better than 2^-39
_SQRT2 = math.sqrt(2.0)
_INV_LN2 = 1.0 / math.log(2.0)
_EXP_BITS = uint64(0x3FF0000000000000)


# --------------------------------------------------------------------------------------------
# log2 / exp2 of the fraction in fixed point


@jit_inline
def log2_frac_fast(mant):
    """``floor(log2(1 + mant/2^52) * 2^59)`` up to an error far below ``2^20`` units.

    Range-reduced atanh series: ``ln m = 2 atanh(z)``, ``z = (m-1)/(m+1)``, ``|z| <= 0.172``,
    8 terms (truncation error < 2^-46). Vectorisable; used on the fast path only.
    """
    m = bits_f64(mant | _EXP_BITS)
    off = 0.0
    if m >= _SQRT2:
        m = m * 0.5
        off = 1.0
    z = (m - 1.0) / (m + 1.0)
    z2 = z * z
    s = 1.0 / 15.0
    s = s * z2 + 1.0 / 13.0
    s = s * z2 + 1.0 / 11.0
    s = s * z2 + 1.0 / 9.0
    s = s * z2 + 1.0 / 7.0
    s = s * z2 + 1.0 / 5.0
    s = s * z2 + 1.0 / 3.0
    s = s * z2 + 1.0
    g = off + 2.0 * z * s * _INV_LN2
    gi = g * 576460752303423488.0  # 2^59
    if gi < 0.0:
        gi = 0.0
    if gi > 576460752303423487.0:
        gi = 576460752303423487.0
    return uint64(int64(gi))


@jit_callee
def log2_frac_exact(mant):
    """Exact leading 59 bits of ``log2(1 + mant/2^52)`` and whether the rest is nonzero.

    Bit-by-bit: square ``y`` (double-double); a result >= 2 means the next bit is 1 (then halve).
    Each squaring doubles the relative error, but so does the distance to the decision point,
    so a bit is wrong only if log2(m) lies within about 2^-100 of a dyadic rational.
    """
    hi = bits_f64(mant | _EXP_BITS)
    lo = 0.0
    g = uint64(0)
    for _ in range(FB_LP):
        hi, lo = dd_mul(hi, lo, hi, lo)
        g = g << uint64(1)
        if hi > 2.0 or (hi == 2.0 and lo >= 0.0):
            hi *= 0.5
            lo *= 0.5
            g |= uint64(1)
    rem = hi > 1.0 or (hi == 1.0 and lo > 0.0)
    return g, rem


@jit_callee
def exp2_frac_dd(u, c_hi, c_lo):
    """``2^(u / 2^59)`` as a double-double, from the table ``c[i] = 2^(2^-i)`` (i = 1..59)."""
    hi = 1.0
    lo = 0.0
    for i in range(1, FB_LP + 1):
        if (u >> uint64(FB_LP - i)) & uint64(1):
            hi, lo = dd_mul(hi, lo, c_hi[i], c_lo[i])
    return hi, lo


# --------------------------------------------------------------------------------------------
# field layout


@jit_inline
def regime_bits(k, rs):
    """Regime pattern and its length L for run value k (run capped at rs, no terminator)."""
    if k >= 0:
        r = k + 1
    else:
        r = -k
    if r < rs:
        length = r + 1
        if k >= 0:
            reg = ((uint64(1) << uint64(r)) - uint64(1)) << uint64(1)
        else:
            reg = uint64(1)
    else:
        length = rs
        if k >= 0:
            reg = (uint64(1) << uint64(rs)) - uint64(1)
        else:
            reg = uint64(0)
    return reg, length


@jit_inline
def cut(S, frac, fb, n, es, rs):
    """Truncated n-1 bit body for scale ``S`` and an ``fb``-bit fraction, plus the dropped bits.

    Requires ``-rs <= S >> es <= rs - 1``. Returns ``(body, dropped, shift)``: the kept pattern,
    the dropped low bits of (exponent, fraction) and how many there are (>= 1).
    """
    k = S >> es
    e = S - (k << es)
    reg, length = regime_bits(k, rs)
    avail = n - 1 - length
    ef = (uint64(e) << uint64(fb)) | frac
    shift = es + fb - avail
    kept = ef >> uint64(shift)
    dropped = ef & mask(shift)
    body = (reg << uint64(avail)) | kept
    return body, dropped, shift


@jit_inline
def round_body(body, dropped, shift, rem, maxp):
    """Round to nearest, ties to the even pattern; clamp to [1, maxp] (minpos .. maxpos)."""
    half = uint64(1) << uint64(shift - 1)
    if dropped > half or (dropped == half and (rem or (body & uint64(1)))):
        body += uint64(1)
    if body > maxp:
        body = maxp
    if body == uint64(0):
        body = uint64(1)
    return body


@jit_inline
def negate(body, n):
    """Two's-complement negation of an n-bit pattern."""
    return ((uint64(1) << uint64(n)) - body) & mask(n)


# --------------------------------------------------------------------------------------------
# encode


@jit_callee
def encode_magnitude(b, n, es, rs, sc, logm, sfi, sff):
    """Body (n-1 bits, >= 1) of the nearest code to the finite nonzero |x| with binary64 bits b."""
    maxp = mask(n - 1)
    ebits = int64((b >> uint64(52)) & uint64(0x7FF))
    if ebits == 0:  # binary64 subnormal: far below every minpos (|sc|, |sf| <= 64)
        return uint64(1)
    mant = b & mask(52)
    E = ebits - 1023
    if logm == 0:
        S = E - sc
        if (S >> es) > rs - 1:
            return maxp
        if (S >> es) < -rs:
            return uint64(1)
        body, dropped, shift = cut(S, mant, 52, n, es, rs)
        return round_body(body, dropped, shift, False, maxp)
    g = log2_frac_fast(mant)
    t = g + sff
    S = E + sfi + int64(t >> uint64(FB_LP))
    if (S >> es) > rs - 1:
        return maxp
    if (S >> es) < -rs:
        return uint64(1)
    body, dropped, shift = cut(S, t & mask(FB_LP), FB_LP, n, es, rs)
    half = uint64(1) << uint64(shift - 1)
    if dropped >= half:
        dist = dropped - half
    else:
        dist = half - dropped
    rem = False
    if dist <= uint64(_NEAR_TIE):
        g, rem = log2_frac_exact(mant)
        t = g + sff
        S = E + sfi + int64(t >> uint64(FB_LP))
        if (S >> es) > rs - 1:
            return maxp
        if (S >> es) < -rs:
            return uint64(1)
        body, dropped, shift = cut(S, t & mask(FB_LP), FB_LP, n, es, rs)
    return round_body(body, dropped, shift, rem, maxp)


@jit_callee
def encode(x, n, es, rs, sc, logm, sfi, sff):
    """n-bit code of the nearest value to the float ``x`` (bit-string RNE; docs/guide/)."""
    xf = float(x)
    if xf != xf or xf == math.inf or xf == -math.inf:
        return uint64(1) << uint64(n - 1)  # NaR
    if xf == 0.0:
        return uint64(0)
    b = f64_bits(xf)
    body = encode_magnitude(b & mask(63), n, es, rs, sc, logm, sfi, sff)
    if b >> uint64(63):
        return negate(body, n)
    return body


# --------------------------------------------------------------------------------------------
# decode


@jit_callee
def fields(code, n, es, rs):
    """Fields of a code: (sign, k, e, F, j, body); code must not be 0 or NaR."""
    sign = (code >> uint64(n - 1)) & uint64(1)
    p = code
    if sign:
        p = negate(code, n)
    body = p & mask(n - 1)
    first = (body >> uint64(n - 2)) & uint64(1)
    aligned = body << uint64(64 - (n - 1))
    if first:
        run = int64(leading_zeros(~aligned))
    else:
        run = int64(leading_zeros(aligned))
    if run > rs:
        run = rs
    if first:
        k = run - 1
    else:
        k = -run
    if run < rs:
        length = run + 1
    else:
        length = rs
    rem = n - 1 - length
    tail = body & mask(rem)
    if rem >= es:
        F = rem - es
        e = int64(tail >> uint64(F))
        j = tail & mask(F)
    else:
        F = 0
        e = int64(tail << uint64(es - rem))
        j = uint64(0)
    return sign, k, e, F, j, body


@jit_callee
def decode(code, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    """float64 value of an n-bit code (0 -> 0.0, NaR -> NaN). LP values are correctly rounded
    from a double-double evaluation of 2^(fraction)."""
    if code == uint64(0):
        return 0.0
    if code == uint64(1) << uint64(n - 1):
        return math.nan
    hi, _ = decode_dd(code, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
    if (code >> uint64(n - 1)) & uint64(1):
        return -hi
    return hi


@jit_callee
def decode_dd(code, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    """Magnitude of a nonzero, non-NaR code as a double-double (hi, lo)."""
    sign, k, e, F, j, _ = fields(code, n, es, rs)
    if logm == 0:
        scale = (k << es) + e + sc
        b = (uint64(scale + 1023) << uint64(52)) | (j << uint64(52 - F))
        return bits_f64(b), 0.0
    A = (k << es) + e - sfi
    u = j << uint64(FB_LP - F)
    if u >= sff:
        u = u - sff
    else:
        u = u + uint64(_ONE59) - sff
        A -= 1
    hi, lo = exp2_frac_dd(u, c_hi, c_lo)
    s = math.ldexp(1.0, A)
    return hi * s, lo * s


@jit_callee
def log2_of_body(body, n, es, rs, sc, logm, sfi, sff):
    """log2 of the magnitude of a positive body (float64; exact for LP with dyadic sf)."""
    _, k, e, F, j, _ = fields(body, n, es, rs)
    if logm == 0:
        return (k << es) + e + sc + math.log2(1.0 + float(j) / float(uint64(1) << uint64(F)))
    return float((k << es) + e - sfi) + float(j) / float(uint64(1) << uint64(F)) - sff / 2.0**59


# --------------------------------------------------------------------------------------------
# branch-free fast paths (the array loops use these; tests compare them with the above)


@jit_inline
def _pack(S, frac, fb, n, es, rs, lost):
    """Branch-free: nearest body (>= 1, <= maxpos) for scale S (any int) and an fb-bit fraction.

    Builds the first 64 bits of the infinitely precise encoding after the sign (regime, then
    exponent, then fraction), keeps n-1 of them, and rounds with guard/sticky (``lost`` = bits of
    the fraction already dropped are nonzero).
    """
    smax = (rs << es) - 1
    smin = -(rs << es)
    over = S > smax
    under = S < smin
    S = min(max(S, smin), smax)
    if over:
        frac = mask(fb)
    if under:
        frac = uint64(0)
    k = S >> es
    e = uint64(S - (k << es))
    sgn = k >> 63  # 0 or -1
    r = (k ^ sgn) + 1
    length = min(r + 1, rs)
    if k >= 0:
        reg = ((uint64(1) << uint64(r)) - uint64(1)) << uint64(length - r)
    else:
        reg = uint64(length - r)
    w = reg << uint64(64 - length)
    if es > 0:
        w |= e << uint64(64 - length - es)
    pos = 64 - length - es - fb  # where the fraction's LSB lands
    if pos >= 0:
        w |= frac << uint64(pos)
    else:
        w |= frac >> uint64(-pos)
        lost = lost or (frac & mask(-pos)) != uint64(0)
    body = w >> uint64(65 - n)
    guard = (w >> uint64(64 - n)) & uint64(1)
    sticky = lost or (w & mask(64 - n)) != uint64(0)
    # distance of the dropped bits from the tie, for the LP exactness check: flag anything within
    # 2^20 units of the fraction's LSB (or within one unit of the 64-bit window if coarser)
    dropped = w & mask(65 - n)
    half = uint64(1) << uint64(64 - n)
    dist = max(dropped, half) - min(dropped, half)
    near = (dist >> uint64(max(20 + pos, 1))) == uint64(0)
    near = near & (not over) & (not under)
    if guard and (sticky or (body & uint64(1))):
        body += uint64(1)
    maxp = mask(n - 1)
    body = min(body, maxp)
    body = max(body, uint64(1))
    return body, near


@jit_inline
def encode_lp_fast(x, n, es, rs, sfi, sff):
    """LP code from the fast log2, and whether it is within 2^-39 of a tie (then the caller must
    redo it with ``encode``). Free of data-dependent control flow so the array loop vectorises."""
    xf = float(x)
    b = f64_bits(xf)
    mag = b & mask(63)
    E = int64(mag >> uint64(52)) - 1023
    mant = mag & mask(52)
    g = log2_frac_fast(mant)
    t = g + sff
    S = E + sfi + int64(t >> uint64(FB_LP))
    frac = t & mask(FB_LP)
    body, near = _pack(S, frac, FB_LP, n, es, rs, False)
    near = near & (E > -1023) & (E < 1024)
    if b >> uint64(63):
        body = negate(body, n)
    if xf == 0.0:
        body = uint64(0)
    if not math.isfinite(xf):
        body = uint64(1) << uint64(n - 1)
    return body, near


@jit_inline
def decode_gp_fast(code, n, es, rs, sc):
    """Branch-free GP/posit decode (same values as ``decode`` with logm = 0)."""
    sign = (code >> uint64(n - 1)) & uint64(1)
    p = code
    if sign:
        p = negate(code, n)
    body = p & mask(n - 1)
    aligned = body << uint64(65 - n)
    first = aligned >> uint64(63)
    inv = aligned ^ (uint64(0) - first)
    run = min(int64(leading_zeros(inv | uint64(1))), rs)
    k = run - 1 if first else -run
    length = min(run + 1, rs)
    t = aligned << uint64(length)
    e = int64(0)
    if es > 0:
        e = int64(t >> uint64(64 - es))
        t = t << uint64(es)
    scale = (k << es) + e + sc
    bits = (uint64(scale + 1023) << uint64(52)) | (t >> uint64(12)) | (sign << uint64(63))
    v = bits_f64(bits)
    if body == uint64(0):
        v = 0.0
        if sign:
            v = math.nan
    return v


@jit_inline
def encode_gp_fast(x, n, es, rs, sc):
    """``encode`` for GP/posit only (no LP branch in the loop body)."""
    xf = float(x)
    b = f64_bits(xf)
    mag = b & mask(63)
    E = int64(mag >> uint64(52)) - 1023
    mant = mag & mask(52)
    body, _ = _pack(E - sc, mant, 52, n, es, rs, False)
    if b >> uint64(63):
        body = negate(body, n)
    if xf == 0.0:
        body = uint64(0)
    if not math.isfinite(xf):
        body = uint64(1) << uint64(n - 1)
    return body
