"""Floating-point element formats: minifloats, bfloat16, FP8/FP6/FP4, E8M0, scaled floats and
AdaptivFloat (docs/guide/minifloats.md, scaled.md).

``Minifloat(e, m, bias=None, subnormals=True, special="ieee", saturate=None)``: sign, ``e``
exponent bits, ``m`` mantissa bits. With exponent field E and mantissa field M:

* normal: ``(-1)^s 2^(E-bias) (1 + M/2^m)``;
* ``subnormals=True``: E = 0 is ``(-1)^s 2^(1-bias) M/2^m`` (IEEE gradual underflow);
  ``subnormals=False``: E = 0 is an ordinary binade ``2^(-bias)(1 + M/2^m)`` except that the
  all-zero magnitude is 0 (the fixed-field floats of GP with rs = 1, 2 and AdaptivFloat);
* ``special`` decides the reserved codes: ``"ieee"`` (E all ones: inf for M = 0, NaN
  otherwise), ``"fn"`` (finite; only S.1…1 is NaN, OCP E4M3), ``"fnuz"`` (finite, NaN = 1000…0,
  no -0, default bias 2^(e-1)), ``"none"`` (every code a number: MX FP6/FP4), ``"fnu"``
  (unsigned, NaN = all ones; without subnormals there is no zero either: E8M0).

E8M0 note: ml_dtypes converts float32 *subnormal* inputs (below 2^-126) to E8M0 by a bit rule
that is not nearest by value (1.4·2^-127 → 2^-126); lognum rounds them by value.

Rounding is to nearest, ties to the even significand (``rounding="stochastic"``: unbiased
stochastic rounding with a seeded ``numpy.random.Generator``). Values round directly from float64
(ml_dtypes casts float64 through float32 first, which double-rounds near ties: tests compare with
ml_dtypes on float32 inputs and with an exact oracle on float64 inputs).

Special values (``saturate`` None = the format's default; ``quantize(..., saturate=...)``
overrides it per call)::

    format            ±0    NaN code            ±inf in     overflow: default / sat  underflow
    float16/bfloat16  both  E=1…1, M≠0          ±inf        ±inf / ±max              RNE, ±0
    float8_e5m2       both  S.11111.{01,10,11}  ±inf        ±inf / ±max              RNE, ±0
    float8_e4m3fn     both  S.1111.111          NaN (±max)  NaN / ±max               RNE, ±0
    float8_e*fnuz     +0    1000 0000           NaN (±max)  NaN / ±max               RNE, +0
    float6/float4     both  none (NaN→code 0)   ±max        ±max (only mode)         RNE, ±0
    float8_e8m0fnu    none  1111 1111           NaN (max)   NaN / max                2^-127
    (zero and negative inputs of E8M0 give NaN, as ml_dtypes)

``quantize`` returns NaN for NaN inputs in every format (the float output can hold it);
``encode`` of NaN gives the NaN code, or code 0 in formats without one (as ml_dtypes).
Kernels: one bit-level rounding with run-time parameters (``lognum._kernels.floats``) serves every
format; float32 bfloat16 uses a dedicated 16-bit RNE on the binary32 bits.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, ClassVar

import numpy as np

from lognum.formats.base import Format, as_float_array, check_int
from lognum.formats.element import Adaptive, Rows, TableElement, check_code, options_suffix
from lognum.formats.record import Description, Field
from lognum.formats.registry import named, notation

SPECIALS = ("ieee", "fn", "fnuz", "none", "fnu")


# ------------------------------------------------------------------------------------------
# kernel parameters of a float grid


@dataclass(frozen=True)
class Grid:
    """The numbers the float kernels take (see ``lognum._kernels.floats``)."""

    n: int
    m: int
    emin: int
    bias: int
    sub: int
    vmin: float
    lomid: float
    tieup: int
    maxval: float
    ovfval: float
    infval: float
    nanval: float
    signed: int
    negzero: int
    zeronan: int
    ovfcode: int
    infcode: int
    nancode: int
    twos: int = 0

    def params(self, away: int = 0) -> Any:
        """The kernels' parameter bundle (``lognum._kernels.floats.FloatParams``) of this grid,
        rounding ties away from zero when ``away`` is 1 (else to the even significand)."""
        return self._params[1 if away else 0]

    @cached_property
    def f32(self) -> Any:
        """The binary32 fast path's constants (``lognum._kernels.floats.F32Params``) of this
        grid with ties to even, or None where that path does not apply."""
        from lognum._kernels.floats import f32_params

        return f32_params(self.params(0))

    @cached_property
    def f32codes(self) -> Any:
        """The code constants of the binary32 fast path (``lognum._kernels.floats.F32Codes``),
        or None where that path does not apply."""
        from lognum._kernels.floats import f32_codes

        return f32_codes(self.params(0))

    @cached_property
    def _params(self) -> tuple[Any, ...]:
        from lognum._kernels.floats import FloatParams

        return tuple(
            FloatParams(
                n=int(self.n),
                m=int(self.m),
                emin=int(self.emin),
                bias=int(self.bias),
                sub=int(self.sub),
                vmin=float(self.vmin),
                lomid=float(self.lomid),
                tieup=int(self.tieup),
                away=away,
                maxval=float(self.maxval),
                ovfval=float(self.ovfval),
                infval=float(self.infval),
                nanval=float(self.nanval),
                ovfcode=int(self.ovfcode),
                infcode=int(self.infcode),
                nancode=int(self.nancode),
                signed=int(self.signed),
                negzero=int(self.negzero),
                zeronan=int(self.zeronan),
                twos=int(self.twos),
            )
            for away in (0, 1)
        )


@cache
def _loops():
    from lognum._kernels import floats_loops

    return floats_loops


def grid_quantize(
    g: Grid, x: np.ndarray, out: np.ndarray, scs: np.ndarray, C: int, away: int = 0
) -> None:
    """Quantize 1-D contiguous ``x`` (R rows of C, row r scaled by 2^scs[r]) into ``out``
    (float32 in and out: the binary32 fast path where the grid has one, same results)."""
    q = None if away or x.dtype != np.float32 or out.dtype != np.float32 else g.f32
    if q is not None:
        _loops().quantize_rows_f32(x, out, scs, C, g.params(0), q)
    else:
        _loops().quantize_rows(x, out, scs, C, g.params(away))


def grid_encode(g: Grid, x: np.ndarray, scs: np.ndarray, C: int, away: int = 0) -> np.ndarray:
    """Element codes (uint32) of 1-D contiguous ``x`` divided by 2^scs[row]."""
    out = np.empty(x.size, dtype=np.uint32)
    _loops().encode_rows(x, out, scs, C, g.params(away))
    return out


def grid_encode_into(g: Grid, x: np.ndarray, out: np.ndarray, scs: np.ndarray, C: int) -> bool:
    """Element codes (ties to even) of float32 ``x`` straight into ``out`` (any unsigned
    dtype) through the binary32 fast path; False (nothing done) where it does not apply."""
    c = g.f32codes if x.dtype == np.float32 and out.dtype.kind == "u" else None
    if c is None:
        return False
    _loops().encode_rows_f32(x, out, scs, C, g.params(0), g.f32, c)
    return True


_ZERO_SC = np.zeros(1, dtype=np.int64)
_ZERO_SC.setflags(write=False)

_UFUNCS: dict[tuple, Any] = {}


def grid_ufunc(g: Grid, sc: int = 0, away: int = 0) -> Any:
    """Round to nearest on grid ``g`` scaled by 2^sc as a genuine NumPy ufunc (Numba
    ``@vectorize``, float32 and float64 loops) with every parameter compiled in as a constant:
    one compilation per configuration, on first use, kept for the process."""
    key = (g, sc, away)
    uf = _UFUNCS.get(key)
    if uf is not None:
        return uf
    from lognum._kernels.floats import f32_saturate, float_value
    from lognum._kernels.jit import jit_inline, ufunc

    isc, sc2 = math.ldexp(1.0, -sc), math.ldexp(1.0, sc)
    p = g.params(away)  # a tuple of numbers: the closure freezes it as compile-time constants
    if p.ovfval == p.maxval:  # saturating: float32 results beyond float32 max give float32 max

        def q(x):
            return f32_saturate(x, q64(x))

    else:

        def q(x):
            return q64(x)

    @jit_inline
    def q64(x):
        return float_value(x, isc, sc2, p)

    uf = ufunc()(q)
    _UFUNCS[key] = uf
    return uf


# ------------------------------------------------------------------------------------------
# Minifloat


NAMED_FLOATS: dict[str, tuple[int, int, int | None, bool, str]] = {
    "float16": (5, 10, None, True, "ieee"),
    "bfloat16": (8, 7, None, True, "ieee"),
    "float8_e4m3fn": (4, 3, None, True, "fn"),
    "float8_e5m2": (5, 2, None, True, "ieee"),
    "float8_e4m3fnuz": (4, 3, None, True, "fnuz"),
    "float8_e5m2fnuz": (5, 2, None, True, "fnuz"),
    "float8_e4m3": (4, 3, None, True, "ieee"),
    "float8_e3m4": (3, 4, None, True, "ieee"),
    "float6_e2m3fn": (2, 3, None, True, "none"),
    "float6_e3m2fn": (3, 2, None, True, "none"),
    "float4_e2m1fn": (2, 1, None, True, "none"),
    "float8_e8m0fnu": (8, 0, None, False, "fnu"),
}

#: every accepted spelling of a named float (canonical names and aliases, lower case) -> its
#: canonical name; filled by ``_float_name`` next to each factory below
ALIASES: dict[str, str] = {}


@dataclass(frozen=True)
class Minifloat(TableElement, Format):
    """A float with ``e`` exponent and ``m`` mantissa bits (see the module docstring for the
    layout, ``special`` variants and the special-value table). At most 16 bits.

    e: 1..8; m: 0..15-e; bias: integer in [-512, 512], default 2^(e-1)-1 (``fnuz``: 2^(e-1));
    subnormals: bool; special: "ieee" | "fn" | "fnuz" | "none" | "fnu"; saturate: None (format
    default: True for "none", else False as ml_dtypes), True or False (a value equal to the
    default is stored as None: the two spell the same format).
    """

    family: ClassVar[str] = "float"

    e: int
    m: int
    bias: int | None = None
    subnormals: bool = True
    special: str = "ieee"
    saturate: bool | None = None

    def __post_init__(self) -> None:
        check_int("e", self.e, 1, 8)
        check_int("m", self.m, 0, 15 - int(self.e))
        if self.special not in SPECIALS:
            raise ValueError(f"special must be one of {SPECIALS}, got {self.special!r}")
        if not isinstance(self.subnormals, bool | np.bool_):
            raise ValueError(f"subnormals must be True or False, got {self.subnormals!r}")
        object.__setattr__(self, "e", int(self.e))
        object.__setattr__(self, "m", int(self.m))
        object.__setattr__(self, "subnormals", bool(self.subnormals))
        if self.bias is None:
            object.__setattr__(self, "bias", (1 << (self.e - 1)) - (self.special != "fnuz"))
        object.__setattr__(self, "bias", check_int("bias", self.bias, -512, 512))
        if self.special == "ieee" and (self.e < 2 or self.m < 1):
            raise ValueError("special='ieee' needs e >= 2 and m >= 1 (room for inf and NaN)")
        if self.special == "fn" and self.e + self.m < 2:
            raise ValueError("special='fn' needs e + m >= 2")
        if self.saturate is not None:
            if not isinstance(self.saturate, bool | np.bool_):
                raise ValueError(f"saturate must be True, False or None, got {self.saturate!r}")
            object.__setattr__(self, "saturate", bool(self.saturate))
            if self.special == "none" and not self.saturate:
                raise ValueError("saturate must be True for special='none' (no inf/NaN codes)")
            if self.saturate == self.default_saturate:  # the same format: one value, one str
                object.__setattr__(self, "saturate", None)

    # -- structure ---------------------------------------------------------------------
    @property
    def signed(self) -> bool:
        return self.special != "fnu"

    @property
    def nbits(self) -> int:
        return int(self.signed) + self.e + self.m

    @property
    def n(self) -> int:
        return self.nbits

    @property
    def default_saturate(self) -> bool:
        """The overflow mode when ``saturate`` is None (ml_dtypes' behaviour)."""
        return self.special == "none"

    @property
    def saturating(self) -> bool:
        return self.default_saturate if self.saturate is None else self.saturate

    @property
    def _bias(self) -> int:
        """``bias`` as an int: ``__post_init__`` replaces None by the default bias."""
        assert self.bias is not None, "Minifloat.__post_init__ sets the default bias"
        return self.bias

    @property
    def _magbits(self) -> int:
        return self.e + self.m

    @property
    def _maxcode(self) -> int:
        """Magnitude code of the largest finite value."""
        allones = (1 << self._magbits) - 1
        if self.special == "ieee":
            return (((1 << self.e) - 1) << self.m) - 1
        if self.special in ("fn", "fnu"):
            return allones - 1
        return allones

    def _mag_value(self, mag: int) -> float:
        E, M = mag >> self.m, mag & ((1 << self.m) - 1)
        if E == 0 and self.subnormals:
            return math.ldexp(M, 1 - self._bias - self.m)
        return math.ldexp((1 << self.m) + M, E - self._bias - self.m)

    @property
    def maxpos(self) -> float:
        """Largest finite value."""
        return self._mag_value(self._maxcode)

    @property
    def minpos(self) -> float:
        """Smallest positive value (a subnormal when the format has them)."""
        if self.special == "fnu" and not self.subnormals:
            return self._mag_value(0)
        return self._mag_value(1)

    @property
    def min_normal(self) -> float:
        return math.ldexp(1.0, (1 if self.subnormals else 0) - self._bias)

    @property
    def eps(self) -> float:
        """Gap between 1 and the next value (2^-m)."""
        return math.ldexp(1.0, -self.m)

    @cached_property
    def grid(self) -> Grid:
        e, m, bias, n = self.e, self.m, self._bias, self.nbits
        sat = self.saturating
        sub = self.subnormals
        emin = (1 if sub else 0) - bias
        maxval = self.maxpos
        allones = (1 << self._magbits) - 1
        if sub:
            vmin = math.ldexp(1.0, emin - m) if m else math.ldexp(1.0, emin)
            lomid, tieup = vmin / 2, 0
        elif self.special == "fnu":
            vmin, lomid, tieup = math.ldexp(1.0, emin), 0.0, 1
        else:
            vmin = self._mag_value(1)
            lomid, tieup = vmin / 2, 0
        nan = math.nan
        sp = self.special
        if sp == "ieee":
            nancode = (((1 << e) - 1) << m) | (1 << (m - 1))
            infcode = ((1 << e) - 1) << m
            ovfval, infval = math.inf, math.inf
        elif sp in ("fn", "fnu"):
            nancode = infcode = allones
            ovfval = infval = nan
        elif sp == "fnuz":
            nancode = infcode = 1 << (n - 1)
            ovfval = infval = nan
        else:
            nancode, infcode = -1, self._maxcode
            ovfval = infval = maxval
        ovfcode = infcode
        if sat:
            ovfval, ovfcode = maxval, self._maxcode
            infval, infcode = maxval, self._maxcode
        return Grid(
            n=n,
            m=m,
            emin=emin,
            bias=bias,
            sub=int(sub),
            vmin=vmin,
            lomid=lomid,
            tieup=tieup,
            maxval=maxval,
            ovfval=ovfval,
            infval=infval,
            nanval=nan,
            signed=int(self.signed),
            negzero=int(sp != "fnuz"),
            zeronan=int(sp == "fnu" and not sub),
            ovfcode=ovfcode,
            infcode=infcode,
            nancode=nancode,
        )

    def _code_table(self) -> np.ndarray:
        """Exact float64 value of every code (NaN codes → NaN)."""
        n, m, e = self.nbits, self.m, self.e
        codes = np.arange(1 << n, dtype=np.int64)
        magbits = self._magbits
        mag = codes & ((1 << magbits) - 1)
        E = mag >> m
        M = mag & ((1 << m) - 1)
        normal = np.ldexp(((1 << m) + M).astype(np.float64), (E - self._bias - m))
        v = normal
        if self.subnormals:
            v = np.where(E == 0, np.ldexp(M.astype(np.float64), 1 - self._bias - m), normal)
        elif self.special != "fnu":
            v = np.where(mag == 0, 0.0, v)
        sp = self.special
        allones = (1 << magbits) - 1
        if sp == "ieee":
            top = E == (1 << e) - 1
            v = np.where(top & (M == 0), np.inf, np.where(top, np.nan, v))
        elif sp in ("fn", "fnu"):
            v = np.where(mag == allones, np.nan, v)
        if self.signed:
            v = np.where(codes >> (n - 1) == 1, -v, v)
        if sp == "fnuz":
            v = np.where(codes == 1 << (n - 1), np.nan, v)
        return v.astype(np.float64)

    # -- kernels ----------------------------------------------------------------------------
    @property
    def _is_bf16(self) -> bool:
        return (self.e, self.m, self.bias, self.subnormals, self.special) == (
            8,
            7,
            127,
            True,
            "ieee",
        )

    def _nearest_values(self, x: np.ndarray, out: np.ndarray) -> None:
        if self._is_bf16 and x.dtype == np.float32:
            _loops().bf16_quantize_f32(x, out, int(self.saturating))
        else:
            grid_quantize(self.grid, x, out, _ZERO_SC, x.size)

    def _nearest_codes(self, x: np.ndarray) -> np.ndarray:
        return grid_encode(self.grid, x, _ZERO_SC, x.size)

    def _nearest_codes_into(self, x: np.ndarray, out: np.ndarray) -> bool:
        if self._is_bf16 and x.dtype == np.float32 and out.dtype == np.uint16:
            _loops().bf16_encode_f32(x, out, int(self.saturating))
            return True
        return grid_encode_into(self.grid, x, out, _ZERO_SC, x.size)

    def _thresholds(self) -> tuple[np.ndarray, np.ndarray]:
        pv, pc, _ = self._mag_table
        thr = (pv[:-1] + pv[1:]) / 2.0
        if self.m == 0:  # ties go to the even significand: always up when m = 0
            tup = np.ones(thr.size, dtype=np.int8)
        else:
            tup = (pc[1:] % 2 == 0).astype(np.int8)
        if pv[0] == 0.0:
            tup[0] = 0  # between 0 and the smallest value: to zero (the even code)
        return thr, tup

    def quantize_table(self, x: Any) -> np.ndarray:
        """Round to nearest by binary search on the value table (the slow reference path the
        tests compare with the bit-level kernel). Same results as ``quantize``."""
        a, scalar = as_float_array(x)
        flat = np.ascontiguousarray(a).reshape(-1)
        pv, pc, nc = self._mag_table
        idx = self._table_index(flat)
        v = pv[idx]
        neg = np.signbit(flat)
        v = np.where(neg & (nc[idx] != pc[idx]), -v, v)
        g = self.grid
        ax = np.abs(flat.astype(np.float64))
        thr, tup = self._thr
        # overflow: beyond the midpoint between max and the next grid value
        nxt = self._overflow_threshold()
        over = (ax > nxt[0]) | ((ax == nxt[0]) & nxt[1]) | np.isinf(ax)
        ov = np.where(np.isinf(ax), g.infval, g.ovfval)
        v = np.where(over, np.where(neg & (g.signed == 1), -ov, ov), v)
        if g.zeronan:
            v = np.where((ax == 0) | neg, np.nan, v)
        v = np.where(np.isnan(flat), np.nan, v)
        res = v.astype(a.dtype).reshape(a.shape)
        return res[()] if scalar else res

    def _overflow_threshold(self) -> tuple[float, bool]:
        """Midpoint between maxpos and the next value of the unbounded grid, and whether the
        tie there overflows (the next significand is even)."""
        mx = self.maxpos
        E = math.frexp(mx)[1] - 1
        ulp = math.ldexp(1.0, E - self.m)
        r = int(mx / ulp)  # significand integer of maxpos
        return mx + ulp / 2, (r % 2 == 1)

    def _build_ufunc(self) -> Any:
        """``ufunc``: this format's round-to-nearest quantize (with its ``saturate`` setting),
        the bit-level kernel with the grid compiled in. Same results as ``quantize``."""
        return grid_ufunc(self.grid)

    # -- describe / notation ----------------------------------------------------------------
    def describe(self, code: int) -> Description:
        """Fields of one code: sign, exponent field E, mantissa field M (rows "sign",
        "exponent", "mantissa"), then "kind" (normal/subnormal) and "scale" (the power of two
        that multiplies the significand)."""
        return _float_description(
            str(self), code, self.e, self.m, self._bias, self.subnormals, self.signed, self._dec
        )

    def _name(self) -> str | None:
        key = (self.e, self.m, self.bias, self.subnormals, self.special)
        for name, (e, m, b, sub, sp) in NAMED_FLOATS.items():
            if b is None:
                b = (1 << (e - 1)) - (sp != "fnuz")
            if (e, m, b, sub, sp) == key:
                return name
        return None

    def __str__(self) -> str:
        name = self._name()
        opts: list[tuple[str, Any]] = []
        if name is None:
            name = f"minifloat<{self.e},{self.m}>"
            # what "minifloat<e,m>(special=...)" gets from the constructor
            default_bias = (1 << (self.e - 1)) - (self.special != "fnuz")
            if self.special != "ieee":
                opts.append(("special", self.special))
            if self.bias != default_bias:
                opts.append(("bias", self.bias))
            if not self.subnormals:
                opts.append(("subnormals", False))
        if self.saturate is not None and self.saturate != self.default_saturate:
            opts.append(("saturate", self.saturate))
        return name + options_suffix(opts)


def _float_description(
    name: str,
    code: int,
    e: int,
    m: int,
    bias: int,
    subnormals: bool,
    signed: bool,
    table: np.ndarray,
) -> Description:
    """The describe record of code ``code`` of a float with ``e`` exponent and ``m`` mantissa
    bits, exponent bias ``bias`` (a scaled float's scale folded in), labelled ``name``, whose
    value is ``table[code]``."""
    n = int(signed) + e + m
    code = check_code(code, n)
    pattern = format(code, f"0{n}b")
    sign = code >> (n - 1) if signed else 0
    mag = code & ((1 << (e + m)) - 1)
    E, M = mag >> m, mag & ((1 << m) - 1)
    ebits = format(E, f"0{e}b")
    mbits = format(M, f"0{m}b") if m else ""
    value = float(table[code])
    special = None
    if math.isnan(value):
        special = "NaN"
    elif math.isinf(value):
        special = "-inf" if sign else "+inf"
    elif value == 0.0:
        special = "-0" if sign else "0"
    if E == 0 and subnormals:
        kind, scale = "subnormal", 1 - bias
    else:
        kind, scale = "normal", E - bias
    if special:
        text = f"{name} {pattern}: {special}"
    else:
        text = (
            f"{name} {pattern}: sign {sign}, exponent '{ebits}' (E = {E}), mantissa '{mbits}'"
            f" (M = {M}), {kind}, value {value!r} = {'-' if sign else ''}2^{scale} x "
            f"{'1 + ' if kind == 'normal' else ''}{M}/{1 << len(mbits)}"
        )
    fields = (
        Field("sign", format(sign, "b") if signed else "", sign),
        Field("exponent", ebits, E),
        Field("mantissa", mbits, M),
        Field("kind", "", kind),
        Field("scale", "", scale),
    )
    return Description(name, code, pattern, fields, value, special, text)


def _float_name(name: str, *aliases: str) -> Any:
    """``registry.named`` for a named float, also recorded in ``ALIASES`` (for
    ``minifloat(name)``)."""

    def register(fn: Any) -> Any:
        for a in (name, *aliases):
            ALIASES[a] = name
        return named(name, *aliases)(fn)

    return register


def minifloat(name: str) -> Minifloat:
    """A named float format (ml_dtypes/LLVM names, e.g. ``"float8_e4m3fn"``, or an alias such
    as ``"fp8_e4m3"``, ``"bf16"``, ``"fp4"``)."""
    key = ALIASES.get(str(name).lower())
    if key is None:
        raise ValueError(f"name must be one of {sorted(NAMED_FLOATS)}, got {name!r}")
    e, m, bias, sub, sp = NAMED_FLOATS[key]
    return Minifloat(e, m, bias, sub, sp)


@_float_name("float16", "fp16", "half", "binary16")
def float16() -> Minifloat:
    """IEEE binary16: E5M10, bias 15, max 65504."""
    return minifloat("float16")


@_float_name("bfloat16", "bf16")
def bfloat16() -> Minifloat:
    """bfloat16: E8M7, bias 127 (the upper half of binary32)."""
    return minifloat("bfloat16")


@_float_name("float8_e4m3fn", "fp8_e4m3", "e4m3")
def float8_e4m3fn() -> Minifloat:
    """OCP FP8 E4M3: bias 7, max 448, NaN = S.1111.111, no inf."""
    return minifloat("float8_e4m3fn")


@_float_name("float8_e5m2", "fp8_e5m2", "e5m2")
def float8_e5m2() -> Minifloat:
    """OCP FP8 E5M2: IEEE-style, bias 15, max 57344."""
    return minifloat("float8_e5m2")


@_float_name("float8_e4m3fnuz", "fp8_e4m3fnuz")
def float8_e4m3fnuz() -> Minifloat:
    """Graphcore/AMD FP8 E4M3: bias 8, max 240, NaN = 0x80, no -0, no inf."""
    return minifloat("float8_e4m3fnuz")


@_float_name("float8_e5m2fnuz", "fp8_e5m2fnuz")
def float8_e5m2fnuz() -> Minifloat:
    """Graphcore/AMD FP8 E5M2: bias 16, max 57344, NaN = 0x80, no -0, no inf."""
    return minifloat("float8_e5m2fnuz")


@_float_name("float8_e4m3")
def float8_e4m3() -> Minifloat:
    """IEEE-style FP8 E4M3 (inf and NaN): bias 7, max 240."""
    return minifloat("float8_e4m3")


@_float_name("float8_e3m4")
def float8_e3m4() -> Minifloat:
    """IEEE-style FP8 E3M4: bias 3, max 15.5."""
    return minifloat("float8_e3m4")


@_float_name("float6_e2m3fn", "fp6_e2m3", "e2m3")
def float6_e2m3fn() -> Minifloat:
    """OCP MX FP6 E2M3: bias 1, max 7.5, no inf/NaN (saturating)."""
    return minifloat("float6_e2m3fn")


@_float_name("float6_e3m2fn", "fp6_e3m2", "e3m2")
def float6_e3m2fn() -> Minifloat:
    """OCP MX FP6 E3M2: bias 3, max 28, no inf/NaN (saturating)."""
    return minifloat("float6_e3m2fn")


@_float_name("float4_e2m1fn", "fp4", "fp4_e2m1", "e2m1")
def float4_e2m1fn() -> Minifloat:
    """OCP MX FP4 E2M1: bias 1, values 0, 0.5, 1, 1.5, 2, 3, 4, 6 (saturating)."""
    return minifloat("float4_e2m1fn")


@_float_name("float8_e8m0fnu", "e8m0", "fp8_e8m0")
def float8_e8m0fnu() -> Minifloat:
    """OCP E8M0 scale: unsigned powers of two 2^-127..2^127, 0xFF = NaN, no zero."""
    return minifloat("float8_e8m0fnu")


# ------------------------------------------------------------------------------------------
# ScaledFloat (ALPS baseline)


@dataclass(frozen=True)
class ScaledFloat(Adaptive, TableElement, Format):
    """Scaled float ``SF<e,m,sc>``: the ALPS baseline (Langroudi et al. 2021) — a float with
    ``e`` exponent and ``m`` mantissa bits, IEEE bias 2^(e-1)-1, subnormals, every code a number
    (no inf/NaN, saturating), times a per-layer power-of-two scale 2^sc.

    e: 1..8; m: 0..15-e; sc: integer in [-126, 126] (None: chosen from the data by
    ``fit``/``quantize`` as the smallest sc with max|x| <= maxpos, ALPS' per-layer scale).
    """

    family: ClassVar[str] = "float"

    e: int
    m: int
    sc: int | None = 0

    def __post_init__(self) -> None:
        check_int("e", self.e, 1, 8)
        check_int("m", self.m, 0, 15 - int(self.e))
        object.__setattr__(self, "e", int(self.e))
        object.__setattr__(self, "m", int(self.m))
        if self.sc is not None:
            object.__setattr__(self, "sc", check_int("sc", self.sc, -126, 126))

    @property
    def base(self) -> Minifloat:
        """The unscaled element format."""
        return Minifloat(self.e, self.m, special="none")

    @property
    def nbits(self) -> int:
        return 1 + self.e + self.m

    def _need(self) -> int:
        if self.sc is None:
            raise ValueError("sc is None: call fit(x) (or quantize(x)) to choose it from data")
        return self.sc

    @property
    def maxpos(self) -> float:
        return math.ldexp(self.base.maxpos, self._need())

    @property
    def minpos(self) -> float:
        return math.ldexp(self.base.minpos, self._need())

    def fit(self, x: Any) -> ScaledFloat:
        """The format with sc = the smallest power-of-two scale that makes max|x| <= maxpos."""
        a, _ = as_float_array(x)
        fin = np.abs(a[np.isfinite(a)])
        amax = float(np.max(fin)) if fin.size else 0.0
        if amax == 0.0:  # all zero, or no finite entry
            return dataclasses.replace(self, sc=0)
        sc = math.ceil(math.log2(amax) - math.log2(self.base.maxpos))  # no under/overflow
        while math.ldexp(self.base.maxpos, sc) < amax:
            sc += 1
        while math.ldexp(self.base.maxpos, sc - 1) >= amax:
            sc -= 1
        return dataclasses.replace(self, sc=max(-126, min(126, sc)))

    @property
    def needs_fit(self) -> bool:
        """True while ``sc`` is None (quantize/encode then choose it per call)."""
        return self.sc is None

    def _ufunc(self) -> Any:
        return grid_ufunc(self.grid, self._need())

    @cached_property
    def grid(self) -> Grid:
        return self.base.grid

    def _code_table(self) -> np.ndarray:
        return self.base._code_table() * math.ldexp(1.0, self._need())

    def _nearest_values(self, x: np.ndarray, out: np.ndarray) -> None:
        grid_quantize(self.grid, x, out, np.array([self._need()], dtype=np.int64), x.size)

    def _nearest_codes(self, x: np.ndarray) -> np.ndarray:
        return grid_encode(self.grid, x, np.array([self._need()], dtype=np.int64), x.size)

    def _nearest_codes_into(self, x: np.ndarray, out: np.ndarray) -> bool:
        return grid_encode_into(self.grid, x, out, np.array([self._need()], np.int64), x.size)

    def describe(self, code: int) -> Description:
        """Fields of one code as ``Minifloat.describe``; ``scale`` includes sc."""
        b = self.base
        return _float_description(
            str(self), code, self.e, self.m, b._bias - self._need(), True, True, self._dec
        )

    def __str__(self) -> str:
        if self.sc is None:
            return f"SF<{self.e},{self.m}>"
        return f"SF<{self.e},{self.m},{self.sc}>"


# ------------------------------------------------------------------------------------------
# AdaptivFloat (Tambe et al., DAC 2020)


AF_VARIANTS = (2020, 2022)


@dataclass(frozen=True)
class AdaptivFloat(Adaptive, TableElement, Format):
    """AdaptivFloat ``AF<n,e>`` (Tambe et al., DAC 2020; docs/guide/scaled.md): n bits, 1 sign, e
    exponent, m = n-1-e mantissa bits, no subnormals, the exponent range chosen per tensor from
    max|W|.

    ``variant=2020`` (default; the authors' original numpy code, commit 34b5312): all 2^e exponent
    codes, ``exp_max = floor(log2 max|W|)``, ``exp_min = exp_max - (2^e - 1)``, value
    ``2^(E + exp_min)(1 + M/2^m)``; the code ±2^exp_min·1.0 is zero; |x| < value_min/2 → 0,
    value_min/2 <= |x| < value_min → value_min (the code has ``>`` here, which maps |x| =
    value_min/2 to a non-representable value: the ``>=`` fix of docs/errata.md), above value_max
    → value_max (saturate), otherwise mantissa RNE.
    ``variant=2022`` (commit e107ec4): IEEE normal range only (exponent fields 1..2^e-2, E = 0 is
    zero), |x| < 2^min_exp flushes to 0, saturating.

    ``bias``: the integer exponent bias in the IEEE convention value = 2^(E - bias)(1 + M/2^m)
    (None: chosen from the data by ``fit``/``quantize``). In the authors' conventions: 2020 code
    ``bias = exp_min = -bias``; 2022 code ``bias = bias - 2^(e-1) + 1``.
    ``axis``: None for one bias per tensor, or the axis whose slices get their own bias (then
    ``bias`` is a tuple after ``fit``).
    """

    family: ClassVar[str] = "float"

    n: int
    e: int
    bias: int | tuple[int, ...] | None = None
    variant: int = 2020
    axis: int | None = None

    def __post_init__(self) -> None:
        check_int("n", self.n, 2, 16)
        check_int("e", self.e, 1, min(8, int(self.n) - 1))
        object.__setattr__(self, "n", int(self.n))
        object.__setattr__(self, "e", int(self.e))
        if self.variant not in AF_VARIANTS:
            raise ValueError(f"variant must be one of {AF_VARIANTS}, got {self.variant!r}")
        if self.variant == 2022 and self.e < 2:
            raise ValueError("e must be >= 2 for variant=2022 (IEEE normal range)")
        if self.axis is not None:
            object.__setattr__(self, "axis", check_int("axis", self.axis, -32, 31))
        b = self.bias
        lo, hi = self.bias_range
        if isinstance(b, list | tuple | np.ndarray):
            if self.axis is None:
                raise ValueError("bias must be an integer when axis is None")
            b = tuple(check_int("bias", v, lo, hi) for v in b)
            object.__setattr__(self, "bias", b)
        elif b is not None:
            object.__setattr__(self, "bias", check_int("bias", b, lo, hi))

    @property
    def bias_range(self) -> tuple[int, int]:
        """The biases whose values are all finite, normal float64 numbers: the largest value
        (2 - 2^-m)·2^(top - bias) must not overflow (top = 2^e - 1, or 2^e - 2 for 2022) and
        the smallest nonzero one must be at least 2^-1022. ``fit`` clamps to this range (data
        beyond it saturates, or rounds to 0 / the smallest value)."""
        top = (1 << self.e) - 1 if self.variant == 2020 else (1 << self.e) - 2
        return top - 1023, 1022 if self.variant == 2020 else 1023

    @property
    def m(self) -> int:
        return self.n - 1 - self.e

    @property
    def nbits(self) -> int:
        return self.n

    def bias_for(self, exp_max: int) -> int:
        """The bias that puts the top binade at 2^exp_max (clamped to ``bias_range``)."""
        if self.variant == 2020:
            b = (1 << self.e) - 1 - exp_max
        else:
            b = (1 << self.e) - 2 - exp_max
        lo, hi = self.bias_range
        return int(max(lo, min(hi, b)))

    @property
    def exp_max(self) -> int | tuple[int, ...]:
        """floor(log2 value_max) of the fitted format (per slice when axis is set)."""
        top = (1 << self.e) - 1 if self.variant == 2020 else (1 << self.e) - 2
        b = self._need()
        return tuple(top - v for v in b) if isinstance(b, tuple) else top - b

    def _need(self) -> int | tuple[int, ...]:
        if self.bias is None:
            raise ValueError("bias is None: call fit(x) (or quantize(x)) to choose it from data")
        return self.bias

    def _scalar_bias(self) -> int:
        b = self._need()
        if isinstance(b, tuple):
            raise ValueError(
                "a per-slice AdaptivFloat has no single value table; index one "
                "slice with AdaptivFloat(n, e, bias=b) instead"
            )
        return b

    @property
    def _unit(self) -> Grid:
        """The grid for bias 0 (per-tensor biases are applied as a power-of-two row scale)."""
        return _af_grid(self.n, self.e, self.variant)

    @property
    def grid(self) -> Grid:
        return _af_grid(self.n, self.e, self.variant, self._scalar_bias())

    @property
    def maxpos(self) -> float:
        return self.grid.maxval

    @property
    def minpos(self) -> float:
        return self.grid.vmin

    def fit(self, x: Any) -> AdaptivFloat:
        """The concrete format: bias from floor(log2 max|x|) (per tensor, or per slice along
        ``axis``). NaN/inf entries are ignored; an all-zero tensor gets exp_max = 0."""
        a, _ = as_float_array(x)
        rows = Rows.slices(a, self.axis)
        biases = [self.bias_for(int(v)) for v in _exp_max_rows(rows.flat.reshape(rows.R, rows.C))]
        return dataclasses.replace(self, bias=biases[0] if self.axis is None else tuple(biases))

    # -- the adaptive kind (element.Adaptive) --------------------------------------------
    @property
    def needs_fit(self) -> bool:
        """True while ``bias`` is None (quantize/encode then choose it per call)."""
        return self.bias is None

    @property
    def sliced(self) -> bool:
        return isinstance(self.bias, tuple)

    @property
    def n_slices(self) -> int:
        return len(self.bias) if isinstance(self.bias, tuple) else 1

    def slice_format(self, i: int) -> AdaptivFloat:
        """The per-tensor format of slice ``i`` (per-slice biases)."""
        b = self._need()
        return dataclasses.replace(self, bias=b[i] if isinstance(b, tuple) else b, axis=None)

    def _round_rows(
        self, flat: np.ndarray, out: np.ndarray, C: int, rounding: str, rng: Any, codes: bool
    ) -> None:
        """Rows of C, row r with the bias of slice r (a power-of-two row scale on the bias-0
        grid); stochastic rounding slice by slice."""
        scs = -np.array(self._need(), dtype=np.int64).reshape(-1)
        if rounding == "nearest":
            if codes:
                out[...] = grid_encode(self._unit, flat, scs, C)
            else:
                grid_quantize(self._unit, flat, out, scs, C)
            return
        for r in range(scs.size):
            one = self.slice_format(r)
            part = flat[r * C : (r + 1) * C]
            if codes:
                out[r * C : (r + 1) * C] = one.encode(part, rounding=rounding, rng=rng)
            else:
                out[r * C : (r + 1) * C] = one.quantize(part, rounding=rounding, rng=rng)

    def _ufunc(self) -> Any:
        return grid_ufunc(self._unit, -self._scalar_bias())

    def _code_table(self) -> np.ndarray:
        return _af_table(self.n, self.e, self.variant, self._scalar_bias()).copy()

    def _nearest_values(self, x: np.ndarray, out: np.ndarray) -> None:
        grid_quantize(self._unit, x, out, np.array([-self._scalar_bias()], np.int64), x.size)

    def _nearest_codes(self, x: np.ndarray) -> np.ndarray:
        return grid_encode(self._unit, x, np.array([-self._scalar_bias()], np.int64), x.size)

    def describe(self, code: int) -> Description:
        """Fields of one code as ``Minifloat.describe`` (exponent E, mantissa M; no
        subnormals; the all-zero magnitude is 0)."""
        b = self._scalar_bias()
        return _float_description(str(self), code, self.e, self.m, b, False, True, self._dec)

    def __str__(self) -> str:
        opts: list[tuple[str, Any]] = []
        if self.bias is not None:
            opts.append(("bias", self.bias))
        if self.variant != 2020:
            opts.append(("variant", self.variant))
        if self.axis is not None:
            opts.append(("axis", self.axis))
        return f"AF<{self.n},{self.e}>" + options_suffix(opts)


def _exp_max_rows(rows: np.ndarray) -> np.ndarray:
    """floor(log2 max|row|) per row, ignoring NaN/inf; 0 for an all-zero row."""
    a = np.abs(np.asarray(rows, dtype=np.float64))
    a = np.where(np.isfinite(a), a, 0.0)
    amax = a.max(axis=1) if a.shape[1] else np.zeros(a.shape[0])
    _, ex = np.frexp(amax)
    return np.where(amax > 0, ex - 1, 0).astype(np.int64)


@cache
def _af_grid(n: int, e: int, variant: int, bias: int = 0) -> Grid:
    m = n - 1 - e
    if variant == 2020:
        emin = -bias
        vmin = math.ldexp(1.0 + math.ldexp(1.0, -m), emin) if m else math.ldexp(1.0, emin + 1)
        lomid, tieup = vmin / 2, 1  # the '>=' fix: value_min/2 rounds up
        top = (1 << e) - 1
    else:
        emin = 1 - bias
        vmin = math.ldexp(1.0, emin)
        lomid, tieup = vmin, 1  # flush: |x| < 2^min_exp -> 0
        top = (1 << e) - 2
    maxval = math.ldexp(2.0 - math.ldexp(1.0, -m), top - bias)
    maxcode = (top << m) | ((1 << m) - 1)
    return Grid(
        n=n,
        m=m,
        emin=emin,
        bias=bias,
        sub=0,
        vmin=vmin,
        lomid=lomid,
        tieup=tieup,
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
    )


@cache
def _af_table(n: int, e: int, variant: int, bias: int) -> np.ndarray:
    m = n - 1 - e
    codes = np.arange(1 << n, dtype=np.int64)
    mag = codes & ((1 << (n - 1)) - 1)
    E, M = mag >> m, mag & ((1 << m) - 1)
    v = np.ldexp(((1 << m) + M).astype(np.float64), E - bias - m)
    if variant == 2020:
        v = np.where(mag == 0, 0.0, v)
    else:
        v = np.where(E == 0, 0.0, v)
        v = np.where(E == (1 << e) - 1, np.nan, v)  # unused codes
    v = np.where(codes >> (n - 1) == 1, -v, v)
    v.setflags(write=False)
    return v


# ------------------------------------------------------------------------------------------
# notation


@notation(r"minifloat<(\d+),(\d+)>", example="minifloat<4,3>")
def _minifloat(e: str, m: str, **kw: Any) -> Minifloat:
    return Minifloat(**{"e": int(e), "m": int(m), **kw})


@notation(r"sf<(\d+),(\d+)(?:,([+-]?\d+))?>", example="SF<4,3>")
def _sf(e: str, m: str, sc: str | None = None, **kw: Any) -> ScaledFloat:
    return ScaledFloat(**{"e": int(e), "m": int(m), "sc": None if sc is None else int(sc), **kw})


@notation(r"(?:af|adaptivfloat)<(\d+),(\d+)>", example="AF<8,3>")
def _af(n: str, e: str, **kw: Any) -> AdaptivFloat:
    return AdaptivFloat(**{"n": int(n), "e": int(e), **kw})


__all__ = [
    "AdaptivFloat",
    "Minifloat",
    "ScaledFloat",
    "bfloat16",
    "float16",
    "float4_e2m1fn",
    "float6_e2m3fn",
    "float6_e3m2fn",
    "float8_e4m3fn",
    "float8_e4m3fnuz",
    "float8_e5m2",
    "float8_e5m2fnuz",
    "float8_e8m0fnu",
    "minifloat",
]
