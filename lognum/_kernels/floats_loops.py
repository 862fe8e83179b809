"""Array loops over the float-like element kernels (``floats.py``).

Layout: the input is a 1-D contiguous array of ``R`` rows of ``C`` elements; row ``r`` is scaled
by ``2^scs[r]`` (``scs`` int64, length R: one row for a per-tensor scale, one row per channel
for per-channel scales, one row per block for MX). Format parameters are run-time numbers
(a ``floats.FloatParams`` bundle; docs/performance.md: one compilation per dtype serves every
format; no broadcast arguments).
Outputs are allocated by NumPy.
"""

from __future__ import annotations

import math

from numba import float32, int64, uint32, uint64

from lognum._kernels.bits import bits_f32, f32_bits, f64_bits
from lognum._kernels.floats import (
    F32_MAX,
    float_code,
    float_code_f32,
    float_code_with,
    float_value,
    float_value_f32,
    float_value_with,
    pow2,
)
from lognum._kernels.jit import jit, jit_inline


@jit_inline
def _quantize_row(x, out, base, C, isc, sc2, p, common):
    """``out[base:base+C]`` = ``float_value`` of ``x[base:base+C]``; ``common`` (the flags are
    ties to even, signed, no zero-NaN) runs a loop with the flags as constants, which folds their
    selects: that loop vectorises about twice as fast (docs/performance.md)."""
    if common and p.negzero:
        for j in range(C):
            out[base + j] = float_value_with(x[base + j], isc, sc2, p, 0, 1, 0, 1)
    elif common:
        for j in range(C):
            out[base + j] = float_value_with(x[base + j], isc, sc2, p, 0, 1, 0, 0)
    else:
        for j in range(C):
            out[base + j] = float_value(x[base + j], isc, sc2, p)


@jit
def quantize_rows(x, out, scs, C, p):
    """``out[i]`` = quantized value of ``x[i]`` on the grid ``p`` (a ``floats.FloatParams``;
    see ``floats.float_value``)."""
    common = p.away == 0 and p.signed == 1 and p.zeronan == 0
    for r in range(scs.size):
        sc = scs[r]
        _quantize_row(x, out, r * C, C, pow2(-sc), pow2(sc), p, common)


@jit_inline
def _quantize_row_f32(x, out, base, C, sc, p, q):
    """``_quantize_row`` of float32 ``x`` into float32 ``out`` through ``float_value_f32``
    (``q``: the grid's ``floats.F32Params``) when the row's scale 2^sc and 2^-sc are binary32
    normal numbers; otherwise the float64 loop."""
    if sc < -126 or sc > 126:
        common = p.away == 0 and p.signed == 1 and p.zeronan == 0
        _quantize_row(x, out, base, C, pow2(-sc), pow2(sc), p, common)
        return
    sc2 = pow2(sc)
    isc = float32(pow2(-sc))
    ovf2 = float32(p.ovfval * sc2)
    inf2 = float32(p.infval * sc2)
    s2 = float32(sc2)
    xs = x[base : base + C]
    os = out[base : base + C]
    for j in range(C):
        os[j] = float_value_f32(xs[j], isc, s2, ovf2, inf2, q)


@jit
def quantize_rows_f32(x, out, scs, C, p, q):
    """``quantize_rows`` for float32 ``x`` and ``out`` on a grid with a binary32 fast path
    (``q``: its ``floats.F32Params``, ``floats.f32_params``): the same results in 32-bit lanes."""
    for r in range(scs.size):
        _quantize_row_f32(x, out, r * C, C, scs[r], p, q)


@jit
def quantize_blocks(x, out, C, emax, p, sat):
    """MX quantize with the OCP (floor) scale rule in one pass: per row of C elements the shared
    exponent ``clip(floor(log2 max|x|) - emax, -127, 127)`` (-127 for an all-zero row; as
    ``row_amax_exponent`` and the format's scale selection), then the row quantized on the
    element grid ``p`` scaled by it; a row holding NaN or ±inf becomes all NaN (the NaN scale).
    The row is read twice while it is in L1, so the array is streamed once. ``sat``: clamp
    results to ±float32 max (a float32 ``out`` of a saturating format, as ``saturate_f32``)."""
    common = p.away == 0 and p.signed == 1 and p.zeronan == 0
    for r in range(x.size // C):
        base = r * C
        mx = uint64(0)
        for j in range(C):
            v = f64_bits(float(x[base + j])) & uint64(0x7FFFFFFFFFFFFFFF)
            mx = max(mx, v)
        if mx >= uint64(0x7FF0000000000000):
            for j in range(C):
                out[base + j] = math.nan
            continue
        sc = int64(mx >> uint64(52)) - 1023 - emax
        sc = min(max(sc, -127), 127)
        _quantize_row(x, out, base, C, pow2(-sc), pow2(sc), p, common)
        if sat and sc > 100:  # only rows this large can pass float32 max
            _clamp_f32_max(out, base, C)


@jit_inline
def _clamp_f32_max(out, base, C):
    """Saturate ``out[base : base + C]`` to +-float32 max (a saturating format on float32)."""
    for j in range(C):
        v = out[base + j]
        if v > F32_MAX:
            out[base + j] = F32_MAX
        elif v < -F32_MAX:
            out[base + j] = -F32_MAX


@jit
def quantize_blocks_f32(x, out, C, emax, p, q, sat):
    """``quantize_blocks`` for float32 ``x`` and ``out`` on an element grid with a binary32
    fast path (``q``: its ``floats.F32Params``): the block maximum over the binary32 magnitude
    patterns (its exponent taken in binary64, so a subnormal maximum gets its true floor(log2)),
    then the row through ``float_value_f32``. Same results as ``quantize_blocks``."""
    for r in range(x.size // C):
        base = r * C
        xs = x[base : base + C]
        mx = uint32(0)
        for j in range(C):
            mx = max(mx, uint32(f32_bits(xs[j]) & uint32(0x7FFFFFFF)))
        if mx >= uint32(0x7F800000):
            for j in range(C):
                out[base + j] = math.nan
            continue
        e = int64(f64_bits(float(bits_f32(mx))) >> uint64(52)) - 1023
        sc = min(max(e - emax, -127), 127)
        _quantize_row_f32(x, out, base, C, sc, p, q)
        if sat and sc > 100:  # only rows this large can pass float32 max
            _clamp_f32_max(out, base, C)


@jit
def encode_rows(x, out, scs, C, p):
    """``out[i]`` (uint32) = element code of ``x[i] / 2^scs[row]`` in the format ``p`` (a
    ``floats.FloatParams``; see ``floats.float_code``)."""
    common = p.away == 0 and p.signed == 1 and p.zeronan == 0 and p.twos == 0
    for r in range(scs.size):
        isc = pow2(-scs[r])
        base = r * C
        if common:  # the flags as constants (see _quantize_row)
            for j in range(C):
                out[base + j] = uint32(float_code_with(x[base + j], isc, p, 0, 1, 0, 0))
        else:
            for j in range(C):
                out[base + j] = uint32(float_code(x[base + j], isc, p))


@jit
def encode_rows_f32(x, out, scs, C, p, q, c):
    """``encode_rows`` of float32 ``x`` into ``out`` of any unsigned type (the format's code
    dtype: no uint32 temporary) through ``floats.float_code_f32`` (``q``, ``c``: the grid's
    ``F32Params`` and ``F32Codes``) where the row's 2^-sc is a binary32 normal number, else
    the float64 code of ``float_code``. Same codes as ``encode_rows``."""
    for r in range(scs.size):
        sc = scs[r]
        base = r * C
        xs = x[base : base + C]
        os = out[base : base + C]
        if sc < -126 or sc > 126:
            isc = pow2(-sc)
            for j in range(C):
                os[j] = float_code(xs[j], isc, p)
        else:
            isc32 = float32(pow2(-sc))
            for j in range(C):
                os[j] = float_code_f32(xs[j], isc32, q, c)


@jit_inline
def _bf16_round(b, sat):
    """The binary32 pattern ``b`` (as uint64) rounded to nearest even on its 16 low bits;
    an overflow to inf becomes +-bfloat16 max when ``sat``. NaN is the caller's case."""
    r = (b + uint64(0x7FFF) + ((b >> uint64(16)) & uint64(1))) & uint64(0xFFFF0000)
    if sat and (r & uint64(0x7FFFFFFF)) == uint64(0x7F800000):
        r = (b & uint64(0x80000000)) | uint64(0x7F7F0000)
    return r


@jit
def bf16_quantize_f32(x, out, sat):
    """bfloat16 round trip of float32 ``x``: round to nearest even on the 16 dropped bits of the
    binary32 pattern (RNE on 16 dropped bits); overflow gives ±inf, or ±max with ``sat`` (±inf too);
    NaN stays a (quiet) NaN."""
    for i in range(x.size):
        b = uint64(f32_bits(x[i]))
        mag = b & uint64(0x7FFFFFFF)
        r = _bf16_round(b, sat)
        if mag > uint64(0x7F800000):
            r = b | uint64(0x00400000)
        out[i] = bits_f32(uint32(r))


@jit
def bf16_encode_f32(x, out, sat):
    """bfloat16 codes (uint16) of float32 ``x``: the pattern of ``bf16_quantize_f32``'s result,
    top 16 bits; NaN gives the quiet NaN code 0x7FC0 with x's sign (as ``float_code``)."""
    for i in range(x.size):
        b = uint64(f32_bits(x[i]))
        mag = b & uint64(0x7FFFFFFF)
        r = _bf16_round(b, sat)
        if mag > uint64(0x7F800000):
            r = (b & uint64(0x80000000)) | uint64(0x7FC00000)
        out[i] = r >> uint64(16)


@jit
def row_amax_exponent(x, C, out_e, out_flag):
    """Per row of C elements: ``floor(log2 max|x|)`` into ``out_e`` and a flag into
    ``out_flag``: 0 normal, 1 all zero, 2 contains NaN, 3 contains ±inf (no NaN).

    The maximum is taken over the binary64 magnitude bits (an integer max, which vectorises and
    orders NaN above inf above every finite value)."""
    R = out_e.size
    for r in range(R):
        base = r * C
        mx = uint64(0)
        for j in range(C):
            v = f64_bits(float(x[base + j])) & uint64(0x7FFFFFFFFFFFFFFF)
            mx = max(mx, v)  # integer max: vectorises (a float max would not)
        e = int64(mx >> uint64(52)) - 1023
        flag = 0
        if mx == uint64(0):
            flag = 1
            e = 0
        if mx == uint64(0x7FF0000000000000):
            flag = 3
        if mx > uint64(0x7FF0000000000000):
            flag = 2
        out_e[r] = e
        out_flag[r] = flag
