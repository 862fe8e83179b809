"""Scalar kernels of the float-like element formats: minifloats (IEEE-style, ``fn``, ``fnuz``,
no-specials), E8M0, bfloat16, AdaptivFloat, scaled floats and the MX float elements.

One parametrised rounding serves all of them (docs/guide/). A format is a grid
of magnitudes: in the binade ``[2^E, 2^(E+1))`` (``E >= emin``) the step is ``2^(E-m)``; below
``2^emin`` the grid continues with step ``2^(emin-m)`` (gradual underflow, IEEE subnormals) down
to ``vmin``, the smallest positive value. A format without subnormals sets ``vmin`` above that
grid and rounds every ``|x| < vmin`` by the *bottom rule*: ``vmin`` if ``|x| > lomid`` (or
``== lomid`` and ``tieup``), else 0. Rounding inside the grid is to nearest with ties to the even
significand integer (``away=1``: ties away from zero). Overflow is decided in the extended grid:
``q > maxval`` means the rounded value does not exist, and ``ovfval`` (``maxval`` when
saturating, else inf or NaN) replaces it.

All parameters are run-time numbers (one compilation per dtype serves every format); the
helpers are ``inline="always"`` and branch-free so the array loops in ``floats_loops`` vectorise.
The arithmetic is exact: scaling by powers of two, ``y = a·2^(m-E) < 2^(m+1)`` and the
``1.5·2^52`` round-to-nearest-even trick (valid for ``|y| < 2^51``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import int32, int64, types, uint32, uint64
from numba.extending import intrinsic, overload

from lognum._kernels.bits import bits_f32, bits_f64, f32_bits, f64_bits, mask
from lognum._kernels.jit import jit_inline

RNE_MAGIC = 6755399441055744.0  # 1.5 * 2^52: (y + M) - M rounds |y| < 2^51 to the nearest even
E_CAP = 960  # exponents are clamped here so that 2^(m - E) stays a normal double


@jit_inline
def pow2(k):
    """``2.0**k`` for an integer ``-1022 <= k <= 1023`` (built from its bits)."""
    return bits_f64(uint64(k + 1023) << uint64(52))


@jit_inline
def grid_round(a, m, emin, vmin, lomid, tieup, away):
    """Nearest grid magnitude to ``a >= 0`` (overflow not yet applied; see module docstring)."""
    E = int64(f64_bits(a) >> uint64(52)) - 1023
    if E < emin:
        E = emin
    if E > E_CAP:
        E = E_CAP
    y = a * pow2(m - E)
    if away:
        r = math.floor(y)
        if y - r >= 0.5:  # exact (floor(y + 0.5) would round y + 0.5 first)
            r += 1.0
    else:
        r = (y + RNE_MAGIC) - RNE_MAGIC
    q = r * pow2(E - m)
    if a < vmin:
        q = 0.0
        if a > lomid or (a == lomid and (tieup or away)):
            q = vmin
    return q


class FloatParams(NamedTuple):
    """The parameters of one float grid, as the kernels take them (Python ints and floats:
    Numba types every field as int64 or float64, so one compilation serves every format)."""

    n: int  # bits of a code
    m: int  # mantissa bits: the step in the binade [2^E, 2^(E+1)) is 2^(E-m)
    emin: int  # smallest normal exponent; below 2^emin the step stays 2^(emin-m)
    bias: int  # exponent bias of the codes
    sub: int  # 1: codes below 2^emin are subnormals j = q/2^(emin-m)
    vmin: float  # smallest positive magnitude
    lomid: float  # below vmin: |x| > lomid rounds up to vmin (the bottom rule)
    tieup: int  # 1: |x| == lomid rounds up to vmin
    away: int  # 1: ties away from zero (else to the even significand)
    maxval: float  # largest finite magnitude; a rounded q > maxval overflows
    ovfval: float  # magnitude for an overflow: maxval when saturating, else inf or NaN
    infval: float  # magnitude for an infinite input
    nanval: float  # value for a NaN input
    ovfcode: int  # code for an overflow
    infcode: int  # code for an infinite input
    nancode: int  # code for NaN (-1: the format has no NaN, NaN gives code 0)
    signed: int  # 0: negative inputs give NaN (E8M0; -0 is zero)
    negzero: int  # 0: -0 becomes +0 (fnuz)
    zeronan: int  # 1: zero gives NaN (E8M0 has no zero)
    twos: int  # 1: the element is an integer j 2^(emin-m) in two's complement (MXINT8)


@jit_inline
def float_value(x, isc, sc2, p):
    """Quantized value of ``x`` (float64): the element grid ``p`` (a ``FloatParams``) scaled by
    ``sc2 = 2^sc`` (``isc = 2^-sc``); overflow, ±inf, NaN, sign and zero as ``p`` says."""
    return float_value_with(x, isc, sc2, p, p.away, p.signed, p.zeronan, p.negzero)


@jit_inline
def float_value_with(x, isc, sc2, p, away, signed, zeronan, negzero):
    """``float_value`` with the flags ``away``, ``signed``, ``zeronan`` and ``negzero`` of ``p``
    given separately: a loop that passes them as constants (``floats_loops.quantize_rows``)
    compiles without their selects and branches, which lets LLVM vectorise it."""
    xf = float(x)
    b = f64_bits(xf)
    s = b >> uint64(63)
    ax = abs(xf)
    a = ax * isc
    q = grid_round(a, p.m, p.emin, p.vmin, p.lomid, p.tieup, away)
    v = q
    if q > p.maxval:
        v = p.ovfval
    if ax == math.inf:
        v = p.infval
    if zeronan and ax == 0.0:
        v = math.nan
    v = v * sc2
    if s and signed:
        v = -v
    if s and not signed and ax != 0.0:  # -0 is zero, not a negative input
        v = math.nan
    if v == 0.0 and not negzero:
        v = 0.0
    if xf != xf:
        v = p.nanval
    return v


@jit_inline
def float_code(x, isc, p):
    """n-bit code of ``x / 2^sc`` (``isc = 2^-sc``) in the element format ``p`` (a
    ``FloatParams``): exponent field ``E + bias``, subnormals when ``p.sub``, the codes for
    overflow/±inf/NaN, sign-magnitude or (``p.twos``) two's complement negatives."""
    return float_code_with(x, isc, p, p.away, p.signed, p.zeronan, p.twos)


@jit_inline
def float_code_with(x, isc, p, away, signed, zeronan, twos):
    """``float_code`` with the flags ``away``, ``signed``, ``zeronan`` and ``twos`` of ``p``
    given separately (constants in ``floats_loops.encode_rows``' common loop)."""
    xf = float(x)
    b = f64_bits(xf)
    s = b >> uint64(63)
    ax = abs(xf)
    a = ax * isc
    m = p.m
    q = grid_round(a, m, p.emin, p.vmin, p.lomid, p.tieup, away)
    ovf = q > p.maxval
    qc = q
    if ovf:
        qc = p.maxval
    qb = f64_bits(qc)
    Eq = int64(qb >> uint64(52)) - 1023
    c = (uint64(Eq + p.bias) << uint64(m)) | ((qb >> uint64(52 - m)) & mask(m))
    if p.sub and Eq < p.emin:
        c = uint64(int64(qc * pow2(m - p.emin)))
    if qc == 0.0:
        c = uint64(0)
    if ovf:
        c = uint64(p.ovfcode)
    if ax == math.inf:
        c = uint64(p.infcode)
    if zeronan and ax == 0.0:
        c = uint64(p.nancode)
    if s and signed and not (q == 0.0 and not p.negzero):
        if twos:
            c = (uint64(0) - c) & mask(p.n)
        else:
            c = c | (uint64(1) << uint64(p.n - 1))
    if s and not signed and ax != 0.0:
        c = uint64(p.nancode)
    if xf != xf:
        c = uint64(0)
        if p.nancode >= 0:
            c = uint64(p.nancode)
            if signed:
                c = c | (s << uint64(p.n - 1))
    return c


F32_MAX = 3.4028234663852886e38


def f32_saturate(x, v):
    """``v`` (a float64 result for input ``x``), clamped to ±float32 max when ``x`` is float32
    (compile-time dispatch: float64 inputs get ``v`` unchanged). For the ufuncs of saturating
    formats, so that their float32 loop matches ``quantize`` (no inf from a finite input)."""
    if isinstance(x, np.float32):
        return min(max(v, -F32_MAX), F32_MAX) if v == v else v
    return v


@overload(f32_saturate, inline="always")
def _f32_saturate_impl(x, v):
    if x == types.float32:

        def clamp(x, v):
            if v > F32_MAX:
                return F32_MAX
            if v < -F32_MAX:
                return -F32_MAX
            return v

        return clamp
    return lambda x, v: v


# ------------------------------------------------------------------------------------------
# binary32 fast path of round to nearest (float32 in, float32 out)


class F32Params(NamedTuple):
    """Loop constants of ``float_value_f32``: the grid of a ``FloatParams`` in binary32 bit
    patterns, all ``np.int32`` / ``np.float32`` (32-bit lanes). Built by ``f32_params``."""

    drop: np.int32  # 23 - m: mantissa bits of a binary32 that the grid drops
    half1: np.int32  # 2^(drop-1) - 1: added before truncation (plus the kept last bit: RNE)
    keep: np.int32  # ~(2^drop - 1): the kept bits
    nbits: np.int32  # pattern of 2^emin: below it the step stays 2^(emin-m)
    magic: np.float32  # 2^(emin - m + 23): (a + magic) - magic rounds a < 2^emin to the step
    maxbits: np.int32  # pattern of maxval: a rounded pattern above it overflows
    ovfval: np.float32  # magnitude of an overflow (maxval, inf or NaN)
    infval: np.float32  # magnitude of an infinite input
    negzero: np.int32  # 1: a negative input rounding to zero gives -0


def f32_params(p: FloatParams) -> F32Params | None:
    """The ``F32Params`` of the element grid ``p`` or None where the binary32 path does not
    apply: it needs the common flags (ties to even, signed, no zero-NaN), IEEE-style gradual
    underflow (``sub``, m >= 1) and a grid inside the binary32 normal range (the smallest
    decision point ``vmin / 2`` at least 2^-126, maxval a finite binary32: a rounding up from
    the top binade gives at most the pattern of inf, which is above maxval: an overflow)."""
    if p.away or not p.signed or p.zeronan or not p.sub or p.m < 1 or p.m > 22:
        return None
    if p.emin - p.m - 1 < -126 or not 0.0 < p.maxval < 2.0**128:
        return None
    if p.vmin != math.ldexp(1.0, p.emin - p.m) or p.lomid != p.vmin / 2 or p.tieup:
        return None
    drop = 23 - p.m
    with np.errstate(over="ignore"):
        ovf, inf = np.float32(p.ovfval), np.float32(p.infval)
    if float(np.float32(p.maxval)) != p.maxval:
        return None
    for v, w in ((ovf, p.ovfval), (inf, p.infval)):
        if not (float(v) == w or (math.isnan(w) and np.isnan(v))):
            return None
    i32 = np.int32
    return F32Params(
        drop=i32(drop),
        half1=i32((1 << (drop - 1)) - 1),
        keep=i32(~((1 << drop) - 1)),
        nbits=i32((p.emin + 127) << 23),
        magic=np.float32(math.ldexp(1.0, p.emin - p.m + 23)),
        maxbits=i32(np.float32(p.maxval).view(np.int32)),
        ovfval=ovf,
        infval=inf,
        negzero=i32(p.negzero),
    )


@intrinsic
def srl32(typingctx, a, s):
    """Logical ``a >> s`` on int32 (0 <= s < 32), emitted as a 32-bit shift (Numba's own
    ``>>`` widens int32 to int64, which halves the SIMD lanes)."""
    sig = types.int32(types.int32, types.int32)

    def codegen(context, builder, signature, args):
        return builder.lshr(args[0], args[1])

    return sig, codegen


@jit_inline
def float_value_f32(x, isc, sc2, ovf2, inf2, q):
    """``float_value`` of the float32 ``x`` for a grid with ``F32Params`` q, in 32-bit lanes:
    ``a = |x| 2^-sc`` (``isc``, float32), then on a's bit pattern the RNE to m mantissa bits
    (add ``half1`` and the last kept bit, truncate: a carry moves to the next binade, as the
    grid does) at or above 2^emin, and below it ``(a + magic) - magic`` (binary32 addition
    rounds to the fixed step, ties to even); the result times ``sc2`` (``ovf2``, ``inf2``: the
    overflow and infinity magnitudes times sc2), the sign of x put back.

    Equal to ``float_value`` rounded to float32 (tests/formats/test_floats_fast32.py): every
    decision point of the grid is a binary32 normal number, so the scaling ``|x| 2^-sc``, which
    is exact unless its result is below 2^-126, never moves a value across one; ``q sc2`` is one
    rounding of the same exact product as the float64 path's conversion."""
    b = f32_bits(x)
    mag = int32(b & uint32(0x7FFFFFFF))
    a = bits_f32(uint32(mag)) * isc
    am = int32(f32_bits(a))
    qn = int32(int32(int32(am + q.half1) + int32(srl32(am, q.drop) & int32(1))) & q.keep)
    qs = int32(f32_bits((a + q.magic) - q.magic))
    qb = qn
    if am < q.nbits:
        qb = qs
    v = bits_f32(uint32(qb)) * sc2
    if qb > q.maxbits:
        v = ovf2
    if mag == int32(0x7F800000):
        v = inf2
    sign = uint32(b & uint32(0x80000000))
    if qb == int32(0) and q.negzero == int32(0):
        sign = uint32(0)
    r = uint32(f32_bits(v) | sign)
    if mag > int32(0x7F800000):
        r = uint32(0x7FC00000)
    return bits_f32(r)


class F32Codes(NamedTuple):
    """The code constants of ``float_code_f32`` (``np.int32``), next to an ``F32Params``."""

    rebias: np.int32  # (127 - bias) 2^m: binary32 pattern >> drop, minus this, is the code
    magicbits: np.int32  # pattern of F32Params.magic: a + magic has the subnormal code j
    sbit: np.int32  # 2^(n-1), the sign of a code
    ovfcode: np.int32
    infcode: np.int32
    nanpos: np.int32  # code of a NaN input with the sign bit clear
    nanneg: np.int32  # ... and set (formats without NaN: code 0)


def f32_codes(p: FloatParams) -> F32Codes | None:
    """The ``F32Codes`` of ``p`` (which must have an ``F32Params``), or None for two's
    complement elements."""
    if p.twos or f32_params(p) is None:
        return None
    i32 = np.int32
    sbit = 1 << (p.n - 1)
    nanpos = nanneg = 0
    if p.nancode >= 0:
        nanpos, nanneg = p.nancode, p.nancode | sbit
    magic = np.float32(math.ldexp(1.0, p.emin - p.m + 23))
    return F32Codes(
        rebias=i32((127 - p.bias) << p.m),
        magicbits=i32(magic.view(np.int32)),
        sbit=i32(sbit),
        ovfcode=i32(p.ovfcode),
        infcode=i32(p.infcode),
        nanpos=i32(nanpos),
        nanneg=i32(nanneg),
    )


@jit_inline
def float_code_f32(x, isc, q, c):
    """``float_code`` of the float32 ``x`` (element grid with ``F32Params`` q and
    ``F32Codes`` c; ``isc = 2^-sc`` as float32), in 32-bit lanes: the rounding of
    ``float_value_f32``; at or above 2^emin the code is the rounded pattern shifted down by
    ``drop`` and rebiased, below it the subnormal integer j is the pattern difference of
    ``a + magic`` and ``magic`` (its last place is the step)."""
    b = f32_bits(x)
    mag = int32(b & uint32(0x7FFFFFFF))
    a = bits_f32(uint32(mag)) * isc
    am = int32(f32_bits(a))
    qn = int32(int32(int32(am + q.half1) + int32(srl32(am, q.drop) & int32(1))) & q.keep)
    code = int32(srl32(qn, q.drop) - c.rebias)
    big = a + q.magic
    zero = qn == int32(0)
    if am < q.nbits:
        code = int32(int32(f32_bits(big)) - c.magicbits)
        zero = code == int32(0)
    if qn > q.maxbits:
        code = c.ovfcode
    if mag == int32(0x7F800000):
        code = c.infcode
    if b >= uint32(0x80000000) and not (zero and q.negzero == int32(0)):
        code = int32(code | c.sbit)
    if mag > int32(0x7F800000):
        code = c.nanpos
        if b >= uint32(0x80000000):
            code = c.nanneg
    return code
