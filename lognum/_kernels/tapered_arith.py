"""Scalar reference kernels of correctly rounded posit / GP / LP arithmetic on bit patterns.

Every operation takes n-bit codes (``uint64``) and returns the code of the correctly rounded
result: the code the encoder (``lognum._kernels.tapered.encode``) gives to the *exact* result,
i.e. bit-string round to nearest, ties to the even pattern, clamped to [minpos, maxpos] (never
0, never NaR), NaR in -> NaR out, ``x / 0 = NaR`` and ``sqrt(x < 0) = NaR`` (2022 Posit
Standard). How the rounding sees the exact result (no double rounding):

* **GP / posit** (values ``M 2^S`` with an integer significand ``M`` of at most 30 bits, since
  n <= 32): products are exact 60-bit integers; a sum aligns the two significands in a 62-bit
  window and *jams* the bits shifted out of the smaller one into its last bit (sticky). Every
  decision point of the final rounding (a value or a bit-string tie, at most n + 1 significant
  bits) lies at least 2^30 units of that last bit above it, so the jammed sum and the exact sum
  round alike. Quotients and square roots are integer divisions / integer square roots of a
  62-bit dividend (>= 31 quotient bits, more than the 30 + 1 the rounding reads) with the
  remainder as the sticky bit. ``fma`` adds the exact 60-bit product to the third operand in
  the same window: one rounding.
* **LP** (values ``2^(u - sf)`` where ``u`` is the code's fixed-point log, LPQ
  eq 3): ``u`` is carried as an integer part and a 59-bit fraction, as in the encoder.
  ``mul``/``div``/``sqrt`` are exact additions, subtractions and halvings of these fixed-point
  logs (``u_a + u_b - sf``, ``u_a - u_b + sf``, ``(u_a + sf) / 2``) followed by one rounding.
  ``add`` of ``2^(u1 - sf) >= 2^(u2 - sf)`` has the log ``u = u1 + log2(1 ± 2^-D)``,
  ``D = u1 - u2``, which is transcendental: a double approximation of ``u`` (error < 2^-45)
  picks the result unless it lies within 2^-37 of a bit-string tie ``tau``; then the sign of
  ``(1 ± 2^-D) - 2^(tau - u1)`` is evaluated in double-double (each power of two from the
  correctly rounded table ``2^(2^-i)``, i = 1..59; proven absolute error < 2^-93 for the
  operand sizes met here) and decides whenever it exceeds 2^-90. The exact ties
  ``x + x = 2x`` and ``x - x/2 = x/2`` are handled exactly (they are exact logs); no other sum
  of two powers of two 2^a + 2^b with dyadic a, b equals a power 2^t with dyadic t
  (Q(2^(1/2^q)) has the basis 1, x, ..., x^(2^q - 1) by Eisenstein), so a case the
  double-double cannot decide is a near-coincidence, never a tie; it is *reported* (flag), and
  the array API recomputes it with Python ``decimal`` at increasing precision.

Parameters as in ``lognum._kernels.tapered``: ``n, es, rs, sc, logm, sfi, sff`` and the
double-double table ``c_hi, c_lo`` of ``lognum._kernels.constants.exp2_dd_table``.
"""

from __future__ import annotations

import math

from numba import int64, uint64
from numba.cpython.unsafe.numbers import leading_zeros

from lognum._kernels.bits import mask, two_sum
from lognum._kernels.jit import jit, jit_inline
from lognum._kernels.tapered import (
    FB_LP,
    cut,
    decode,
    decode_gp_fast,
    encode,
    encode_gp_fast,
    exp2_frac_dd,
    fields,
    negate,
    round_body,
)

OP_ADD, OP_SUB, OP_MUL, OP_DIV = 0, 1, 2, 3
_ONE = 1 << FB_LP
_NEAR = 1 << 22  # units of 2^-59: the double approximation of an LP sum is far better than this
_AMBIG = 2.0**-90  # double-double decision threshold (its proven error is below 2^-93)
_LN2 = math.log(2.0)


# --------------------------------------------------------------------------------------------
# codes


@jit_inline
def nar(n):
    return uint64(1) << uint64(n - 1)


@jit_inline
def neg_code(c, n):
    """Negation is exact: two's complement of the pattern (0 and NaR are their own negatives)."""
    return negate(c, n)


@jit_inline
def abs_code(c, n):
    if (c >> uint64(n - 1)) & uint64(1):
        return negate(c, n)  # NaR stays NaR
    return c


@jit_inline
def signed_code(c, n):
    """The pattern read as an n-bit two's-complement integer: the standard's total order
    (NaR below every real, then the reals in increasing order)."""
    v = int64(c & mask(n))
    if (c >> uint64(n - 1)) & uint64(1):
        v -= int64(1) << int64(n)
    return v


@jit_inline
def compare_code(ca, cb, n):
    """-1, 0 or 1 by the posit standard's total order (NaR == NaR, NaR < every real)."""
    a = signed_code(ca, n)
    b = signed_code(cb, n)
    return (a > b) - (a < b)


@jit_inline
def _finish(neg, body, n):
    if neg:
        return negate(body, n)
    return body


# --------------------------------------------------------------------------------------------
# GP / posit: integer significands


@jit_inline
def unpack_gp(c, n, es, rs, sc):
    """(negative, S, M) with |value| = M 2^S, M the integer significand (hidden bit included)."""
    sign, k, e, F, j, _ = fields(c, n, es, rs)
    M = (uint64(1) << uint64(F)) | j
    return sign != uint64(0), (k << es) + e + sc - F, M


@jit
def round_gp(neg, S, M, sticky, n, es, rs, sc):
    """Code of the value ``(M + eps) 2^S`` rounded (``M > 0``; ``eps`` in (0, 1) if ``sticky``
    else 0), with the sign ``neg``: the encoder's cut + round on the exact value."""
    maxp = mask(n - 1)
    msb = 63 - int64(leading_zeros(M))
    fb = 60 - es
    if msb <= fb:
        frac = (M << uint64(fb - msb)) & mask(fb)
    else:
        d = msb - fb
        frac = (M >> uint64(d)) & mask(fb)
        sticky = sticky or (M & mask(d)) != uint64(0)
    Senc = S + msb - sc
    if (Senc >> es) > rs - 1:
        return _finish(neg, maxp, n)
    if (Senc >> es) < -rs:
        return _finish(neg, uint64(1), n)
    body, dropped, shift = cut(Senc, frac, fb, n, es, rs)
    return _finish(neg, round_body(body, dropped, shift, sticky, maxp), n)


@jit_inline
def _norm62(S, M):
    """Shift M so that its leading one is bit 61 (M has at most 62 bits)."""
    lz = int64(leading_zeros(M))
    d = lz - 2
    return S - d, M << uint64(d)


@jit
def add_exact_gp(na, Sa, Ma, nb, Sb, Mb):
    """Jammed exact sum of ±Ma 2^Sa and ±Mb 2^Sb: (negative, S, M) with M 2^S the sum, its last
    bit jammed (M == 0: the sum is exactly zero)."""
    Sa, Ma = _norm62(Sa, Ma)
    Sb, Mb = _norm62(Sb, Mb)
    if Sb > Sa or (Sb == Sa and Mb > Ma):
        na, Sa, Ma, nb, Sb, Mb = nb, Sb, Mb, na, Sa, Ma
    d = Sa - Sb
    if d >= 62:
        Mb = uint64(1)
    elif d > 0:
        lost = (Mb & mask(d)) != uint64(0)
        Mb = (Mb >> uint64(d)) | uint64(lost)
    if na == nb:
        M = Ma + Mb
    else:
        M = Ma - Mb
    return na, Sa, M


@jit
def add_gp(ca, cb, n, es, rs, sc):
    if ca == nar(n) or cb == nar(n):
        return nar(n)
    if ca == uint64(0):
        return cb
    if cb == uint64(0):
        return ca
    na, Sa, Ma = unpack_gp(ca, n, es, rs, sc)
    nb, Sb, Mb = unpack_gp(cb, n, es, rs, sc)
    neg, S, M = add_exact_gp(na, Sa, Ma, nb, Sb, Mb)
    if M == uint64(0):
        return uint64(0)
    return round_gp(neg, S, M, False, n, es, rs, sc)


@jit
def mul_gp(ca, cb, n, es, rs, sc):
    if ca == nar(n) or cb == nar(n):
        return nar(n)
    if ca == uint64(0) or cb == uint64(0):
        return uint64(0)
    na, Sa, Ma = unpack_gp(ca, n, es, rs, sc)
    nb, Sb, Mb = unpack_gp(cb, n, es, rs, sc)
    return round_gp(na != nb, Sa + Sb, Ma * Mb, False, n, es, rs, sc)


@jit
def div_gp(ca, cb, n, es, rs, sc):
    if ca == nar(n) or cb == nar(n) or cb == uint64(0):
        return nar(n)
    if ca == uint64(0):
        return uint64(0)
    na, Sa, Ma = unpack_gp(ca, n, es, rs, sc)
    nb, Sb, Mb = unpack_gp(cb, n, es, rs, sc)
    lz = int64(leading_zeros(Ma)) - 1  # dividend's leading one at bit 62
    A = Ma << uint64(lz)
    q = A // Mb
    r = A - q * Mb
    return round_gp(na != nb, Sa - lz - Sb, q, r != uint64(0), n, es, rs, sc)


@jit_inline
def isqrt64(x):
    """floor(sqrt(x)) for x < 2^64 (float guess, then exact integer correction)."""
    r = uint64(math.sqrt(float(x)))
    if r > uint64(0xFFFFFFFF):
        r = uint64(0xFFFFFFFF)
    while r * r > x:
        r -= uint64(1)
    while r < uint64(0xFFFFFFFF) and (r + uint64(1)) * (r + uint64(1)) <= x:
        r += uint64(1)
    return r


@jit
def sqrt_gp(ca, n, es, rs, sc):
    if ca == nar(n) or (ca >> uint64(n - 1)) & uint64(1):
        return nar(n)
    if ca == uint64(0):
        return uint64(0)
    _, S, M = unpack_gp(ca, n, es, rs, sc)
    lz = int64(leading_zeros(M)) - 1  # leading one at bit 62 or 61 with S - lz even
    if (S - lz) & 1:
        lz -= 1
    A = M << uint64(lz)
    r = isqrt64(A)
    return round_gp(False, (S - lz) >> 1, r, r * r != A, n, es, rs, sc)


@jit
def fma_gp(ca, cb, cc, n, es, rs, sc):
    """a * b + c with one rounding."""
    if ca == nar(n) or cb == nar(n) or cc == nar(n):
        return nar(n)
    if ca == uint64(0) or cb == uint64(0):
        return cc
    na, Sa, Ma = unpack_gp(ca, n, es, rs, sc)
    nb, Sb, Mb = unpack_gp(cb, n, es, rs, sc)
    npr = na != nb
    Sp = Sa + Sb
    Mp = Ma * Mb
    if cc == uint64(0):
        return round_gp(npr, Sp, Mp, False, n, es, rs, sc)
    nc, Sc, Mc = unpack_gp(cc, n, es, rs, sc)
    neg, S, M = add_exact_gp(npr, Sp, Mp, nc, Sc, Mc)
    if M == uint64(0):
        return uint64(0)
    return round_gp(neg, S, M, False, n, es, rs, sc)


# --------------------------------------------------------------------------------------------
# LP: fixed-point logs (integer part, 59-bit fraction)


@jit_inline
def unpack_lp(c, n, es, rs):
    """(negative, I, f): the code's log ``u = I + f / 2^59`` (value 2^(u - sf))."""
    sign, k, e, F, j, _ = fields(c, n, es, rs)
    return sign != uint64(0), (k << es) + e, j << uint64(FB_LP - F)


@jit_inline
def fx_add(Ia, fa, Ib, fb):
    f = fa + fb
    return Ia + Ib + int64(f >> uint64(FB_LP)), f & mask(FB_LP)


@jit_inline
def fx_sub(Ia, fa, Ib, fb):
    if fa >= fb:
        return Ia - Ib, fa - fb
    return Ia - Ib - 1, fa + uint64(_ONE) - fb


@jit
def round_lp(neg, I, f, sticky, n, es, rs):
    """Code of ``2^(u - sf)`` for the exact log ``u = I + (f + eps) / 2^59`` (eps in (0, 1) if
    ``sticky``), i.e. the encoder's cut + round of the log (log-domain RNE)."""
    maxp = mask(n - 1)
    if (I >> es) > rs - 1:
        return _finish(neg, maxp, n)
    if (I >> es) < -rs:
        return _finish(neg, uint64(1), n)
    body, dropped, shift = cut(I, f, FB_LP, n, es, rs)
    return _finish(neg, round_body(body, dropped, shift, sticky, maxp), n)


@jit
def mul_lp(ca, cb, n, es, rs, sfi, sff):
    if ca == nar(n) or cb == nar(n):
        return nar(n)
    if ca == uint64(0) or cb == uint64(0):
        return uint64(0)
    na, Ia, fa = unpack_lp(ca, n, es, rs)
    nb, Ib, fb = unpack_lp(cb, n, es, rs)
    I, f = fx_add(Ia, fa, Ib, fb)
    I, f = fx_sub(I, f, sfi, sff)
    return round_lp(na != nb, I, f, False, n, es, rs)


@jit
def div_lp(ca, cb, n, es, rs, sfi, sff):
    if ca == nar(n) or cb == nar(n) or cb == uint64(0):
        return nar(n)
    if ca == uint64(0):
        return uint64(0)
    na, Ia, fa = unpack_lp(ca, n, es, rs)
    nb, Ib, fb = unpack_lp(cb, n, es, rs)
    I, f = fx_sub(Ia, fa, Ib, fb)
    I, f = fx_add(I, f, sfi, sff)
    return round_lp(na != nb, I, f, False, n, es, rs)


@jit
def sqrt_lp(ca, n, es, rs, sfi, sff):
    if ca == nar(n) or (ca >> uint64(n - 1)) & uint64(1):
        return nar(n)
    if ca == uint64(0):
        return uint64(0)
    _, Ia, fa = unpack_lp(ca, n, es, rs)
    I, f = fx_add(Ia, fa, sfi, sff)
    odd = I & 1
    lost = (f & uint64(1)) != uint64(0)
    f = (f >> uint64(1)) | (uint64(odd) << uint64(FB_LP - 1))
    return round_lp(False, I >> 1, f, lost, n, es, rs)


@jit_inline
def _exp2_fx(I, f, c_hi, c_lo):
    """2^(I + f/2^59) as a double-double (relative error < 2^-95)."""
    hi, lo = exp2_frac_dd(f, c_hi, c_lo)
    s = math.ldexp(1.0, I)
    return hi * s, lo * s


@jit
def add_log_lp(n1, I1, f1, n2, I2, f2, n, es, rs, c_hi, c_lo):
    """Correctly rounded ±2^(u1 - sf) ± 2^(u2 - sf) for exact fixed-point logs u1, u2 (in the
    encoder's u domain). Returns (code, undecided): ``undecided`` is True only if the
    double-double comparison with the nearest tie could not decide (never observed)."""
    # order by magnitude: u1 >= u2
    if I2 > I1 or (I2 == I1 and f2 > f1):
        n1, I1, f1, n2, I2, f2 = n2, I2, f2, n1, I1, f1
    minus = n1 != n2
    DI, Df = fx_sub(I1, f1, I2, f2)  # D = u1 - u2 >= 0
    if DI == 0 and Df == uint64(0):
        if minus:
            return uint64(0), False
        return round_lp(n1, I1 + 1, f1, False, n, es, rs), False  # x + x = 2x exactly
    if minus and DI == 1 and Df == uint64(0):
        return round_lp(n1, I1 - 1, f1, False, n, es, rs), False  # x - x/2 = x/2 exactly
    if DI >= 61:  # |log2(1 ± 2^-D)| < 2^-60: jam into the last fraction bit
        if minus:
            I, f = fx_sub(I1, f1, 0, uint64(1))
            return round_lp(n1, I, f, True, n, es, rs), False
        return round_lp(n1, I1, f1, True, n, es, rs), False
    # double approximation of t = log2(1 ± 2^-D)
    D = float(DI) + float(Df >> uint64(30)) * 2.0**-29 + float(Df & mask(30)) * 2.0**-59
    if minus:
        t = math.log2(-math.expm1(-D * _LN2))
    else:
        t = math.log1p(math.exp2(-D)) / _LN2
    ti = int64(math.floor(t))
    tf = uint64((t - float(ti)) * 2.0**FB_LP)
    if tf >= uint64(_ONE):
        tf = uint64(_ONE - 1)
    I, f = fx_add(I1, f1, ti, tf)
    maxp = mask(n - 1)
    if (I >> es) > rs - 1:
        return _finish(n1, maxp, n), False
    if (I >> es) < -rs:
        return _finish(n1, uint64(1), n), False
    body, dropped, shift = cut(I, f, FB_LP, n, es, rs)
    half = uint64(1) << uint64(shift - 1)
    dist = max(dropped, half) - min(dropped, half)
    if dist > uint64(_NEAR):
        return _finish(n1, round_body(body, dropped, shift, False, maxp), n), False
    # near the tie tau between body and body + 1: the (n+1)-bit pattern body·1
    _, k, e, F, j, _ = fields((body << uint64(1)) | uint64(1), n + 1, es, rs)
    Ts, Tf = fx_sub((k << es) + e, j << uint64(FB_LP - F), I1, f1)  # sigma = tau - u1
    eh, el = _exp2_fx(Ts, Tf, c_hi, c_lo)  # 2^sigma
    wI, wf = fx_sub(0, uint64(0), DI, Df)  # w = -D
    ph, pl = _exp2_fx(wI, wf, c_hi, c_lo)  # 2^-D
    if minus:
        ph, pl = -ph, -pl
    s, err = two_sum(1.0, ph)
    s2, err2 = two_sum(s, -eh)
    diff = s2 + (err2 + err + pl - el)
    undecided = abs(diff) <= _AMBIG
    if diff > 0.0:
        body += uint64(1)
    body = min(max(body, uint64(1)), maxp)
    return _finish(n1, body, n), undecided


@jit
def add_lp(ca, cb, n, es, rs, c_hi, c_lo):
    if ca == nar(n) or cb == nar(n):
        return nar(n), False
    if ca == uint64(0):
        return cb, False
    if cb == uint64(0):
        return ca, False
    na, Ia, fa = unpack_lp(ca, n, es, rs)
    nb, Ib, fb = unpack_lp(cb, n, es, rs)
    return add_log_lp(na, Ia, fa, nb, Ib, fb, n, es, rs, c_hi, c_lo)


@jit
def fma_lp(ca, cb, cc, n, es, rs, sfi, sff, c_hi, c_lo):
    """a * b + c with one rounding: the exact product log u_a + u_b - sf, then the LP sum."""
    if ca == nar(n) or cb == nar(n) or cc == nar(n):
        return nar(n), False
    if ca == uint64(0) or cb == uint64(0):
        return cc, False
    na, Ia, fa = unpack_lp(ca, n, es, rs)
    nb, Ib, fb = unpack_lp(cb, n, es, rs)
    I, f = fx_add(Ia, fa, Ib, fb)
    I, f = fx_sub(I, f, sfi, sff)
    if cc == uint64(0):
        return round_lp(na != nb, I, f, False, n, es, rs), False
    nc, Ic, fc = unpack_lp(cc, n, es, rs)
    return add_log_lp(na != nb, I, f, nc, Ic, fc, n, es, rs, c_hi, c_lo)


# --------------------------------------------------------------------------------------------
# dispatch on the family (logm) and the operation


@jit
def binop(op, ca, cb, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    """(code, undecided) of ``ca op cb`` for op in OP_ADD, OP_SUB, OP_MUL, OP_DIV."""
    if op == OP_SUB:
        cb = negate(cb, n)
        op = OP_ADD
    if logm == 0:
        if op == OP_ADD:
            return add_gp(ca, cb, n, es, rs, sc), False
        if op == OP_MUL:
            return mul_gp(ca, cb, n, es, rs, sc), False
        return div_gp(ca, cb, n, es, rs, sc), False
    if op == OP_ADD:
        return add_lp(ca, cb, n, es, rs, c_hi, c_lo)
    if op == OP_MUL:
        return mul_lp(ca, cb, n, es, rs, sfi, sff), False
    return div_lp(ca, cb, n, es, rs, sfi, sff), False


@jit
def sqrt_any(ca, n, es, rs, sc, logm, sfi, sff):
    if logm == 0:
        return sqrt_gp(ca, n, es, rs, sc)
    return sqrt_lp(ca, n, es, rs, sfi, sff)


@jit
def fma_any(ca, cb, cc, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    if logm == 0:
        return fma_gp(ca, cb, cc, n, es, rs, sc), False
    return fma_lp(ca, cb, cc, n, es, rs, sfi, sff, c_hi, c_lo)


# --------------------------------------------------------------------------------------------
# value <-> code for the float ufuncs (disk-cached wrappers of the encoder / decoder)


@jit
def value_to_code_gp(x, n, es, rs, sc):
    """Nearest GP/posit code of a float (the encoder's rounding; NaN/inf -> NaR)."""
    return encode_gp_fast(x, n, es, rs, sc)


@jit
def code_to_value_gp(c, n, es, rs, sc):
    """float64 value of a GP/posit code (NaR -> NaN)."""
    return decode_gp_fast(c, n, es, rs, sc)


@jit
def value_to_code_lp(x, n, es, rs, sfi, sff):
    """Nearest LP code of a float (log-domain RNE; NaN/inf -> NaR)."""
    return encode(x, n, es, rs, 0, 1, sfi, sff)


@jit
def code_to_value_lp(c, n, es, rs, sfi, sff, c_hi, c_lo):
    """float64 value of an LP code (NaR -> NaN)."""
    return decode(c, n, es, rs, 0, 1, sfi, sff, c_hi, c_lo)
