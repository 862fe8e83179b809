"""GP and LP arithmetic (n = 5..10) against exact oracles written here.

The oracle reads every bit pattern field by field (its own decoder), computes the exact
result (Python integers / Fractions; for LP sums the log ``u_a + log2(1 ± 2^(u_b - u_a))`` in
60-digit decimal, with the exact ties x + x = 2x and x - x/2 = x/2 handled as rationals and a
check that the decimal margin to every tie is decisive), and rounds it by comparing with the
exact tie points: the bit-string tie between codes c and c + 1 is the (n+1)-bit pattern 2c+1
(ties to the even code; clamped to [minpos, maxpos]). Exhaustive for n <= 8.
"""

from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache

import numpy as np
import pytest

import lognum as ln


def _kef(p: int, nbits: int, es: int, rs: int) -> tuple[int, int, Fraction]:
    """(k, e, f) of a positive pattern p of nbits bits (sign bit 0)."""
    bits = [(p >> (nbits - 2 - i)) & 1 for i in range(nbits - 1)]
    run = 1
    while run < len(bits) and run < rs and bits[run] == bits[0]:
        run += 1
    k = run - 1 if bits[0] else -run
    pos = run + 1 if run < rs else run  # terminator only below the cap
    ebits = bits[pos : pos + es]
    e = 0
    for i in range(es):
        e = 2 * e + (ebits[i] if i < len(ebits) else 0)
    fbits = bits[pos + es :]
    f = Fraction(sum(b << (len(fbits) - 1 - i) for i, b in enumerate(fbits)), 1 << len(fbits))
    return k, e, f


class Oracle:
    def __init__(self, fmt):
        self.fmt = fmt
        self.n, self.es, self.rs = fmt.n, fmt.es, fmt.rs
        self.lp = fmt.family == "lp"
        self.maxp = (1 << (self.n - 1)) - 1
        self.nar = 1 << (self.n - 1)
        if self.lp:
            sfi, sff = fmt._kparams[5], fmt._kparams[6]
            self.sf = Fraction(sfi) + Fraction(sff, 1 << 59)
        else:
            self.sc = fmt.sc
        # magnitudes of the positive codes 1..maxp (GP: exact value; LP: the log u)
        self.mag = [self._mag(c, self.n) for c in range(1, self.maxp + 1)]
        self.ties = [self._mag(2 * c + 1, self.n + 1) for c in range(1, self.maxp)]

    def _mag(self, p, nbits):
        k, e, f = _kef(p, nbits, self.es, self.rs)
        s = (k << self.es) + e
        if self.lp:
            return s + f  # u
        return (1 + f) * Fraction(2) ** (s + self.sc)

    # exact real -> code
    def _pick(self, i, exact_tie):
        c = i + 1
        if exact_tie:
            c = c if c % 2 == 0 else c + 1
        return c

    def round_mag(self, m) -> int:
        """Body of a positive magnitude (GP: value; LP: log u) — exact comparisons."""
        i = bisect_left(self.ties, m)
        return self._pick(i, i < len(self.ties) and self.ties[i] == m)

    def signed(self, neg, body):
        return (1 << self.n) - body if neg else body

    def split(self, c):
        """(negative, magnitude) of a code that is not 0/NaR."""
        neg = c >> (self.n - 1)
        body = (1 << self.n) - c if neg else c
        return bool(neg), self.mag[body - 1]

    # ---- operations
    def binop(self, op, a, b):
        if a == self.nar or b == self.nar or (op == "div" and b == 0):
            return self.nar
        if op == "sub":
            b = ((1 << self.n) - b) % (1 << self.n)
            op = "add"
        if op == "add":
            if a == 0 or b == 0:
                return a if b == 0 else b
            return self._add(*self.split(a), *self.split(b))
        if a == 0 or b == 0:
            return 0
        na, ma = self.split(a)
        nb, mb = self.split(b)
        if self.lp:
            u = ma + mb - self.sf if op == "mul" else ma - mb + self.sf
            return self.signed(na != nb, self.round_mag(u))
        v = ma * mb if op == "mul" else ma / mb
        return self.signed(na != nb, self.round_mag(v))

    def sqrt(self, a):
        if a == self.nar or a >> (self.n - 1):
            return self.nar
        if a == 0:
            return 0
        _, m = self.split(a)
        if self.lp:
            return self.round_mag((m + self.sf) / 2)
        # sqrt(m) vs tie t  <=>  m vs t^2
        if not hasattr(self, "_sq"):
            self._sq = [t * t for t in self.ties]
        sq = self._sq
        i = bisect_left(sq, m)
        return self._pick(i, i < len(sq) and sq[i] == m)

    def fma(self, a, b, c):
        if self.nar in (a, b, c):
            return self.nar
        if a == 0 or b == 0:
            return c
        na, ma = self.split(a)
        nb, mb = self.split(b)
        if self.lp:
            p = ma + mb - self.sf
        else:
            p = ma * mb
        if c == 0:
            return self.signed(na != nb, self.round_mag(p))
        return self._add(na != nb, p, *self.split(c))

    def _add(self, na, ma, nb, mb):
        if not self.lp:
            v = (-ma if na else ma) + (-mb if nb else mb)
            if v == 0:
                return 0
            return self.signed(v < 0, self.round_mag(abs(v)))
        if mb > ma:
            na, ma, nb, mb = nb, mb, na, ma
        minus = na != nb
        d = ma - mb
        if d == 0:
            return 0 if minus else self.signed(na, self.round_mag(ma + 1))
        if minus and d == 1:
            return self.signed(na, self.round_mag(ma - 1))
        with localcontext() as ctx:
            ctx.prec = 60
            u = Decimal(ma.numerator) / Decimal(ma.denominator) + _log2_1pm(d, minus)
        ties = self._dties()
        i = bisect_left(ties, u)
        margin = min(abs(u - ties[j]) for j in (i - 1, i) if 0 <= j < len(ties))
        assert margin > Decimal(10) ** -40, "oracle margin too small"
        return self.signed(na, i + 1)

    @cache  # noqa: B019 - one oracle per format, kept for the module
    def _dties(self):
        with localcontext() as ctx:
            ctx.prec = 60
            return [Decimal(t.numerator) / Decimal(t.denominator) for t in self.ties]


@cache
def _log2_1pm(d: Fraction, minus: bool) -> Decimal:
    """log2(1 ± 2^-d) to 60 digits."""
    with localcontext() as ctx:
        ctx.prec = 60
        ln2 = Decimal(2).ln()
        x = (-(Decimal(d.numerator) / Decimal(d.denominator)) * ln2).exp()
        return ((1 - x) if minus else (1 + x)).ln() / ln2


def _mk(spec):
    return ln.parse(spec)


SMALL = [
    "GP<5,0,2,0>",
    "GP<6,1,3,-1>",
    "posit<6,1>",
    "GP<7,2,2,1>",
    "GP<8,1,4,0>",
    "GP<8,0,7,2>",
    "posit<8,3>",
    "LP<5,0,3,0>",
    "LP<6,1,4,0.5>",
    "LP<7,2,3,-1.25>",
    "LP<8,1,5,0>",
    "LP<8,0,7,0.3>",
    "LP<8,2,3,1>",
]
LARGER = [
    "GP<9,1,5,0>",
    "GP<10,2,4,-2>",
    "posit<10,1>",
    "LP<9,1,8,0>",
    "LP<10,2,5,0.7>",
    "LP<10,0,4,-0.5>",
]


def _all_pairs(n):
    c = np.arange(1 << n, dtype=np.uint64)
    return np.repeat(c, 1 << n), np.tile(c, 1 << n)


def _check(fmt, op, ca, cb, got):
    o = _oracle(str(fmt))
    bad = []
    for a, b, g in zip(ca.tolist(), cb.tolist(), got.tolist(), strict=True):
        want = o.binop(op, a, b)
        if want != g:
            bad.append((a, b, g, want))
            if len(bad) > 5:
                break
    assert not bad, f"{fmt} {op}: (a, b, got, want) {bad}"


@cache
def _oracle(spec):
    return Oracle(_mk(spec))


@pytest.mark.parametrize("spec", SMALL)
@pytest.mark.parametrize("op", ["add", "sub", "mul"])
def test_exhaustive_binary_ops_small_n(spec, op):
    fmt = _mk(spec)
    ca, cb = _all_pairs(fmt.n)
    got = getattr(fmt, f"{op}_codes")(ca, cb)
    _check(fmt, op, ca, cb, got)


@pytest.mark.parametrize("spec", SMALL)
def test_division_small_n(spec):
    """Exhaustive for n <= 6, 4000 random pairs otherwise (Fraction division is slow)."""
    fmt = _mk(spec)
    if fmt.n <= 6:
        ca, cb = _all_pairs(fmt.n)
    else:
        rng = np.random.default_rng(fmt.n)
        ca, cb = (rng.integers(0, 1 << fmt.n, 4000).astype(np.uint64) for _ in range(2))
    _check(fmt, "div", ca, cb, fmt.div_codes(ca, cb))


@pytest.mark.parametrize("spec", SMALL + LARGER)
def test_sqrt_all_codes(spec):
    fmt = _mk(spec)
    o = _oracle(spec)
    c = np.arange(1 << fmt.n, dtype=np.uint64)
    got = fmt.sqrt_codes(c).tolist()
    want = [o.sqrt(int(x)) for x in c]
    assert got == want


@pytest.mark.parametrize("spec", LARGER)
def test_random_binary_ops_larger_n(spec):
    fmt = _mk(spec)
    rng = np.random.default_rng(fmt.n + 11)
    for op in ("add", "sub", "mul", "div"):
        ca, cb = (rng.integers(0, 1 << fmt.n, 3000).astype(np.uint64) for _ in range(2))
        _check(fmt, op, ca, cb, getattr(fmt, f"{op}_codes")(ca, cb))


@pytest.mark.parametrize(
    "spec",
    [
        "GP<6,1,3,-1>",
        "GP<8,1,4,0>",
        "posit<10,1>",
        "LP<6,1,4,0.5>",
        "LP<8,1,5,0>",
        "LP<10,2,5,0.7>",
    ],
)
def test_fma_one_rounding(spec):
    fmt = _mk(spec)
    o = _oracle(spec)
    rng = np.random.default_rng(5)
    ca, cb, cc = (rng.integers(0, 1 << fmt.n, 3000).astype(np.uint64) for _ in range(3))
    # also c close to -a*b (cancellation): c = the rounded -a*b nudged by a code
    k = 1000
    cc[:k] = (
        fmt.neg_codes(fmt.mul_codes(ca[:k], cb[:k])).astype(np.int64) + rng.integers(-1, 2, k)
    ) % (1 << fmt.n)
    got = fmt.fma_codes(ca, cb, cc).tolist()
    bad = [
        (a, b, c, g)
        for a, b, c, g in zip(ca.tolist(), cb.tolist(), cc.tolist(), got, strict=True)
        if o.fma(a, b, c) != g
    ]
    assert not bad[:5]


def test_fraction_oracle_sees_double_rounding():
    """The oracle can fail: rounding the product to the format and then adding is not fma."""
    fmt = _mk("GP<8,1,4,0>")
    o = _oracle("GP<8,1,4,0>")
    rng = np.random.default_rng(2)
    ca, cb, cc = (rng.integers(0, 1 << 8, 4000).astype(np.uint64) for _ in range(3))
    two = fmt.add_codes(fmt.mul_codes(ca, cb), cc).tolist()
    want = [o.fma(a, b, c) for a, b, c in zip(ca.tolist(), cb.tolist(), cc.tolist(), strict=True)]
    assert sum(x != y for x, y in zip(two, want, strict=True)) > 0


@pytest.mark.parametrize("spec", ["LP<12,3,11,0>", "LP<12,2,11,0.5>"])
def test_lp_fma_on_a_tie_exercises_the_double_double_decision(spec):
    """a*b lands exactly on a bit-string tie and c is 2^-38..2^-58 of it: the double
    approximation cannot decide (within 2^-37 of the tie), the double-double comparison must,
    and the answer is the neighbour on c's side."""
    fmt = _mk(spec)
    o = _oracle(spec)
    ties = {t: i for i, t in enumerate(o.ties)}
    rng = np.random.default_rng(8)
    cases = []
    for a, b in rng.integers(1, o.maxp + 1, (40000, 2)).tolist():
        up = o.mag[a - 1] + o.mag[b - 1] - o.sf
        if up in ties:
            for d in (38, 45, 52, 58):
                target = up - d  # log of c
                i = min(bisect_left(o.mag, target), o.maxp - 1)
                if abs(o.mag[i] - target) < 2 and o.mag[i] < up - 37:
                    c = i + 1
                    cases += [(a, b, c), (a, b, (1 << fmt.n) - c)]
        if len(cases) > 400:
            break
    assert len(cases) >= 40
    ca, cb, cc = (np.array(x, dtype=np.uint64) for x in zip(*cases, strict=True))
    got = fmt.fma_codes(ca, cb, cc).tolist()
    want = [o.fma(a, b, c) for a, b, c in cases]
    assert got == want
    # and the tie really decides: c > 0 rounds up, c < 0 down (different codes)
    assert all(got[i] != got[i + 1] for i in range(0, len(got), 2))
