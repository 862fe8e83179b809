"""Logarithmic formats: the logarithmic number system (LNS) and LogNet-style log quantization
(docs/guide/lns.md).

* ``LNS(n, int_bits=None, frac_bits)`` — notation ``LNS<n,frac_bits>`` as universal's
  ``lns<nbits, rbits>``: a sign bit and an (n-1)-bit two's-complement fixed-point log2 magnitude
  L with ``frac_bits`` fraction bits (``int_bits = n - 1 - frac_bits`` including L's sign);
  value ``(-1)^s 2^L``. The most negative L pattern is reserved: ``0·100…0`` is zero and
  ``1·100…0`` is NaN. Rounding is to nearest in the log domain (``rounding="nearest"``: the tie
  point between 2^a and 2^b is the geometric mean 2^((a+b)/2); ties to the even code), or
  nearest by value (``rounding="linear"``). Zero takes the place of the reserved code in that
  order, so |x| below the geometric mean of minpos and minpos·2^-2^-F rounds to 0. Beyond maxpos
  the result saturates; ±inf and NaN give NaN.
* ``LogQuant(n, fsr=None, base="2")`` — Miyashita et al. 2016 / LogNet (Lee et al., ICASSP
  2017): ``x̃ = Round(log2|x|)`` clipped to a window of 2^b exponents ending at the full-scale
  range ``fsr``: ``x̃ <= fsr - 2^b`` → 0, ``x̃ >= fsr`` → fsr - 1; ``Q(x) = sign(x) 2^x̃``
  (b = n - 1 magnitude bits plus a sign bit). ``base="sqrt2"`` rounds ``2·log2|x|`` and uses
  ``2^(x̃/2)`` (fsr then counts half-octaves). The log-domain tie sits at √2·2^k, not 1.5·2^k.
  ``fit(x)`` sets ``fsr = Round(d·log2 max|x|) + 1`` (d = 1, or 2 for √2) so that max|x| lands on
  the top code.

Both round on exact value tables (the values 2^(j/2^F) are correctly rounded doubles; every
decision threshold is the double nearest to the true geometric or arithmetic midpoint, with a
flag recording on which side of the true midpoint it lies, so rounding is exact). The tables are
built once per configuration (``lognum._kernels.floats_table``, binary search).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache
from typing import Any, ClassVar

import numpy as np

from lognum.formats.base import Format, as_float_array, check_int
from lognum.formats.element import (
    Adaptive,
    TableElement,
    check_code,
    options_suffix,
    table_loops,
    table_ufunc,
)
from lognum.formats.record import Description, Field
from lognum.formats.registry import notation

_PREC = 60


def _dec_pow2(num: int, den: int) -> Decimal:
    """2^(num/den) to 60 significant digits."""
    ip, r = divmod(num, den)
    with localcontext() as ctx:
        ctx.prec = _PREC
        return _dec_frac_pow2(r, den) * (Decimal(2) ** ip)


def _dec_frac_pow2(r: int, den: int) -> Decimal:
    """2^(r/den) for 0 <= r < den to 60 significant digits."""
    return _frac_table(den)[r]


@cache
def _frac_table(den: int) -> tuple[Decimal, ...]:
    """2^(r/den), r = 0..den-1: successive products of 2^(1/den) carried at 90 digits (at most
    2^15 roundings of 1e-90 each), then rounded to 60; 2^0 = 1 exactly. Cached per den."""
    with localcontext() as ctx:
        ctx.prec = _PREC + 30
        step = Decimal(2) ** (Decimal(1) / Decimal(den))
        acc = [Decimal(1)]
        for _ in range(den - 1):
            acc.append(acc[-1] * step)
        ctx.prec = _PREC
        return tuple(+v for v in acc)


def _thresholds_from(
    exact: list[Decimal], codes: np.ndarray, geometric: bool, e0den: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Double thresholds between neighbouring exact magnitudes and their tie flags (1: an input
    equal to the threshold rounds up). A midpoint that is exactly a double ties to the even
    code of the upper/lower neighbour."""
    thr = np.empty(len(exact) - 1)
    tup = np.empty(len(exact) - 1, dtype=np.int8)
    with localcontext() as ctx:
        ctx.prec = _PREC
        for i in range(len(exact) - 1):
            a, b = exact[i], exact[i + 1]
            if geometric and e0den is not None:  # exact[i] = 2^((e0 + i)/den)
                mid = _dec_pow2(2 * (e0den[0] + i) + 1, 2 * e0den[1])
            elif geometric:
                mid = (a * b).sqrt()
            else:
                mid = (a + b) / 2
            t = float(mid)
            thr[i] = t
            dt = Decimal(t)
            if dt == mid:
                tup[i] = int(codes[i + 1] % 2 == 0)
            else:
                tup[i] = int(dt > mid)
    return thr, tup


class _LogTableMixin(TableElement):
    """Nearest rounding on the exact tables; subclasses provide ``_table_key()`` (which fills
    ``_EXACT[key]``: the Decimal magnitudes ascending with the zero slot first, their positive
    and negative codes), ``_nan_code`` (or -1) and ``_neg_values(pv, pc, nc)`` (the result for
    negative inputs at each table index)."""

    roundings: ClassVar[tuple[str, ...]] = ("nearest", "linear", "stochastic")

    @property
    def _nan_code(self) -> int:  # pragma: no cover
        raise NotImplementedError

    def _tables_for(
        self, rounding: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return _log_tables(self._table_key(), rounding == "linear")

    def _table_key(self) -> tuple:  # pragma: no cover
        raise NotImplementedError

    def _round(self, x: np.ndarray, rounding: str, codes: bool) -> np.ndarray:
        pv, pc, nc, thr, tup = self._tables_for(rounding)
        res = np.empty(x.size, dtype=np.uint32 if codes else x.dtype)
        if self._round_into(x, res, rounding, codes):
            return res
        idx = np.empty(x.size, dtype=np.int64)
        table_loops().nearest_index(x, thr, tup, idx)
        neg = np.signbit(x)
        bad = ~np.isfinite(x)
        if codes:
            res = np.where(neg, nc[idx], pc[idx])
            return np.where(bad, self._nan_code, res).astype(np.uint32)
        v = pv[idx]
        v = np.where(neg & (nc[idx] != pc[idx]), -v, v)
        with np.errstate(over="ignore"):  # beyond float32: inf, clamped by saturate_f32
            return np.where(bad, np.nan, v).astype(x.dtype)

    def _round_into(self, x: np.ndarray, out: np.ndarray, rounding: str, codes: bool) -> bool:
        """Round ``x`` into ``out`` (1-D, contiguous) in one pass without a search
        (``floats_table.round_bucket``); False, with ``out`` untouched, when the format's
        thresholds have no small ``BucketTable`` (the caller searches then)."""
        if x.dtype not in (np.float32, np.float64) or out.ndim != 1 or not out.flags.c_contiguous:
            return False
        key = (self._table_key(), rounding == "linear", x.dtype == np.float32, codes)
        tabs = _BUCKETS.get(key)
        if tabs is None:
            tabs = _BUCKETS[key] = self._bucket_tables(rounding, x.dtype, codes)
        if tabs[0] is None:
            return False
        if tabs[2] is not None:  # float32 x: the same results without table loads
            if codes:
                table_loops().encode_periodic(x, out, tabs[2])
                return True
            if out.dtype == np.float32:
                table_loops().round_periodic(x, out, tabs[2])
                return True
        ut = np.uint32 if x.dtype == np.float32 else np.uint64
        table_loops().round_bucket(x.view(ut), out, tabs[0], tabs[1])
        return True

    def _bucket_tables(self, rounding: str, dtype: np.dtype, codes: bool) -> tuple[Any, ...]:
        """(BucketTable or None, value/code table, PeriodicTable or None): the last is the
        float32 path without table loads where the thresholds repeat per binade
        (``floats_table.periodic_table``, verified against the first two)."""
        from lognum._kernels.floats_table import bucket_table, bucket_values, periodic_table

        pv, pc, nc, thr, tup = self._tables_for(rounding)
        bt = bucket_table(thr, tup, dtype == np.float32)
        if codes:
            vals = bucket_values(pc, nc, self._nan_code)
        else:
            with np.errstate(over="ignore"):  # beyond float32: inf, clamped by saturate_f32
                vals = bucket_values(pv, self._neg_values(pv, pc, nc), np.nan).astype(dtype)
        vals.setflags(write=False)
        per = None
        if bt is not None and dtype == np.float32:
            per = periodic_table(bt, vals)
        return bt, vals, per

    def _nearest_values(self, x: np.ndarray, out: np.ndarray) -> None:
        if not self._round_into(x, out, "nearest", codes=False):
            out[...] = self._round(x, "nearest", codes=False)

    def _neg_values(self, pv: np.ndarray, pc: np.ndarray, nc: np.ndarray) -> np.ndarray:
        return np.where(nc != pc, -pv, pv)

    def _log_ufunc(self) -> Any:
        """Round to nearest (log domain) as a ufunc: binary search over the threshold table
        compiled in as a constant; NaN and ±inf give NaN as ``quantize``."""
        pv, pc, nc, thr, tup = self._tables_for("nearest")
        return table_ufunc(thr, tup, pv, self._neg_values(pv, pc, nc))

    def _nearest_codes(self, x: np.ndarray) -> np.ndarray:
        return self._round(x, "nearest", codes=True)

    def _encode_flat(
        self, x: np.ndarray, out: np.ndarray, rounding: str, rng: np.random.Generator | None
    ) -> None:
        if rounding == "stochastic":
            out[...] = self._stochastic(x, rng, codes=True)
        elif not self._round_into(x, out, rounding, codes=True):
            out[...] = self._round(x, rounding, codes=True)

    def _quantize_flat(
        self, x: np.ndarray, out: np.ndarray, rounding: str, rng: np.random.Generator | None
    ) -> None:
        if rounding == "stochastic":
            out[...] = self._stochastic(x, rng, codes=False)
        elif out.dtype != x.dtype or not self._round_into(x, out, rounding, codes=False):
            out[...] = self._round(x, rounding, codes=False)


#: key -> (exact magnitudes, positive codes, negative codes, (e0, den): exact[i] = 2^((e0+i)/den))
_EXACT: dict[tuple, tuple[list[Decimal], np.ndarray, np.ndarray, tuple[int, int]]] = {}


#: (table key, linear, float32 input, codes) -> (BucketTable or None, value table)
_BUCKETS: dict[tuple, tuple[Any, ...]] = {}


@cache
def _log_tables(
    key: tuple, linear: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(pv, pc, nc, thr, tup) of a log format. ``_EXACT[key][0]`` lists the exact magnitudes
    with, at index 0, the value of the slot that zero occupies in the log order (the code below
    minpos): log-domain thresholds use it, linear ones use 0; the value table has 0 there."""
    exact, pc, nc, e0den = _EXACT[key]
    if linear:
        exact = [Decimal(0)] + exact[1:]
    pv = np.array([0.0] + [float(v) for v in exact[1:]])
    thr, tup = _thresholds_from(exact, pc, geometric=not linear, e0den=e0den)
    for a in (pv, pc, nc, thr, tup):
        a.setflags(write=False)
    return pv, pc, nc, thr, tup


# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LNS(_LogTableMixin, Format):
    """Logarithmic number system ``LNS<n,frac_bits>`` (see the module docstring).

    n: 3..16 bits; frac_bits: 0..n-2 (F, fraction bits of the log2 magnitude), and at least the
    smallest F with (2^(n-2) - 1)/2^F <= 1022 so that every value is a normal float64 (n = 16
    needs F >= 5); int_bits: n-1-frac_bits (may be omitted). Saturating (``saturate=False``
    raises).
    """

    family: ClassVar[str] = "lns"

    n: int
    int_bits: int | None = None
    frac_bits: int | None = None

    def __post_init__(self) -> None:
        n = check_int("n", self.n, 3, 16)
        if self.frac_bits is None and self.int_bits is None:
            raise ValueError("frac_bits (or int_bits) must be given, in [0, n-2]")
        # every magnitude 2^(±lmax/2^F) must be a normal float64: lmax/2^F <= 1022
        fmin = 0
        while ((1 << (n - 2)) - 1) > (1022 << fmin):
            fmin += 1
        if self.frac_bits is None:
            ib = check_int("int_bits", self.int_bits, 1, n - 1 - fmin)
            fb = n - 1 - ib
        else:
            fb = check_int("frac_bits", self.frac_bits, fmin, n - 2)
            ib = n - 1 - fb
            if self.int_bits is not None and check_int("int_bits", self.int_bits, 1, n - 1) != ib:
                raise ValueError(f"int_bits must be n - 1 - frac_bits = {ib}, got {self.int_bits}")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "int_bits", ib)
        object.__setattr__(self, "frac_bits", fb)

    @property
    def nbits(self) -> int:
        return self.n

    @property
    def _frac(self) -> int:
        """``frac_bits`` as an int: ``__post_init__`` derives it from ``int_bits`` if None."""
        assert self.frac_bits is not None, "LNS.__post_init__ sets frac_bits"
        return self.frac_bits

    @property
    def _lmax(self) -> int:
        """Largest L in units of 2^-F."""
        return (1 << (self.n - 2)) - 1

    @property
    def maxpos(self) -> float:
        return float(_dec_pow2(self._lmax, 1 << self._frac))

    @property
    def minpos(self) -> float:
        return float(_dec_pow2(-self._lmax, 1 << self._frac))

    @property
    def _nan_code(self) -> int:
        return (1 << (self.n - 1)) | (1 << (self.n - 2))

    def _table_key(self) -> tuple:
        key = ("LNS", self.n, self.frac_bits)
        if key not in _EXACT:
            n, F = self.n, self._frac
            lm = self._lmax
            Ls = list(range(-lm, lm + 1))
            exact = [_dec_pow2(-lm - 1, 1 << F)] + [_dec_pow2(L, 1 << F) for L in Ls]
            mask = (1 << (n - 1)) - 1
            pc = np.array([1 << (n - 2)] + [L & mask for L in Ls], dtype=np.int64)
            nc = pc | (1 << (n - 1))
            nc[0] = pc[0]
            _EXACT[key] = (exact, pc, nc, (-lm - 1, 1 << F))
        return key

    def _code_table(self) -> np.ndarray:
        n, F = self.n, self.frac_bits
        key = self._table_key()
        pv, pc, _, _, _ = _log_tables(key, False)
        t = np.empty(1 << n)
        half = 1 << (n - 2)
        for c in range(1 << n):
            Lc = c & ((1 << (n - 1)) - 1)
            L = Lc - (1 << (n - 1)) if Lc >= half else Lc
            if Lc == half:
                v = 0.0 if c >> (n - 1) == 0 else math.nan
            else:
                v = pv[L + self._lmax + 1]
                if c >> (n - 1):
                    v = -v
            t[c] = v
        del F
        return t

    def _build_ufunc(self) -> Any:
        return self._log_ufunc()

    def describe(self, code: int) -> Description:
        """Sign (row "sign"), the (n-1)-bit two's-complement log2 magnitude (row "log": its
        bits and L/2^F as a Fraction; row "L": the text "L/2^F"; row "log2": L/2^F as a float)
        and the value; the reserved L pattern is "zero" (sign 0) or "NaN" (sign 1)."""
        n, F = self.n, self._frac
        c = check_code(code, n)
        Lc = c & ((1 << (n - 1)) - 1)
        half = 1 << (n - 2)
        L = Lc - (1 << (n - 1)) if Lc >= half else Lc
        sign = c >> (n - 1)
        special = None
        if Lc == half:
            special = "NaN" if sign else "zero"
        pattern = format(c, f"0{n}b")
        value = float(self._dec[c])
        lbits = pattern[1:]
        if special:
            text = f"{self} {pattern}: {special}"
        else:
            text = (
                f"{self} {pattern}: sign {sign}, log2 magnitude '{lbits}' (L = {L}/2^{F}), "
                f"value {value!r} = {'-' if sign else ''}2^({L}/{1 << F})"
            )
        fields = (
            Field("sign", pattern[0], sign),
            Field("log", lbits, Fraction(L, 1 << F)),
            Field("L", "", f"{L}/2^{F}"),
            Field("log2", "", L / (1 << F)),
        )
        return Description(str(self), c, pattern, fields, value, special, text)

    def __str__(self) -> str:
        return f"LNS<{self.n},{self.frac_bits}>"


# ------------------------------------------------------------------------------------------


BASES = ("2", "sqrt2")


@dataclass(frozen=True)
class LogQuant(Adaptive, _LogTableMixin, Format):
    """LogNet / Miyashita log quantization (see the module docstring).

    n: 2..11 bits for base 2, 2..12 for base √2 (a sign bit and b = n-1 magnitude bits;
    unsigned: b = n, from 1 bit; wider windows of exponents would not fit in float64); fsr: the
    full-scale range exponent (an integer in ``fsr_range``, where every value is a normal
    float64, in units of the base; None: fit from data);
    base: "2" or "sqrt2"; signed: bool (unsigned: negative inputs give 0, for post-ReLU data).
    """

    family: ClassVar[str] = "lns"

    n: int
    fsr: int | None = None
    base: str = "2"
    signed: bool = True

    roundings: ClassVar[tuple[str, ...]] = ("nearest", "stochastic")

    def __post_init__(self) -> None:
        if str(self.base) not in BASES:
            raise ValueError(f"base must be one of {BASES}, got {self.base!r}")
        object.__setattr__(self, "base", str(self.base))
        if not isinstance(self.signed, bool | np.bool_):
            raise ValueError(f"signed must be True or False, got {self.signed!r}")
        object.__setattr__(self, "signed", bool(self.signed))
        # the 2^b - 1 exponents must fit in float64's normal binades: 2^b <= 2045 d + 2
        bmax = 10 if self.base == "2" else 11
        check_int("n", self.n, 2 if self.signed else 1, bmax + int(self.signed))
        object.__setattr__(self, "n", int(self.n))
        if self.fsr is not None:
            object.__setattr__(self, "fsr", check_int("fsr", self.fsr, *self.fsr_range))

    @property
    def fsr_range(self) -> tuple[int, int]:
        """The fsr whose values 2^(x̃/d) are all normal float64 numbers (``fit`` clamps to it)."""
        d = 1 if self.base == "2" else 2
        return (1 << self.b) - 1 - 1022 * d, 1023 * d + 1

    @property
    def nbits(self) -> int:
        return self.n

    @property
    def b(self) -> int:
        """Magnitude bits."""
        return self.n - 1 if self.signed else self.n

    @property
    def d(self) -> int:
        """Exponent units per octave: 1 (base 2) or 2 (base √2)."""
        return 1 if self.base == "2" else 2

    def _need(self) -> int:
        if self.fsr is None:
            raise ValueError("fsr is None: call fit(x) (or quantize(x)) to choose it")
        return self.fsr

    @property
    def exponents(self) -> range:
        """The exponents x̃ of the nonzero magnitudes 2^(x̃/d)."""
        f = self._need()
        return range(f - (1 << self.b) + 1, f)

    @property
    def maxpos(self) -> float:
        return float(_dec_pow2(self.exponents[-1], self.d))

    @property
    def minpos(self) -> float:
        return float(_dec_pow2(self.exponents[0], self.d))

    @property
    def _nan_code(self) -> int:
        return 0  # no NaN code: NaN and inf encode as zero (quantize gives NaN)

    def _table_key(self) -> tuple:
        key = ("LQ", self.n, self._need(), self.base, self.signed)
        if key not in _EXACT:
            ex = list(self.exponents)
            # zero sits in the slot of exponent fsr - 2^b: its threshold is the log midpoint
            lower = _dec_pow2(ex[0] - 1, self.d)
            exact = [lower] + [_dec_pow2(x, self.d) for x in ex]
            pc = np.arange(len(exact), dtype=np.int64)
            if self.signed:
                nc = pc | (1 << (self.n - 1))
                nc[0] = 0
            else:
                nc = np.zeros_like(pc)
            _EXACT[key] = (exact, pc, nc, (ex[0] - 1, self.d))
        return key

    def _round(self, x: np.ndarray, rounding: str, codes: bool) -> np.ndarray:
        res = _LogTableMixin._round(self, x, rounding, codes)
        if not self.signed:
            neg = np.signbit(x) & np.isfinite(x)
            res = np.where(neg, 0, res).astype(res.dtype)
        return res

    def _code_table(self) -> np.ndarray:
        pv = _log_tables(self._table_key(), False)[0]
        c = np.arange(1 << self.n)
        mag = c & ((1 << self.b) - 1)
        v = pv[mag]
        if self.signed:
            v = np.where(c >> self.b == 1, -v, v)
        return v.astype(np.float64)

    @property
    def _mag_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pv, pc, nc, _, _ = _log_tables(self._table_key(), False)
        return pv, pc, nc

    def fit(self, x: Any) -> LogQuant:
        """fsr = Round(d·log2 max|x|) + 1 (finite entries; fsr = 1 for an all-zero tensor)."""
        a, _ = as_float_array(x)
        a = np.abs(a[np.isfinite(a)].astype(np.float64))
        amax = float(a.max()) if a.size else 0.0
        if amax == 0.0:
            return dataclasses.replace(self, fsr=1)
        # Round(d·log2 amax) exactly: compare amax with 2^((k + 1/2)/d)
        k = math.floor(self.d * math.log2(amax))
        for kk in (k - 1, k, k + 1):
            lo = _dec_pow2(2 * kk - 1, 2 * self.d)
            hi = _dec_pow2(2 * kk + 1, 2 * self.d)
            if lo <= Decimal(amax) < hi:
                k = kk
                break
        fsr_lo, fsr_hi = self.fsr_range
        return dataclasses.replace(self, fsr=max(fsr_lo, min(fsr_hi, k + 1)))

    @property
    def needs_fit(self) -> bool:
        """True while ``fsr`` is None (quantize/encode then fit it per call)."""
        return self.fsr is None

    def _neg_values(self, pv: np.ndarray, pc: np.ndarray, nc: np.ndarray) -> np.ndarray:
        if not self.signed:  # unsigned: negative inputs give 0
            return np.zeros_like(pv)
        return np.where(nc != pc, -pv, pv)

    def _ufunc(self) -> Any:
        return self._log_ufunc()

    def describe(self, code: int) -> Description:
        """Sign (row "sign"; signed formats), the magnitude index (row "index": its b bits)
        and the exponent x̃ (row "exponent"; None for the zero code) of a code."""
        n, b = self.n, self.b
        c = check_code(code, n)
        mag = c & ((1 << b) - 1)
        xt = None if mag == 0 else self.exponents[mag - 1]
        sign = (c >> b) if self.signed else 0
        pattern = format(c, f"0{n}b")
        value = float(self._dec[c])
        base = "2" if self.base == "2" else "√2"
        if xt is None:
            special, text = "zero", f"{self} {pattern}: zero"
        else:
            special = None
            text = (
                f"{self} {pattern}: sign {sign}, index {mag} (exponent {xt}), value {value!r}"
                f" = {'-' if sign else ''}{base}^{xt}"
            )
        fields = (
            Field("sign", pattern[0] if self.signed else "", sign),
            Field("index", pattern[-b:], mag),
            Field("exponent", "", xt),
        )
        return Description(str(self), c, pattern, fields, value, special, text)

    def __str__(self) -> str:
        opts: list[tuple[str, Any]] = []
        if self.base != "2":
            opts.append(("base", self.base))
        if not self.signed:
            opts.append(("signed", False))
        inner = f"{self.n}" if self.fsr is None else f"{self.n},{self.fsr}"
        return f"logquant<{inner}>" + options_suffix(opts)


# ------------------------------------------------------------------------------------------
# notation


@notation(r"lns<(\d+),(\d+)>", example="LNS<8,3>")
def _lns(n: str, f: str, **kw: Any) -> LNS:
    return LNS(**{"n": int(n), "frac_bits": int(f), **kw})


@notation(r"logquant<(\d+)(?:,([+-]?\d+))?>", example="logquant<4>")
def _logquant(n: str, fsr: str | None = None, **kw: Any) -> LogQuant:
    return LogQuant(**{"n": int(n), "fsr": None if fsr is None else int(fsr), **kw})
