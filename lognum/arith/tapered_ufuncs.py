"""Genuine NumPy ufuncs of posit / GP / LP arithmetic, specialised to one configuration.

``fmt.ufuncs.add`` (``sub``, ``mul``, ``div``, ``fma``, ``sqrt``, ``neg``, ``abs``) work on
float32/float64 values; ``fmt.ufuncs.add_codes`` etc. on the format's code dtype (uint8,
uint16 or uint32). Each is a Numba-compiled NumPy ufunc with the format parameters compiled in
as constants (built on first access, a few seconds, kept for the process): broadcasting,
``out=``, ``where=``, ``dtype=``, and ``.reduce`` (also with ``where=`` and ``initial=``) /
``.accumulate`` / ``.outer`` for the binary ones — ``add.reduce`` is the sequential sum a
datapath without a quire computes, rounding after every step, to compare with the exact quire
sum ``lognum.arith.quire.dot``. ``where=`` works because the house decorator
(``lognum._kernels.jit.ufunc``) clears the output iterator flags Numba sets, which NumPy's
masked iteration rejects (``lognum._kernels.jit.allow_masked_calls`` explains it); if that ever
fails to verify, the attribute is Numba's DUFunc instead of the bare ufunc, and ``where=``
raises a ``ValueError``.

The float ufuncs round their inputs to the format first (like ``strict=False`` of
``fmt.add``): for values of the format they are the correctly rounded operations. Each element
runs the scalar reference kernel of ``lognum._kernels.tapered_arith``; for an LP sum whose
double-double decision is undecided (a near-coincidence never observed, see there) the ufunc
keeps the double-double decision, whereas ``fmt.add`` resolves it exactly with ``decimal``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

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
            raise AttributeError(
                f"no ufunc {name!r}; available: {', '.join(NAMES)} and their *_codes versions"
            )
        built = self.__dict__["_built"]
        if name not in built:
            from lognum._kernels.jit import UnmaskedDUFunc

            duf = _build(self._kparams, base, name.endswith("_codes"))
            # the DUFunc owns the compiled loops: keep it. Its bare ufunc is returned unless its
            # where= could not be enabled; then the DUFunc, whose where= raises a clear error
            built[name] = (duf if isinstance(duf, UnmaskedDUFunc) else duf.ufunc, duf)
        return built[name][0]

    def __dir__(self) -> list[str]:
        return sorted([*NAMES, *(f"{x}_codes" for x in NAMES)])


@cache
def ufuncs_for(kparams: tuple) -> TaperedUfuncs:
    return TaperedUfuncs(kparams)


def _kernel(kparams: tuple, name: str) -> Any:
    """The scalar kernel of one operation on codes, specialised to the family (so that Numba
    types only what the ufunc runs)."""
    from lognum._kernels import tapered_arith as ta
    from lognum._kernels.constants import exp2_dd_table
    from lognum._kernels.jit import jit_callee

    n, es, rs, sc, logm, sfi, sff = kparams
    sff = np.uint64(sff)
    c_hi, c_lo = (np.array(t) for t in exp2_dd_table())
    if not logm:
        add_gp, mul_gp, div_gp, fma_gp, sqrt_gp = (
            ta.add_gp,
            ta.mul_gp,
            ta.div_gp,
            ta.fma_gp,
            ta.sqrt_gp,
        )
        table = {
            "add": lambda a, b: add_gp(a, b, n, es, rs, sc),
            "sub": lambda a, b: add_gp(a, ta.neg_code(b, n), n, es, rs, sc),
            "mul": lambda a, b: mul_gp(a, b, n, es, rs, sc),
            "div": lambda a, b: div_gp(a, b, n, es, rs, sc),
            "fma": lambda a, b, c: fma_gp(a, b, c, n, es, rs, sc),
            "sqrt": lambda a: sqrt_gp(a, n, es, rs, sc),
        }
    else:
        add_lp, mul_lp, div_lp, fma_lp, sqrt_lp = (
            ta.add_lp,
            ta.mul_lp,
            ta.div_lp,
            ta.fma_lp,
            ta.sqrt_lp,
        )
        table = {
            "add": lambda a, b: add_lp(a, b, n, es, rs, c_hi, c_lo)[0],
            "sub": lambda a, b: add_lp(a, ta.neg_code(b, n), n, es, rs, c_hi, c_lo)[0],
            "mul": lambda a, b: mul_lp(a, b, n, es, rs, sfi, sff),
            "div": lambda a, b: div_lp(a, b, n, es, rs, sfi, sff),
            "fma": lambda a, b, c: fma_lp(a, b, c, n, es, rs, sfi, sff, c_hi, c_lo)[0],
            "sqrt": lambda a: sqrt_lp(a, n, es, rs, sfi, sff),
        }
    table["neg"] = lambda a: ta.neg_code(a, n)
    table["abs"] = lambda a: ta.abs_code(a, n)
    return jit_callee(table[name])


def _build(kparams: tuple, name: str, codes: bool) -> Any:
    from numba import uint64

    from lognum._kernels import tapered_arith as ta
    from lognum._kernels.constants import exp2_dd_table
    from lognum._kernels.jit import jit_callee, ufunc
    from lognum.formats.base import code_dtype

    n, es, rs, sc, logm, sfi, sff = kparams
    sff = np.uint64(sff)
    c_hi, c_lo = (np.array(t) for t in exp2_dd_table())
    m = uint64((1 << n) - 1)
    k = _kernel(kparams, name)

    if codes:

        def inp(x):
            return uint64(x) & m

        def res(c):
            return c

        types = [str(code_dtype(n))]
    elif logm:

        def inp(x):
            return ta.value_to_code_lp(x, n, es, rs, sfi, sff)

        def res(c):
            return ta.code_to_value_lp(c, n, es, rs, sfi, sff, c_hi, c_lo)

        types = ["float32", "float64"]
    else:

        def inp(x):
            return ta.value_to_code_gp(x, n, es, rs, sc)

        def res(c):
            return ta.code_to_value_gp(c, n, es, rs, sc)

        types = ["float32", "float64"]
    inp = jit_callee(inp)
    res = jit_callee(res)

    fn: Callable[..., Any]  # one of three arities
    if name in BINARY:

        def fn(x, y):
            return res(k(inp(x), inp(y)))

        arity = 2
    elif name == "fma":

        def fn(x, y, z):
            return res(k(inp(x), inp(y), inp(z)))

        arity = 3
    else:

        def fn(x):
            return res(k(inp(x)))

        arity = 1
    sigs = [f"{t}({', '.join([t] * arity)})" for t in types]
    fn.__name__ = fn.__qualname__ = name + ("_codes" if codes else "")
    return ufunc(sigs, identity=0 if name == "add" else None)(fn)
