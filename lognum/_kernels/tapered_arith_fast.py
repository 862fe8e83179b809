"""Fast GP / posit add, sub, mul, div, sqrt from error-free transformations in binary64.

A second, independent implementation of the correctly rounded GP operations of
``tapered_arith`` (tests check the two agree), used for n > 10 when every value, product and
quotient of the format stays within binary64's normal range (``fast_ok``). The exact result is
carried as an unevaluated sum ``s + e`` of two doubles:

* add/sub: TwoSum (Knuth) — ``s = fl(x + y)``, ``e`` the exact rounding error;
* mul: ``s = fl(x * y)``, ``e = fma(x, y, -s)``, exact (the error of a product is a double and
  a fused multiply-add rounds once; for n <= 26 the product itself is exact and ``e = 0``);
* div: ``q = fl(x / y)``; the remainder ``r = x - q y`` is a double, so ``fma(-q, y, x)``
  computes it exactly, and the exact quotient is ``q + r / y`` (only the sign of ``r / y``
  is used);
* sqrt: ``s = fl(sqrt(x))``; the residual ``x - s^2`` is a double too: ``fma(-s, s, x)``.

``fma`` is LLVM's ``llvm.fma.f64`` (one rounding by definition: the hardware instruction where
there is one, else the C library's correctly rounded ``fma``), never the fastmath contraction.

``|e| <= ulp(s) / 2``, and every decision point of the format's rounding (a value or a
bit-string tie, at most 33 significant bits) is a double, so no decision point lies strictly
between ``s`` and ``s + e`` or strictly between ``s`` and its neighbouring double towards
``s + e``. Rounding therefore rounds ``s`` itself when ``e == 0``, and otherwise rounds the open
interval between ``s`` and that neighbour: the encoder's bit-string rounding with the sticky bit
set, on ``|s|`` when ``|s + e| > |s|`` and on the previous double below ``|s|`` when
``|s + e| < |s|`` (``round_sum2``; it gives the codes of ``tapered._pack``, with fewer
operations). Branch-free, so the array loops vectorise.
"""

from __future__ import annotations

import math

from llvmlite import ir
from numba import int64, types, uint64
from numba.core import cgutils
from numba.cpython.unsafe.numbers import leading_zeros
from numba.extending import intrinsic

from lognum._kernels import bits as _bits
from lognum._kernels.bits import bits_f64, f64_bits, mask
from lognum._kernels.jit import jit, jit_inline
from lognum._kernels.tapered import encode_gp_fast, negate

OP_ADD, OP_SUB, OP_MUL, OP_DIV = 0, 1, 2, 3


# the error-free transformation of ``bits``, compiled again inlined (Numba IR inlining) so the
# loops that call it vectorise: one source, two compilations
two_sum = jit_inline(_bits.two_sum.py_func)


@intrinsic
def fma(typingctx, a, b, c):
    """``a * b + c`` rounded once (``llvm.fma.f64``; vectorises to the FMA instructions)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(d, [d, d, d]), "llvm.fma.f64"
        )
        return builder.call(fn, args)

    return sig, codegen


def fast_ok(n: int, es: int, rs: int, sc: int) -> bool:
    """True when the scales of values, products and quotients stay well inside binary64's
    normal range (|scale| <= 2 (rs 2^es + |sc| + 1) <= 1000)."""
    return 2 * ((rs << es) + abs(sc) + 1) <= 1000


@jit_inline
def decode_gp_lean(c, n, es, rs, sc):
    """GP/posit value of a code ``c < 2^n`` (NaR -> NaN): the values of ``tapered.decode_gp_fast``
    with fewer operations (tested equal on every code of several formats). The magnitude is the
    two's complement ``(c ^ -s) + s`` for the sign bit ``s``; shifting it left by ``65 - n`` drops
    the sign bit and the bits the complement wraps into, leaving the body at the top: the
    regime's run is the leading-zero count of the body with its first bit spread (capped at
    ``rs``), then come ``es`` exponent bits and the fraction."""
    sign = c >> uint64(n - 1)
    smask = uint64(0) - sign
    aligned = ((c ^ smask) - smask) << uint64(65 - n)
    inv = aligned ^ uint64(int64(aligned) >> 63)
    run = min(int64(leading_zeros(inv | uint64(1))), rs)
    k = run - 1 if (aligned >> uint64(63)) else -run
    t = aligned << uint64(min(run + 1, rs))
    scale = (k << es) + sc + 1023
    if es > 0:
        scale += int64(t >> uint64(64 - es))
        t = t << uint64(es)
    v = bits_f64(((uint64(scale) | (sign << uint64(11))) << uint64(52)) | (t >> uint64(12)))
    if aligned == uint64(0):  # 0 and NaR
        v = math.nan if sign else 0.0
    return v


@jit_inline
def round_sum2(s, e, n, es, rs, sc):
    """Code of the exact ``s + e`` (``|e| <= ulp(s)/2``; NaN/inf ``s`` -> NaR); see ``round2``."""
    return round2(s, e, n, es, rs, sc)[0]


@jit_inline
def round2(s, e, n, es, rs, sc):
    """(code of the exact ``s + e``, whether ``s + e`` is a value of the format: nothing was
    rounded off and nothing saturated; 0 and NaN (NaR) are values, +-inf is not).

    The bit-string round to nearest even of ``tapered._pack`` for a double, written for the
    loops: the magnitude ``mag`` (the previous double when ``e`` points towards zero) has the
    scale ``S``, clamped to the format's range (``over``/``under`` then give maxpos/minpos);
    the posit's first 64 bits after the sign are the regime (``r`` ones and a zero for
    ``k = S >> es >= 0``, ``r`` zeros and a one for ``k < 0``, no terminator when the run
    reaches ``rs``), the ``es`` exponent bits and the 52 fraction bits; the bits beyond the
    64-bit window join the sticky bit."""
    b = f64_bits(s)
    sign = b >> uint64(63)
    mag = b & mask(63)
    lost = e != 0.0
    toward0 = lost & ((e < 0.0) != (sign == uint64(1)))
    mag = mag - uint64(toward0)
    S = int64(mag >> uint64(52)) - 1023 - sc
    smax = (rs << es) - 1
    smin = -(rs << es)
    over = S > smax
    under = S < smin
    S = min(max(S, smin), smax)
    k = S >> es
    negk = k < 0
    r = -k if negk else k + 1  # run length, 1 <= r <= rs
    length = min(r + 1, rs)
    up = ~(mask(64) >> uint64(r))  # r ones (the terminating zero follows)
    dn = (uint64(1) << uint64(63)) >> uint64(r)  # r zeros, then the terminating one
    if r >= rs:
        dn = uint64(0)  # a run of rs zeros has no terminator
    frac = (mag & mask(52)) << uint64(12)
    le = length + es  # <= rs + es <= 35
    w = (dn if negk else up) | ((uint64(S) & mask(es)) << uint64(64 - le)) | (frac >> uint64(le))
    lost = lost | ((frac << uint64(64 - le)) != uint64(0))
    body = w >> uint64(65 - n)
    guard = (w >> uint64(64 - n)) & uint64(1)
    sticky = lost | ((w & mask(64 - n)) != uint64(0))
    exact = not (sticky | (guard != uint64(0)) | over | under)
    body += guard & (uint64(sticky) | (body & uint64(1)))
    maxp = mask(n - 1)
    body = min(max(body, uint64(1)), maxp)
    if over:
        body = maxp
    if under:
        body = uint64(1)
    code = body
    if sign:
        code = negate(body, n)
    if s == 0.0:
        code = uint64(0)
        exact = True
    if not math.isfinite(s):
        code = uint64(1) << uint64(n - 1)
        exact = math.isnan(s)
    return code, exact


@jit_inline
def exact2(op, x, y):
    """(s, e) with s + e the exact x op y (e's sign and nonzeroness only, for OP_DIV)."""
    if op == OP_ADD:
        return two_sum(x, y)
    if op == OP_SUB:
        return two_sum(x, -y)
    if op == OP_MUL:
        p = x * y
        return p, fma(x, y, -p)
    q = x / y
    r = fma(-q, y, x)  # the remainder x - q y, exactly
    if y < 0.0:
        r = -r
    return q, r


@jit_inline
def sqrt2(x):
    s = math.sqrt(x)
    return s, fma(-s, s, x)  # the residual x - s^2, exactly


@jit
def binop_codes_fast(op, ca, cb, out, n, es, rs, sc):
    m = mask(n)
    for i in range(out.size):
        x = decode_gp_lean(uint64(ca[i]) & m, n, es, rs, sc)
        y = decode_gp_lean(uint64(cb[i]) & m, n, es, rs, sc)
        s, e = exact2(op, x, y)
        out[i] = round_sum2(s, e, n, es, rs, sc)


@jit
def sqrt_codes_fast(ca, out, n, es, rs, sc):
    m = mask(n)
    for i in range(out.size):
        s, e = sqrt2(decode_gp_lean(uint64(ca[i]) & m, n, es, rs, sc))
        out[i] = round_sum2(s, e, n, es, rs, sc)


@jit
def binop_values_fast(op, a, b, out, n, es, rs, sc, strict):
    """Float values in, float values out (``out``'s dtype); returns how many inputs are not
    values of the format (NaN = NaR is one). ``strict``: the inputs are used as they are and only
    checked (``round2``'s exactness flag: no decode); else each is rounded to the format first
    (the result of ``strict=False``)."""
    bad = 0
    if strict:
        for i in range(out.size):
            x = float(a[i])
            y = float(b[i])
            bad += not (round2(x, 0.0, n, es, rs, sc)[1] and round2(y, 0.0, n, es, rs, sc)[1])
            s, e = exact2(op, x, y)
            out[i] = decode_gp_lean(round_sum2(s, e, n, es, rs, sc), n, es, rs, sc)
        return bad
    for i in range(out.size):
        x = float(a[i])
        y = float(b[i])
        vx = decode_gp_lean(encode_gp_fast(x, n, es, rs, sc), n, es, rs, sc)
        vy = decode_gp_lean(encode_gp_fast(y, n, es, rs, sc), n, es, rs, sc)
        bad += ((vx != x) and not (math.isnan(x) and math.isnan(vx))) or (
            (vy != y) and not (math.isnan(y) and math.isnan(vy))
        )
        s, e = exact2(op, vx, vy)
        out[i] = decode_gp_lean(round_sum2(s, e, n, es, rs, sc), n, es, rs, sc)
    return bad
