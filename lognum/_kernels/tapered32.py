"""float32 fast path of GP/posit round-to-nearest: rounding on the binary32 bit pattern.

For a positive binary32 ``x`` with unbiased exponent E and 23-bit mantissa, let ``S = E - sc``
(the format's scale), ``k = S >> es`` (regime value), ``e = S - 2^es k`` and, with a bias
``B = rs 2^es`` (a multiple of 2^es, so it leaves e untouched),

    Y = (S + B) 2^23 + mant = mag + (B - 127 - sc) 2^23          (mag = |x|'s bit pattern)

Within one regime the n-1 bit body of the infinitely precise encoding (FORMATS.md §1.5) is
``reg 2^avail + (e 2^23 + mant) >> drop`` with ``avail = n - 1 - L`` bits after the regime of
length L and ``drop = es + 23 - avail``, and ``Y >> drop = C_k + (e 2^23 + mant) >> drop`` with
``C_k`` a multiple of ``2^avail``. So the body's guard and sticky bits are Y's, its last bit is
Y's bit ``drop`` when ``avail >= 1`` (otherwise the regime's last bit: 1 for a terminated
negative regime or a capped positive one), and a carry out of the kept bits lands on the next
regime's first value 2^(2^es (k+1)) in both. Rounding Y at bit ``drop`` (ties to the even
pattern) and clamping to [Y(minpos), Y(maxpos)] is therefore the posit rounding, and
``Y - (B - 127 - sc) 2^23`` is the binary32 pattern of the result.

Valid (``gp32_params`` checks it) when every scale lies in the binary32 normal range,
``-126 <= sc - rs 2^es`` and ``sc + rs 2^es - 1 <= 127``, and minpos and maxpos are binary32
values: then every result is the binary32 value itself (never a rounding of it), equal to what
the float64 path returns. A result keeps at most 23 fraction bits of x (fewer when ``drop > 0``;
x itself when the format is finer than binary32 there). All arithmetic is 32-bit, so AVX-512
works on 16 lanes.
"""

from __future__ import annotations

import numpy as np
from numba import int32, njit, types, uint32
from numba.extending import intrinsic

from lognum._kernels.bits import bits_f32, f32_bits

_NAN32 = uint32(0x7FC00000)  # float32(math.nan): what the float64 path returns for NaR


@intrinsic
def shl32(typingctx, a, s):
    """``a << s`` on int32 (0 <= s < 32). Numba's own ``<<`` widens int32 to int64, which halves
    the SIMD lanes; this emits the 32-bit shift."""
    sig = types.int32(types.int32, types.int32)

    def codegen(context, builder, signature, args):
        return builder.shl(args[0], args[1])

    return sig, codegen


@intrinsic
def sra32(typingctx, a, s):
    """Arithmetic ``a >> s`` on int32 (0 <= s < 32), emitted as a 32-bit shift."""
    sig = types.int32(types.int32, types.int32)

    def codegen(context, builder, signature, args):
        return builder.ashr(args[0], args[1])

    return sig, codegen


def gp32_params(
    n: int, es: int, rs: int, sc: int, minpos: float, maxpos: float
) -> tuple[int, int, int, int, int] | None:
    """Loop constants ``(off, magmin, magmax, ymin, ymax)`` of ``quantize_gp32`` for
    GP<n,es,rs,sc> with the given (exact float64) minpos/maxpos, or None when the binary32
    path does not apply (see the module docstring)."""
    B = rs << es
    if sc - B < -126 or sc + B - 1 > 127:
        return None
    lo = np.float32(minpos)
    hi = np.float32(maxpos)
    if float(lo) != minpos or float(hi) != maxpos or lo < np.float32(2.0**-126):
        return None
    off = (B - 127 - sc) << 23
    magmin = (sc - B + 127) << 23
    magmax = ((sc + B + 127) << 23) - 1
    ymin = int(lo.view(np.uint32)) + off
    ymax = int(hi.view(np.uint32)) + off
    return off, magmin, magmax, ymin, ymax


@njit(inline="always", error_model="numpy")
def quantize_gp32_one(x, n, es, rs, off, magmin, magmax, ymin, ymax):
    """binary32 bits of the GP value nearest to the float32 ``x`` (all arguments int32 except
    x; see the module docstring)."""
    b = f32_bits(x)
    mag = int32(b & uint32(0x7FFFFFFF))
    sign = uint32(b & uint32(0x80000000))
    m = mag
    if m < magmin:
        m = magmin
    if m > magmax:
        m = magmax
    y = int32(m + off)
    kb = sra32(sra32(y, int32(23)), es)  # k + rs >= 0
    k = int32(kb - rs)
    r = int32(k + int32(1))
    if k < int32(0):
        r = int32(int32(0) - k)
    length = int32(r + int32(1))
    if length > rs:
        length = rs
    avail = int32(int32(n - int32(1)) - length)
    d = int32(int32(es + int32(23)) - avail)
    if d < int32(0):
        d = int32(0)
    half = sra32(shl32(int32(1), d), int32(1))
    guard = int32(y & half) != int32(0)
    sticky = int32(y & int32(half - int32(1))) != int32(0)
    yd = sra32(y, d)
    par = int32(yd & int32(1)) != int32(0)
    if avail == int32(0):
        par = (k < int32(0)) != (r >= rs)
    inc = int32(0)
    if guard and (sticky or par):
        inc = int32(1)
    q = shl32(int32(yd + inc), d)
    if q < ymin:
        q = ymin
    if q > ymax:
        q = ymax
    res = uint32(uint32(q - off) | sign)
    if mag == int32(0):
        res = uint32(0)
    if mag >= int32(0x7F800000):
        res = _NAN32
    return bits_f32(res)


@njit(cache=True, nogil=True, error_model="numpy")
def quantize_gp32(x, out, n, es, rs, off, magmin, magmax, ymin, ymax):
    """``out[i]`` = GP/posit round-to-nearest of the float32 ``x[i]`` (float32), for formats
    accepted by ``gp32_params``. Parameters are run-time integers."""
    n = int32(n)
    es = int32(es)
    rs = int32(rs)
    off = int32(off)
    magmin = int32(magmin)
    magmax = int32(magmax)
    ymin = int32(ymin)
    ymax = int32(ymax)
    for i in range(x.size):
        out[i] = quantize_gp32_one(x[i], n, es, rs, off, magmin, magmax, ymin, ymax)
