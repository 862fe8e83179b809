"""Array loops over the correctly rounded tapered arithmetic (``tapered_arith.py``).

Parameters reach these loops as run-time integers (one compilation, cached on disk, serves
every configuration). Two paths:

* ``binop_codes`` / ``sqrt_codes`` / ``fma_codes``: the scalar reference kernels per element.
* exhaustive tables for n <= 10 (``build_table`` fills ``tab[(a << n) | b]`` from the scalar
  kernel, so a table is exact by construction), applied by ``lookup2`` (codes) or by
  ``lookup2_values`` (float in, float out, with the representability check fused in).
"""

from __future__ import annotations

import math

from numba import uint64

from lognum._kernels.bits import mask
from lognum._kernels.jit import jit
from lognum._kernels.tapered_arith import binop, fma_any, sqrt_any


@jit
def binop_codes(op, ca, cb, out, und, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    """``out[i] = ca[i] op cb[i]``; ``und[i]`` = 1 where the LP decision was left undecided
    (see ``tapered_arith.add_log_lp``). Returns how many."""
    m = mask(n)
    count = 0
    for i in range(out.size):
        r, u = binop(
            op, uint64(ca[i]) & m, uint64(cb[i]) & m, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo
        )
        out[i] = r
        und[i] = u
        count += u
    return count


@jit
def sqrt_codes(ca, out, n, es, rs, sc, logm, sfi, sff):
    m = mask(n)
    for i in range(out.size):
        out[i] = sqrt_any(uint64(ca[i]) & m, n, es, rs, sc, logm, sfi, sff)


@jit
def fma_codes(ca, cb, cc, out, und, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    m = mask(n)
    count = 0
    for i in range(out.size):
        r, u = fma_any(
            uint64(ca[i]) & m,
            uint64(cb[i]) & m,
            uint64(cc[i]) & m,
            n,
            es,
            rs,
            sc,
            logm,
            sfi,
            sff,
            c_hi,
            c_lo,
        )
        out[i] = r
        und[i] = u
        count += u
    return count


@jit
def build_table(op, tab, und, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo):
    """``tab[(a << n) | b] = a op b`` for all n-bit codes a, b (``tab`` has 4^n entries)."""
    size = 1 << n
    count = 0
    for a in range(size):
        for b in range(size):
            r, u = binop(op, uint64(a), uint64(b), n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
            tab[(a << n) | b] = r
            und[(a << n) | b] = u
            count += u
    return count


@jit
def lookup2(ca, cb, tab, n, out):
    m = (1 << n) - 1
    for i in range(out.size):
        out[i] = tab[((ca[i] & m) << n) | (cb[i] & m)]


@jit
def lookup2_values(a, b, ca, cb, tab, n, vals, out):
    """``out[i] = vals[tab[ca[i], cb[i]]]`` and the number of inputs that are not values of
    the format (``vals[c]`` must equal the input, NaN for NaR)."""
    bad = 0
    for i in range(out.size):
        x = a[i]
        y = b[i]
        p = ca[i]
        q = cb[i]
        vx = vals[p]
        vy = vals[q]
        bad += ((vx != x) and not (math.isnan(x) and math.isnan(vx))) or (
            (vy != y) and not (math.isnan(y) and math.isnan(vy))
        )
        out[i] = vals[tab[(p << n) | q]]
    return bad


@jit
def lookup1(ca, tab, out):
    for i in range(out.size):
        out[i] = tab[ca[i]]


@jit
def check_values(a, ca, vals):
    """How many ``a[i]`` differ from ``vals[ca[i]]`` (NaN matches NaN)."""
    bad = 0
    for i in range(a.size):
        x = a[i]
        v = vals[ca[i]]
        bad += (v != x) and not (math.isnan(x) and math.isnan(v))
    return bad
