"""Machinery shared by the element families (floats, fixed, lns, block, codebook).

A family module imports what it needs from here, never another family's private names:

* ``check_axis``, ``check_code``, ``options_suffix``: parameter checks and the ``(k=v,...)``
  option text of ``str(fmt)`` (which ``parse`` reads back).
* ``Rows``: the one row layout of the kernels. The kernels take a 1-D contiguous array of R rows
  of C elements with one parameter set per row; ``Rows.slices(a, axis)`` makes one row per
  slice along ``axis`` (per-channel quantization; ``axis=None``: one row), ``Rows.blocks(a,
  axis, k)`` one row per block of ``k`` consecutive elements along ``axis`` (zero padded), and
  ``rows.join(flat)`` puts a row-ordered result back into the input's shape.
* ``TableElement``: an element format of at most 16 bits described by the float64 value of
  every code: the decode table, the sorted magnitudes with the codes of ±value, unbiased
  stochastic rounding on that table, and round-to-nearest by thresholds (midpoints between
  neighbouring magnitudes, ties to the even code).
* ``Adaptive``: the tensor-adaptive kind (scaled float, AdaptivFloat, symmetric/affine integers,
  dynamic fixed point, log quantization): ``fit(x)`` gives the format with its parameters fixed,
  ``quantize``/``encode`` fit per call while ``needs_fit``, and parameters per slice along
  ``axis`` run through ``Rows``.
* ``table_ufunc``: round to nearest on a threshold table as a Numba-built NumPy ufunc, for
  formats without a bit-level kernel (LNS, log quantization, codebooks).
"""

from __future__ import annotations

import dataclasses
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from lognum.formats.base import (
    Format,
    FormatMixin,
    as_float_array,
    check_out,
    check_rng,
    check_threads,
    saturate_f32,
)

__all__ = [
    "Adaptive",
    "Rows",
    "TableElement",
    "by_type",
    "check_axis",
    "check_code",
    "fmt_option",
    "options_suffix",
    "table_loops",
    "table_ufunc",
]


# ------------------------------------------------------------------------------------------
# parameter checks and option text


def check_axis(axis: int, ndim: int) -> int:
    """``axis`` as an index in [0, ndim); ValueError naming the allowed range otherwise."""
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis must be in [{-ndim}, {ndim - 1}] for a {ndim}-d array, got {axis}")
    return axis % ndim


def check_code(code: Any, nbits: int) -> int:
    """A ``describe`` argument: an integer code in [0, 2^nbits - 1]."""
    if (
        isinstance(code, bool)
        or not isinstance(code, int | np.integer)
        or not (0 <= int(code) < 1 << nbits)
    ):
        raise ValueError(f"code must be an integer in [0, 2^{nbits} - 1], got {code!r}")
    return int(code)


def fmt_option(v: Any) -> str:
    """An option value as ``parse`` reads it back: floats as ``repr`` (exact), sequences as
    ``[a;b;...]``."""
    if isinstance(v, tuple | list):
        return "[" + ";".join(fmt_option(a) for a in v) + "]"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def options_suffix(pairs: list[tuple[str, Any]]) -> str:
    """``(k=v,...)`` for the non-default options of a format (empty when none)."""
    if not pairs:
        return ""
    return "(" + ",".join(f"{k}={fmt_option(v)}" for k, v in pairs) + ")"


# ------------------------------------------------------------------------------------------
# the row layout


@dataclasses.dataclass(frozen=True)
class Rows:
    """An array arranged as R rows of C elements (``flat``: 1-D contiguous, row-major), and
    what ``join`` needs to undo it. Build it with ``Rows.slices`` or ``Rows.blocks``."""

    flat: np.ndarray
    R: int
    C: int
    shape: tuple[int, ...]  # the input's shape
    moved: tuple[int, ...]  # the shape after moving the axis (blocks: padded, axis last)
    axis: int | None  # the input axis that was moved (None: the array is one row)
    block: int = 0  # 0 for slices; the block length for blocks

    @classmethod
    def slices(cls, a: np.ndarray, axis: int | None) -> Rows:
        """One row per slice ``a[..., i, ...]`` along ``axis`` (moved to the front); a single
        row of every element when ``axis`` is None."""
        if axis is None:
            flat = np.ascontiguousarray(a).reshape(-1)
            return cls(flat, 1, a.size, a.shape, a.shape, None)
        ax = check_axis(axis, a.ndim)
        moved = np.ascontiguousarray(np.moveaxis(a, ax, 0))
        C = moved[0].size if moved.shape[0] else 0
        return cls(moved.reshape(-1), moved.shape[0], C, a.shape, moved.shape, ax)

    @classmethod
    def blocks(cls, a: np.ndarray, axis: int, k: int) -> Rows:
        """One row per block of ``k`` consecutive elements along ``axis`` (moved last); the
        last block of each line is zero padded. A 0-d array is one element."""
        if a.ndim == 0:
            a = a.reshape(1)
        ax = check_axis(axis, a.ndim)
        moved = np.moveaxis(a, ax, -1)
        L = moved.shape[-1]
        nb = -(-L // k) if L else 0
        if nb * k != L:
            pad = np.zeros(moved.shape[:-1] + (nb * k,), dtype=a.dtype)
            pad[..., :L] = moved
            moved = pad
        flat = np.ascontiguousarray(moved).reshape(-1)
        return cls(flat, flat.size // k, k, a.shape, moved.shape, ax, k)

    @property
    def nblocks(self) -> int:
        """Blocks per line along the axis (``Rows.blocks``)."""
        return self.moved[-1] // self.block if self.block else 0

    def join(self, flat: np.ndarray) -> np.ndarray:
        """A row-ordered result (any dtype, ``R*C`` elements) in the input's shape
        (C-contiguous)."""
        if self.axis is None:
            return flat.reshape(self.shape)
        v = flat.reshape(self.moved)
        if self.block:
            v = v[..., : self.shape[self.axis]]
            return np.ascontiguousarray(np.moveaxis(v, -1, self.axis))
        return np.ascontiguousarray(np.moveaxis(v, 0, self.axis))

    def join_rows(self, per_row: np.ndarray) -> np.ndarray:
        """One value per row (block) in the input's shape with ``nblocks`` along the axis."""
        assert self.axis is not None, "join_rows is for Rows.blocks, which always has an axis"
        v = per_row.reshape(self.moved[:-1] + (self.nblocks,))
        return np.ascontiguousarray(np.moveaxis(v, -1, self.axis))


# ------------------------------------------------------------------------------------------
# table-driven element formats


@cache
def table_loops() -> Any:
    """The table kernels (``lognum._kernels.floats_table``), imported on first use."""
    from lognum._kernels import floats_table

    return floats_table


class TableElement(FormatMixin):
    """Plumbing for element formats of at most 16 bits: a decode table, sorted magnitudes with
    the codes of ±value, stochastic rounding on that table.

    A family provides ``nbits``, ``_code_table()`` (float64 value of every code, NaN for NaN
    codes), ``_nearest_values(x, out)`` and ``_nearest_codes(x)`` (round to nearest of 1-D
    contiguous x); ``_thresholds()`` gives the linear midpoints a table-driven family can use.
    """

    # -- hooks --------------------------------------------------------------------------
    def _code_table(self) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _nearest_values(self, x: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
        raise NotImplementedError

    def _nearest_codes(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    # -- tables -------------------------------------------------------------------------
    @cached_property
    def _dec(self) -> np.ndarray:
        t = self._code_table()
        t.setflags(write=False)
        return t

    @cached_property
    def _mag_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pv, pc, nc): sorted distinct finite magnitudes >= 0 and, for each, the code of
        +value and of -value (the code of the value 0 for formats without -0; -1 if absent)."""
        dec = self._dec
        codes = np.arange(dec.size, dtype=np.int64)
        fin = np.isfinite(dec)
        pv = np.unique(np.abs(dec[fin]))
        pc = np.full(pv.size, -1, dtype=np.int64)
        nc = np.full(pv.size, -1, dtype=np.int64)
        pos = fin & ~np.signbit(dec)
        neg = fin & np.signbit(dec)
        # first code per value wins (codes are scanned from high to low so the lowest remains)
        for sel, target in ((pos, pc), (neg, nc)):
            idx = np.searchsorted(pv, np.abs(dec[sel]))
            target[idx[::-1]] = codes[sel][::-1]
        zero = nc == -1
        nc[zero] = pc[zero]
        pc[pc == -1] = nc[pc == -1]
        for a in (pv, pc, nc):
            a.setflags(write=False)
        return pv, pc, nc

    # -- Format hooks -------------------------------------------------------------------
    def _decode_flat(self, codes: np.ndarray, out: np.ndarray) -> None:
        if self._dec.size & (self._dec.size - 1) == 0 and codes.dtype.kind == "u":
            table_loops().take_table(codes, self._dec, out)  # no int64 copy of the codes
        else:
            np.take(self._dec, codes.astype(np.intp, copy=False), out=out)

    def _encode_flat(
        self, x: np.ndarray, out: np.ndarray, rounding: str, rng: np.random.Generator | None
    ) -> None:
        if rounding == "nearest":
            if not self._nearest_codes_into(x, out):
                out[...] = self._nearest_codes(x)
        else:
            out[...] = self._stochastic(x, rng, codes=True)

    def _nearest_codes_into(self, x: np.ndarray, out: np.ndarray) -> bool:
        """Round to nearest straight into ``out`` (the code dtype) where the family has such a
        kernel for ``x``'s dtype; False (nothing done) otherwise."""
        return False

    def _quantize_flat(
        self, x: np.ndarray, out: np.ndarray, rounding: str, rng: np.random.Generator | None
    ) -> None:
        if rounding == "nearest":
            self._nearest_values(x, out)
        else:
            out[...] = self._stochastic(x, rng, codes=False)

    def _stochastic(self, x: np.ndarray, rng: Any, codes: bool) -> np.ndarray:
        """Stochastic rounding between the two neighbours of |x| (probability proportional to
        the distance, so E[q] = x); outside (0, maxpos] and for NaN/inf the nearest rule."""
        pv, pc, nc = self._mag_table
        u = rng.random(x.size)
        idx = np.empty(x.size, dtype=np.int64)
        table_loops().stochastic_index(x, u, pv, idx)
        neg = np.signbit(x)
        if codes:
            res = np.where(neg, nc[idx], pc[idx])
            near = self._nearest_codes(x)
        else:
            res = pv[idx].astype(x.dtype)
            res = np.where(neg & (nc[idx] != pc[idx]), -res, res)
            near = np.empty_like(x)
            self._nearest_values(x, near)
        ax = np.abs(x)
        inside = (ax > 0) & (ax <= pv[-1]) & (ax >= pv[0])
        dec = self._dec
        if not np.any(dec[np.isfinite(dec)] < 0):  # unsigned format: negatives as nearest
            inside &= ~neg
        return np.where(inside, res, near)

    # -- table-driven nearest rounding (reference; LNS / log quantization use it) -------
    def _thresholds(self) -> tuple[np.ndarray, np.ndarray]:
        """Linear midpoints between neighbouring magnitudes, ties to the even code."""
        pv, pc, _ = self._mag_table
        thr = (pv[:-1] + pv[1:]) / 2.0
        tup = (pc[1:] % 2 == 0).astype(np.int8)
        return thr, tup

    @cached_property
    def _thr(self) -> tuple[np.ndarray, np.ndarray]:
        return self._thresholds()

    def _table_index(self, x: np.ndarray) -> np.ndarray:
        thr, tup = self._thr
        idx = np.empty(x.size, dtype=np.int64)
        table_loops().nearest_index(x, thr, tup, idx)
        return idx


# ------------------------------------------------------------------------------------------
# the adaptive kind


class Adaptive(FormatMixin):
    """The tensor-adaptive kind: parameters (scale, bias, zero point, ...) chosen from data.

    A family provides ``needs_fit`` (True while a parameter is None), ``fit(x)`` (the format
    with its parameters fixed, per slice along ``axis`` when that is set), ``sliced`` (True
    when the fitted parameters are per slice), ``slice_format(i)`` (the per-tensor format of
    slice i), ``_round_rows(flat, out, C, rounding, rng, codes)`` (round R rows of C, row r
    with the parameters of slice r) and ``_ufunc()`` (the per-tensor ufunc). Per-tensor
    formats run through ``Format``'s plumbing (threads, ``out=``); per-slice ones through
    ``Rows.slices`` on one thread.
    """

    kind: ClassVar[str] = "adaptive"

    @property
    def needs_fit(self) -> bool:  # pragma: no cover - abstract
        """True while a data-dependent parameter is unset (quantize/encode then fit per call)."""
        raise NotImplementedError

    @property
    def sliced(self) -> bool:
        """Whether the (fitted) parameters are one per slice along ``axis``."""
        return False

    # (``axis``, ``slice_format``, ``n_slices``, ``_round_rows`` and ``_ufunc`` are the
    # family's; no abstract stubs here, so that a shared family mixin later in the MRO provides
    # them: they are declared for the type checker only)
    if TYPE_CHECKING:
        axis: int | None

        @property
        def n_slices(self) -> int: ...

        def slice_format(self, i: int) -> Format: ...

        def _round_rows(
            self,
            flat: np.ndarray,
            out: np.ndarray,
            C: int,
            rounding: str,
            rng: np.random.Generator | None,
            codes: bool,
        ) -> None: ...

        def _ufunc(self) -> np.ufunc: ...

    def _fitted(self, x: Any) -> Any:
        return self.fit(x) if self.needs_fit else self

    def quantize(
        self,
        x: Any,
        *,
        out: np.ndarray | None = None,
        threads: int = 1,
        rounding: str = "nearest",
        rng: np.random.Generator | None = None,
        saturate: bool | None = None,
    ) -> np.ndarray:
        """Fit (while ``needs_fit``) and quantize; keywords as in ``Format.quantize``.
        Adaptive formats saturate (``saturate=False`` raises)."""
        self._with_saturate(saturate)
        f = self._fitted(x)
        if not f.sliced:
            return Format.quantize(f, x, out=out, threads=threads, rounding=rounding, rng=rng)
        return f._sliced_call(x, out, threads, rounding, rng, codes=False)

    def encode(
        self,
        x: Any,
        *,
        out: np.ndarray | None = None,
        threads: int = 1,
        rounding: str = "nearest",
        rng: np.random.Generator | None = None,
        saturate: bool | None = None,
    ) -> np.ndarray:
        """Fit (while ``needs_fit``) and encode; keywords as in ``Format.encode``."""
        self._with_saturate(saturate)
        f = self._fitted(x)
        if not f.sliced:
            return Format.encode(f, x, out=out, threads=threads, rounding=rounding, rng=rng)
        return f._sliced_call(x, out, threads, rounding, rng, codes=True)

    def decode(self, codes: Any, *, out: np.ndarray | None = None) -> np.ndarray:
        """float64 values of codes (per-slice parameters: slice i of ``codes`` along ``axis``
        decodes with the parameters of slice i)."""
        if not self.sliced:
            return Format.decode(self, codes, out=out)
        c = np.asarray(codes)
        if c.dtype.kind not in "iu":
            raise ValueError(f"codes must be an integer array, got dtype {c.dtype}")
        rows = self._slice_rows(c)
        res = np.empty(rows.flat.size, dtype=np.float64)
        C = rows.C
        for r in range(rows.R):
            res[r * C : (r + 1) * C] = Format.decode(self.slice_format(r), rows.flat[r * C :][:C])
        v = rows.join(res)
        if out is not None:
            check_out(out, v.shape, np.dtype(np.float64))[...] = v
            return out
        return v

    def _slice_rows(self, a: np.ndarray) -> Rows:
        rows = Rows.slices(a, self.axis)
        if rows.R != self.n_slices:
            raise ValueError(
                f"x has {rows.R} slices along axis {self.axis}, the format has parameters for "
                f"{self.n_slices}"
            )
        return rows

    def _sliced_call(
        self, x: Any, out: Any, threads: int, rounding: str, rng: Any, codes: bool
    ) -> np.ndarray:
        self._check_rounding(rounding)
        rng = check_rng(rounding, rng)
        check_threads(threads, rounding)
        a, _ = as_float_array(x)
        dt = self.code_dtype if codes else a.dtype
        if out is not None:
            check_out(out, a.shape, dt)
        rows = self._slice_rows(a)
        res = np.empty(rows.flat.size, dtype=np.uint32 if codes else a.dtype)
        if res.size:
            self._round_rows(rows.flat, res, rows.C, rounding, rng, codes)
        if not codes:
            saturate_f32(self, rows.flat, res)
        v = rows.join(res).astype(dt, copy=False)
        if out is not None:
            out[...] = v
            return out
        return v

    def _build_ufunc(self) -> Any:
        """``Format.ufunc`` of a fitted format: the per-tensor ufunc (ValueError per slice)."""
        if self.sliced:
            raise ValueError(
                f"{self} has parameters per slice along axis {self.axis}: it has no single "
                "ufunc; take one slice's, slice_format(i).ufunc (or fit(x) with axis=None)"
            )
        return self._ufunc()


# ------------------------------------------------------------------------------------------
# the ufuncs


@cache
def by_type() -> Any:
    """``pick(x, v32, v64)`` for compiled code: ``v32`` as float32 when ``x`` is float32,
    else ``v64`` as float64 (a ufunc's float32 loop then computes in float32 like
    ``quantize``; compile-time dispatch, no cost in the loop)."""
    from numba import types
    from numba.extending import overload

    def pick(x, v32, v64):  # noqa: ANN001, ANN202 - (un-annotated, as the overload)
        return np.float32(v32) if isinstance(x, np.float32) else np.float64(v64)

    @overload(pick, inline="always")
    def _pick(x, v32, v64):  # noqa: ANN001, ANN202 - Numba matches the typing signature
        if x == types.float32:
            return lambda x, v32, v64: np.float32(v32)
        return lambda x, v32, v64: np.float64(v64)

    return pick


_TABLE_UFUNCS: dict[tuple, Any] = {}


def table_ufunc(
    thr: np.ndarray,
    tup: np.ndarray,
    pos: np.ndarray,
    neg: np.ndarray | None,
    nan_value: float = float("nan"),
    saturating: bool = True,
) -> Any:
    """Round to nearest on a threshold table as a NumPy ufunc (float32 and float64 loops) with
    the tables compiled in as constants: one compilation per table, kept for the process.

    ``neg`` given: a magnitude table: ``i`` = the number of thresholds ``thr`` that |x| passes
    (``tup[i]``: a tie at ``thr[i]`` rounds up), the result is ``pos[i]`` for x >= +0 and
    ``neg[i]`` for x <= -0 (signed results). ``neg`` None: ``thr`` splits the real line and the
    result is ``pos[i]`` for x itself (codebooks). NaN (and ±inf for magnitude tables) give
    ``nan_value``. ``saturating``: a float32 result beyond float32 max is float32 max (as
    ``quantize``)."""
    key = (
        thr.tobytes(),
        tup.tobytes(),
        pos.tobytes(),
        None if neg is None else neg.tobytes(),
        nan_value,
        saturating,
    )
    uf = _TABLE_UFUNCS.get(key)
    if uf is not None:
        return uf
    import math

    from lognum._kernels.floats import f32_saturate
    from lognum._kernels.floats_table import count_below
    from lognum._kernels.jit import ufunc

    T = np.ascontiguousarray(thr, dtype=np.float64)
    U = np.ascontiguousarray(tup, dtype=np.int8)
    P = np.ascontiguousarray(pos, dtype=np.float64)
    N = P if neg is None else np.ascontiguousarray(neg, dtype=np.float64)
    nv = float(nan_value)
    magnitude = neg is not None

    if magnitude:

        def q64(x):
            a = float(x)
            if not math.isfinite(a):
                return nv
            i = count_below(abs(a), T, U)
            if math.copysign(1.0, a) < 0:
                return N[i]
            return P[i]

    else:

        def q64(x):
            a = float(x)
            if a != a:
                return nv
            return P[count_below(a, T, U)]

    from lognum._kernels.jit import jit_inline

    q64 = jit_inline(q64)
    if saturating:

        def q(x):
            return f32_saturate(x, q64(x))

    else:

        def q(x):
            return q64(x)

    uf = ufunc()(q)
    _TABLE_UFUNCS[key] = uf
    return uf
