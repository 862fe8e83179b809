"""Block formats: OCP Microscaling (MX) and block floating point (docs/guide/block.md).

A block of ``block`` consecutive elements along ``axis`` shares one power-of-two scale
X = 2^(E-127) stored as an E8M0 byte (E = 0..254; 255 = NaN, which makes the whole block NaN).
Each element is stored in the element format: v_i = X·P_i.

* ``MX(element, block=32)``: MXFP8 (``"fp8_e4m3"``, ``"fp8_e5m2"``), MXFP6 (``"fp6_e2m3"``,
  ``"fp6_e3m2"``), MXFP4 (``"fp4_e2m1"``) and MXINT8 (``"int8"``: two's complement × 2^-6,
  encoded symmetrically to ±127, 0x80 decodes to -2.0 as gfloat).
* ``BlockFloat(mantissa_bits, block)``: the shared exponent E_b = max_i floor(log2|x_i|) and
  sign-magnitude mantissas m_i ∈ ±(2^(M-1) - 1): x_i ≈ m_i·2^(E_b-(M-2)); MXINT8 is
  ``BlockFloat(8, 32)``.

Scale rule (``scale_rule``): ``"ocp"`` (default, OCP MX spec, gfloat and microxcaling):
X = 2^(floor(log2 amax) - emax_elem), exponent clamped to [-127, 127]; floor(log2 amax) is read
exactly from the exponent bits (gfloat and microxcaling evaluate ``floor(np.log2(amax))`` in
floating point, which rounds up for amax within a few ulps below a power of two, e.g.
2^12(1 - 2^-53): they then pick a scale twice as large); the largest elements may
land above the element maximum (up to 2^(emax+1)) and saturate. ``"ceil"``: the smallest power
of two with amax/X <= element max (no saturation). An all-zero block gets X = 2^-127 (gfloat); a
block containing NaN or ±inf gets the NaN scale (E8M0 code 0xFF): the whole block quantizes
to NaN. The OCP spec has only that NaN scale to mark a block that is not a number (the FP6/FP4
elements have no inf or NaN), and microxcaling does the same (the shared exponent of inf
overflows the scale and becomes NaN); gfloat instead clips the scale to 2^127 and saturates
the elements (inf → element max × 2^127, ≈ 1e39 for FP4, beyond float32), and lognum does not
follow it there. Finite inputs never give NaN or inf: a block whose shared exponent exceeds 127
saturates (its elements round with the scale 2^127).

Element rounding (``ties``): ``"even"`` (default; gfloat TiesToEven) or ``"away"``
(microxcaling's default ``round="nearest"``, floor(|A| + 0.5)) — the two public references
disagree (docs/guide/block.md: with amax 7.9, MXFP4 rounds 5 to 4 (even) or 6 (away)). Elements
always saturate. ``rounding="stochastic"`` rounds the scaled elements stochastically.

``encode(x)`` returns a ``BlockCodes(codes, scales)`` record: element codes with x's shape and
the E8M0 scale codes with x's shape except ``ceil(len/block)`` along ``axis``;
``decode(record)`` (or ``decode(codes, scales=...)``) inverts it. The last block along the
axis may be partial (it is padded with zeros for the scale). ``scales(x)`` gives the chosen
scales as powers of two; ``fit(x)`` is the format itself (a block format has no per-tensor
parameters) and there is no ``ufunc`` (the rounding of an element depends on its block).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from lognum.formats.base import (
    Format,
    FormatMixin,
    as_float_array,
    check_int,
    check_out,
    check_rng,
    check_threads,
    saturate_f32,
)
from lognum.formats.element import Rows, check_code, options_suffix
from lognum.formats.fixed import SymmetricInt, absmax_rows
from lognum.formats.floats import Grid, Minifloat, grid_encode, grid_quantize
from lognum.formats.record import BlockCodes, Description, Field
from lognum.formats.registry import named, notation

SCALE_RULES = ("ocp", "ceil")
TIES = ("even", "away")

MX_ELEMENTS: dict[str, tuple[int, int]] = {
    "fp8_e4m3": (4, 3),
    "fp8_e5m2": (5, 2),
    "fp6_e2m3": (2, 3),
    "fp6_e3m2": (3, 2),
    "fp4_e2m1": (2, 1),
    "int8": (0, 8),
}

#: element -> the canonical name of its MX format (filled by ``_mx_name`` below)
MX_NAMES: dict[str, str] = {}


@cache
def _int_grid(M: int) -> Grid:
    """An M-bit sign-magnitude integer element ±(2^(M-1) - 1)·2^-(M-2) as a float grid that
    is all 'subnormal': step 2^(emin - m) = 2^-(M-2) with m = M-1, emin = 1."""
    m = M - 1
    maxval = math.ldexp((1 << m) - 1, -(M - 2))
    step = math.ldexp(1.0, -(M - 2))
    maxcode = (1 << m) - 1
    return Grid(
        n=M,
        m=m,
        emin=1,
        bias=0,
        sub=1,
        vmin=step,
        lomid=step / 2,
        tieup=0,
        maxval=maxval,
        ovfval=maxval,
        infval=maxval,
        nanval=math.nan,
        signed=1,
        negzero=1,
        zeronan=0,
        ovfcode=maxcode,
        infcode=maxcode,
        nancode=-1,
        twos=1,
    )


@cache
def _int_table(M: int) -> np.ndarray:
    c = np.arange(1 << M, dtype=np.int64)
    q = np.where(c >= 1 << (M - 1), c - (1 << M), c)
    t = np.ldexp(q.astype(np.float64), -(M - 2))
    t.setflags(write=False)
    return t


@cache
def _loops() -> Any:
    from lognum._kernels import floats_loops

    return floats_loops


class _BlockMixin(FormatMixin):
    """Scale selection, layout and the element kernels of a block format. Subclasses give
    ``block``, ``axis``, ``scale_rule``, ``ties`` and ``_grid``, ``_table``, ``_emax``,
    ``_elem_max``, ``_elem_quantizer`` (for stochastic rounding)."""

    kind: ClassVar[str] = "block"
    block: int
    axis: int
    scale_rule: str
    ties: str
    roundings: ClassVar[tuple[str, ...]] = ("nearest", "stochastic")

    if TYPE_CHECKING:  # the subclass's element format

        @property
        def _grid(self) -> Grid: ...

        @property
        def _table(self) -> np.ndarray: ...

        @property
        def _elem_max(self) -> float: ...

        @property
        def _emax(self) -> int: ...

        @property
        def _elem_quantizer(self) -> Any: ...

    def _scale_exponents(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per block: the scale exponent (int64, clamped to [-127, 127]) and a NaN flag."""
        R = rows.shape[0]
        e = np.empty(R, dtype=np.int64)
        flag = np.empty(R, dtype=np.int64)
        if R:
            _loops().row_amax_exponent(rows.reshape(-1), self.block, e, flag)
        sc = e - self._emax
        if self.scale_rule == "ceil":
            amax = absmax_rows(rows)
            over = amax > np.ldexp(self._elem_max, sc)
            sc = sc + over
        sc = np.where(flag == 1, -127, sc)
        sc = np.where(flag >= 2, 127, sc)  # NaN/inf blocks: the NaN scale (any sc works here)
        sc = np.clip(sc, -127, 127)
        return sc.astype(np.int64), flag >= 2

    def _prepare(self, x: Any, threads: int, rounding: str, rng: Any, saturate: Any) -> tuple:
        check_threads(threads, rounding)  # the block kernels run on one thread
        self._with_saturate(saturate)
        self._check_rounding(rounding)
        rng = check_rng(rounding, rng)
        a, scalar = as_float_array(x)
        rows = Rows.blocks(a, self.axis, self.block)
        return a, scalar, rows, rng

    # -- API -------------------------------------------------------------------------------
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
        """Quantize-dequantize ``x`` block by block along ``axis`` (same shape and dtype).
        ``threads`` is accepted (the block kernels run on one thread; the result is the same);
        ``saturate``: None or True (the elements always saturate; False raises)."""
        a, scalar, rows, rng = self._prepare(x, threads, rounding, rng, saturate)
        if out is not None:
            check_out(out, a.shape, a.dtype)
        if a.size == 0:
            return np.empty(a.shape, a.dtype) if out is None else out
        R, k = rows.R, rows.C
        flat = rows.flat
        if rounding == "nearest" and self.scale_rule != "ceil" and self.ties != "away":
            # one pass (floats_loops.quantize_blocks); straight into out when the layout allows
            same = flat.size == a.size and (a.ndim <= 1 or rows.axis == a.ndim - 1)
            direct = out if out is not None and same and out.flags.c_contiguous else None
            res = direct.reshape(-1) if direct is not None else np.empty(flat.size, a.dtype)
            sat = int(res.dtype == np.float32 and self.saturating)  # saturate_f32, in the loop
            q = self._grid.f32 if flat.dtype == res.dtype == np.float32 else None
            if q is not None:  # the binary32 fast path (same results)
                _loops().quantize_blocks_f32(flat, res, k, self._emax, self._grid.params(0), q, sat)
            else:
                _loops().quantize_blocks(flat, res, k, self._emax, self._grid.params(0), sat)
            if direct is not None:
                return direct
            v = rows.join(res).reshape(a.shape)
            if out is not None:
                out[...] = v
                return out
            return v[()] if scalar else v
        sc, nan = self._scale_exponents(flat.reshape(R, k))
        res = np.empty(flat.size, dtype=a.dtype)
        if rounding == "nearest":
            grid_quantize(self._grid, flat, res, sc, k, int(self.ties == "away"))
        else:
            scaled = flat.reshape(R, k).astype(np.float64) * np.ldexp(1.0, -sc)[:, None]
            q = self._elem_quantizer.quantize(scaled.reshape(-1), rounding="stochastic", rng=rng)
            res[...] = (q.reshape(R, k) * np.ldexp(1.0, sc)[:, None]).reshape(-1)
        saturate_f32(self, flat, res)
        res.reshape(R, k)[nan] = np.nan
        v = rows.join(res).reshape(a.shape)
        if out is not None:
            out[...] = v
            return out
        return v[()] if scalar else v

    # The block kind's encode gives (and its out= takes) a BlockCodes record where Format's
    # gives an array: the contract's one kind-dependent type, which Format's signature (the
    # element kinds') cannot express without making every format generic in its code type.
    def encode(  # type: ignore[override]  # returns BlockCodes (block kind), not an array
        self,
        x: Any,
        *,
        out: BlockCodes | None = None,  # type: ignore[override]  # a BlockCodes, not an array
        threads: int = 1,
        rounding: str = "nearest",
        rng: np.random.Generator | None = None,
        saturate: bool | None = None,
    ) -> BlockCodes:
        """``BlockCodes(codes, scales)``: element codes (``code_dtype``, x's shape) and E8M0
        scale codes (uint8; x's shape with ceil(len/block) along ``axis``; 0-d for a 0-d x).
        ``out``: a ``BlockCodes`` of two writeable arrays of those shapes and dtypes to write
        into. Other keywords as in ``quantize``."""
        a, _, rows, rng = self._prepare(x, threads, rounding, rng, saturate)
        R, k = rows.R, rows.C
        sc, nan = self._scale_exponents(rows.flat.reshape(R, k))
        if rounding == "nearest":
            codes = grid_encode(self._grid, rows.flat, sc, k, int(self.ties == "away"))
        else:
            scaled = rows.flat.reshape(R, k).astype(np.float64) * np.ldexp(1.0, -sc)[:, None]
            codes = self._elem_quantizer.encode(
                scaled.reshape(-1), rounding="stochastic", rng=rng
            ).astype(np.uint32)
        codes = rows.join(codes).astype(self.code_dtype)
        scodes = rows.join_rows(np.where(nan, 255, sc + 127).astype(np.uint8))
        if a.ndim == 0:  # one element: a 0-d code and a 0-d scale
            codes, scodes = codes.reshape(()), scodes.reshape(())
        if out is None:
            return BlockCodes(codes, scodes)
        if not isinstance(out, tuple) or len(out) != 2:
            raise ValueError("out must be a BlockCodes(codes, scales) of two arrays")
        check_out(out[0], codes.shape, codes.dtype)[...] = codes
        check_out(out[1], scodes.shape, scodes.dtype)[...] = scodes
        return BlockCodes(out[0], out[1])

    def decode(
        self, codes: Any, *, out: np.ndarray | None = None, scales: Any = None
    ) -> np.ndarray:
        """float64 values of a ``BlockCodes`` record (as ``encode`` returns it), or of element
        codes and E8M0 scale codes given as ``scales=``."""
        if isinstance(codes, BlockCodes):
            if scales is not None:
                raise ValueError("scales must not be given with a BlockCodes record")
            codes, scales = codes
        if scales is None:
            raise ValueError(
                "scales must be given: a block format decodes a BlockCodes record "
                "(or codes with scales=)"
            )
        c = np.asarray(codes)
        s = np.asarray(scales)
        if c.dtype.kind not in "iu" or s.dtype.kind not in "iu":
            raise ValueError("codes and scales must be integer arrays")
        zero_d = c.ndim == 0
        if zero_d:
            c, s = c.reshape(1), s.reshape(-1)
        if c.size and (c.min() < 0 or int(c.max()) >= 1 << self.nbits):
            raise ValueError(f"codes must be in [0, 2^{self.nbits} - 1]")
        if s.size and (s.min() < 0 or int(s.max()) > 255):
            raise ValueError("scales must be E8M0 codes in [0, 255]")
        if s.ndim != c.ndim:
            raise ValueError(f"scales must have {c.ndim} dimensions like codes, got {s.ndim}")
        rows = Rows.blocks(c, self.axis, self.block)
        lead, nb = rows.moved[:-1], rows.nblocks
        sm = np.moveaxis(s, self.axis, -1)
        if sm.shape != lead + (nb,):
            raise ValueError(f"scales must have shape {lead + (nb,)} (moved axis last)")
        sfull = np.repeat(np.ascontiguousarray(sm).reshape(-1).astype(np.int64), self.block)
        v = self._table[rows.flat.astype(np.intp)] * np.ldexp(1.0, sfull - 127)
        v = np.where(sfull == 255, np.nan, v)
        res = rows.join(v)
        if zero_d:
            res = res.reshape(())
        if out is not None:
            check_out(out, res.shape, np.dtype(np.float64))[...] = res
            return out
        return res

    def values(self) -> np.ndarray:
        """Block formats have no fixed value set: use ``element_values()`` × 2^(E-127)."""
        raise ValueError(
            "a block format has no fixed value set; element_values() gives the "
            "element grid (multiply by the block scale 2^(E-127))"
        )

    def element_values(self) -> np.ndarray:
        """Sorted finite values of the element format (unscaled)."""
        t = self._table
        return np.unique(t[np.isfinite(t)])

    @property
    def maxpos(self) -> float:
        """Element max × 2^127."""
        return math.ldexp(self._elem_max, 127)

    @property
    def minpos(self) -> float:
        """Smallest positive element × 2^-127."""
        ev = self.element_values()
        return math.ldexp(float(ev[ev > 0][0]), -127)

    def scales(self, x: Any) -> np.ndarray:
        """The per-block scales ``encode`` chooses for ``x``, as powers of two (float64; NaN
        for NaN blocks), with x's shape except ceil(len/block) along ``axis``."""
        s = self.encode(x).scales
        return np.where(s == 255, np.nan, np.ldexp(1.0, s.astype(np.int64) - 127))

    def _element_description(self, code: int, d: Description | None) -> Description:
        """The record of an element code (unscaled: a block multiplies it by 2^(E-127))."""
        c = check_code(code, self.nbits)
        if d is None:  # integer elements: two's complement q times the element step
            M = self.nbits
            q = c - (1 << M) if c >> (M - 1) else c
            pattern = format(c, f"0{M}b")
            value = float(self._table[c])
            text = f"{self} {pattern}: integer q = {q}, element value q·2^{-(M - 2)} = {value!r}"
            fields = (Field("integer", pattern, q),)
            return Description(str(self), c, pattern, fields, value, None, text)
        text = d.text.replace(d.format, str(self), 1)
        return dataclasses.replace(d, format=str(self), text=text + " (times the block scale)")

    def _check_block_params(self) -> None:
        if self.scale_rule not in SCALE_RULES:
            raise ValueError(f"scale_rule must be one of {SCALE_RULES}, got {self.scale_rule!r}")
        if self.ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, got {self.ties!r}")

    def _opts(self) -> list[tuple[str, Any]]:
        o: list[tuple[str, Any]] = []
        if self.block != 32:
            o.append(("block", self.block))
        if self.axis != -1:
            o.append(("axis", self.axis))
        if self.scale_rule != "ocp":
            o.append(("scale_rule", self.scale_rule))
        if self.ties != "even":
            o.append(("ties", self.ties))
        return o


@dataclass(frozen=True)
class MX(_BlockMixin, Format):
    """OCP Microscaling format (see the module docstring).

    element: "fp8_e4m3" | "fp8_e5m2" | "fp6_e2m3" | "fp6_e3m2" | "fp4_e2m1" | "int8";
    block: 1..65536 (OCP: 32); axis: the blocked axis (default -1); scale_rule: "ocp" | "ceil";
    ties: "even" | "away".
    """

    family: ClassVar[str] = "block"

    element: str
    block: int = 32
    axis: int = -1
    scale_rule: str = "ocp"
    ties: str = "even"

    def __post_init__(self) -> None:
        if not isinstance(self.element, str) or self.element not in MX_ELEMENTS:
            raise ValueError(f"element must be one of {sorted(MX_ELEMENTS)}, got {self.element!r}")
        object.__setattr__(self, "block", check_int("block", self.block, 1, 1 << 16))
        object.__setattr__(self, "axis", check_int("axis", self.axis, -32, 31))
        self._check_block_params()

    @property
    def element_format(self) -> Minifloat | None:
        """The element minifloat (saturating), None for int8."""
        e, m = MX_ELEMENTS[self.element]
        if self.element == "int8":
            return None
        sp = "fn" if self.element == "fp8_e4m3" else ("ieee" if e == 5 else "none")
        return Minifloat(e, m, special=sp, saturate=True)

    @property
    def nbits(self) -> int:
        e, m = MX_ELEMENTS[self.element]
        return 8 if self.element == "int8" else 1 + e + m

    @property
    def _grid(self) -> Grid:
        f = self.element_format
        return _int_grid(8) if f is None else f.grid

    @property
    def _table(self) -> np.ndarray:
        f = self.element_format
        return _int_table(8) if f is None else f._dec

    @property
    def _elem_max(self) -> float:
        f = self.element_format
        return _int_grid(8).maxval if f is None else f.maxpos

    @property
    def _emax(self) -> int:
        """emax of the element: floor(log2 element max) (8, 15, 2, 4, 2, 0)."""
        return math.frexp(self._elem_max)[1] - 1

    @property
    def _elem_quantizer(self) -> Any:
        f = self.element_format
        return SymmetricInt(8, scale=2.0**-6) if f is None else f

    def describe(self, code: int) -> Description:
        """The fields of one element code (unscaled; as the element minifloat describes it,
        or the two's-complement integer of MXINT8)."""
        f = self.element_format
        return self._element_description(code, None if f is None else f.describe(code))

    def __str__(self) -> str:
        return MX_NAMES[self.element] + options_suffix(self._opts())


@dataclass(frozen=True)
class BlockFloat(_BlockMixin, Format):
    """Block floating point ``bfp<M,k>``: blocks of k share the exponent
    E_b = max floor(log2|x_i|), elements are M-bit sign-magnitude mantissas
    m_i ∈ ±(2^(M-1) - 1) with x_i ≈ m_i·2^(E_b-(M-2)) (round, then clamp; docs/guide/block.md).
    The shared exponent is an 8-bit E8M0 code (range 2^±127). ``BlockFloat(8, 32)`` is MXINT8.

    mantissa_bits: 2..16; block: 1..65536; axis; scale_rule: "ocp" | "ceil"; ties.
    """

    family: ClassVar[str] = "block"

    mantissa_bits: int
    block: int = 32
    axis: int = -1
    scale_rule: str = "ocp"
    ties: str = "even"

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "mantissa_bits", check_int("mantissa_bits", self.mantissa_bits, 2, 16)
        )
        object.__setattr__(self, "block", check_int("block", self.block, 1, 1 << 16))
        object.__setattr__(self, "axis", check_int("axis", self.axis, -32, 31))
        self._check_block_params()

    @property
    def nbits(self) -> int:
        return self.mantissa_bits

    @property
    def _grid(self) -> Grid:
        return _int_grid(self.mantissa_bits)

    @property
    def _table(self) -> np.ndarray:
        return _int_table(self.mantissa_bits)

    @property
    def _elem_max(self) -> float:
        return self._grid.maxval

    @property
    def _emax(self) -> int:
        return 0

    @property
    def _elem_quantizer(self) -> Any:
        M = self.mantissa_bits
        return SymmetricInt(M, scale=2.0 ** -(M - 2))

    def describe(self, code: int) -> Description:
        """The mantissa integer of an element code (row "integer") and its unscaled value."""
        return self._element_description(code, None)

    def __str__(self) -> str:
        opts = [o for o in self._opts() if o[0] != "block"]
        return f"bfp<{self.mantissa_bits},{self.block}>" + options_suffix(opts)


# ------------------------------------------------------------------------------------------
# notation


def _mx_name(name: str, *aliases: str) -> Any:
    """``registry.named`` for an MX format, also recorded in ``MX_NAMES`` (for ``str``)."""

    def register(fn: Any) -> Any:
        MX_NAMES[fn().element] = name
        return named(name, *aliases)(fn)

    return register


@_mx_name("mxfp8_e4m3", "mxfp8")
def mxfp8_e4m3() -> MX:
    """MXFP8 with E4M3 elements, block 32."""
    return MX("fp8_e4m3")


@_mx_name("mxfp8_e5m2")
def mxfp8_e5m2() -> MX:
    """MXFP8 with E5M2 elements, block 32."""
    return MX("fp8_e5m2")


@_mx_name("mxfp6_e2m3", "mxfp6")
def mxfp6_e2m3() -> MX:
    """MXFP6 with E2M3 elements, block 32."""
    return MX("fp6_e2m3")


@_mx_name("mxfp6_e3m2")
def mxfp6_e3m2() -> MX:
    """MXFP6 with E3M2 elements, block 32."""
    return MX("fp6_e3m2")


@_mx_name("mxfp4", "mxfp4_e2m1")
def mxfp4() -> MX:
    """MXFP4 (E2M1 elements), block 32."""
    return MX("fp4_e2m1")


@_mx_name("mxint8")
def mxint8() -> MX:
    """MXINT8 (8-bit two's complement × 2^-6 elements), block 32."""
    return MX("int8")


@notation(r"bfp<(\d+),(\d+)>", example="bfp<8,32>")
def _bfp(m: str, k: str, **kw: Any) -> BlockFloat:
    return BlockFloat(**{"mantissa_bits": int(m), "block": int(k), **kw})
