"""Exact dot products (lognum.arith) against Fraction arithmetic and an independent rounding
oracle: the tie points of GP<n,es,rs,sc> are the values of GP<n+1,es,rs,sc> at the odd codes
2c+1 between consecutive codes c, c+1 (bit-string RNE, docs/guide/tapered.md)."""

from __future__ import annotations

import math
from bisect import bisect_left
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lognum as ln
from lognum.arith import dot, matmul
from lognum.arith.quire import quire_bits


@cache
def _ties(fmt):
    n = fmt.n
    wide = ln.GeneralizedPosit(n + 1, fmt.es, fmt.rs, fmt.sc)
    codes = np.arange(1, 1 << (n - 1), dtype=np.uint64)  # positive codes, increasing
    vals = [Fraction(float(v)) for v in fmt.decode(codes)]
    ties = [Fraction(float(t)) for t in wide.decode(2 * codes[:-1] + 1)]
    return codes, vals, ties


def _oracle_round_gp(fmt, s: Fraction) -> float:
    """Round an exact rational to a posit/GP by comparing with exact tie points."""
    if s == 0:
        return 0.0
    codes, vals, ties = _ties(fmt)
    a = abs(s)
    i = bisect_left(ties, a)  # first tie >= a
    if i < len(ties) and a == ties[i]:
        i = i if int(codes[i]) % 2 == 0 else i + 1  # tie → even code
    return float(math.copysign(float(vals[i]), s))


def _data(rng, m, k, n):
    a = rng.standard_normal((m, k)) * 2.0 ** rng.integers(-6, 6, (m, k))
    b = rng.standard_normal((k, n))
    return a, b


@pytest.mark.parametrize(
    "spec", ["posit<8,2>", "GP<8,1,3,0>", "GP<10,2,4,-2>", "posit<16,1>", "GP<6,0,2,1>"]
)
def test_quire_matmul_is_exact_then_one_rounding(spec):
    fmt = ln.parse(spec)
    rng = np.random.default_rng(7)
    a, b = _data(rng, 4, 33, 3)
    c = matmul(a, b, fmt)
    qa, qb = fmt.quantize(a), fmt.quantize(b)
    for i in range(4):
        for j in range(3):
            s = sum(Fraction(qa[i, k]) * Fraction(qb[k, j]) for k in range(33))
            assert c[i, j] == _oracle_round_gp(fmt, s), (i, j)


def test_quire_catches_cancellation_that_per_op_rounding_loses():
    f = ln.Posit(16, 1)
    big = 2.0**20
    a = [big, 1.0, -big, 2.0**-10]
    b = [1.0, 1.0, 1.0, 1.0]
    assert dot(a, b, f) == f.quantize(1.0 + 2.0**-10)
    assert dot(a, b, f, "format") != dot(a, b, f)  # big + 1 is rounded away before -big


def test_quire_on_oracle_ties():
    # exact sums that land on a tie point of posit<8,2> must go to the even code
    f = ln.Posit(8, 2)
    wide = ln.GeneralizedPosit(9, 2, 7, 0)
    for c in (0x40, 0x41, 0x50, 0x6E, 0x77):
        t = float(wide.decode(np.uint64(2 * c + 1)))
        h = t / 2  # products h*1 + h*1 = t exactly
        assert dot([h, h], [1.0, 1.0], f) == _oracle_round_gp(f, Fraction(t))


def test_quire_width_and_alps_formula_for_posits():
    from lognum.analysis.closed_form import quire_width

    for n, es in ((8, 0), (8, 2), (16, 1)):
        assert quire_bits(ln.Posit(n, es), 2**20) == quire_width(ln.Posit(n, es), 2**20)
    # GP with t > es: exactness needs 2(t - es) more bits than ALPS' formula
    g = ln.GeneralizedPosit(8, 1, 3, 0)  # t = 4
    assert quire_bits(g, 64) - quire_width(g, 64) == 2 * (4 - 1)


def _lp_exact_sum(fmt, qa, qb):
    """Σ s_a s_b 2^(λa+λb) with the antilog rounded to 53 bits by Decimal (independent)."""
    tot = Fraction(0)
    with localcontext() as ctx:
        ctx.prec = 50
        for x, y in zip(qa, qb, strict=True):
            if x == 0 or y == 0:
                continue
            lam = Fraction(math.log2(abs(x))).limit_denominator(1 << 16) + Fraction(
                math.log2(abs(y))
            ).limit_denominator(1 << 16)
            ip = math.floor(lam)
            fr = lam - ip
            v = Decimal(2) ** (Decimal(fr.numerator) / Decimal(fr.denominator))
            m = int((v * (1 << 52)).to_integral_value(rounding="ROUND_HALF_EVEN"))
            tot += math.copysign(1, x * y) * Fraction(m, 1 << 52) * Fraction(2) ** ip
    return tot


@pytest.mark.parametrize("spec", ["LP<8,1,5,0>", "LP<6,2,2,0>", "LP<10,0,4,1>"])
def test_lp_log_domain_multiply_exact_accumulation(spec):
    fmt = ln.parse(spec)
    rng = np.random.default_rng(11)
    a, b = rng.standard_normal(40), rng.standard_normal(40)
    qa, qb = fmt.quantize(a), fmt.quantize(b)
    s = _lp_exact_sum(fmt, qa, qb)
    assert dot(a, b, fmt) == fmt.quantize(float(s))


def test_lp_antilog_bits_emulates_a_lut():
    fmt = ln.LogPosit(8, 0, 7, 0)
    x, y = fmt.quantize(1.3), fmt.quantize(1.2)
    lam = math.log2(x) + math.log2(y)
    for alpha in (1, 2, 3):
        lut = round(2.0 ** (lam - math.floor(lam)) * 2**alpha) / 2**alpha * 2.0 ** math.floor(lam)
        assert dot([x], [y], fmt, antilog_bits=alpha) == fmt.quantize(lut)
    assert dot([x], [y], fmt, antilog_bits=1) != dot([x], [y], fmt)


def test_lp_format_mode_rounds_products_in_the_log_domain():
    fmt = ln.LogPosit(6, 1, 4, 0)
    v = fmt.values()
    pos = v[v > 0]
    grid = [Fraction(math.log2(t)).limit_denominator(1 << 12) for t in pos]
    rng = np.random.default_rng(2)
    qa, qb = fmt.quantize(rng.standard_normal(300)), fmt.quantize(rng.standard_normal(300))
    ties = 0
    for x, y in zip(qa, qb, strict=True):
        lam = Fraction(math.log2(abs(x))).limit_denominator(1 << 12) + Fraction(
            math.log2(abs(y))
        ).limit_denominator(1 << 12)
        p = dot([x], [y], fmt, "format")
        assert math.copysign(1, p) == math.copysign(1, x * y)
        i = int(np.searchsorted(np.array([float(g) for g in grid]), float(lam)))
        if 0 < i < len(grid) and lam - grid[i - 1] == grid[i] - lam:  # exact log-domain tie
            ties += 1
            code = int(np.flatnonzero(pos == abs(p))[0]) + 1
            assert code % 2 == 0 and abs(p) in (pos[i - 1], pos[i])
        else:  # the format's own log-domain rounding of the (correctly rounded) product
            assert p == fmt.quantize(math.copysign(2.0 ** float(lam), x * y))
    assert ties > 0


def test_three_accumulation_modes_differ_on_real_weights():
    from lognum.data import load_minilm_weights

    W = (
        load_minilm_weights()["layer0.ffn2"].reshape(8, 512).astype(np.float64)
    )  # heavy-tailed layer
    x = np.random.default_rng(0).standard_normal((512, 4)) * 0.3
    for spec in ("posit<8,2>", "LP<8,1,5,0>"):
        f = ln.parse(spec)
        cq, c32, cf = (matmul(W, x, f, m) for m in ("quire", "float32", "format"))
        exact = f.quantize(W) @ f.quantize(x)
        err = [float(np.abs(c - exact).sum()) for c in (cq, c32, cf)]
        assert err[0] <= err[1] <= err[2] and err[2] > err[0]
        assert not np.array_equal(cq, cf)


def test_bad_arguments():
    with pytest.raises(ValueError, match="accumulate"):
        matmul(np.ones((2, 2)), np.ones((2, 2)), "posit<8,2>", "double")
    with pytest.raises(ValueError, match="antilog_bits"):
        matmul(np.ones((2, 2)), np.ones((2, 2)), "posit<8,2>", antilog_bits=3)
    with pytest.raises(ValueError, match="shape"):
        matmul(np.ones((2, 3)), np.ones((2, 2)), "posit<8,2>")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-60, 60), st.integers(-12, 12), st.integers(-60, 60), st.integers(-12, 12)
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["posit<8,1>", "GP<9,2,4,1>", "GP<7,0,3,0>"]),
)
def test_quire_exact_property(terms, spec):
    fmt = ln.parse(spec)
    a = np.array([m * 2.0**e for m, e, _, _ in terms])
    b = np.array([m * 2.0**e for _, _, m, e in terms])
    qa, qb = fmt.quantize(a), fmt.quantize(b)
    s = sum((Fraction(x) * Fraction(y) for x, y in zip(qa, qb, strict=True)), Fraction(0))
    assert dot(a, b, fmt) == _oracle_round_gp(fmt, s)


def test_lp_multiply_elementwise_matches_one_term_format_dot():
    from lognum.arith import lp_multiply

    fmt = ln.LogPosit(7, 1, 4, 0.5)
    rng = np.random.default_rng(9)
    x, y = rng.standard_normal(50), rng.standard_normal(50)
    y[3] = 0.0
    p = lp_multiply(x, y, fmt)
    assert p[3] == 0.0
    ref = np.array([dot([a], [b], fmt, "format") for a, b in zip(x, y, strict=True)])
    np.testing.assert_array_equal(p, ref)
    assert set(np.abs(p[p != 0])) <= set(fmt.values())
    with pytest.raises(ValueError, match="LP"):
        lp_multiply(x, y, "posit<8,2>")


@pytest.mark.parametrize("spec", ["posit<8,2>", "GP<6,0,2,1>", "LP<8,1,5,0>"])
@pytest.mark.parametrize("acc", ["quire", "float32", "format"])
def test_empty_sums_are_zero(spec, acc):
    # a reported defect: dot([], [], "posit<8,2>") said "m must be an integer >= 1"
    assert dot([], [], spec, acc) == 0.0
    c = matmul(np.zeros((3, 0)), np.zeros((0, 2)), spec, acc)
    assert c.shape == (3, 2) and np.all(c == 0.0) and not np.any(np.signbit(c))
    assert matmul(np.ones((0, 4)), np.ones((4, 2)), spec, acc).shape == (0, 2)
    assert matmul(np.ones((2, 4)), np.ones((4, 0)), spec, acc).shape == (2, 0)


def test_arith_user_errors_name_the_parameter():
    from lognum.arith import lp_multiply

    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match="x and y must be finite"):
            lp_multiply([1.0, bad], [2.0, 1.0], "LP<8,1,5,0>")
        with pytest.raises(ValueError, match="A and B must be finite"):
            dot([bad], [1.0], "posit<8,2>")
    for k in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="k must be an integer >= 1"):
            quire_bits("posit<8,2>", k)
    # extreme magnitudes saturate exactly: maxpos² − maxpos² = 0 in the quire
    assert dot([1e300, 1e300], [1e300, -1e300], "posit<8,2>") == 0.0
    assert dot([1e-300] * 3, [1e-300] * 3, "posit<16,2>") == ln.Posit(16, 2).quantize(
        3 * ln.Posit(16, 2).minpos ** 2
    )
