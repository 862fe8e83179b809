"""Standard posits ``posit<n,es>`` and generalized posits ``GP<n,es,rs,sc>`` (ALPS).

Bit layout and decode: docs/guide/tapered.md (GP: the regime run is capped at
``rs`` bits and a run that reaches ``rs`` has no terminating bit, so k ∈ [-rs, rs-1]; the value
is multiplied by 2^sc). Rounding: round to nearest with ties to the even pattern
on the *bit string* — not nearest by value: where the cut falls in the regime or exponent the
tie point is the geometric mean of the neighbours — saturating to ±maxpos, never rounding a
nonzero to 0 (→ ±minpos), NaN/±inf → NaR (decoded as NaN), -0 → 0.

float32 output of a format whose maxpos exceeds the float32 range (posit<32,4>, GP with a large
sc, e.g. ``GP<8,4,7,64>``): the float64 result rounded to float32, saturating at ±float32 max
(3.4028235e38) instead of overflowing to inf, so a finite input never gives inf. Values below the
float32 range round to float32 as usual (to a subnormal or ±0).

``GeneralizedPosit(n, es, n-1, 0)`` has exactly the bit patterns and values of
``Posit(n, es)`` (tested exhaustively); rs = 1 and rs = 2 are fixed-field floats with bias
2^es / 2^(es+1), no subnormals (docs/errata.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from lognum.formats.base import Format, check_int
from lognum.formats.registry import REAL, notation
from lognum.formats.tapered import TaperedMixin


SC_RANGE = 64


def gp_max_min(n: int, es: int, rs: int, sc: int = 0) -> tuple[float, float]:
    """Max_GP and Min_GP by ALPS eq 2 and eq 3 (exact; with t = n - rs - 1):

    Max = 2^(2^es (rs - 2^-t))          if t <= es, else 2^(2^es rs) (1 - 2^(es - t - 1));
    Min = 2^(-2^es (rs - 2^-t))         if t <= es, else 2^(-2^es rs) (1 + 2^(es - t));
    both times 2^sc. For rs = n - 1 (t = 0) these are the posit's useed^(±(n-2)).
    """
    t = n - rs - 1
    if t <= es:
        a = (rs << es) - (1 << (es - t))
        mx, mn = math.ldexp(1.0, a), math.ldexp(1.0, -a)
    else:
        mx = math.ldexp(1.0 - math.ldexp(1.0, es - t - 1), rs << es)
        mn = math.ldexp(1.0 + math.ldexp(1.0, es - t), -(rs << es))
    return math.ldexp(mx, sc), math.ldexp(mn, sc)


@dataclass(frozen=True)
class GeneralizedPosit(TaperedMixin, Format):
    """Generalized posit GP<n, es, rs, sc> (Langroudi et al., ALPS, CVPRW 2021, eq 1-3).

    n: bits (2..32); es: exponent bits (0..4); rs: maximum regime run length (1..n-1);
    sc: power-of-two exponent bias, value × 2^sc (integer, -64..64; the paper uses -3..3).
    Kernels take (n, es, rs, sc) as run-time integers (no compilation per configuration).
    """

    n: int
    es: int
    rs: int
    sc: int = 0

    kind: ClassVar[str] = "element"
    family: ClassVar[str] = "gp"

    def __post_init__(self) -> None:
        check_int("n", self.n, 2, 32)
        check_int("es", self.es, 0, 4)
        check_int("rs", self.rs, 1, self.n - 1)
        check_int("sc", self.sc, -SC_RANGE, SC_RANGE)
        for f in ("n", "es", "rs", "sc"):
            object.__setattr__(self, f, int(getattr(self, f)))

    @property
    def _kparams(self) -> tuple[int, int, int, int, int, int, int]:
        return (self.n, self.es, self.rs, self.sc, 0, 0, 0)

    @property
    def _scale_offset(self) -> float:
        return float(self.sc)

    @property
    def maxpos(self) -> float:
        """Max_GP, ALPS eq 2 (× 2^sc)."""
        return gp_max_min(self.n, self.es, self.rs, self.sc)[0]

    @property
    def minpos(self) -> float:
        """Min_GP, ALPS eq 3 (× 2^sc)."""
        return gp_max_min(self.n, self.es, self.rs, self.sc)[1]

    @property
    def useed(self) -> int:
        """2^(2^es): the factor between consecutive regimes."""
        return 1 << (1 << self.es)

    def __str__(self) -> str:
        return f"GP<{self.n},{self.es},{self.rs},{self.sc}>"


@dataclass(frozen=True)
class Posit(TaperedMixin, Format):
    """Standard posit<n, es> (Gustafson & Yonemoto 2017; 2022 Posit Standard: es = 2).

    n: bits (2..32); es: exponent bits (0..4). softposit's ``posit8``/``posit16``/``posit32``
    are posit<8,0>, posit<16,1>, posit<32,2>; its ``posit_2(x, n)`` is posit<n,2>.
    maxpos = useed^(n-2) = 2^(2^es (n-2)), minpos = 1/maxpos.
    """

    n: int
    es: int = 2

    kind: ClassVar[str] = "element"
    family: ClassVar[str] = "gp"

    def __post_init__(self) -> None:
        check_int("n", self.n, 2, 32)
        check_int("es", self.es, 0, 4)
        object.__setattr__(self, "n", int(self.n))
        object.__setattr__(self, "es", int(self.es))

    @property
    def rs(self) -> int:
        """A posit's regime run is only limited by the word: rs = n - 1."""
        return self.n - 1

    @property
    def sc(self) -> int:
        return 0

    @property
    def _kparams(self) -> tuple[int, int, int, int, int, int, int]:
        return (self.n, self.es, self.n - 1, 0, 0, 0, 0)

    @property
    def _scale_offset(self) -> float:
        return 0.0

    @property
    def maxpos(self) -> float:
        """useed^(n-2) = 2^(2^es (n-2))."""
        return math.ldexp(1.0, (self.n - 2) << self.es)

    @property
    def minpos(self) -> float:
        """useed^-(n-2)."""
        return math.ldexp(1.0, -((self.n - 2) << self.es))

    @property
    def useed(self) -> int:
        return 1 << (1 << self.es)

    def as_gp(self) -> GeneralizedPosit:
        """The same format as GP<n, es, n-1, 0>."""
        return GeneralizedPosit(self.n, self.es, self.n - 1, 0)

    def __str__(self) -> str:
        return f"posit<{self.n},{self.es}>"


@notation(r"posit<(\d+),(\d+)>", example="posit<8,2>")
def _parse_posit(n: str, es: str, **kw: Any) -> Posit:
    return Posit(**{"n": int(n), "es": int(es), **kw})


@notation(r"posit(\d+)", example="posit16")
def _parse_posit_n(n: str, **kw: Any) -> Posit:
    """``posit8``, ``posit16``: the 2022 standard's posit<n,2>."""
    return Posit(**{"n": int(n), "es": 2, **kw})


@notation(rf"(?:gp|generalizedposit)<(\d+),(\d+),(\d+),({REAL})>", example="GP<6,1,3,-1>")
def _parse_gp(n: str, es: str, rs: str, sc: str, **kw: Any) -> GeneralizedPosit:
    v = float(sc)
    if not (math.isfinite(v) and v == int(v)):
        raise ValueError(f"sc must be an integer in [{-SC_RANGE}, {SC_RANGE}], got {sc}")
    return GeneralizedPosit(**{"n": int(n), "es": int(es), "rs": int(rs), "sc": int(v), **kw})
