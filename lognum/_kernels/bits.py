"""Bit-level and double-double helpers shared by the format kernels.

Numba only: no classes, no Python objects. Unsigned bit manipulation is done in ``uint64``
throughout (mixing signed and unsigned makes Numba promote to float64). Nothing here uses
fastmath: the double-double routines rely on IEEE round-to-nearest of every operation.
"""

from __future__ import annotations

from numba import types, uint64
from numba.extending import intrinsic

from lognum._kernels.jit import jit_callee, jit_inline

_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp splitter for binary64


def _bitcast(src, dst, doc):
    """A Numba intrinsic reinterpreting the bits of a ``src`` value as ``dst`` (same width)."""

    def cast(typingctx, x):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(dst))

        return dst(src), codegen

    cast.__doc__ = doc
    return intrinsic(cast)


f64_bits = _bitcast(types.float64, types.uint64, "binary64 bit pattern of a float64 (uint64)")
bits_f64 = _bitcast(types.uint64, types.float64, "float64 with the binary64 bit pattern b")
f32_bits = _bitcast(types.float32, types.uint32, "binary32 bit pattern of a float32 (uint32)")
bits_f32 = _bitcast(types.uint32, types.float32, "float32 with the binary32 bit pattern b")


@jit_inline
def mask(width):
    """``2**width - 1`` as ``uint64`` for ``0 <= width <= 64``."""
    if width >= 64:
        return uint64(0xFFFFFFFFFFFFFFFF)
    return (uint64(1) << uint64(width)) - uint64(1)


@jit_callee
def two_prod(a, b):
    """Error-free product: ``a*b = p + e`` exactly (Dekker, without FMA)."""
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


@jit_callee
def two_sum(a, b):
    """Error-free sum: ``a+b = s + e`` exactly (Knuth)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


@jit_callee
def dd_mul(ah, al, bh, bl):
    """Double-double product (about 104 significant bits)."""
    p, e = two_prod(ah, bh)
    e += ah * bl + al * bh
    s, t = two_sum(p, e)
    return s, t
