"""Integers, fixed point, symmetric/affine quantizers, dynamic fixed point (docs/guide/fixed.md).

Oracles: two's-complement decode by definition, the structural midpoint oracle (ties to the
even integer / away from zero), the plain NumPy expressions of the quantizers
(``np.clip(np.rint(x/s), ...)``, Jacob et al.'s affine formula), hand-computed fractional
lengths, and the lecture table's closed form (docs/guide/index.md, with its erratum).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from lognum.formats.fixed import (
    AffineInt,
    DynamicFixedPoint,
    FixedPoint,
    Integer,
    SymmetricInt,
    lecture_table,
)

from .taxonomy_oracle import midpoint_cases


def _even_winner(step):
    def w(lo, hi):
        return np.where(np.round(lo / step) % 2 == 0, lo, hi)

    return w


@pytest.mark.parametrize(
    "n,f,signed",
    [(4, 0, True), (8, 3, True), (8, -2, True), (5, 2, False), (8, 0, False), (12, 6, True)],
)
def test_fixed_point_every_code_and_midpoint(n, f, signed):
    fmt = FixedPoint(n, f, signed)
    codes = np.arange(1 << n)
    q = np.where(signed & (codes >= 1 << (n - 1)), codes - (1 << n), codes)
    assert np.array_equal(fmt.decode(codes), np.ldexp(q.astype(float), -f))
    step = 2.0**-f
    vals = np.unique(np.ldexp(q.astype(float), -f))
    assert np.array_equal(fmt.values(), vals)
    assert fmt.maxpos == vals[-1] and fmt.minpos == step
    for dt in (np.float64, np.float32):
        x, y = midpoint_cases(vals, _even_winner(step), np.dtype(dt))
        got = fmt.quantize(x)
        assert got.dtype == dt and np.array_equal(got, y.astype(dt)), x[got != y][:4]
        assert np.array_equal(fmt.decode(fmt.encode(x)), y)
        away = FixedPoint(n, f, signed, ties="away").quantize(x)
        exp_away = np.array(
            [
                float(Decimal(abs(v) / step).quantize(Decimal(1), ROUND_HALF_UP))
                * step
                * math.copysign(1, v)
                for v in x.astype(float)
            ]
        )
        exp_away = np.clip(exp_away, vals[0], vals[-1])
        assert np.array_equal(away, exp_away.astype(dt))
    edge = np.array([1e9, -1e9, np.inf, -np.inf, np.nan])
    got = fmt.quantize(edge)
    assert got[0] == vals[-1] and got[1] == vals[0] and got[2] == vals[-1] and np.isnan(got[4])
    assert fmt.encode(np.array([np.nan]))[0] == 0


def test_integer_names():
    assert str(Integer(8)) == "int8" and str(Integer(4, signed=False)) == "uint4"
    assert str(FixedPoint(8, 4)) == "fixed<8,4>" and Integer(8).values().tolist()[:2] == [
        -128,
        -127,
    ]


def test_symmetric_per_tensor_matches_numpy_expression():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 33)).astype(np.float32)
    f = SymmetricInt(8).fit(x)
    s = float(np.max(np.abs(x.astype(np.float64)))) / 127
    assert f.scale == s
    s32 = np.float32(s)  # float32 inputs: the NumPy expression in float32
    ref = np.clip(np.rint(x / s32), -127, 127) * s32
    assert ref.dtype == np.float32 and np.array_equal(SymmetricInt(8).quantize(x), ref)
    ref64 = np.clip(np.rint(x.astype(np.float64) / s), -127, 127) * s
    assert np.array_equal(SymmetricInt(8).quantize(x.astype(np.float64)), ref64)
    codes = SymmetricInt(8).encode(x)
    q = np.clip(np.rint(x / s32), -127, 127).astype(np.int64)
    assert codes.dtype == np.uint8 and np.array_equal(codes, (q & 0xFF).astype(np.uint8))
    assert np.array_equal(f.decode(codes), q * s)  # decode: float64 q·S
    assert 0x80 not in codes  # -128 unused
    # exact ties: amax = 127/8 makes s = 1/8, and (k + 1/2)/8 is a tie between k and k+1
    t = np.array([127 / 8] + [(k + 0.5) / 8 for k in range(-5, 5)])
    got = SymmetricInt(8).quantize(t)
    assert np.array_equal(got[1:], np.array([np.rint(k + 0.5) / 8 for k in range(-5, 5)]))
    got = SymmetricInt(8, ties="away").quantize(t)
    assert np.array_equal(
        got[1:],
        np.array(
            [math.copysign(math.floor(abs(k + 0.5) + 0.5), k + 0.5) / 8 for k in range(-5, 5)]
        ),
    )
    assert np.array_equal(f.values(), np.arange(-127, 128) * s)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_symmetric_per_channel(axis):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 7, 3)) * rng.uniform(0.1, 10, (5, 1, 1))
    got = SymmetricInt(6, axis=axis).quantize(x)
    fit = SymmetricInt(6, axis=axis).fit(x)
    moved = np.moveaxis(x, axis, 0)
    assert len(fit.scale) == moved.shape[0]
    exp = np.empty_like(moved)
    for c in range(moved.shape[0]):
        s = np.max(np.abs(moved[c])) / 31
        assert fit.scale[c] == s
        exp[c] = np.clip(np.rint(moved[c] / s), -31, 31) * s
    assert np.array_equal(got, np.moveaxis(exp, 0, axis))
    codes = fit.encode(x)
    assert codes.shape == x.shape
    with pytest.raises(ValueError, match="slices"):
        fit.quantize(np.take(x, [0, 1], axis=axis))


@pytest.mark.parametrize("n,signed", [(8, False), (8, True), (4, False)])
def test_affine_matches_jacob_formula(n, signed):
    rng = np.random.default_rng(2)
    x = rng.uniform(-0.7, 2.3, 1000)
    qmin, qmax = (-(2 ** (n - 1)), 2 ** (n - 1) - 1) if signed else (0, 2**n - 1)
    f = AffineInt(n, signed=signed).fit(x)
    rmin, rmax = min(x.min(), 0), max(x.max(), 0)
    S = (rmax - rmin) / (qmax - qmin)
    Z = int(np.clip(np.rint(qmin - rmin / S), qmin, qmax))
    assert f.scale == S and f.zero_point == Z
    q = np.clip(np.rint(x / S) + Z, qmin, qmax)
    assert np.array_equal(f.quantize(x), (q - Z) * S)
    assert f.quantize(np.array([0.0]))[0] == 0.0  # zero is exact
    codes = f.encode(x).astype(np.int64)
    assert np.array_equal(codes, q.astype(np.int64) & (2**n - 1))
    assert np.array_equal(f.decode(codes), (q - Z) * S)
    # positive-only data (post-ReLU): Z = qmin
    g = AffineInt(n, signed=signed).fit(np.abs(x))
    assert g.zero_point == qmin


def test_dynamic_fixed_point_fractional_length():
    for amax, fl in [(3.9, 5), (4.0, 5), (0.01, 13), (100.0, 0), (0.5, 8)]:
        x = np.array([amax, -amax / 3, 0.0])
        f = DynamicFixedPoint(8).fit(x)
        il = math.ceil(math.log2(amax)) + 1
        assert f.frac_bits == 8 - il == fl
        assert np.array_equal(f.quantize(x), FixedPoint(8, fl).quantize(x))
    per = DynamicFixedPoint(8, axis=0).fit(np.array([[3.9, 1.0], [0.01, 0.0]]))
    assert per.frac_bits == (5, 13)


def test_stochastic_rounding_unbiased():
    f = SymmetricInt(8, scale=0.5)
    x = np.full(50_000, 0.5 * (3 + 0.3))
    q = f.quantize(x, rounding="stochastic", rng=np.random.default_rng(9))
    assert set(np.unique(q)) == {1.5, 2.0}
    sigma = math.sqrt(0.3 * 0.7 / x.size)
    assert abs(np.mean(q == 2.0) - 0.3) < 6 * sigma
    q2 = f.quantize(x, rounding="stochastic", rng=np.random.default_rng(9))
    assert np.array_equal(q, q2)
    c = f.encode(x, rounding="stochastic", rng=np.random.default_rng(9))
    assert np.array_equal(f.decode(c), q)
    fx = FixedPoint(6, 2)
    y = np.random.default_rng(3).uniform(-7, 7, 40_000)
    qq = fx.quantize(y, rounding="stochastic", rng=np.random.default_rng(4))
    assert abs(np.mean(qq - y)) < 6 * 0.25 / math.sqrt(6 * y.size)


def test_lecture_uniform_vs_scale_factor_table():
    t = lecture_table()
    i = np.arange(16)
    k = i // 2
    q = (4.0 ** (k + 1) - 4.0**k) * (i % 2) / 2 + 4.0**k - 1  # docs/guide/index.md, erratum: /2
    assert np.array_equal(t["scale_factor"], q)
    assert t["scale_factor"][:6].tolist() == [0, 1.5, 3, 9, 15, 39]
    assert t["scale_factor"][-1] == 40959
    printed = (4.0 ** (k + 1) - 4.0**k) * (i % 2) / 8 + 4.0**k - 1  # the lecture's typo
    assert not np.array_equal(t["scale_factor"], printed)
    assert np.array_equal(t["uniform"], 44000 * i / 16)
    assert t["uniform"][9] == 24750 and t["uniform"][10] == 27500  # lecture shows 24749, 27499


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: FixedPoint(1), "n must"),
        (lambda: FixedPoint(8, 100), "frac_bits must"),
        (lambda: FixedPoint(8, ties="up"), "ties must"),
        (lambda: SymmetricInt(17), "n must"),
        (lambda: SymmetricInt(8, scale=-1.0), "scale must"),
        (lambda: SymmetricInt(8, scale=(1.0, 2.0)), "scale must"),
        (lambda: AffineInt(8, scale=1.0, zero_point=300), "zero_point must"),
        (lambda: AffineInt(8, scale=1.0), "zero_point must"),
        (lambda: DynamicFixedPoint(8, frac_bits=500), "frac_bits must"),
        (lambda: SymmetricInt(8).quantize(np.ones(3), saturate=False), "saturate must"),
        (lambda: SymmetricInt(8, axis=3).quantize(np.ones(3)), "axis must"),
        (lambda: FixedPoint(8).quantize(np.ones(3), rounding="up"), "rounding must"),
    ],
)
def test_bad_parameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ------------------------------------------------------------------------------------------
# the contract: kinds, fit/needs_fit, per-slice codes, describe records, ufunc


def test_kinds_fit_and_per_slice_codes():
    x = np.random.default_rng(11).standard_normal((4, 6)) * 3
    assert FixedPoint(8, 4).kind == "element" and not FixedPoint(8, 4).needs_fit
    assert FixedPoint(8, 4).fit(x) == FixedPoint(8, 4)
    for f in (SymmetricInt(8, axis=0), AffineInt(6, axis=1), DynamicFixedPoint(8, axis=0)):
        assert f.kind == "adaptive" and f.family == "fixed" and f.needs_fit
        g = f.fit(x)
        assert not g.needs_fit and g.sliced and g.n_slices == x.shape[g.axis]
        c = g.encode(x)
        assert c.dtype == g.code_dtype and np.array_equal(g.decode(c), g.quantize(x))
        for i in range(g.n_slices):  # slice i is the per-tensor format of that slice
            one = g.slice_format(i)
            xi = np.take(x, i, axis=g.axis)
            assert np.array_equal(np.take(c, i, axis=g.axis), one.encode(xi))
        with pytest.raises(ValueError, match="per slice"):
            g.ufunc  # noqa: B018 - the property raises
        with pytest.raises(ValueError, match="fit"):
            f.ufunc  # noqa: B018 - the property raises
        with pytest.raises(ValueError, match="slices"):
            g.quantize(x[:2] if g.axis == 0 else x[:, :2])


@pytest.mark.parametrize(
    "fmt",
    [
        FixedPoint(8, 4),
        FixedPoint(6, -2, signed=False),
        FixedPoint(8, 3, ties="away"),
        SymmetricInt(8),
        SymmetricInt(4, ties="away"),
        AffineInt(8),
        AffineInt(5, signed=True),
        DynamicFixedPoint(10),
        SymmetricInt(8, scale=1e-300),  # float32 falls back to float64 arithmetic
    ],
    ids=str,
)
def test_ufunc_matches_quantize(fmt):
    rng = np.random.default_rng(2)
    for dt in (np.float32, np.float64):
        x = (rng.standard_normal(3000) * 9).astype(dt)
        x[:5] = [np.nan, np.inf, -np.inf, 0.5, -2.5]
        g = fmt.fit(x) if fmt.needs_fit else fmt
        with np.errstate(invalid="ignore"):
            u = g.ufunc(x)
        assert u.dtype == dt and np.array_equal(u, g.quantize(x), equal_nan=True), g


def test_describe_records():
    d = FixedPoint(8, 4).describe(0b11111000)
    assert (d["integer"], d["frac_bits"], d.value) == (-8, 4, -0.5)
    assert str(d) == "fixed<8,4> 11111000: integer q = -8, value q·2^-4 = -0.5"
    s = SymmetricInt(8, scale=0.5).describe(0x80)
    assert s["integer"] == -128 and s["unused"] and s.value == -64.0
    a = AffineInt(8, scale=0.25, zero_point=10).describe(14)
    assert (a["integer"], a["zero_point"], a["scale"], a.value) == (14, 10, 0.25, 1.0)
    dd = DynamicFixedPoint(8, frac_bits=5).describe(5)
    assert dd.format == "dfxp<8>(frac_bits=5)" and dd.value == 5 / 32
    for f, c in ((FixedPoint(8, 4), 200), (AffineInt(8, scale=0.25, zero_point=10), 3)):
        assert f.describe(c).value == f.decode(np.array([c]))[0]
    with pytest.raises(ValueError, match="code must"):
        FixedPoint(8, 4).describe(256)
