"""PE types: the number format a processing element multiplies and how it accumulates.

A :class:`PEType` is data (frozen dataclass); its arithmetic lives in the Numba kernel
:mod:`lognum.hw._functional_kernel`, which takes only integer / float arrays:

=========  ==============================================================================
``kind``   arithmetic of one MAC ``acc <- acc + a * b``
=========  ==============================================================================
``int``    integer product, int32 accumulator with two's-complement wrap-around
           (INT8 / INT4 MAC; ``lanes=2`` for a bit-fusion INT4 PE doing two products/cycle)
``float``  product rounded once to FP32 (exact for FP8 x FP8 and bfloat16 x bfloat16 unless
           it underflows FP32), then FP32 add with round-to-nearest-even, in the order of the
           reduction index ``k`` (the systolic order in every dataflow, see
           :mod:`lognum.hw.functional`)
``quire``  exact product added to an exact fixed-point accumulator (the posit quire,
           ALPS Alg. 2); the result is rounded once at the end
``lp``     logarithmic posit: the product's log is the integer sum ``X_a + X_b`` of the
           operands' fixed-point logs (``F`` fractional bits, LPQ's log-domain multiply);
           its fractional part indexes an antilog LUT of ``2^F`` entries rounded to
           ``alpha`` fraction bits (``lut[u] = round(2^(u/2^F) 2^alpha)``, ties to even; the
           α-bit LUT of ``lognum.arith.matmul(..., antilog_bits=alpha)``), shifted by the
           integer part into a wide exact linear accumulator
=========  ==============================================================================

``lanes`` is the number of products per PE per cycle along the reduction axis (bit fusion:
the mixed-precision LP PE does one 8-bit or two 4-bit products per cycle).

A PE's operand format is a :class:`lognum.formats.base.Format` (given as one or as its
notation): its operands are that format's values, rounded by ``fmt.quantize``, and what the
hardware model needs of the format (the exponent range, the significand width, the log
fraction bits of an LP format) is read from the format's values, not stated again.
:data:`PE_TYPES` (built on first use) is the one table of named PE types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache, cached_property

import numpy as np

from lognum.formats.base import Format
from lognum.formats.parse import parse

__all__ = [
    "PEType",
    "pe_type",
    "PE_TYPES",
    "decode_sig_exp",
    "lp_log_fixed",
    "log_frac_bits",
    "antilog_lut",
]

KINDS = ("int", "float", "quire", "lp")


@dataclass(frozen=True)
class PEType:
    """A PE: operand format ``fmt``, arithmetic ``kind``, widths.

    - ``fmt``: the operand format, a :class:`~lognum.formats.base.Format` or its notation
      (parsed by :func:`lognum.formats.parse.parse`; an unknown notation is a ``ValueError``
      naming ``fmt``). An element or adaptive format (an adaptive one is fitted per call of
      :meth:`quantize`, as its ``quantize`` does); block formats are not elementwise.
    - ``bits``: operand width, the format's ``nbits``; ``acc_bits``: accumulator width
      (documentation / energy; the int accumulator wraps at ``acc_bits``, the quire / LP
      accumulators are exact).
    - ``lanes``: products per cycle (bit fusion).
    - ``frac_bits`` (``F``, log fraction bits of the operands) and ``alpha`` (fraction bits
      of the antilog LUT entries): LP log-domain parameters. ``frac_bits=None`` takes the
      format's own ``F`` (:func:`log_frac_bits`); a larger ``F`` is a PE that also runs
      LP formats of finer log grids (up to ``F``). Other kinds have ``frac_bits = 0``.
    - ``fused_with``: for a mixed-precision (bit-fusion) PE, the name of the PE type of its
      other mode; the PE's area is the union of both modes' components
      (:func:`lognum.hw.energy.pe_model`), its energy per MAC that of the mode in use.
    - ``arch``: the hardware when ``kind`` does not say it: ``"af"`` is the AdaptivFloat PE
      (integer significand product shifted into an integer accumulator, per-layer exponent
      bias applied outside the array; functionally an exact accumulation, ``kind="quire"``).

    :attr:`exp_range` and :attr:`prec` (what the energy model sizes the exponent adder and
    the significand multiplier by) are derived from the format's values.
    """

    name: str
    kind: str
    bits: int
    acc_bits: int
    fmt: Format
    lanes: int = 1
    frac_bits: int | None = None
    alpha: int = 0
    fused_with: str = ""
    arch: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        try:
            fmt = parse(self.fmt)
        except ValueError as e:
            raise ValueError(f"fmt: {e}") from None
        if fmt.kind == "block":
            raise ValueError(f"fmt must be an element or adaptive format, got block {fmt}")
        object.__setattr__(self, "fmt", fmt)
        if self.bits != fmt.nbits:
            raise ValueError(
                f"bits must be the format's width {fmt.nbits} ({fmt}), got {self.bits!r}"
            )
        if self.lanes not in (1, 2, 4):
            raise ValueError(f"lanes must be 1, 2 or 4, got {self.lanes!r}")
        if self.kind == "int" and not np.all(np.mod(_finite_nonzero(fmt), 1.0) == 0.0):
            raise ValueError(f"fmt of an int PE must have integer values, got {fmt}")
        if self.kind != "lp":
            if self.frac_bits not in (None, 0):
                raise ValueError(
                    f"frac_bits is an LP parameter (0 for {self.kind}), got {self.frac_bits!r}"
                )
            object.__setattr__(self, "frac_bits", 0)
            return
        need = log_frac_bits(fmt)
        F = need if self.frac_bits is None else self.frac_bits
        if not (isinstance(F, int) and need <= F <= 16):
            raise ValueError(
                f"frac_bits must be an integer in [{need}, 16] (the log fraction bits of {fmt} "
                f"or more), got {self.frac_bits!r}"
            )
        object.__setattr__(self, "frac_bits", F)
        if not (isinstance(self.alpha, int) and 0 <= self.alpha <= 30):
            raise ValueError(f"alpha must be an integer in [0, 30], got {self.alpha!r}")

    # ------------------------------------------------------------------ the format's grid
    @cached_property
    def _grid(self) -> tuple[int, int, int]:
        return _grid(self.fmt)

    @property
    def exp_range(self) -> tuple[int, int]:
        """``(lo, hi)``: the binades ``floor(log2|v|)`` of the format's smallest and largest
        nonzero finite values (an adaptive format's span does not depend on its fitted scale;
        it is read off the format fitted to ones)."""
        return self._grid[0], self._grid[1]

    @property
    def prec(self) -> int:
        """Significant bits of the widest value of the format (the significand multiplier's
        width; hidden bit included). Not defined for an LP PE, whose operands are logs."""
        if self.kind == "lp":
            raise ValueError(f"prec: the operands of LP PE {self.name!r} have no significand")
        return self._grid[2]

    # ------------------------------------------------------------------ operands
    def quantize(self, x: np.ndarray) -> np.ndarray:
        """Round ``x`` to this PE's operand format: ``fmt.quantize(x)`` as float64."""
        return np.asarray(self.fmt.quantize(np.asarray(x, np.float64)), np.float64)

    def random(self, shape, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        """Random operands: ``quantize(scale * normal)`` (int: a spread over the range)."""
        if self.kind == "int":
            return self.quantize(rng.normal(0.0, 2 ** (self.bits - 2), shape))
        return self.quantize(rng.normal(0.0, scale, shape))


def _finite_nonzero(fmt: Format) -> np.ndarray:
    f = fmt.fit(np.ones(1)) if fmt.needs_fit else fmt
    v = np.asarray(f.values(), np.float64)
    return v[np.isfinite(v) & (v != 0)]


def _grid(fmt: Format) -> tuple[int, int, int]:
    """``(lo, hi, prec)`` of :attr:`PEType.exp_range` / :attr:`PEType.prec`."""
    v = _finite_nonzero(fmt)
    _, e = np.frexp(np.abs(v))
    sig, _ = decode_sig_exp(v)
    return int(e.min()) - 1, int(e.max()) - 1, int(np.max(np.abs(sig))).bit_length()


def decode_sig_exp(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``v = sig * 2**exp`` with odd integer ``sig`` (``sig = exp = 0`` for zero).

    Works for every finite float64, so for every format whose values are float64-exact.
    """
    v = np.asarray(v, np.float64)
    m, e = np.frexp(v)
    sig = np.rint(np.ldexp(m, 53)).astype(np.int64)
    exp = (e - 53).astype(np.int64)
    nz = sig != 0
    # strip trailing zero bits
    tz = np.zeros_like(sig)
    s = np.abs(sig)
    lowbit = s & -s
    tz[nz] = np.log2(lowbit[nz].astype(np.float64)).astype(np.int64)
    sig = np.where(nz, sig >> tz, 0)
    exp = np.where(nz, exp + tz, 0)
    return sig, exp


def lp_log_fixed(v: np.ndarray, frac_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """LP operand as ``(sign, X)``: ``|v| = 2**(X / 2**frac_bits)``, sign in {-1, 0, 1}.

    ``v`` must be values of an LP format with ``frac_bits`` log fraction bits (or coarser);
    ``X`` is recovered exactly by rounding ``log2|v| * 2**F`` (raises if ``v`` is off-grid).
    """
    v = np.asarray(v, np.float64)
    sign = np.sign(v).astype(np.int64)
    with np.errstate(divide="ignore"):
        lg = np.log2(np.abs(v)) * 2.0**frac_bits
    X = np.where(sign != 0, np.rint(lg), 0.0)
    if np.any(np.abs(X - np.where(sign != 0, lg, 0.0)) > 1e-6):
        raise ValueError("v: values are not on the LP log grid of frac_bits fractional bits")
    return sign, X.astype(np.int64)


def antilog_lut(frac_bits: int, alpha: int) -> np.ndarray:
    """``lut[u] = round(2**(u / 2**frac_bits) * 2**alpha)`` for ``u < 2**frac_bits`` (int64),
    ties to even (only ``u = 0`` is exact; the others are irrational), computed in decimal
    arithmetic with 40 digits."""
    from decimal import Decimal, localcontext

    n = 1 << frac_bits
    with localcontext() as ctx:
        ctx.prec = 40
        return np.array(
            [
                int(
                    (Decimal(2) ** (Decimal(u) / n) * (1 << alpha)).to_integral_value(
                        rounding="ROUND_HALF_EVEN"
                    )
                )
                for u in range(n)
            ],
            np.int64,
        )


def log_frac_bits(fmt: Format | str) -> int:
    """Fraction bits ``F`` of the log of an LP format's values: the smallest ``F`` with every
    finite nonzero ``log2|v| 2^F`` an integer (enumerated over all codes)."""
    f = parse(fmt)
    lg = np.log2(np.abs(_finite_nonzero(f)))
    for F in range(24):
        s = lg * 2.0**F
        if np.all(np.abs(s - np.rint(s)) < 1e-9):
            return F
    raise ValueError(f"fmt: {f} has no log grid of at most 23 fraction bits")


@cache
def _pe_types() -> dict[str, PEType]:
    """The table of :data:`PE_TYPES`, built on first use (it reads the formats' values)."""
    int8 = PEType("int8", "int", 8, 32, "int8")
    int4x2 = PEType("int4x2", "int", 4, 32, "int4", lanes=2)
    lp8 = PEType("lp8", "lp", 8, 32, "LP<8,2,7,0>", alpha=8)
    lp4x2 = PEType("lp4x2", "lp", 4, 32, "LP<4,0,3,0>", alpha=4, lanes=2)
    # uniform LP8 for LP<8,0,7,4> (the best single LP8 of results/lpq/baselines.json): its
    # F = 5 log fraction bits, antilog LUT entries of alpha = 8 bits (lp8's alpha)
    lp8_f5 = PEType("lp8_f5", "lp", 8, 32, "LP<8,0,7,4>", alpha=8)
    pes = [
        int8,
        PEType("int4", "int", 4, 32, "int4"),
        int4x2,
        PEType("fp8", "float", 8, 32, "fp8_e4m3"),
        PEType("fp8_e5m2", "float", 8, 32, "fp8_e5m2"),
        PEType("bf16", "float", 16, 32, "bfloat16"),
        PEType("posit8", "quire", 8, 128, "posit<8,2>"),
        PEType("posit16", "quire", 16, 256, "posit<16,2>"),
        # AdaptivFloat AF<8,3>: 3 exponent bits (8 binades from the fitted bias), 4 fraction
        # bits; accumulator 2 x 8 binades + 2 x 5 significand bits + carry bits = 32 bits
        PEType("af8", "quire", 8, 32, "AF<8,3>", arch="af"),
        # AdaptivFloat AF<8,4> (the format measured in results/lpq/baselines.json): 4 exponent
        # bits (16 binades), 3 fraction bits; accumulator 2 x 16 binades + 2 x 4 significand
        # bits + 8 carry bits = 48 bits (af8's rule)
        PEType("af8_4", "quire", 8, 48, "AF<8,4>", arch="af"),
        lp8,
        PEType("lp4", "lp", 4, 32, "LP<4,0,3,0>", alpha=4),
        lp4x2,
        lp8_f5,
        # the mixed-precision LP PE (LPQ's LPA): one 8-bit or two 4-bit LP products per cycle
        replace(lp8, name="lp_mixed8", fused_with="lp4x2"),
        replace(lp4x2, name="lp_mixed4", fused_with="lp8"),
        # the LPA of lognum.hw.model: lp8_f5's 8-bit mode fused with two LP<4> lanes (lp4x2)
        replace(lp8_f5, name="lpa8", fused_with="lpa4"),
        replace(lp4x2, name="lpa4", fused_with="lpa8"),
        # bit-fusion INT4/8: one INT8 or two INT4 products per cycle (the union of both)
        replace(int8, name="int_bf8", fused_with="int4x2"),
        replace(int4x2, name="int_bf4", fused_with="int8"),
    ]
    return {p.name: p for p in pes}


class _PETable(Mapping[str, PEType]):
    """Read-only view of the PE table, built on first use (so that importing this module
    reads no format's values)."""

    def __getitem__(self, name: str) -> PEType:
        return _pe_types()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_pe_types())

    def __len__(self) -> int:
        return len(_pe_types())

    def __repr__(self) -> str:
        return f"PE_TYPES({', '.join(_pe_types())})"


#: The named PE types (:func:`pe_type`), read-only; a mixed-precision PE names its other mode.
PE_TYPES: Mapping[str, PEType] = _PETable()


def pe_type(pe: str | PEType) -> PEType:
    """Look up a PE type by name (``PE_TYPES``) or pass a :class:`PEType` through."""
    if isinstance(pe, PEType):
        return pe
    table = _pe_types()
    key = str(pe).lower()
    if key not in table:
        raise ValueError(f"pe must be one of {sorted(table)} or a PEType, got {pe!r}")
    return table[key]
