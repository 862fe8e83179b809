"""float32 fast paths of round-to-nearest for GP/posit (quantize, encode) and LP (quantize).

GP/posit: rounding on the binary32 bit pattern (LP: see the section further down).

For a positive binary32 ``x`` with unbiased exponent E and 23-bit mantissa, let ``S = E - sc``
(the format's scale), ``k = S >> es`` (regime value), ``e = S - 2^es k`` and, with a bias
``B = rs 2^es`` (a multiple of 2^es, so it leaves e untouched),

    Y = (S + B) 2^23 + mant = mag + (B - 127 - sc) 2^23          (mag = |x|'s bit pattern)

Within one regime the n-1 bit body of the infinitely precise encoding (docs/guide/tapered.md) is
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
x itself when the format is finer than binary32 there). All arithmetic is 32-bit: twice the
SIMD lanes of the float64 path (8 per ymm here: LLVM prefers 256-bit vectors on this CPU).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import float32, int32, int64, types, uint32
from numba.extending import intrinsic

from lognum._kernels.bits import bits_f32, f32_bits
from lognum._kernels.jit import jit, jit_inline
from lognum._kernels.tapered import encode

# Elements per block of the array loops. Pass it as a run-time argument: the same loop with the
# block size as a compile-time constant measured about 2x slower (LLVM vectorises it worse).
BLOCK = 16384
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


class GP32Params(NamedTuple):
    """The loop constants of ``quantize_gp32`` and ``encode_gp32``, all ``np.int32`` (the
    32-bit lanes of the loops; ``gp32_params`` checks that they fit)."""

    n: np.int32
    es: np.int32
    rs: np.int32
    off: np.int32  # (B - 127 - sc) 2^23: Y = mag + off
    magmin: np.int32  # |x| bits below this clamp to it (scale sc - B, below every value)
    magmax: np.int32  # |x| bits above this clamp to it (top of scale sc + B - 1)
    ymin: np.int32  # Y of minpos
    ymax: np.int32  # Y of maxpos


def gp32_params(
    n: int, es: int, rs: int, sc: int, minpos: float, maxpos: float
) -> GP32Params | None:
    """Loop constants of ``quantize_gp32`` for GP<n,es,rs,sc> with the given (exact float64)
    minpos/maxpos, or None when the binary32 path does not apply (see the module docstring)."""
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
    # every constant fits in int32: |off| < 2^31 by the range check, Y < 2B 2^23 <= 2^31
    return GP32Params(*(np.int32(v) for v in (n, es, rs, off, magmin, magmax, ymin, ymax)))


@jit_inline
def round_gp32(mag, p):
    """Y of the GP value nearest to the positive binary32 with bits ``mag`` (int32; ``p`` a
    ``GP32Params``, see the module docstring). Zero, NaN and inf are the caller's."""
    n, es, rs, off, magmin, magmax, ymin, ymax = p
    m = mag
    if m < magmin:
        m = magmin
    if m > magmax:
        m = magmax
    y = int32(m + off)
    kb = sra32(sra32(y, int32(23)), es)  # k + rs >= 0
    k = int32(kb - rs)
    r = int32((k ^ sra32(k, int32(31))) + int32(1))  # k + 1 for k >= 0, -k for k < 0
    length = int32(r + int32(1))
    if length > rs:
        length = rs
    avail = int32(int32(n - int32(1)) - length)
    d = int32(int32(es + int32(23)) - avail)
    if d < int32(0):
        d = int32(0)
    # RNE at bit d as one add: y + (2^(d-1) - 1) + the kept last bit carries into bit d
    # exactly when guard and (sticky or last bit); the last bit is y's bit d, or the
    # regime's when no bit follows the regime (avail = 0); d = 0 rounds nothing (the mask
    # makes the added last bit 0). Then the dropped bits are cleared.
    dmask = int32(shl32(int32(1), d) - int32(1))
    par = int32(sra32(y, d) & int32(1))
    if avail == int32(0):
        par = int32(1) if (k < int32(0)) != (r >= rs) else int32(0)
    q = int32(int32(int32(y + sra32(dmask, int32(1))) + int32(par & dmask)) & ~dmask)
    if q < ymin:
        q = ymin
    if q > ymax:
        q = ymax
    return q


@jit_inline
def quantize_gp32_one(x, p):
    """binary32 bits of the GP value nearest to the float32 ``x`` (``p``: a ``GP32Params``;
    see the module docstring)."""
    b = f32_bits(x)
    mag = int32(b & uint32(0x7FFFFFFF))
    sign = uint32(b & uint32(0x80000000))
    q = round_gp32(mag, p)
    res = uint32(uint32(q - p.off) | sign)
    if mag == int32(0):
        res = uint32(0)
    if mag >= int32(0x7F800000):
        res = _NAN32
    return bits_f32(res)


@jit_inline
def encode_gp32_one(x, p, maskn):
    """n-bit code (int32 pattern) of the GP value nearest to the float32 ``x``: the body is
    rebuilt from the rounded Y (regime of its scale, then its low es + 23 bits, which carry no
    bits below the format's last one; ``p``: a ``GP32Params``)."""
    n, es, rs = p.n, p.es, p.rs
    b = f32_bits(x)
    mag = int32(b & uint32(0x7FFFFFFF))
    q = round_gp32(mag, p)
    k = int32(sra32(sra32(q, int32(23)), es) - rs)
    r = int32((k ^ sra32(k, int32(31))) + int32(1))
    length = int32(r + int32(1))
    if length > rs:
        length = rs
    avail = int32(int32(n - int32(1)) - length)
    reg = int32(length - r)  # k < 0: 1 (terminated) or 0 (capped run)
    if k >= int32(0):
        reg = shl32(int32(shl32(int32(1), r) - int32(1)), int32(length - r))
    ef = int32(q & int32(shl32(int32(1), int32(es + int32(23))) - int32(1)))
    drop = int32(int32(es + int32(23)) - avail)
    dpos = drop
    if dpos < int32(0):
        dpos = int32(0)
    dneg = int32(dpos - drop)
    body = int32(shl32(reg, avail) | shl32(sra32(ef, dpos), dneg))
    code = body
    if b >= uint32(0x80000000):
        code = int32(int32(int32(0) - body) & maskn)
    if mag == int32(0):
        code = int32(0)
    if mag >= int32(0x7F800000):
        code = shl32(int32(1), int32(n - int32(1)))
    return code


@jit
def encode_gp32(x, out, p, block):
    """``out[i]`` = code of the GP/posit round-to-nearest of the float32 ``x[i]`` (out: uint8,
    uint16 or uint32), for formats accepted by ``gp32_params`` (``p``: its ``GP32Params``)."""
    maskn = int32(-1)
    if p.n < 32:
        maskn = int32((1 << int64(p.n)) - 1)
    for s in range(0, x.size, block):
        m = min(block, x.size - s)
        xs = x[s : s + m]
        os = out[s : s + m]
        for j in range(m):
            os[j] = encode_gp32_one(xs[j], p, maskn)


@jit
def quantize_gp32(x, out, p, block):
    """``out[i]`` = GP/posit round-to-nearest of the float32 ``x[i]`` (float32), for formats
    accepted by ``gp32_params`` (``p``: its ``GP32Params``). Parameters are run-time integers."""
    for s in range(0, x.size, block):
        m = min(block, x.size - s)
        xs = x[s : s + m]
        os = out[s : s + m]
        for j in range(m):
            os[j] = quantize_gp32_one(xs[j], p)


# --------------------------------------------------------------------------------------------
# LP (log posit) on binary32 inputs: a binary32 log2 in 32-bit lanes, exact near-tie redo
#
# The LP body is the fixed-point number log2|x| + sf cut like a GP body (docs/guide/tapered.md), so
# with FB fraction bits the same bias trick gives T = (S + B) 2^FB + frac and the rounding of T
# at bit d = es + FB - avail is the LP rounding. T is built from a binary32 log2 of the
# mantissa whose absolute error is at most LOG2_EPS over all 2^23 mantissas (checked
# exhaustively by tests/formats/test_tapered_fast32.py); with the truncations of the fraction
# and of sf, |T - exact| <= W = ceil(LOG2_EPS 2^FB) + 2 units. Any input whose dropped bits lie
# within W of the tie is redone with the exact scalar encoder (``tapered.encode``); elsewhere
# T and the exact value round to the same code (the grid step 2^d is far above 2W, so they
# cannot straddle a kept-bit boundary and round apart). Values come from a table indexed by
# the rounded T (``T >> (FB - Fmax)``), built from the same float32 code table as before.

LOG2_EPS = 2.0**-21  # proven bound on |log2_mant32(m) - log2(1 + m/2^23)| (exhaustive test)
_C_LOG2 = 2.0 / math.log(2.0)
_MIN_DROP = 13  # d >= 13: about 2W / 2^d < 2^-7 of the inputs are near a tie at worst


@jit_inline
def log2_mant32(m):
    """binary32 ``log2(1 + m / 2^23)`` for a 23-bit mantissa m (int32): atanh series on
    [sqrt(1/2), sqrt(2)), ``log2 v = (2/ln 2)(z + z^3/3 + z^5/5 + z^7/7)``, ``z = (v-1)/(v+1)``,
    ``|z| <= 0.172`` (truncation < 2^-24). Error <= LOG2_EPS; exact 0 for m = 0."""
    big = m >= int32(0x3504F3)  # 1 + m/2^23 >= sqrt(2) (rounded down): use v = (1 + m/2^23)/2
    vb = uint32(0x3F800000)
    off = float32(0.0)
    if big:
        vb = uint32(0x3F000000)
        off = float32(1.0)
    v = bits_f32(uint32(uint32(m) | vb))
    z = (v - float32(1.0)) / (v + float32(1.0))
    z2 = z * z
    s = float32(1.0 / 7.0)
    s = s * z2 + float32(1.0 / 5.0)
    s = s * z2 + float32(1.0 / 3.0)
    cz = float32(_C_LOG2) * z
    return off + (cz + cz * (z2 * s))


@jit
def log2_mant32_all(out):
    """``out[m] = log2_mant32(m)`` for every m < out.size (the exhaustive error check)."""
    for i in range(out.size):
        out[i] = log2_mant32(int32(i))


class LP32Params(NamedTuple):
    """The loop constants of ``quantize_lp32``: ``np.int32`` (the 32-bit lanes of
    ``lp32_index``) but ``sfi``/``sff`` (int64/uint64, for the exact encoder) and ``scale``."""

    n: np.int32
    es: np.int32
    rs: np.int32
    sfi: int  # sf = sfi + sff / 2^59
    sff: np.uint64
    FB: np.int32  # fraction bits of T
    B: np.int32  # rs 2^es
    sfib: np.int32  # sfi - 127 + B: binary32 exponent bits + sfib = the scale + B
    sffh: np.int32  # sff cut to FB bits
    c0: np.int32  # the drop d = length + c0
    tmin: np.int32  # T of minpos
    tmax: np.int32  # T of maxpos
    sh: np.int32  # table index = T >> sh
    W: np.int32  # redo with the exact encoder within W units of a tie
    scale: np.float32  # 2^FB


def lp32_params(
    n: int, es: int, rs: int, sfi: int, sff: int, code_table: np.ndarray, fields: np.ndarray
) -> tuple[LP32Params, np.ndarray] | None:
    """Loop constants (an ``LP32Params``) and the T-indexed value table of ``quantize_lp32``
    for LP<n,es,rs,sf> (``sf = sfi + sff/2^59``), or None when the binary32 path does not
    apply.

    ``code_table``: float32 value of every n-bit code; ``fields``: (k, e, F, j) of every
    positive code 1 .. 2^(n-1) - 1, one row each, in order."""
    B = rs << es
    FB = 26
    while (2 * B + 3) << FB >= 1 << 31:
        FB -= 1
    minlen = 1 if rs == 1 else 2
    fmax = max(0, n - 1 - minlen - es)
    if n > 20 or FB - fmax < _MIN_DROP or (2 * B) << fmax > 1 << 19:  # table <= 4 MB
        return None
    W = math.ceil(LOG2_EPS * 2.0**FB) + 2
    sh = FB - fmax

    size = (2 * B) << fmax
    idx_table = np.zeros(2 * size + 2, dtype=np.float32)
    ks, es_, Fs, js = (fields[:, i].astype(np.int64) for i in range(4))
    T = (((ks << es) + es_ + B) << FB) + (js << (FB - Fs))
    idx_table[T >> sh] = code_table[1 : 1 << (n - 1)]
    idx_table[size + (T >> sh)] = code_table[(1 << n) - np.arange(1, 1 << (n - 1))]
    idx_table[2 * size] = code_table[0]
    idx_table[2 * size + 1] = code_table[1 << (n - 1)]
    tmin, tmax = int(T[0]), int(T[-1])
    sffh = sff >> (59 - FB)
    c0 = es + FB + 1 - n  # d = length + c0
    ints = (FB, B, sfi - 127 + B, sffh, c0, tmin, tmax, sh, W)
    if not all(-(1 << 31) <= v < 1 << 31 for v in ints):  # an sf far outside binary32's range
        return None
    i32 = [np.int32(v) for v in ints]
    consts = LP32Params(
        np.int32(n), np.int32(es), np.int32(rs), sfi, np.uint64(sff), *i32, np.float32(2.0**FB)
    )
    return consts, idx_table


@jit_inline
def lp32_index(x, p):
    """(index into the table of ``lp32_params`` of the LP value nearest to x, whether x must
    be redone with the exact encoder); ``p``: the format's ``LP32Params``.
    Table layout: positive values, then their negatives, then 0.0, then NaN."""
    n, es, rs, FB, B, sfib, sffh, c0 = p.n, p.es, p.rs, p.FB, p.B, p.sfib, p.sffh, p.c0
    tmin, tmax, sh, W, scale = p.tmin, p.tmax, p.sh, p.W, p.scale
    b = f32_bits(x)
    mag = int32(b & uint32(0x7FFFFFFF))
    ebits = sra32(mag, int32(23))
    m = int32(mag & int32(0x7FFFFF))
    lg = log2_mant32(m)
    gi = int32(lg * scale)  # lg 2^FB (exact product), truncated
    sx = int32(ebits + sfib)
    if sx < int32(-3):  # -3 + (fraction + sf part < 2) stays below 0: "under"
        sx = int32(-3)
    twob = int32(B + B)
    if sx > twob:
        sx = twob
    t = int32(int32(shl32(sx, FB) + gi) + sffh)
    thi = shl32(twob, FB)
    under = t < int32(0)
    over = t >= thi
    if under:
        t = int32(0)
    if over:
        t = int32(thi - int32(1))
    k = int32(sra32(sra32(t, FB), es) - rs)
    r = int32((k ^ sra32(k, int32(31))) + int32(1))
    length = int32(r + int32(1))
    if length > rs:
        length = rs
    d = int32(length + c0)
    half = shl32(int32(1), int32(d - int32(1)))
    low = int32(t & int32(half - int32(1)))
    guard = int32(t & half) != int32(0)
    td = sra32(t, d)
    par = int32(td & int32(1)) != int32(0)
    if length == int32(n - int32(1)):
        par = (k < int32(0)) != (r >= rs)
    inc = int32(0)
    if guard & ((low != int32(0)) | par):
        inc = int32(1)
    q = shl32(int32(td + inc), d)
    if q < tmin:
        q = tmin
    if q > tmax:
        q = tmax
    dist = int32(half - low)  # |dropped bits - tie|, dropped = guard 2^(d-1) + low
    if guard:
        dist = low
    near = (dist <= W) & (not over) & (not under)
    if (ebits == int32(0)) & (mag != int32(0)):
        near = True  # binary32 subnormal: the exact encoder decides
    half_size = shl32(twob, int32(FB - sh))
    idx = sra32(q, sh)
    if b >= uint32(0x80000000):
        idx = int32(idx + half_size)
    if mag == int32(0):
        idx = int32(half_size + half_size)
    if mag >= int32(0x7F800000):
        idx = int32(int32(half_size + half_size) + int32(1))
        near = False
    return idx, near


@jit
def quantize_lp32(x, out, p, tab, code_tab, block):
    """``out[i]`` = LP round-to-nearest of the float32 ``x[i]``, for formats accepted by
    ``lp32_params`` (``p``: its ``LP32Params``; ``tab``: its table; ``code_tab`` = float32
    value of each code, for the exact redo).
    Blocks of ``block`` elements (slices of x and out): a vectorised pass computes table
    indices into a small buffer, a second (scalar: a gather next to a store cannot be proven
    alias-free) reads the table. Returns the number of inputs redone with the exact encoder."""
    n, es, rs, sfi, sff = int64(p.n), int64(p.es), int64(p.rs), p.sfi, p.sff
    buf = np.empty(block, dtype=np.int32)
    total = 0
    for s in range(0, x.size, block):
        m = min(block, x.size - s)
        xs = x[s : s + m]
        os = out[s : s + m]
        near_count = int32(0)
        for j in range(m):
            idx, near = lp32_index(xs[j], p)
            if near:
                idx = int32(idx | int32(1 << 30))
            buf[j] = idx
            near_count = int32(near_count + int32(near))
        for j in range(m):
            os[j] = tab[uint32(buf[j]) & uint32(0x3FFFFFFF)]
        if near_count:
            total += near_count
            for j in range(m):
                if buf[j] >= int32(1 << 30):
                    os[j] = code_tab[encode(float(xs[j]), n, es, rs, 0, 1, sfi, sff)]
    return total
