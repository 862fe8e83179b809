"""Kernels of the integer / fixed-point quantizers (docs/guide/fixed.md).

Affine quantization (Jacob et al., CVPR 2018): ``q = clamp(round(x/S) + Z, qmin, qmax)``,
``x̂ = (q - Z)·S``; symmetric quantization is Z = 0 with ``qmin = -qmax``; fixed point and
dynamic fixed point are S = 2^-frac_bits. The arithmetic is done in the input's precision (as
the NumPy expression ``np.clip(np.rint(x / S) + Z, qmin, qmax)`` and framework fake-quant do):
S, Z and the constants arrive in arrays of x's dtype, so ``x/S`` is one float32 (or float64)
division. ``round`` is ties-to-even (``away=1``: ties away from zero) and Z is added *after*
rounding (adding it first can create a false tie).

``p`` holds ``[qmin, qmax, magic, cap, 0.5, 1.0]`` in x's dtype, with magic = cap = 2^23
(float32) or 2^52 (float64): ``(|t| + magic) - magic`` rounds |t| < cap to the nearest even
integer, and every |t| >= cap already is an integer (or inf), which the clamp to [qmin, qmax]
then bounds. (An earlier version clamped t to ±2^22 first, which silently capped float32
formats with more than 2^22 levels.) ``encode_rows`` clamps the integer level again to the
exact [qmin, qmax] (float32 cannot hold qmax = 2^31 - 1).

Layout as in ``floats_loops``: 1-D contiguous input of R rows of C elements, row r with scale
``S[r]`` and zero point ``Z[r]``; parameters are run-time numbers, outputs NumPy-allocated.
"""

from __future__ import annotations

import math

import numpy as np
from numba import int64, uint32, uint64

from lognum._kernels.bits import bits_f32, bits_f64, f32_bits, f64_bits, mask
from lognum._kernels.jit import jit, jit_inline


@jit_inline
def int_level(x, s, zp, qmin, qmax, magic, cap, half, one, away):
    """The integer level q (a float of x's type holding an integer, or NaN for NaN x)."""
    t = x / s
    at = abs(t)
    r = t  # |t| >= cap: already an integer (or inf; NaN stays NaN)
    if at < cap:
        if away:
            r = np.floor(at)
            if at - r >= half:  # exact; floor(at + 0.5) would round at + 0.5 first
                r += one
        else:
            r = (at + magic) - magic
        if t < 0:
            r = -r
    q = r + zp
    if q < qmin:
        q = qmin
    if q > qmax:
        q = qmax
    return q


# the entries of the constants array ``p`` (``params``)
QMIN, QMAX, MAGIC, CAP, HALF, ONE = range(6)


@jit
def quantize_rows(x, out, s, zp, C, p, away):
    """``out[i] = (q - Z)·S`` (see ``int_level``; s, zp, p have x's dtype)."""
    qmin, qmax, magic, cap, half, one = p[QMIN], p[QMAX], p[MAGIC], p[CAP], p[HALF], p[ONE]
    for r in range(s.size):
        sr = s[r]
        zr = zp[r]
        base = r * C
        for j in range(C):
            q = int_level(x[base + j], sr, zr, qmin, qmax, magic, cap, half, one, away)
            out[base + j] = (q - zr) * sr


@jit
def encode_rows(x, out, s, zp, C, p, away, n, iqmin, iqmax):
    """``out[i]`` (any unsigned type that holds n bits) = the n-bit two's-complement pattern of
    q (NaN gives the code of Z);
    ``iqmin``/``iqmax``: the exact integer range (int64)."""
    qmin, qmax, magic, cap, half, one = p[QMIN], p[QMAX], p[MAGIC], p[CAP], p[HALF], p[ONE]
    m = mask(n)
    for r in range(s.size):
        sr = s[r]
        zr = zp[r]
        base = r * C
        for j in range(C):
            q = int_level(x[base + j], sr, zr, qmin, qmax, magic, cap, half, one, away)
            if q != q:
                q = zr
            iq = int64(q)
            if iq > iqmax:
                iq = iqmax
            if iq < iqmin:
                iq = iqmin
            out[base + j] = uint64(iq) & m


def params(dtype, qmin: float, qmax: float) -> np.ndarray:
    """The ``p`` array for inputs of ``dtype`` (float32 or float64), indexed by ``QMIN`` ..
    ``ONE``."""
    if np.dtype(dtype) == np.float32:  # magic = cap = 2^23
        return np.array([qmin, qmax, 8388608.0, 8388608.0, 0.5, 1.0], dtype=np.float32)
    return np.array([qmin, qmax, 4503599627370496.0, 4503599627370496.0, 0.5, 1.0])  # 2^52


_T_CAP = 1125899906842624.0  # 2^50


@jit
def stochastic_levels(x, u, out, s, zp, C, qmin, qmax):
    """Stochastic rounding: ``q = clamp(floor(x/S + u) + Z)`` with u uniform in [0, 1), so
    E[q] = x/S + Z inside the range (unbiased). ``out`` gets q (float64; NaN for NaN x)."""
    for r in range(s.size):
        sr = s[r]
        zr = zp[r]
        base = r * C
        for j in range(C):
            t = float(x[base + j]) / sr
            if t > _T_CAP:
                t = _T_CAP
            if t < -_T_CAP:
                t = -_T_CAP
            q = math.floor(t + u[base + j]) + zr
            if q < qmin:
                q = qmin
            if q > qmax:
                q = qmax
            out[base + j] = q


@jit
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
            mx = max(mx, v)  # integer max: vectorises (a float max would not)
        out[r] = bits_f64(mx)


@jit
def absmax_rows_f32(x, C, out):
    """``absmax_rows`` for float32 rows, on the binary32 bits (twice the SIMD lanes)."""
    for r in range(out.size):
        base = r * C
        mx = uint32(0)
        for j in range(C):
            v = f32_bits(x[base + j]) & uint32(0x7FFFFFFF)
            if v >= uint32(0x7F800000):
                v = uint32(0)
            mx = max(mx, v)  # integer max: vectorises (a float max would not)
        out[r] = float(bits_f32(mx))
