"""Independent exact oracle for the tapered formats (posit, GP, LP), in plain Python.

Written from docs/guide/tapered.md without reusing lognum code: values are exact
``Fraction``s (GP/posit) or exact log2 ``Fraction``s (LP). Rounding uses a characterisation
that differs from the kernels' guard/sticky arithmetic: the bit-string tie between adjacent codes
c and c+1 of an n-bit format is the value of code 2c+1 of the same format with one more bit
(same es and regime cap; a posit's cap grows with the word), because that code is exactly
"body of c, then a 1, then zeros" — the guard-bit-set, sticky-clear encoding.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache


def _fields(code: int, n: int, es: int, rs: int):
    """(negative, k, e, F, j) of a code that is neither 0 nor NaR."""
    neg = code >= 1 << (n - 1)
    if neg:
        code = (1 << n) - code
    bits = [(code >> i) & 1 for i in range(n - 2, -1, -1)]  # after the sign, MSB first
    first = bits[0]
    run = 0
    while run < len(bits) and run < rs and bits[run] == first:
        run += 1
    k = run - 1 if first else -run
    pos = run + (1 if run < rs else 0)
    rest = bits[pos:]
    e = 0
    for i in range(es):
        e = 2 * e + (rest[i] if i < len(rest) else 0)
    fr = rest[es:]
    j = 0
    for b in fr:
        j = 2 * j + b
    return neg, k, e, len(fr), j


def ext_rs(n: int, rs: int) -> int:
    """Regime cap of the (n+1)-bit extension: a posit's cap is the word (rs = n - 1)."""
    return n if rs == n - 1 else rs


class Oracle:
    """Exact values and rounding of GP<n,es,rs,sc> (logm=False) or LP<n,es,rs,sf> (logm=True).

    For LP, values are represented by their exact log2 (``sf`` must be a Fraction-able number).
    """

    def __init__(
        self, n: int, es: int, rs: int, sc: int = 0, logm: bool = False, sf: Fraction | float = 0
    ):
        self.n, self.es, self.rs, self.sc, self.logm = n, es, rs, sc, logm
        self.sf = Fraction(sf)

    def key(self, code: int):
        """Exact sort key of a positive code: the value (GP) or its log2 (LP)."""
        neg, k, e, F, j = _fields(code, self.n, self.es, self.rs)
        assert not neg
        if self.logm:
            return Fraction(k * 2**self.es + e) + Fraction(j, 2**F) - self.sf
        return (1 + Fraction(j, 2**F)) * Fraction(2) ** (k * 2**self.es + e + self.sc)

    def value(self, code: int):
        """Exact Fraction (GP), or ('log2', Fraction, sign) for LP; None for 0, 'NaR' for NaR."""
        n = self.n
        if code == 0:
            return 0
        if code == 1 << (n - 1):
            return "NaR"
        neg = code >= 1 << (n - 1)
        mag = (1 << n) - code if neg else code
        kv = self.key(mag)
        if self.logm:
            return ("log2", kv, -1 if neg else 1)
        return -kv if neg else kv

    def float_value(self, code: int) -> float:
        v = self.value(code)
        if v == "NaR":
            return float("nan")
        if isinstance(v, tuple):
            _, lam, s = v
            return s * exp2_float(lam)
        return float(v)

    @cache  # noqa: B019 - oracles live for the test session
    def positive_keys(self) -> list:
        return [self.key(c) for c in range(1, 1 << (self.n - 1))]

    @cache  # noqa: B019 - same: one oracle per format, kept for the session
    def tie_keys(self) -> list:
        """Exact tie keys between positive codes c and c+1 (index c-1)."""
        return [self.tie_key(c) for c in range(1, (1 << (self.n - 1)) - 1)]

    def _cmp(self, x, key) -> int:
        """sign(x - value(key)); for LP ``x`` is already ``exact_log2(|x|)``."""
        if not self.logm:
            return (x > key) - (x < key)
        return cmp_log(x, key)

    def tie_key(self, c: int):
        """Exact tie key between positive codes c and c+1 (via the (n+1)-bit extension)."""
        ext = Oracle(self.n + 1, self.es, ext_rs(self.n, self.rs), self.sc, self.logm, self.sf)
        return ext.key(2 * c + 1)

    def encode(self, x: float) -> int:
        """Nearest code by the bit-string rule (ties to the even pattern), saturating. Binary
        search over the (monotone) codes, so it works for n up to 32 without enumerating."""
        n = self.n
        if x != x or x in (float("inf"), float("-inf")):
            return 1 << (n - 1)
        if x == 0:
            return 0
        ax = Fraction(abs(x))
        if self.logm:
            ax = exact_log2(ax)
        maxc = (1 << (n - 1)) - 1
        if self._cmp(ax, self.key(maxc)) >= 0:
            c = maxc
        elif self._cmp(ax, self.key(1)) <= 0:
            c = 1
        else:
            lo, hi = 1, maxc  # key(lo) < ax < key(hi)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if self._cmp(ax, self.key(mid)) >= 0:
                    lo = mid
                else:
                    hi = mid
            c = lo
            if self._cmp(ax, self.key(lo)) != 0:
                s = self._cmp(ax, self.tie_key(c))
                if s > 0 or (s == 0 and c % 2 == 1):
                    c += 1
        return ((1 << n) - c) % (1 << n) if x < 0 else c


def exact_log2(x: Fraction):
    """log2 of x > 0: an exact Fraction for powers of two, else a 90-digit Decimal."""
    num, den = x.numerator, x.denominator
    if num & (num - 1) == 0 and den & (den - 1) == 0:
        return Fraction(num.bit_length() - den.bit_length())
    with localcontext() as ctx:
        ctx.prec = 90
        return (Decimal(num).ln() - Decimal(den).ln()) / Decimal(2).ln()


def cmp_log(lx, lam: Fraction) -> int:
    """sign(lx - lam) for lx from ``exact_log2``. When lx is a Decimal (x not a power of two),
    x != 2^lam for every rational lam, so a 90-digit margin decides it."""
    if isinstance(lx, Fraction):
        if lam.denominator == 1 or lx != lam:
            return (lx > lam) - (lx < lam)
    with localcontext() as ctx:
        ctx.prec = 90
        d = Decimal(lx.numerator) / Decimal(lx.denominator) if isinstance(lx, Fraction) else lx
        d = d - Decimal(lam.numerator) / Decimal(lam.denominator)
        assert abs(d) > Decimal(10) ** -80
        return 1 if d > 0 else -1


def exp2_float(lam: Fraction) -> float:
    """2^lam correctly rounded to float64 (60-digit decimal evaluation)."""
    with localcontext() as ctx:
        ctx.prec = 60
        ip = lam.numerator // lam.denominator
        fp = lam - ip
        v = Decimal(2) ** (Decimal(fp.numerator) / Decimal(fp.denominator)) * Decimal(2) ** ip
        return float(v)


def floats_around(lam: Fraction) -> tuple[float, float]:
    """The two float64 numbers closest below and above 2^lam (irrational unless lam integer)."""
    import math

    v = exp2_float(lam)
    return math.nextafter(v, 0.0), math.nextafter(v, math.inf)
