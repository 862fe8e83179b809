"""Uniform formats: integers, fixed point, and the integer quantizers users call — symmetric and
affine (per tensor or per channel), and dynamic fixed point (docs/guide/fixed.md).

* ``FixedPoint(n, frac_bits=0, signed=True)``: two's-complement (or unsigned) n-bit integer q,
  value ``q·2^-frac_bits`` (Qm.f). ``Integer(n)`` is ``FixedPoint(n, 0)``; notation ``int8``,
  ``uint8``, ``fixed<8,4>``, ``ufixed<8,4>``.
* ``SymmetricInt(n, axis=None, scale=None)``: ``S = max|x| / (2^(n-1) - 1)``, Z = 0, codes
  ±(2^(n-1) - 1) (the lecture's ±max|x| ↦ ±127; -2^(n-1) unused). Notation ``int8_sym``.
* ``AffineInt(n, signed=False, axis=None, scale=None, zero_point=None)`` (Jacob et al., CVPR
  2018; TFLite): ``S = (rmax - rmin)/(qmax - qmin)``, ``Z = round(qmin - rmin/S)`` with the range
  widened to include 0 (so 0 is exact), ``q = clamp(round(x/S) + Z)``, ``x̂ = (q - Z)·S``.
  Notation ``uint8_affine`` / ``int8_affine``.
* ``DynamicFixedPoint(n, frac_bits=None, axis=None)`` (Courbariaux et al. 2014; Ristretto):
  fixed point whose fractional length is chosen per tensor (or slice):
  ``il = ceil(log2 max|x|) + 1`` (incl. sign), ``fl = n - il``. Notation ``dfxp<8>``.

Tensor-adaptive quantizers choose their parameters from the data when they are None:
``fmt.fit(x)`` returns the concrete format (scale, zero point or frac_bits fixed and visible),
``fmt.quantize(x)`` fits and quantizes. With ``axis`` set, every slice along that axis gets its
own parameters (per-channel quantization) and the fitted fields are tuples.

Arithmetic in the input's precision: for float32 inputs ``x/S``, the rounding and ``(q - Z)·S``
are float32 operations with S rounded to float32, exactly the NumPy expression
``np.clip(np.rint(x / np.float32(S)) + Z, qmin, qmax)`` (and framework fake quantization);
float64 inputs use float64. Rounding: nearest, ties to even (``ties="away"``: ties away from
zero, as C ``round``), or ``rounding="stochastic"`` (``floor(x/S + u)``, unbiased).
Out-of-range values saturate (the only mode; ``saturate=False`` raises). NaN quantizes to NaN
and encodes as the code of 0 (Z).
Kernels: ``lognum._kernels.fixed``, parameters as run-time numbers.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from lognum.formats.base import Format, as_float_array, check_int, check_real
from lognum.formats.element import (
    Adaptive,
    Rows,
    TableElement,
    by_type,
    check_code,
    options_suffix,
)
from lognum.formats.record import Description, Field
from lognum.formats.registry import notation

TIES = ("even", "away")
_TINY = float(np.finfo(np.float64).tiny)  # 2^-1022
_DBL_MAX = float(np.finfo(np.float64).max)


@cache
def _k():
    from lognum._kernels import fixed

    return fixed


def absmax_rows(rows: np.ndarray) -> np.ndarray:
    """max|x| over the finite entries of each row of a 2-D array (0 for none)."""
    r = np.ascontiguousarray(rows)
    out = np.empty(r.shape[0], dtype=np.float64)
    if r.size and r.dtype == np.float32:
        _k().absmax_rows_f32(r.reshape(-1), r.shape[1], out)
    elif r.size:
        _k().absmax_rows(r.reshape(-1), r.shape[1], out)
    else:
        out[:] = 0.0
    return out


class _IntMixin(TableElement):
    """Shared plumbing: subclasses give ``nbits``, ``qmin``, ``qmax``, ``ties`` and
    ``_params()`` -> (S, Z) float64 arrays (one entry per slice) for the fitted parameters."""

    ties: str = "even"

    if TYPE_CHECKING:  # the adaptive subclasses' (``slice_format`` serves only them)

        def _slice(self, i: int) -> Format: ...

    @property
    def qmin(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def qmax(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _params(self) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def _axis(self) -> int | None:
        return getattr(self, "axis", None)

    def _prep(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        s, z = self._params()
        if s.size != 1:
            raise ValueError("per-slice parameters need the array's shape: use quantize/encode")
        return s, z, flat.size

    # element hooks (per-tensor parameters)
    def _kargs(self, x: np.ndarray, s: np.ndarray, z: np.ndarray) -> tuple:
        """S, Z and the constants in x's dtype (the arithmetic runs in the input precision).

        float32 input falls back to float64 arithmetic (result rounded to float32) when a
        scale is not a normal float32 or the largest level times it would overflow float32:
        S rounded to float32 would be 0, subnormal (imprecise) or inf, and x/S, (q - Z)·S
        would give NaN for x = 0 (1e-45/127, 2^128, 1e-300 as scales)."""
        dt = x.dtype
        if dt == np.float32:
            span = float(self.qmax - self.qmin)
            with np.errstate(over="ignore", under="ignore"):
                s32 = s.astype(np.float32)
            ok = (
                np.all(np.isfinite(s32))
                and np.all(s32 >= np.finfo(np.float32).tiny)
                and float(np.max(s)) * span <= float(np.finfo(np.float32).max)
            )
            if not ok:
                dt = np.dtype(np.float64)
        return s.astype(dt), z.astype(dt), _k().params(dt, float(self.qmin), float(self.qmax))

    def _nearest_values(self, x: np.ndarray, out: np.ndarray) -> None:
        s, z, C = self._prep(x)
        s, z, p = self._kargs(x, s, z)
        _k().quantize_rows(x, out, s, z, C, p, int(self.ties == "away"))

    def _nearest_codes(self, x: np.ndarray) -> np.ndarray:
        out = np.empty(x.size, dtype=np.uint32)
        self._nearest_codes_into(x, out)
        return out

    def _nearest_codes_into(self, x: np.ndarray, out: np.ndarray) -> bool:
        """The codes straight into ``out`` (the code dtype: no uint32 temporary)."""
        if out.dtype.kind != "u":
            return False
        s, z, C = self._prep(x)
        s, z, p = self._kargs(x, s, z)
        _k().encode_rows(
            x, out, s, z, C, p, int(self.ties == "away"), self.nbits, self.qmin, self.qmax
        )
        return True

    def _levels_stochastic(
        self, x: np.ndarray, rng: np.random.Generator, s: np.ndarray, z: np.ndarray, C: int
    ) -> np.ndarray:
        q = np.empty(x.size, dtype=np.float64)
        _k().stochastic_levels(
            x, rng.random(x.size), q, s, z, C, float(self.qmin), float(self.qmax)
        )
        return q

    def _stochastic(self, x: np.ndarray, rng: np.random.Generator, codes: bool) -> np.ndarray:
        s, z, C = self._prep(x)
        q = self._levels_stochastic(x, rng, s, z, C)
        if codes:
            q = np.where(np.isnan(q), z[0], q)
            return (q.astype(np.int64) & ((1 << self.nbits) - 1)).astype(np.uint32)
        return ((q - z[0]) * s[0]).astype(x.dtype)

    @property
    def _max_magnitude(self) -> float:
        """max |(q - Z)·S| over the levels (the most negative level can exceed maxpos)."""
        s, z = self._params()
        return float(np.max(s * np.maximum(self.qmax - z, z - self.qmin)))

    def _decode_flat(self, codes: np.ndarray, out: np.ndarray) -> None:
        s, z = self._params()
        if s.size != 1:
            raise ValueError("decode needs per-tensor parameters (axis=None)")
        if self.nbits <= 12 and codes.size > 1 << self.nbits and codes.dtype.kind == "u":
            from lognum._kernels.floats_table import take_table

            table = np.empty(1 << self.nbits, dtype=np.float64)  # the same formula per code
            self._decode_flat(np.arange(1 << self.nbits, dtype=np.uint64), table)
            take_table(codes, table, out)  # one table load per code, no int64 temporaries
            return
        c = codes.astype(np.int64)
        if self.qmin < 0:
            c = np.where(c >= 1 << (self.nbits - 1), c - (1 << self.nbits), c)
        out[...] = (c - z[0]) * s[0]

    def _code_table(self) -> np.ndarray:
        out = np.empty(1 << self.nbits, dtype=np.float64)
        self._decode_flat(np.arange(1 << self.nbits, dtype=np.uint64), out)
        return out

    # rows of per-slice parameters (element.Adaptive) --------------------------------------
    def _round_rows(
        self, flat: np.ndarray, out: np.ndarray, C: int, rounding: str, rng: Any, codes: bool
    ) -> None:
        """Round R rows of C (row r with S[r], Z[r]) into ``out`` (uint32 codes or values)."""
        s, z = self._params()
        k = _k()
        away = int(self.ties == "away")
        s_, z_, p = self._kargs(flat, s, z)
        if rounding == "nearest":
            if codes:
                k.encode_rows(flat, out, s_, z_, C, p, away, self.nbits, self.qmin, self.qmax)
            else:
                k.quantize_rows(flat, out, s_, z_, C, p, away)
            return
        q = self._levels_stochastic(flat, rng, s, z, C)
        if codes:
            q = np.where(np.isnan(q), np.repeat(z, C), q)
            out[...] = (q.astype(np.int64) & ((1 << self.nbits) - 1)).astype(np.uint32)
        else:
            with np.errstate(over="ignore"):
                out[...] = ((q - np.repeat(z, C)) * np.repeat(s, C)).astype(out.dtype)

    # ufunc ------------------------------------------------------------------------------
    def _int_ufunc(self) -> Any:
        """Round to nearest with the per-tensor S, Z compiled in, in the input's precision
        as ``quantize`` (float32 arithmetic for float32 input unless ``_kargs`` falls back)."""
        s, z = self._params()
        if s.size != 1:
            raise ValueError(f"{self} has parameters per slice: it has no single ufunc")
        x32 = np.zeros(1, dtype=np.float32)
        f32 = self._kargs(x32, s, z)[0].dtype == np.float32
        sat = self._max_magnitude > float(np.finfo(np.float32).max)
        key = (float(s[0]), float(z[0]), self.qmin, self.qmax, self.ties, f32, sat)
        return _int_ufunc(*key)

    def _build_ufunc(self) -> Any:
        return self._int_ufunc()

    def _ufunc(self) -> Any:
        return self._int_ufunc()

    def slice_format(self, i: int) -> Any:
        """The per-tensor format of slice ``i`` (per-slice parameters)."""
        return self._slice(i)

    @property
    def n_slices(self) -> int:
        return int(self._params()[0].size)

    def _int_description(self, code: int, rows: tuple[Field, ...], how: str) -> Description:
        """The describe record of an integer code: the level q (two's complement when
        ``qmin < 0``), its value ``(q - Z)·S`` (= ``decode``) and extra rows."""
        n = self.nbits
        c = check_code(code, n)
        q = c - (1 << n) if self.qmin < 0 and c >> (n - 1) else c
        s, z = self._params()
        if s.size != 1:
            raise ValueError(f"describe needs per-tensor parameters; use slice_format(i) of {self}")
        value = float((q - z[0]) * s[0])
        pattern = format(c, f"0{n}b")
        text = f"{self} {pattern}: integer q = {q}, value {how} = {value!r}"
        fields = (Field("integer", pattern, q), *rows)
        return Description(str(self), c, pattern, fields, value, None, text)


@cache
def _int_ufunc(S: float, Z: float, qmin: int, qmax: int, ties: str, f32: bool, sat: bool) -> Any:
    from lognum._kernels.fixed import int_level
    from lognum._kernels.floats import f32_saturate
    from lognum._kernels.jit import jit_inline, ufunc

    pick = by_type()
    away = int(ties == "away")
    lo, hi = float(qmin), float(qmax)
    M32, M64 = 8388608.0, 4503599627370496.0  # the kernels' magic/cap: 2^23, 2^52
    if f32:

        @jit_inline
        def level(x):
            s = pick(x, S, S)
            zp = pick(x, Z, Z)
            magic = pick(x, M32, M64)
            half, one = pick(x, 0.5, 0.5), pick(x, 1.0, 1.0)
            q = int_level(x, s, zp, pick(x, lo, lo), pick(x, hi, hi), magic, magic, half, one, away)
            return (q - zp) * s

    else:  # float32 input computes in float64 (the scale is not a normal float32)

        @jit_inline
        def level(x):
            q = int_level(float(x), S, Z, lo, hi, M64, M64, 0.5, 1.0, away)
            return (q - Z) * S

    if sat:

        def q(x):
            return f32_saturate(x, level(x))

    else:

        def q(x):
            return level(x)

    return ufunc()(q)


# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FixedPoint(_IntMixin, Format):
    """Fixed point Qm.f: n-bit two's-complement (or unsigned) integer q, value q·2^-frac_bits.

    n: 1..32 (signed: 2..32); frac_bits: integer in [-64, 64]; signed: bool; ties: "even" |
    "away". Saturating (the only overflow mode).
    """

    family: ClassVar[str] = "fixed"

    n: int
    frac_bits: int = 0
    signed: bool = True
    ties: str = "even"

    def __post_init__(self) -> None:
        check_int("n", self.n, 2 if self.signed else 1, 32)
        check_int("frac_bits", self.frac_bits, -64, 64)
        if not isinstance(self.signed, bool | np.bool_):
            raise ValueError(f"signed must be True or False, got {self.signed!r}")
        if self.ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, got {self.ties!r}")
        object.__setattr__(self, "n", int(self.n))
        object.__setattr__(self, "frac_bits", int(self.frac_bits))
        object.__setattr__(self, "signed", bool(self.signed))

    @property
    def nbits(self) -> int:
        return self.n

    @property
    def qmin(self) -> int:
        return -(1 << (self.n - 1)) if self.signed else 0

    @property
    def qmax(self) -> int:
        return (1 << (self.n - 1)) - 1 if self.signed else (1 << self.n) - 1

    @property
    def step(self) -> float:
        return math.ldexp(1.0, -self.frac_bits)

    def _params(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array([self.step]), np.zeros(1)

    @property
    def maxpos(self) -> float:
        return self.qmax * self.step

    @property
    def minpos(self) -> float:
        return self.step

    def describe(self, code: int) -> Description:
        """The integer q of a code (row "integer") and its value q·2^-frac_bits."""
        fb = self.frac_bits
        return self._int_description(code, (Field("frac_bits", "", fb),), f"q·2^{-fb}")

    def __str__(self) -> str:
        u = "" if self.signed else "u"
        base = f"{u}int{self.n}" if self.frac_bits == 0 else f"{u}fixed<{self.n},{self.frac_bits}>"
        return base + options_suffix([("ties", self.ties)] if self.ties != "even" else [])


def Integer(n: int, signed: bool = True) -> FixedPoint:  # noqa: N802 - a format constructor
    """An n-bit integer format: ``FixedPoint(n, 0, signed)``."""
    return FixedPoint(n, 0, signed)


# ------------------------------------------------------------------------------------------


def _check_params(name: str, v: Any, lo: float, hi: float, axis: int | None) -> Any:
    if v is None:
        return None
    if isinstance(v, list | tuple | np.ndarray):
        if axis is None:
            raise ValueError(f"{name} must be a single number when axis is None")
        return tuple(check_real(name, a, lo, hi) for a in v)
    return check_real(name, v, lo, hi)


@dataclass(frozen=True)
class SymmetricInt(Adaptive, _IntMixin, Format):
    """Symmetric integer quantization ``int<n>_sym``: S = max|x| / (2^(n-1) - 1), Z = 0,
    q ∈ [-(2^(n-1) - 1), 2^(n-1) - 1] (docs/guide/fixed.md).

    n: 2..16; axis: None (per tensor) or the channel axis; scale: None (fit from data), a
    number in ``scale_range``, or one per slice; ties: "even" | "away".
    An all-zero tensor (or slice) gets S = 1.
    """

    family: ClassVar[str] = "fixed"

    n: int
    axis: int | None = None
    scale: float | tuple[float, ...] | None = None
    ties: str = "even"

    def __post_init__(self) -> None:
        check_int("n", self.n, 2, 16)
        object.__setattr__(self, "n", int(self.n))
        if self.axis is not None:
            object.__setattr__(self, "axis", check_int("axis", self.axis, -32, 31))
        object.__setattr__(
            self, "scale", _check_params("scale", self.scale, *self.scale_range, self.axis)
        )
        if self.ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, got {self.ties!r}")

    @property
    def scale_range(self) -> tuple[float, float]:
        """Scales whose values q·S are all finite float64 numbers with S a normal double:
        [2^-1022, DBL_MAX/(2^(n-1) - 1)]. ``fit`` clamps to it (max|x| below 2^-1022·qmax
        then rounds on the 2^-1022 grid)."""
        return _TINY, _DBL_MAX / self.qmax

    @property
    def nbits(self) -> int:
        return self.n

    @property
    def qmin(self) -> int:
        return -((1 << (self.n - 1)) - 1)

    @property
    def qmax(self) -> int:
        return (1 << (self.n - 1)) - 1

    def _params(self) -> tuple[np.ndarray, np.ndarray]:
        if self.scale is None:
            raise ValueError("scale is None: call fit(x) (or quantize(x)) to choose it")
        s = np.atleast_1d(np.array(self.scale, dtype=np.float64))
        return s, np.zeros(s.size)

    @property
    def needs_fit(self) -> bool:
        """True while ``scale`` is None (quantize/encode then fit it per call)."""
        return self.scale is None

    @property
    def sliced(self) -> bool:
        return isinstance(self.scale, tuple)

    def _slice(self, i: int) -> SymmetricInt:
        s = self.scale
        return dataclasses.replace(self, axis=None, scale=s[i] if isinstance(s, tuple) else s)

    def fit(self, x: Any) -> SymmetricInt:
        """The concrete quantizer: S = max|x| / (2^(n-1) - 1) per tensor or per slice (finite
        entries only; S = 1 for an all-zero slice)."""
        a, _ = as_float_array(x)
        rows = Rows.slices(a, self.axis)
        amax = absmax_rows(rows.flat.reshape(rows.R, rows.C))
        s = np.clip(np.where(amax > 0, amax / self.qmax, 1.0), *self.scale_range)
        return dataclasses.replace(
            self, scale=float(s[0]) if self.axis is None else tuple(float(v) for v in s)
        )

    def values(self) -> np.ndarray:
        """Representable values (per-tensor scale): q·S for |q| <= 2^(n-1) - 1 (the code of
        -2^(n-1) is unused)."""
        s, _ = self._params()
        if s.size != 1:
            raise ValueError("values() needs a per-tensor scale (axis=None)")
        return np.arange(self.qmin, self.qmax + 1, dtype=np.float64) * s[0]

    @property
    def maxpos(self) -> float:
        s, _ = self._params()
        return float(np.max(s)) * self.qmax

    @property
    def minpos(self) -> float:
        s, _ = self._params()
        return float(np.min(s))

    def describe(self, code: int) -> Description:
        """The integer level q of a code (row "integer"), the scale S and its value q·S; the
        row "unused" marks the code of -2^(n-1), which quantization never produces."""
        c = check_code(code, self.n)
        rows = (
            Field("scale", "", float(self._params()[0][0])),
            Field("unused", "", c == 1 << (self.n - 1)),
        )
        return self._int_description(c, rows, "q·S")

    def __str__(self) -> str:
        opts: list[tuple[str, Any]] = []
        for k in ("axis", "scale"):
            if getattr(self, k) is not None:
                opts.append((k, getattr(self, k)))
        if self.ties != "even":
            opts.append(("ties", self.ties))
        return f"int{self.n}_sym" + options_suffix(opts)


@dataclass(frozen=True)
class AffineInt(Adaptive, _IntMixin, Format):
    """Affine (asymmetric) integer quantization (Jacob et al., CVPR 2018; TFLite):
    ``x̂ = (q - Z)·S``, ``q = clamp(round(x/S) + Z, qmin, qmax)``, ``S = (rmax - rmin)/(qmax -
    qmin)``, ``Z = round(qmin - rmin/S)`` clamped to [qmin, qmax], with [rmin, rmax] widened to
    contain 0 (so x = 0 is exact).

    n: 2..16; signed: False (q ∈ [0, 2^n - 1], Jacob et al.'s uint8) or True (q ∈
    [-2^(n-1), 2^(n-1) - 1], TFLite int8); axis; scale, zero_point: None (fit) or given
    (scale in [2^-1022, DBL_MAX / max(qmax - Z, Z - qmin)], so every value is a finite
    float64);
    ties: "even" | "away". A constant-zero slice gets S = 1, Z = 0 clamped into range.
    """

    family: ClassVar[str] = "fixed"

    n: int
    signed: bool = False
    axis: int | None = None
    scale: float | tuple[float, ...] | None = None
    zero_point: int | tuple[int, ...] | None = None
    ties: str = "even"

    def __post_init__(self) -> None:
        check_int("n", self.n, 2, 16)
        object.__setattr__(self, "n", int(self.n))
        if not isinstance(self.signed, bool | np.bool_):
            raise ValueError(f"signed must be True or False, got {self.signed!r}")
        object.__setattr__(self, "signed", bool(self.signed))
        if self.axis is not None:
            object.__setattr__(self, "axis", check_int("axis", self.axis, -32, 31))
        object.__setattr__(
            self, "scale", _check_params("scale", self.scale, _TINY, _DBL_MAX, self.axis)
        )
        z = self.zero_point
        if z is not None:
            if isinstance(z, list | tuple | np.ndarray):
                if self.axis is None:
                    raise ValueError("zero_point must be an integer when axis is None")
                z = tuple(check_int("zero_point", v, self.qmin, self.qmax) for v in z)
            else:
                z = check_int("zero_point", z, self.qmin, self.qmax)
            object.__setattr__(self, "zero_point", z)
        if (self.scale is None) != (self.zero_point is None):
            raise ValueError("scale and zero_point must both be given or both be None")
        if self.scale is not None and self.zero_point is not None:  # (both or neither)
            ss, zz = np.atleast_1d(self.scale), np.atleast_1d(self.zero_point)
            if ss.size != zz.size:
                raise ValueError("scale and zero_point must have one entry per slice each")
            for sv, zv in zip(ss, zz, strict=True):
                hi = self._scale_max(int(zv))
                if float(sv) > hi:
                    raise ValueError(
                        f"scale must be in [{_TINY}, {hi}] with zero_point {int(zv)} (larger "
                        f"scales give values beyond float64), got {float(sv)}"
                    )
        if self.ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, got {self.ties!r}")

    @property
    def nbits(self) -> int:
        return self.n

    @property
    def qmin(self) -> int:
        return -(1 << (self.n - 1)) if self.signed else 0

    @property
    def qmax(self) -> int:
        return (1 << (self.n - 1)) - 1 if self.signed else (1 << self.n) - 1

    def _scale_max(self, z: int) -> float:
        """The largest scale with every (q - Z)·S finite: DBL_MAX / max(qmax - Z, Z - qmin)."""
        return _DBL_MAX / max(self.qmax - z, z - self.qmin)

    def _params(self) -> tuple[np.ndarray, np.ndarray]:
        if self.scale is None:
            raise ValueError("scale is None: call fit(x) (or quantize(x)) to choose it")
        s = np.atleast_1d(np.array(self.scale, dtype=np.float64))
        z = np.atleast_1d(np.array(self.zero_point, dtype=np.float64))
        return s, z

    @property
    def needs_fit(self) -> bool:
        """True while ``scale``/``zero_point`` are None (quantize/encode then fit them)."""
        return self.scale is None

    @property
    def sliced(self) -> bool:
        return isinstance(self.scale, tuple)

    def _slice(self, i: int) -> AffineInt:
        s, z = self.scale, self.zero_point
        if isinstance(s, tuple) and isinstance(z, tuple):  # (both per slice or neither)
            s, z = s[i], z[i]
        return dataclasses.replace(self, axis=None, scale=s, zero_point=z)

    def fit(self, x: Any) -> AffineInt:
        """The concrete quantizer: S and Z from [min(x, 0), max(x, 0)] per tensor or slice."""
        a, _ = as_float_array(x)
        r = Rows.slices(a, self.axis)
        rows = r.flat.reshape(r.R, r.C).astype(np.float64)
        fin = np.where(np.isfinite(rows), rows, 0.0)
        rmin = np.minimum(fin.min(axis=1, initial=0.0), 0.0)
        rmax = np.maximum(fin.max(axis=1, initial=0.0), 0.0)
        L = self.qmax - self.qmin
        s = rmax / L - rmin / L  # (rmax - rmin)/L without overflow
        s = np.where(s > 0, np.maximum(s, _TINY), 1.0)
        z = np.clip(np.rint(self.qmin - rmin / s), self.qmin, self.qmax).astype(np.int64)
        s = np.minimum(s, [self._scale_max(int(v)) for v in z])
        if self.axis is None:
            return dataclasses.replace(self, scale=float(s[0]), zero_point=int(z[0]))
        return dataclasses.replace(
            self, scale=tuple(float(v) for v in s), zero_point=tuple(int(v) for v in z)
        )

    @property
    def maxpos(self) -> float:
        s, z = self._params()
        return float(np.max((self.qmax - z) * s))

    @property
    def minpos(self) -> float:
        s, _ = self._params()
        return float(np.min(s))

    def describe(self, code: int) -> Description:
        """The integer level q of a code (row "integer"), S, Z and its value (q - Z)·S."""
        s, z = self._params()
        rows = (Field("scale", "", float(s[0])), Field("zero_point", "", int(z[0])))
        return self._int_description(code, rows, "(q - Z)·S")

    def __str__(self) -> str:
        opts: list[tuple[str, Any]] = []
        for k in ("axis", "scale", "zero_point"):
            if getattr(self, k) is not None:
                opts.append((k, getattr(self, k)))
        if self.ties != "even":
            opts.append(("ties", self.ties))
        return f"{'' if self.signed else 'u'}int{self.n}_affine" + options_suffix(opts)


@dataclass(frozen=True)
class DynamicFixedPoint(Adaptive, _IntMixin, Format):
    """Dynamic fixed point ``dfxp<n>`` (Williamson 1991; Courbariaux et al. 2014; Ristretto):
    n-bit two's-complement q with a fractional length fl shared per tensor (or slice along
    ``axis``), value q·2^-fl, fl = n - il with il = ceil(log2 max|x|) + 1 (docs/guide/fixed.md).

    Note: when max|x| is exactly a power of two, il leaves it one step above the largest code
    (it saturates to (2^(n-1) - 1)·2^-fl), as in Ristretto.
    n: 2..32; frac_bits: None (fit), an integer in [-128, 128], or one per slice.
    """

    family: ClassVar[str] = "fixed"

    n: int
    frac_bits: int | tuple[int, ...] | None = None
    axis: int | None = None
    ties: str = "even"

    def __post_init__(self) -> None:
        check_int("n", self.n, 2, 32)
        object.__setattr__(self, "n", int(self.n))
        if self.axis is not None:
            object.__setattr__(self, "axis", check_int("axis", self.axis, -32, 31))
        fb = self.frac_bits
        if isinstance(fb, list | tuple | np.ndarray):
            if self.axis is None:
                raise ValueError("frac_bits must be an integer when axis is None")
            object.__setattr__(
                self, "frac_bits", tuple(check_int("frac_bits", v, -128, 128) for v in fb)
            )
        elif fb is not None:
            object.__setattr__(self, "frac_bits", check_int("frac_bits", fb, -128, 128))
        if self.ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, got {self.ties!r}")

    @property
    def nbits(self) -> int:
        return self.n

    @property
    def qmin(self) -> int:
        return -(1 << (self.n - 1))

    @property
    def qmax(self) -> int:
        return (1 << (self.n - 1)) - 1

    def _params(self) -> tuple[np.ndarray, np.ndarray]:
        if self.frac_bits is None:
            raise ValueError("frac_bits is None: call fit(x) (or quantize(x)) to choose it")
        fb = np.atleast_1d(np.array(self.frac_bits, dtype=np.int64))
        return np.ldexp(1.0, -fb), np.zeros(fb.size)

    @property
    def needs_fit(self) -> bool:
        """True while ``frac_bits`` is None (quantize/encode then fit it per call)."""
        return self.frac_bits is None

    @property
    def sliced(self) -> bool:
        return isinstance(self.frac_bits, tuple)

    def _slice(self, i: int) -> DynamicFixedPoint:
        fb = self.frac_bits
        return dataclasses.replace(
            self, axis=None, frac_bits=fb[i] if isinstance(fb, tuple) else fb
        )

    def fit(self, x: Any) -> DynamicFixedPoint:
        """fl = n - (ceil(log2 max|x|) + 1) per tensor or slice (fl = n - 1 for all-zero)."""
        a, _ = as_float_array(x)
        rows = Rows.slices(a, self.axis)
        amax = absmax_rows(rows.flat.reshape(rows.R, rows.C))
        fl = []
        for v in amax:
            if v > 0:
                mant, ex = math.frexp(float(v))
                il = (ex - 1 if mant == 0.5 else ex) + 1
            else:
                il = 1
            fl.append(max(-128, min(128, self.n - il)))
        return dataclasses.replace(self, frac_bits=fl[0] if self.axis is None else tuple(fl))

    def as_fixed(self) -> FixedPoint:
        """The per-tensor fitted format as a plain FixedPoint."""
        self._params()  # ValueError while unfitted
        if not isinstance(self.frac_bits, int):
            raise ValueError("as_fixed needs a per-tensor frac_bits")
        return FixedPoint(self.n, self.frac_bits)

    @property
    def maxpos(self) -> float:
        s, _ = self._params()
        return float(np.max(s)) * self.qmax

    @property
    def minpos(self) -> float:
        s, _ = self._params()
        return float(np.min(s))

    def describe(self, code: int) -> Description:
        """As ``FixedPoint.describe`` with the fitted frac_bits (per tensor)."""
        fb = self._slice(0).frac_bits if self.n_slices == 1 else None  # ValueError unfitted
        if not isinstance(fb, int):
            raise ValueError(
                f"describe needs a per-tensor frac_bits; use slice_format(i) of {self}"
            )
        return self._int_description(code, (Field("frac_bits", "", fb),), f"q·2^{-fb}")

    def __str__(self) -> str:
        opts: list[tuple[str, Any]] = []
        for k in ("frac_bits", "axis"):
            if getattr(self, k) is not None:
                opts.append((k, getattr(self, k)))
        if self.ties != "even":
            opts.append(("ties", self.ties))
        return f"dfxp<{self.n}>" + options_suffix(opts)


# ------------------------------------------------------------------------------------------
# notation


@notation(r"(u?)int(\d+)", example="int8")
def _int(u: str, n: str, **kw: Any) -> FixedPoint:
    return FixedPoint(**{"n": int(n), "frac_bits": 0, "signed": not u, **kw})


@notation(r"(u?)fixed<(\d+),([+-]?\d+)>", example="fixed<8,4>")
def _fixed(u: str, n: str, f: str, **kw: Any) -> FixedPoint:
    return FixedPoint(**{"n": int(n), "frac_bits": int(f), "signed": not u, **kw})


@notation(r"int(\d+)_sym(?:metric)?", example="int8_sym")
def _sym(n: str, **kw: Any) -> SymmetricInt:
    return SymmetricInt(**{"n": int(n), **kw})


@notation(r"(u?)int(\d+)_affine", example="int8_affine")
def _affine(u: str, n: str, **kw: Any) -> AffineInt:
    return AffineInt(**{"n": int(n), "signed": not u, **kw})


@notation(r"dfxp<(\d+)>", example="dfxp<8>")
def _dfxp(n: str, **kw: Any) -> DynamicFixedPoint:
    return DynamicFixedPoint(**{"n": int(n), **kw})


# ------------------------------------------------------------------------------------------
# teaching: the lecture's "uniform vs scale factor" table


def lecture_table(bits: int = 4, full_scale: float = 44000.0, radix: int = 4) -> dict[str, Any]:
    """The MIT 6.5930 precision lecture's "uniform vs scale factor" example, rebuilt.

    For every code i of a ``bits``-bit word: the *uniform* value ``full_scale·i/2^bits`` (an
    unsigned integer times the step ``full_scale/2^bits``: ``AffineInt`` with Z = 0) and the
    *scale-factor* value of a radix-``radix`` float with one mantissa bit and an offset of -1,
    ``radix^k (1 + j (radix-1)/2) - 1`` with k = i >> 1, j = i & 1 (the mantissa bit inserts the
    arithmetic midpoint between consecutive powers of the radix).

    Erratum (docs/errata.md): the lecture prints the scale-factor column as if divided by 8 — the
    values it shows (0, 1.5, 3, 9, 15, 39, …, 40959) need /2 — and its uniform column shows
    24749, 27499, … where the exact values are 24750, 27500 (rounding artefacts).
    """
    check_int("bits", bits, 1, 12)
    check_int("radix", radix, 2, 16)
    check_real("full_scale", full_scale, 1e-300, 1e300)
    codes = np.arange(1 << bits)
    uni = AffineInt(bits, scale=full_scale / (1 << bits), zero_point=0)
    uniform = uni.decode(codes)
    k, j = codes >> 1, codes & 1
    base = np.power(float(radix), k)
    scale_factor = base * (1.0 + j * (radix - 1) / 2.0) - 1.0
    return {"code": codes, "uniform": uniform, "scale_factor": scale_factor}
