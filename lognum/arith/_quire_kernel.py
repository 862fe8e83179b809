"""Numba kernels of the exact accumulator (quire): a two's-complement fixed-point number held in
int64 limbs of 32 payload bits (carry-save: up to 2^30 additions before normalisation), and its
conversion to float64 with round-to-odd (so that one later rounding to any format of at most
51 significant bits is the correct rounding of the exact sum).

Integer parameters only; no Python objects (CONTRIBUTING.md).
"""

from __future__ import annotations

import math

import numpy as np
from numba import int64, uint64

from lognum._kernels.jit import jit, jit_callee, jit_inline

_M32 = 0xFFFFFFFF


@jit_inline
def _add(limbs, m, off):
    """limbs += m · 2^off  (m: int64 with |m| < 2^63, off >= 0 bits above the quire's lsb)."""
    if m == 0:
        return
    neg = m < 0
    a = uint64(-m) if neg else uint64(m)
    q = off >> 5
    r = off & 31
    if r == 0:
        c0 = a & uint64(_M32)
        c1 = (a >> uint64(32)) & uint64(_M32)
        c2 = uint64(0)
    else:
        c0 = (a << uint64(r)) & uint64(_M32)
        c1 = (a >> uint64(32 - r)) & uint64(_M32)
        c2 = a >> uint64(64 - r)
    if neg:
        limbs[q] -= int64(c0)
        limbs[q + 1] -= int64(c1)
        limbs[q + 2] -= int64(c2)
    else:
        limbs[q] += int64(c0)
        limbs[q + 1] += int64(c1)
        limbs[q + 2] += int64(c2)


@jit_callee
def _to_float_rto(limbs, emin):
    """The exact value Σ limbs[i]·2^(32i + emin) rounded to float64 with round-to-odd.

    Normalises ``limbs`` in place (carries). Returns (value, overflow) where overflow is 1 if the
    top limb does not hold the sign extension (the quire was too narrow)."""
    nl = limbs.shape[0]
    carry = int64(0)
    for i in range(nl):
        v = limbs[i] + carry
        carry = v >> 32
        limbs[i] = v & _M32
    neg = carry < 0
    overflow = 0
    if carry != 0 and carry != -1:
        overflow = 1
    if neg:  # magnitude = two's complement over nl limbs
        c = int64(1)
        for i in range(nl):
            v = (limbs[i] ^ _M32) + c
            c = v >> 32
            limbs[i] = v & _M32
    top = -1
    for i in range(nl - 1, -1, -1):
        if limbs[i] != 0:
            top = i
            break
    if top < 0:
        return 0.0, overflow
    tb = 31
    while (limbs[top] >> tb) & 1 == 0:
        tb -= 1
    p = 32 * top + tb  # position of the leading one
    mant = int64(0)
    for b in range(p, p - 53, -1):
        bit = int64(0)
        if b >= 0:
            bit = (limbs[b >> 5] >> (b & 31)) & 1
        mant = mant * 2 + bit
    low = p - 53  # bits at positions <= low are the sticky part
    sticky = False
    if low >= 0:
        li = low >> 5
        for i in range(li):
            if limbs[i] != 0:
                sticky = True
                break
        if not sticky:
            part = limbs[li] & ((int64(1) << ((low & 31) + 1)) - 1)
            sticky = part != 0
    if sticky:
        mant |= 1
    val = math.ldexp(float(mant), p - 52 + emin)
    return (-val if neg else val), overflow


@jit
def quire_matmul_gp(am, ae, bm, be, emin, nlimbs, out, ovf):
    """out[i, j] = rto( Σ_k am[i,k]·bm[k,j]·2^(ae[i,k] + be[k,j]) ) — exact products (|m| < 2^31
    each), exact accumulation in an ``nlimbs``-limb quire with lsb 2^emin."""
    M, K = am.shape
    N = bm.shape[1]
    limbs = np.zeros(nlimbs, dtype=np.int64)
    for i in range(M):
        for j in range(N):
            limbs[:] = 0
            for k in range(K):
                m = am[i, k] * bm[k, j]
                if m != 0:
                    _add(limbs, m, ae[i, k] + be[k, j] - emin)
            v, o = _to_float_rto(limbs, emin)
            out[i, j] = v
            ovf[i, j] = o


@jit
def quire_matmul_lp(asg, al, bsg, bl, G, lut_m, lut_e, emin, nlimbs, out, ovf):
    """LP: out[i, j] = rto( Σ_k s_a s_b · antilog(la + lb) ), where la, lb are log2 magnitudes in
    units of 2^-G, antilog(L) = lut_m[u]·2^(lut_e[u] + (L >> G)), u = L mod 2^G; exact
    accumulation of the (exactly representable) antilogs in the quire."""
    M, K = asg.shape
    N = bsg.shape[1]
    mask = (int64(1) << G) - 1
    limbs = np.zeros(nlimbs, dtype=np.int64)
    for i in range(M):
        for j in range(N):
            limbs[:] = 0
            for k in range(K):
                s = asg[i, k] * bsg[k, j]
                if s != 0:
                    L = al[i, k] + bl[k, j]
                    u = L & mask
                    m = lut_m[u]
                    if s < 0:
                        m = -m
                    _add(limbs, m, lut_e[u] + (L >> G) - emin)
            v, o = _to_float_rto(limbs, emin)
            out[i, j] = v
            ovf[i, j] = o
