"""Kernels of the integer / fixed-point quantizers (FORMATS.md §4.1, §4.6).

Affine quantization (Jacob et al., CVPR 2018): ``q = clamp(round(x/S) + Z, qmin, qmax)``,
``x̂ = (q - Z)·S``; symmetric quantization is Z = 0 with ``qmin = -qmax``; fixed point and
dynamic fixed point are S = 2^-frac_bits. ``x/S`` is one float64 division (float32 inputs are
widened exactly first), ``round`` is ties-to-even (``away=1``: ties away from zero), and Z is
added *after* rounding (adding it first can create a false tie).

Layout as in ``floats_loops``: 1-D contiguous input of R rows of C elements, row r with scale
``S[r]`` and zero point ``Z[r]``; parameters are run-time numbers, outputs NumPy-allocated.
"""

from __future__ import annotations

import math

from numba import int64, njit, uint32, uint64

from lognum._kernels.bits import bits_f64, f64_bits, mask

RNE_MAGIC = 6755399441055744.0  # 1.5 * 2^52
T_CAP = 1125899906842624.0  # 2^50: |x/S| is clamped here before rounding (q is clamped anyway)


@njit(inline="always", error_model="numpy")
def int_level(x, s, zp, qmin, qmax, away):
    """The integer level q (a float64 holding an integer, or NaN for NaN x)."""
    t = float(x) / s
    if t > T_CAP:
        t = T_CAP
    if t < -T_CAP:
        t = -T_CAP
    if away:
        at = abs(t)
        r = math.floor(at)
        if at - r >= 0.5:  # exact; floor(at + 0.5) would round at + 0.5 first
            r += 1.0
        if t < 0.0:
            r = -r
    else:
        r = (t + RNE_MAGIC) - RNE_MAGIC
    q = r + zp
    if q < qmin:
        q = qmin
    if q > qmax:
        q = qmax
    return q


@njit(cache=True, error_model="numpy")
def quantize_rows(x, out, s, zp, C, qmin, qmax, away):
    """``out[i] = (q - Z)·S`` (see ``int_level``)."""
    for r in range(s.size):
        sr = s[r]
        zr = zp[r]
        base = r * C
        for j in range(C):
            q = int_level(x[base + j], sr, zr, qmin, qmax, away)
            out[base + j] = (q - zr) * sr


@njit(cache=True, error_model="numpy")
def encode_rows(x, out, s, zp, C, qmin, qmax, away, n):
    """``out[i]`` (uint32) = the n-bit two's-complement pattern of q (NaN gives the code of Z)."""
    m = mask(n)
    for r in range(s.size):
        sr = s[r]
        zr = zp[r]
        base = r * C
        for j in range(C):
            q = int_level(x[base + j], sr, zr, qmin, qmax, away)
            if q != q:
                q = zr
            out[base + j] = uint32(uint64(int64(q)) & m)


@njit(cache=True, error_model="numpy")
def stochastic_levels(x, u, out, s, zp, C, qmin, qmax):
    """Stochastic rounding: ``q = clamp(floor(x/S + u) + Z)`` with u uniform in [0, 1), so
    E[q] = x/S + Z inside the range (unbiased). ``out`` gets q (float64; NaN for NaN x)."""
    for r in range(s.size):
        sr = s[r]
        zr = zp[r]
        base = r * C
        for j in range(C):
            t = float(x[base + j]) / sr
            if t > T_CAP:
                t = T_CAP
            if t < -T_CAP:
                t = -T_CAP
            q = math.floor(t + u[base + j]) + zr
            if q < qmin:
                q = qmin
            if q > qmax:
                q = qmax
            out[base + j] = q


@njit(cache=True, error_model="numpy")
def absmax_rows(x, C, out):
    """max |x| over the finite entries of each row (0.0 when none), by an integer max over the
    binary64 magnitude bits (vectorises; NaN and inf are skipped)."""
    for r in range(out.size):
        base = r * C
        mx = uint64(0)
        for j in range(C):
            v = f64_bits(float(x[base + j])) & uint64(0x7FFFFFFFFFFFFFFF)
            if v >= uint64(0x7FF0000000000000):
                v = uint64(0)
            if v > mx:
                mx = v
        out[r] = bits_f64(mx)
