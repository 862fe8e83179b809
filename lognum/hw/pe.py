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
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = ["PEType", "pe_type", "PE_TYPES", "decode_sig_exp", "lp_log_fixed", "antilog_lut"]


@dataclass(frozen=True)
class PEType:
    """A PE: operand format ``fmt`` (lognum notation), arithmetic ``kind``, widths.

    - ``bits``: operand width; ``acc_bits``: accumulator width (documentation / energy; the
      int accumulator wraps at ``acc_bits``, the quire / LP accumulators are exact).
    - ``lanes``: products per cycle (bit fusion).
    - ``frac_bits`` (``F``, log fraction bits of the operands) and ``alpha`` (fraction bits
      of the antilog LUT entries): LP log-domain parameters.
    - ``exp_range``, ``prec``: exponent range and significand bits used to draw random
      operands when the lognum format classes are not available.
    - ``fused_with``: for a mixed-precision (bit-fusion) PE, the name of the PE type of its
      other mode; the PE's area is the union of both modes' components
      (:func:`lognum.hw.energy.pe_model`), its energy per MAC that of the mode in use.
    - ``arch``: the hardware when ``kind`` does not say it: ``"af"`` is the AdaptivFloat PE
      (integer significand product shifted into an integer accumulator, per-layer exponent
      bias applied outside the array; functionally an exact accumulation, ``kind="quire"``).
    """

    name: str
    kind: str
    bits: int
    acc_bits: int
    fmt: str
    lanes: int = 1
    frac_bits: int = 0
    alpha: int = 0
    exp_range: tuple[int, int] = (0, 0)
    prec: int = 0
    fused_with: str = ""
    arch: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("int", "float", "quire", "lp"):
            raise ValueError(f"kind must be int, float, quire or lp, got {self.kind!r}")
        if self.lanes not in (1, 2, 4):
            raise ValueError(f"lanes must be 1, 2 or 4, got {self.lanes!r}")
        if self.kind == "lp" and not (0 <= self.alpha <= 30 and 0 <= self.frac_bits <= 16):
            raise ValueError("lp PE needs alpha in [0, 30] and frac_bits in [0, 16]")

    # ------------------------------------------------------------------ operands
    def quantize(self, x: np.ndarray) -> np.ndarray:
        """Round ``x`` to this PE's operand format (float64 values).

        Uses the lognum format (``lognum.parse(self.fmt)``) when available; ``int``
        formats are symmetric integers (round half to even, saturate); LP values without the
        format classes are rounded on the log grid of ``F`` fractional bits within
        ``exp_range`` (the LP's tapered precision is then not modelled).
        """
        x = np.asarray(x, np.float64)
        if self.kind == "int":
            lim = 2 ** (self.bits - 1) - 1
            return np.clip(np.rint(x), -lim, lim)
        try:
            import lognum

            return np.asarray(lognum.parse(self.fmt).quantize(x), np.float64)
        except (ImportError, AttributeError, ValueError, NotImplementedError):
            pass
        lo, hi = self.exp_range
        ax = np.abs(x)
        with np.errstate(divide="ignore"):
            lg = np.log2(ax)
        if self.kind == "lp":
            sc = 2.0**self.frac_bits
            X = np.clip(np.rint(lg * sc), lo * sc, hi * sc)
            y = np.sign(x) * np.exp2(X / sc)
        else:
            e = np.clip(np.floor(lg), lo, hi)
            q = 2.0 ** (e - (self.prec - 1))
            y = np.clip(np.rint(ax / q) * q, 0, 2.0 ** (hi + 1) * (1 - 2.0**-self.prec))
            y = np.sign(x) * y
        y[ax < 2.0 ** (lo - 1)] = 0.0
        return np.where(np.isfinite(y), y, 0.0)

    def random(self, shape, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        """Random operands: ``quantize(scale * normal)`` (int: a spread over the range)."""
        if self.kind == "int":
            return self.quantize(rng.normal(0.0, 2 ** (self.bits - 2), shape))
        return self.quantize(rng.normal(0.0, scale, shape))


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


def _lp(name, n, es, rs, sf, frac_bits, alpha, lanes=1):
    # LP<n,es,rs,sf>: value 2^(2^es k + e + f - sf), f has up to n-1-es-2 fraction bits
    return PEType(
        name=name,
        kind="lp",
        bits=n,
        acc_bits=32,
        fmt=f"LP<{n},{es},{rs},{sf}>",
        lanes=lanes,
        frac_bits=frac_bits,
        alpha=alpha,
        exp_range=(-(2**es) * (n - 1), (2**es) * (n - 2)),
    )


PE_TYPES: dict[str, PEType] = {
    "int8": PEType("int8", "int", 8, 32, "int8"),
    "int4": PEType("int4", "int", 4, 32, "int4"),
    "int4x2": PEType("int4x2", "int", 4, 32, "int4", lanes=2),
    "fp8": PEType("fp8", "float", 8, 32, "fp8_e4m3", exp_range=(-6, 8), prec=4),
    "fp8_e5m2": PEType("fp8_e5m2", "float", 8, 32, "fp8_e5m2", exp_range=(-14, 15), prec=3),
    "bf16": PEType("bf16", "float", 16, 32, "bfloat16", exp_range=(-126, 127), prec=8),
    "posit8": PEType("posit8", "quire", 8, 128, "posit<8,2>", exp_range=(-24, 23), prec=4),
    "posit16": PEType("posit16", "quire", 16, 256, "posit<16,2>", exp_range=(-56, 55), prec=12),
    # AdaptivFloat AF<8,3>: 3 exponent bits (8 binades from the fitted bias), 4 fraction bits
    "af8": PEType("af8", "quire", 8, 32, "AF<8,3>", exp_range=(-4, 3), prec=5, arch="af"),
    "lp8": _lp("lp8", 8, 2, 7, 0, frac_bits=3, alpha=8),
    "lp4": _lp("lp4", 4, 0, 3, 0, frac_bits=1, alpha=4),
    "lp4x2": _lp("lp4x2", 4, 0, 3, 0, frac_bits=1, alpha=4, lanes=2),
}
# the mixed-precision LP PE (LPQ's LPA): one 8-bit or two 4-bit LP products per cycle
PE_TYPES["lp_mixed8"] = replace(PE_TYPES["lp8"], name="lp_mixed8", fused_with="lp4x2")
PE_TYPES["lp_mixed4"] = replace(PE_TYPES["lp4x2"], name="lp_mixed4", fused_with="lp8")


def pe_type(pe: str | PEType) -> PEType:
    """Look up a PE type by name (``PE_TYPES``) or pass a :class:`PEType` through."""
    if isinstance(pe, PEType):
        return pe
    key = str(pe).lower()
    if key not in PE_TYPES:
        raise ValueError(f"pe must be one of {sorted(PE_TYPES)} or a PEType, got {pe!r}")
    return PE_TYPES[key]
