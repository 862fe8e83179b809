"""Genuine NumPy ufuncs of posit / GP / LP arithmetic, specialised to one configuration.

``fmt.ufuncs.add`` (``sub``, ``mul``, ``div``, ``fma``, ``sqrt``, ``neg``, ``abs``) work on
float32/float64 values; ``fmt.ufuncs.add_codes`` etc. on the format's code dtype (uint8,
uint16 or uint32). Each is a Numba-compiled NumPy ufunc with the format parameters compiled in
as constants (built on first access, a few seconds, kept for the process): broadcasting,
``out=``, ``where=``, and ``.reduce`` / ``.accumulate`` for the binary ones — ``add.reduce``
is the sequential sum a datapath without a quire computes, rounding after every step, to
compare with the exact quire sum ``lognum.arith.quire.dot``.

The float ufuncs round their inputs to the format first (like ``strict=False`` of
``fmt.add``): for values of the format they are the correctly rounded operations. Each element
runs the scalar reference kernel of ``lognum._kernels.tapered_arith``; for an LP sum whose
double-double decision is undecided (a near-coincidence never observed, see there) the ufunc
keeps the double-double decision, whereas ``fmt.add`` resolves it exactly with ``decimal``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lognum.arith.tapered_ops import OPS

BINARY = ("add", "sub", "mul", "div")
UNARY = ("sqrt", "neg", "abs")
NAMES = BINARY + UNARY + ("fma",)


class TaperedUfuncs:
    """Namespace of the ufuncs of one tapered configuration (attributes built lazily)."""

    def __init__(self, kparams: tuple) -> None:
        self._kparams = kparams
        self._built: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        base = name[:-6] if name.endswith("_codes") else name
        if name.startswith("_") or base not in NAMES:
            raise AttributeError(f"no ufunc {name!r}; available: "
                                 f"{', '.join(NAMES)} and their *_codes versions")
        built = self.__dict__["_built"]
        if name not in built:
            built[name] = _build(self._kparams, base, name.endswith("_codes"))
        return built[name]

    def __dir__(self) -> list[str]:
        return sorted([*NAMES, *(f"{x}_codes" for x in NAMES)])


@cache
def ufuncs_for(kparams: tuple) -> TaperedUfuncs:
    return TaperedUfuncs(kparams)


def _build(kparams: tuple, name: str, codes: bool) -> Any:
    import numba
    from numba import uint64

    from lognum._kernels.bits import mask
    from lognum._kernels.constants import exp2_dd_table
    from lognum._kernels.tapered import decode, encode
    from lognum._kernels.tapered_arith import abs_code, binop, fma_any, neg_code, sqrt_any
    from lognum.formats.base import code_dtype

    n, es, rs, sc, logm, sfi, sff = kparams
    sff = np.uint64(sff)
    c_hi, c_lo = exp2_dd_table()
    c_hi = np.array(c_hi)
    c_lo = np.array(c_lo)
    m = (1 << n) - 1

    if codes:
        def inp(x):
            return uint64(x) & uint64(m)

        def res(c):
            return c
        cd = str(code_dtype(n))
        types = [cd]
    else:
        def inp(x):
            return encode(x, n, es, rs, sc, logm, sfi, sff)

        def res(c):
            return decode(c, n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
        types = ["float32", "float64"]
    inp = numba.njit(inline="always")(inp)
    res = numba.njit(inline="always")(res)

    identity = None
    if name in BINARY:
        op = OPS[name]

        def f2(x, y):
            r, _ = binop(op, inp(x), inp(y), n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
            return res(r)
        fn, arity = f2, 2
        if name == "add":
            identity = 0
    elif name == "fma":
        def f3(x, y, z):
            r, _ = fma_any(inp(x), inp(y), inp(z), n, es, rs, sc, logm, sfi, sff, c_hi, c_lo)
            return res(r)
        fn, arity = f3, 3
    else:
        def f1(x):
            c = inp(x)
            if name == "sqrt":
                r = sqrt_any(c, n, es, rs, sc, logm, sfi, sff)
            elif name == "neg":
                r = neg_code(c, n)
            else:
                r = abs_code(c, n)
            return res(r & mask(n))
        fn, arity = f1, 1
    sigs = [f"{t}({', '.join([t] * arity)})" for t in types]
    return numba.vectorize(sigs, identity=identity)(fn)
