"""The house decorators: every compiled function in lognum uses one of these spellings.

All of them use ``error_model="numpy"`` (a division by zero gives inf/nan as in NumPy instead
of raising, and the compiled code carries no zero-division checks) and none uses fastmath (the
kernels rely on exact IEEE rounding: TwoSum, TwoProduct, ties-to-even). Nothing compiles at
import: a function compiles on its first call, or is loaded from Numba's disk cache.

``ufunc`` builds every NumPy ufunc of the package (the formats' quantize ufuncs ``fmt.ufunc``
and the arithmetic ufuncs ``fmt.ufuncs.*``); it also makes ``where=`` work for them, which
Numba-built ufuncs otherwise refuse under NumPy 2 (``allow_masked_calls`` explains why and how).
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numba
import numpy as np
from numba.np.ufunc.dufunc import DUFunc

__all__ = [
    "FLOAT_SIGNATURES",
    "MASKED_CALLS",
    "UnmaskedDUFunc",
    "allow_masked_calls",
    "jit",
    "jit_callee",
    "jit_inline",
    "ufunc",
]

#: Entry points (the array loops, and the scalar operations that uncached closures call):
#: cached on disk so a new process does not recompile them, GIL released so ``threads=`` works.
jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: Small scalar references: inlined into each caller at the Numba IR level, so the readable
#: scalar function costs nothing inside a loop and the loop still vectorises. Never cached: a
#: helper loaded from the disk cache cannot be inlined (the caller's cache holds the result).
jit_inline = numba.njit(inline="always", error_model="numpy")

#: Scalar references too large to inline, and closures over per-format constants: compiled
#: once per signature and linked into their (cached) callers; a closure cannot be cached.
jit_callee = numba.njit(error_model="numpy")

#: The signatures of a format's ``ufunc``: float32 -> float32 and float64 -> float64.
FLOAT_SIGNATURES: tuple[str, ...] = ("float32(float32)", "float64(float64)")


def ufunc(
    signatures: Sequence[str] = FLOAT_SIGNATURES, *, identity: Any = None
) -> Callable[[Callable[..., Any]], DUFunc]:
    """The decorator that makes a genuine NumPy ufunc of a scalar function (``numba.vectorize``
    with eager ``signatures``; the scalar usually closes over a format's constants, so it is not
    cached). ``identity`` is the ufunc's identity (e.g. 0 for an addition), for ``reduce``.

    It returns Numba's ``DUFunc`` (callable like the ufunc, and from ``@jit`` code); its
    ``.ufunc`` attribute is the ``numpy.ufunc`` itself. Every ufunc built here goes through
    ``allow_masked_calls``, so ``where=`` works (with or without ``out=``, in ``reduce`` too); if
    that function refuses the ufunc, the DUFunc becomes an ``UnmaskedDUFunc``, which raises a
    clear ``ValueError`` for ``where=`` instead.
    """

    def build(fn: Callable[..., Any]) -> DUFunc:
        duf = numba.vectorize(list(signatures), identity=identity)(fn)
        if not allow_masked_calls(duf):
            duf.__class__ = UnmaskedDUFunc
        return duf

    return build


# --------------------------------------------------------------------------------------------
# where= for Numba-built ufuncs

_NPY_ITER_READWRITE = 0x00010000
_NPY_ITER_UPDATEIFCOPY = 0x00800000
_NPY_ITER_ALLOCATE = 0x01000000
#: The iterator flags Numba's DUFunc constructor ORs into every output's ``op_flags`` entry.
NUMBA_OUTPUT_FLAGS = _NPY_ITER_READWRITE | _NPY_ITER_UPDATEIFCOPY | _NPY_ITER_ALLOCATE


class _PyUFuncObject(ctypes.Structure):
    """ctypes view of the head of NumPy's ``PyUFuncObject`` (``numpy/ufuncobject.h``) up to
    ``op_flags``/``iter_flags``. These fields and their order are part of NumPy's public C ABI,
    unchanged through NumPy 2.x (later versions only append fields after ``iter_flags``). The
    object header is ``object.__basicsize__`` bytes (``PyObject_HEAD``; larger on free-threaded
    builds), and ``allow_masked_calls`` checks the view against the ufunc before writing."""

    _fields_ = [
        ("ob_head", ctypes.c_byte * object.__basicsize__),
        ("nin", ctypes.c_int),
        ("nout", ctypes.c_int),
        ("nargs", ctypes.c_int),
        ("identity", ctypes.c_int),
        ("functions", ctypes.c_void_p),
        ("data", ctypes.c_void_p),
        ("ntypes", ctypes.c_int),
        ("reserved1", ctypes.c_int),
        ("name", ctypes.c_char_p),
        ("types", ctypes.c_void_p),
        ("doc", ctypes.c_char_p),
        ("ptr", ctypes.c_void_p),
        ("obj", ctypes.c_void_p),
        ("userloops", ctypes.c_void_p),
        ("core_enabled", ctypes.c_int),
        ("core_num_dim_ix", ctypes.c_int),
        ("core_num_dims", ctypes.c_void_p),
        ("core_dim_ixs", ctypes.c_void_p),
        ("core_offsets", ctypes.c_void_p),
        ("core_signature", ctypes.c_char_p),
        ("type_resolver", ctypes.c_void_p),
        ("dict", ctypes.c_void_p),
        ("vectorcall", ctypes.c_void_p),
        ("reserved3", ctypes.c_void_p),
        ("op_flags", ctypes.POINTER(ctypes.c_uint32)),
        ("iter_flags", ctypes.c_uint32),
    ]


#: True while every ufunc built by ``ufunc`` accepted ``allow_masked_calls`` (so ``where=``
#: works for all of them); False once one did not verify: that one (an ``UnmaskedDUFunc``)
#: raises a ``ValueError`` for ``where=`` and its flags were left untouched.
MASKED_CALLS = True


def _verified_view(uf: Any, expected: Any) -> _PyUFuncObject | None:
    """The ctypes view of ``uf``'s C struct if it reads back what ``expected`` (normally ``uf``
    itself) reports through Python: nin, nout, nargs, ntypes and the name; no gufunc signature;
    ``op_flags`` non-NULL; every output's flags either Numba's bits or 0. Else None. Nothing
    is read unless ``uf`` is exactly a ``numpy.ufunc`` on CPython (where ``id`` is the address).
    """
    if type(uf) is not np.ufunc or sys.implementation.name != "cpython":
        return None
    view = _PyUFuncObject.from_address(id(uf))
    try:
        name = expected.__name__
        same = (
            (view.nin, view.nout, view.nargs, view.ntypes)
            == (expected.nin, expected.nout, expected.nargs, expected.ntypes)
            and view.nargs == view.nin + view.nout
            and view.name is not None
            and view.name.decode("utf-8", "replace") == name
            and view.core_enabled == 0
            and expected.signature is None
        )
    except AttributeError:
        return None
    if not same or not view.op_flags:
        return None
    flags = [view.op_flags[i] for i in range(view.nin, view.nargs)]
    if any(f not in (0, NUMBA_OUTPUT_FLAGS) for f in flags):
        return None
    return view


def allow_masked_calls(uf: Any, *, expected: Any = None) -> bool:
    """Make ``where=`` work for a Numba-built ufunc (or a ``DUFunc``: its ``.ufunc`` is patched,
    the same C object); True on success (or if there was nothing to do), False if refused.

    Why: Numba's DUFunc constructor (``dufunc_init`` in ``numba/np/ufunc/_internal.c``) ORs
    ``NPY_ITER_READWRITE | NPY_ITER_UPDATEIFCOPY | NPY_ITER_ALLOCATE`` into the ``op_flags``
    entry of every output operand (NumPy's own ufuncs have 0 there; NumPy adds the right flags
    itself). NumPy 2's masked iteration, which ``where=`` uses, needs the outputs flagged
    ``WRITEMASKED`` and write-only, so with Numba's extra bits every masked element-wise call
    (also ``outer``) fails — ``reduce(where=...)`` runs through NumPy's reduction and works:
    "An iterator operand was flagged as the ARRAYMASK, but no WRITEMASKED operands were given"
    with ``out=``, "Only one of the iterator flags READWRITE, READONLY, WRITEONLY may be
    specified" without. Unmasked calls, ``reduce`` and ``accumulate`` do not need those bits
    either: NumPy allocates outputs and resolves overlapping in-place operands on its own. So
    this function sets the outputs' entries to 0, as for a NumPy ufunc.

    How: through a ctypes view of NumPy's ``PyUFuncObject`` (the ABI of NumPy 2.x, see
    ``_PyUFuncObject``). Before writing anything it checks that the view reads back the
    ufunc's nin, nout, nargs, ntypes and name (as ``expected``, default ``uf``, reports them),
    that ``op_flags`` is non-NULL and that each output entry is exactly Numba's bits or 0. If
    any check fails nothing is written, ``MASKED_CALLS`` becomes False and False is returned
    (``ufunc`` then makes ``where=`` raise a ``ValueError`` for that ufunc rather than risk
    writing into memory whose layout is not the expected one). The flags live in the ufunc's
    own array, so loops Numba adds later keep them, and each ufunc built by ``ufunc`` (also
    those built lazily, e.g. ``fmt.ufuncs.add`` on first access) is patched when it is built.
    """
    global MASKED_CALLS
    target = uf.ufunc if isinstance(uf, DUFunc) else uf
    view = _verified_view(target, target if expected is None else expected)
    if view is None:
        MASKED_CALLS = False
        return False
    for i in range(view.nin, view.nargs):
        view.op_flags[i] = 0
    return True


class UnmaskedDUFunc(DUFunc):
    """A DUFunc whose ufunc ``allow_masked_calls`` refused: every call works, except that
    ``where=`` in a call or ``outer`` raises a ``ValueError`` (NumPy's masked iterator would
    reject it anyway). ``reduce(where=...)`` stays: NumPy's reduction does not trip on Numba's
    flags."""

    def _refuse(self, kws: dict[str, Any]) -> None:
        if kws.get("where", True) is not True:
            raise ValueError(
                f"where= is not available for the Numba-built ufunc {self.ufunc.__name__!r}: "
                "its C struct did not verify (lognum._kernels.jit.allow_masked_calls), so its "
                "output flags were left as Numba set them; use "
                "np.copyto(out, f(a, b), where=mask) instead"
            )

    def __call__(self, *args: Any, **kws: Any) -> Any:
        self._refuse(kws)
        return super().__call__(*args, **kws)

    def outer(self, *args: Any, **kws: Any) -> Any:
        self._refuse(kws)
        return super().outer(*args, **kws)
