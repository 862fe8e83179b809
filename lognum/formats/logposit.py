"""Logarithmic posit ``LP<n, es, rs, sf>`` (Ramachandran et al., LPQ, DAC 2024).

Fields are parsed as the generalized posit (docs/guide/tapered.md: sign; regime run capped at
rs, no terminator at the cap; es exponent bits, left-aligned; F fraction bits), but the fraction
is read as a fixed-point *log2* fraction: with ``ulfx = e + f`` (the poster's "unified
log-domain fixed-point exponent") the value is

    x = (-1)^s · 2^(2^es·k + ulfx − sf),   f = j / 2^F ∈ [0, 1).

Everything after the sign is then one fixed-point number ``log2|x| + sf`` with a tapered integer
part, so the default rounding — RNE on the bit string — *is* round-to-nearest in the log2
domain, ties to the even pattern; tie points are geometric means everywhere.

Reconstruction notice (docs/errata.md: the LPQ paper's full text was not available). These
parts are lognum's reading, not a quotation of the paper:

  * negatives by two's complement (as the authors' public code; deepfloat uses sign-magnitude);
  * the capped-regime rule (taken from GP/ALPS, which the poster's notation follows);
  * sf multiplies by 2^(−sf) (the code's ``2**(regime − sf)``: opposite sign to ALPS' sc) and
    may be any real number (held as a fixed-point value with 59 fraction bits);
  * log-domain rounding by default (the public code rounds in the linear posit domain);
    ``rounding="linear"`` gives nearest-by-value;
  * saturation to ±maxpos, never 0 for a nonzero input, NaN/±inf → NaR, as for posits.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from lognum.formats.base import Format, check_int, check_real
from lognum.formats.registry import REAL, notation
from lognum.formats.tapered import FB_LP, TaperedMixin, exp2_fraction, split_sf

SF_RANGE = 64.0


def lp_log2_max(n: int, es: int, rs: int, sf: float = 0.0) -> Fraction:
    """log2 Max_LP = 2^es (rs − 2^−t) − sf with t = n − 1 − rs (docs/guide/tapered.md; one
    expression for every t, unlike GP). log2 Min_LP = −2^es (rs − 2^−t) − sf."""
    t = n - 1 - rs
    return Fraction(rs << es) - Fraction(1 << es, 1 << t) - Fraction(sf)


@dataclass(frozen=True)
class LogPosit(TaperedMixin, Format):
    """Logarithmic posit LP<n, es, rs, sf> (LPQ, DAC 2024; see the module docstring for which
    details are a reconstruction).

    n: bits (2..32); es: exponent bits (0..4); rs: maximum regime run (1..n-1); sf: real scale
    factor in [-64, 64], value × 2^(−sf).

    Roundings: ``"nearest"`` (log2 domain = bit-string RNE, default), ``"linear"`` (nearest by
    value, ties to even pattern), ``"stochastic"`` (log2 domain: unbiased in log2|x|),
    ``"stochastic_linear"`` (unbiased in value).
    """

    n: int
    es: int
    rs: int
    sf: float = 0.0

    roundings: ClassVar[tuple[str, ...]] = ("nearest", "linear", "stochastic", "stochastic_linear")
    kind: ClassVar[str] = "element"
    family: ClassVar[str] = "lp"

    def __post_init__(self) -> None:
        check_int("n", self.n, 2, 32)
        check_int("es", self.es, 0, 4)
        check_int("rs", self.rs, 1, self.n - 1)
        check_real("sf", self.sf, -SF_RANGE, SF_RANGE)
        for f in ("n", "es", "rs"):
            object.__setattr__(self, f, int(getattr(self, f)))
        object.__setattr__(self, "sf", float(self.sf))

    @property
    def _kparams(self) -> tuple[int, int, int, int, int, int, int]:
        sfi, sff = split_sf(self.sf)
        return (self.n, self.es, self.rs, 0, 1, sfi, sff)

    @property
    def _scale_offset(self) -> float:
        return -self.sf

    @property
    def _sf_fixed(self) -> Fraction:
        sfi, sff = split_sf(self.sf)
        return Fraction(sfi) + Fraction(sff, 1 << FB_LP)

    @property
    def maxpos(self) -> float:
        """2^(2^es (rs − 2^−t) − sf), correctly rounded."""
        a = lp_log2_max(self.n, self.es, self.rs, 0.0) - self._sf_fixed
        return exp2_fraction(a)

    @property
    def minpos(self) -> float:
        """2^(−2^es (rs − 2^−t) − sf), correctly rounded."""
        a = -lp_log2_max(self.n, self.es, self.rs, 0.0) - self._sf_fixed
        return exp2_fraction(a)

    def __str__(self) -> str:
        sf = self.sf
        s = str(int(sf)) if sf == int(sf) else repr(sf)
        return f"LP<{self.n},{self.es},{self.rs},{s}>"


@notation(rf"(?:lp|logposit)<(\d+),(\d+),(\d+),({REAL})>", example="LP<6,2,5,0>")
def _parse_lp(n: str, es: str, rs: str, sf: str, **kw: Any) -> LogPosit:
    return LogPosit(**{"n": int(n), "es": int(es), "rs": int(rs), "sf": float(sf), **kw})
