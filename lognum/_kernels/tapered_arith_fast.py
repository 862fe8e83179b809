"""Fast GP / posit add, sub, mul, div, sqrt from error-free transformations in binary64.

A second, independent implementation of the correctly rounded GP operations of
``tapered_arith`` (tests check the two agree), used for n > 10 when every value, product and
quotient of the format stays within binary64's normal range (``fast_ok``). The exact result is
carried as an unevaluated sum ``s + e`` of two doubles:

* add/sub: TwoSum (Knuth) — ``s = fl(x + y)``, ``e`` the exact rounding error;
* mul: TwoProduct by Veltkamp splitting (Dekker) — ``s = fl(x * y)``, ``e`` exact;
* div: ``q = fl(x / y)``; the remainder ``r = x - q y`` is a double and is computed exactly
  from TwoProduct(q, y) (Sterbenz), so the exact quotient is ``q + r / y``;
* sqrt: ``s = fl(sqrt(x))``; the residual ``x - s^2`` (exact via TwoProduct) gives the side.

``|e| <= ulp(s) / 2``, and every decision point of the format's rounding (a value or a
bit-string tie, at most 33 significant bits) is a double, so no decision point lies strictly
between ``s`` and ``s + e`` or strictly between ``s`` and its neighbouring double towards
``s + e``. Rounding therefore rounds ``s`` itself when ``e == 0``, and otherwise rounds the open
interval between ``s`` and that neighbour: the encoder's bit packing with the sticky bit set
(``tapered._pack``), on ``|s|`` when ``|s + e| > |s|`` and on the previous double below ``|s|``
when ``|s + e| < |s|``. Branch-free, so the array loops vectorise.
"""

from __future__ import annotations

import math

from numba import int64, uint64

from lognum._kernels import bits as _bits
from lognum._kernels.bits import f64_bits, mask
from lognum._kernels.jit import jit, jit_inline
from lognum._kernels.tapered import _pack, decode_gp_fast, encode_gp_fast, negate

OP_ADD, OP_SUB, OP_MUL, OP_DIV = 0, 1, 2, 3


# the error-free transformations of ``bits``, compiled again inlined (Numba IR inlining) so the
# loops that call them vectorise: one source, two compilations
two_sum = jit_inline(_bits.two_sum.py_func)
two_prod = jit_inline(_bits.two_prod.py_func)


def fast_ok(n: int, es: int, rs: int, sc: int) -> bool:
    """True when the scales of values, products and quotients stay well inside binary64's
    normal range (|scale| <= 2 (rs 2^es + |sc| + 1) <= 1000)."""
    return 2 * ((rs << es) + abs(sc) + 1) <= 1000


@jit_inline
def round_sum2(s, e, n, es, rs, sc):
    """Code of the exact ``s + e`` (``|e| <= ulp(s)/2``; NaN/inf ``s`` -> NaR)."""
    b = f64_bits(s)
    sign = b >> uint64(63)
    mag = b & mask(63)
    lost = e != 0.0
    toward0 = lost and ((e < 0.0) != (sign == uint64(1)))
    mag = mag - uint64(toward0)
    E = int64(mag >> uint64(52)) - 1023
    body, _ = _pack(E - sc, mag & mask(52), 52, n, es, rs, lost)
    code = body
    if sign:
        code = negate(body, n)
    if s == 0.0:
        code = uint64(0)
    if not math.isfinite(s):
        code = uint64(1) << uint64(n - 1)
    return code


@jit_inline
def exact2(op, x, y):
    """(s, e) with s + e the exact x op y (e's sign and nonzeroness only, for OP_DIV)."""
    if op == OP_ADD:
        return two_sum(x, y)
    if op == OP_SUB:
        return two_sum(x, -y)
    if op == OP_MUL:
        return two_prod(x, y)
    q = x / y
    p, pe = two_prod(q, y)
    r = (x - p) - pe
    if y < 0.0:
        r = -r
    return q, r


@jit_inline
def sqrt2(x):
    s = math.sqrt(x)
    p, pe = two_prod(s, s)
    return s, (x - p) - pe


@jit
def binop_codes_fast(op, ca, cb, out, n, es, rs, sc):
    m = mask(n)
    for i in range(out.size):
        x = decode_gp_fast(uint64(ca[i]) & m, n, es, rs, sc)
        y = decode_gp_fast(uint64(cb[i]) & m, n, es, rs, sc)
        s, e = exact2(op, x, y)
        out[i] = round_sum2(s, e, n, es, rs, sc)


@jit
def sqrt_codes_fast(ca, out, n, es, rs, sc):
    m = mask(n)
    for i in range(out.size):
        s, e = sqrt2(decode_gp_fast(uint64(ca[i]) & m, n, es, rs, sc))
        out[i] = round_sum2(s, e, n, es, rs, sc)


@jit
def binop_values_fast(op, a, b, out, n, es, rs, sc):
    """Float values in, float values out (``out``'s dtype); returns how many inputs are not
    values of the format (NaN = NaR is one)."""
    bad = 0
    for i in range(out.size):
        x = float(a[i])
        y = float(b[i])
        vx = decode_gp_fast(encode_gp_fast(x, n, es, rs, sc), n, es, rs, sc)
        vy = decode_gp_fast(encode_gp_fast(y, n, es, rs, sc), n, es, rs, sc)
        bad += ((vx != x) and not (math.isnan(x) and math.isnan(vx))) or (
            (vy != y) and not (math.isnan(y) and math.isnan(vy))
        )
        s, e = exact2(op, vx, vy)
        out[i] = decode_gp_fast(round_sum2(s, e, n, es, rs, sc), n, es, rs, sc)
    return bad
