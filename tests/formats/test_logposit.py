"""LP<n,es,rs,sf>: exhaustive checks against the exact log-domain oracle."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

import lognum as ln
from lognum.formats.logposit import lp_log2_max
from tests.formats.tapered_oracle import Oracle, exp2_float

SFS = [0, 0.5, -2, 0.3]


@pytest.mark.parametrize("sf", SFS)
def test_exhaustive_roundtrip_monotone_values_maxmin(sf):
    for n in range(2, 13):
        for es in range(4):
            for rs in range(1, n):
                f = ln.LogPosit(n, es, rs, sf)
                codes = np.arange(1 << n, dtype=np.uint64)
                v = f.decode(codes)
                assert np.array_equal(f.encode(v).astype(np.uint64), codes), (n, es, rs, sf)
                c = codes.astype(np.int64)
                order = np.argsort(np.where(c >= 1 << (n - 1), c - (1 << n), c))
                sv = v[order][1:]
                assert np.all(np.diff(sv) > 0), (n, es, rs, sf)
                assert np.array_equal(f.values(), sv)
                pos = sv[sv > 0]
                assert f.maxpos == pos[-1] and f.minpos == pos[0], (n, es, rs, sf)


def test_maxmin_closed_form_equals_enumeration_exactly():
    """docs/guide/tapered.md: log2 Max = 2^es (rs - 2^-t) - sf, one expression for all t."""
    for n in range(3, 11):
        for es in range(4):
            for rs in range(1, n):
                keys = Oracle(n, es, rs, logm=True).positive_keys()
                a = lp_log2_max(n, es, rs)
                assert keys[-1] == a and keys[0] == -a, (n, es, rs)


def test_decode_is_correctly_rounded_power_of_two():
    for n, es, rs, sf in [
        (6, 2, 5, 0),
        (6, 2, 2, 0),
        (8, 1, 5, 0),
        (8, 0, 7, 0.5),
        (10, 2, 4, 0.3),
        (12, 1, 11, -2),
        (12, 0, 3, 0),
    ]:
        f = ln.LogPosit(n, es, rs, sf)
        o = Oracle(n, es, rs, logm=True, sf=sf)
        got = f.decode(np.arange(1 << n, dtype=np.uint64))
        want = np.array([o.float_value(c) for c in range(1 << n)])
        assert np.array_equal(got, want, equal_nan=True), (n, es, rs, sf)


def test_large_n_decode_without_table():
    """n > 20 decodes with the double-double kernel (no value table): still correctly rounded."""
    rng = np.random.default_rng(3)
    for n, es, rs, sf in [(24, 1, 23, 0), (32, 2, 31, 0.25), (28, 0, 6, -1)]:
        f = ln.LogPosit(n, es, rs, sf)
        o = Oracle(n, es, rs, logm=True, sf=sf)
        codes = rng.integers(0, 1 << n, 500, dtype=np.uint64)
        want = np.array([o.float_value(int(c)) for c in codes])
        assert np.array_equal(f.decode(codes), want, equal_nan=True)
        x = rng.standard_normal(300) * np.exp2(rng.uniform(-20, 20, 300))
        assert np.array_equal(f.encode(x).astype(np.int64), [o.encode(float(v)) for v in x])


def _lp_tie_inputs(o: Oracle, most: int = 120) -> np.ndarray:
    xs = []
    ties = o.tie_keys()
    step = max(1, len(ties) // most)
    for t in ties[::step]:
        v = exp2_float(t)
        xs += [v, math.nextafter(v, 0.0), math.nextafter(v, math.inf)]
    xs += [exp2_float(k) for k in o.positive_keys()]
    xs = np.array(xs)
    return np.concatenate([xs, -xs, [1e-300, 1e300, 0.0, np.nan, -np.inf]])


LP_CONF = [(n, es, rs) for n in range(2, 6) for es in range(3) for rs in range(1, n)] + [
    (6, 2, 5),
    (6, 2, 2),
    (6, 1, 3),
    (7, 0, 6),
    (7, 3, 4),
    (8, 1, 5),
    (8, 2, 3),
    (8, 0, 2),
    (9, 3, 8),
    (10, 1, 4),
    (12, 1, 6),
]


@pytest.mark.parametrize("sf", [0, -0.3])
def test_log_domain_rne_matches_oracle_on_ties_and_random(sf):
    """Bit-string RNE == nearest in log2 with ties to the even pattern (docs/guide), on
    float64 numbers around every (irrational) geometric tie point and on random inputs."""
    from lognum._kernels import tapered_loops as k

    rng = np.random.default_rng(11)
    for n, es, rs in LP_CONF:
        f = ln.LogPosit(n, es, rs, sf)
        o = Oracle(n, es, rs, logm=True, sf=sf)
        lmx = float(lp_log2_max(n, es, rs))
        rand = rng.standard_normal(40) * np.exp2(rng.uniform(-lmx - 2, lmx + 2, 40))
        xs = np.concatenate([_lp_tie_inputs(o), rand])
        want = np.array([o.encode(float(x)) for x in xs])
        _, _, _, _, _, sfi, sff = f._kparams
        arith = np.empty(xs.size, np.uint32)  # the arithmetic kernel (n > 12 uses it alone)
        k.encode_lp(xs, arith, n, es, rs, sfi, np.uint64(sff))
        for got in (f.encode(xs), arith):  # f.encode: threshold table for n <= 12
            bad = np.flatnonzero(got != want)
            assert bad.size == 0, (n, es, rs, sf, xs[bad[:3]], got[bad[:3]], want[bad[:3]])


def test_fast_kernel_agrees_with_scalar_reference_at_scale():
    """The vectorised LP encoder (fast log2 + exact near-tie redo) equals the readable scalar
    kernel on 10^6 random inputs, including exact powers of two and float32 inputs."""
    from lognum._kernels import tapered_loops as k

    rng = np.random.default_rng(2)
    x = rng.standard_normal(1_000_000) * np.exp2(rng.uniform(-40, 40, 1_000_000))
    x[:2000] = np.exp2(rng.integers(-40, 40, 2000)).astype(np.float64)
    for n, es, rs, sf in [(8, 1, 5, 0.0), (16, 2, 15, 0.25), (5, 0, 2, -1.0), (32, 3, 9, 0.0)]:
        f = ln.LogPosit(n, es, rs, sf)
        _, _, _, _, _, sfi, sff = f._kparams
        ref = np.empty(x.size, np.uint32)
        k.encode_ref(x, ref, n, es, rs, 0, 1, sfi, np.uint64(sff))
        assert np.array_equal(f.encode(x).astype(np.uint32), ref)
        fast = np.empty(x.size, np.uint32)
        k.encode_lp(x, fast, n, es, rs, sfi, np.uint64(sff))
        assert np.array_equal(fast, ref)
        x32 = x.astype(np.float32)
        k.encode_ref(x32, ref, n, es, rs, 0, 1, sfi, np.uint64(sff))
        assert np.array_equal(f.encode(x32).astype(np.uint32), ref)
        k.encode_lp(x32, fast, n, es, rs, sfi, np.uint64(sff))
        assert np.array_equal(fast, ref)


def _nearest_by_value(o: Oracle, x: float) -> int:
    """Oracle for rounding="linear": nearest by value (60-digit decimals), ties to even."""
    n = o.n
    if x == 0:
        return 0
    vals = _decimal_values(o)
    with localcontext() as ctx:
        ctx.prec = 60
        ax = Decimal(abs(x))
        best = None
        for c, v in enumerate(vals, start=1):
            d = abs(ax - v)
            if best is None or d < best[0] or (d == best[0] and c % 2 == 0):
                best = (d, c)
        c = best[1]
    return (1 << n) - c if x < 0 else c


_DEC: dict = {}


def _decimal_values(o: Oracle) -> list:
    key = (o.n, o.es, o.rs, o.sf)
    if key not in _DEC:
        with localcontext() as ctx:
            ctx.prec = 60
            out = []
            for c in range(1, 1 << (o.n - 1)):
                lam = o.key(c)
                ip = lam.numerator // lam.denominator
                fp = lam - ip
                out.append(
                    Decimal(2) ** (Decimal(fp.numerator) / Decimal(fp.denominator))
                    * Decimal(2) ** ip
                )
        _DEC[key] = out
    return _DEC[key]


def test_linear_rounding_is_nearest_by_value():
    rng = np.random.default_rng(4)
    for n, es, rs, sf in [(6, 2, 5, 0), (6, 2, 2, 0), (7, 1, 3, 0.5)]:
        f = ln.LogPosit(n, es, rs, sf)
        o = Oracle(n, es, rs, logm=True, sf=sf)
        v = f.values()
        mids = (v[1:] + v[:-1]) / 2
        xs = np.concatenate(
            [
                mids,
                np.nextafter(mids, -np.inf),
                np.nextafter(mids, np.inf),
                rng.standard_normal(200) * 4,
            ]
        )
        got = f.encode(xs, rounding="linear")
        want = np.array([_nearest_by_value(o, float(x)) for x in xs])
        assert np.array_equal(got, want), (n, es, rs, sf)
        # differs from log-domain rounding somewhere between the geometric and arithmetic mean
        assert np.any(got != f.encode(xs))


def test_mitchell_ratio_lp_vs_gp_same_bits():
    """Same bits read as LP and as posit: value ratio 2^f / (1 + f) (docs/guide/tapered.md), whose
    minimum over f in [0, 1) is 1/1.06148 at f = 1/ln2 - 1."""
    lp, p = ln.LogPosit(16, 0, 15, 0), ln.Posit(16, 0)
    c = np.arange(1, 1 << 15, dtype=np.uint64)
    r = lp.decode(c) / p.decode(c)
    assert r.max() == 1.0
    assert abs(1 / r.min() - 1.0614756908398149) < 1e-8
    fr = np.array([float(lp.describe(int(i))["f"]) for i in c[np.argsort(r)[:3]]])
    assert np.all(np.abs(fr - (1 / math.log(2) - 1)) < 2e-4)


def test_sf_scales_by_two_to_minus_sf():
    a, b = ln.LogPosit(8, 1, 5, 0), ln.LogPosit(8, 1, 5, 1.5)
    c = np.arange(256, dtype=np.uint64)
    va, vb = a.decode(c), b.decode(c)
    ok = np.isfinite(va) & (va != 0)
    assert np.allclose(vb[ok] / va[ok], 2**-1.5, rtol=1e-15)
    assert Fraction(ln.LogPosit(6, 2, 5, 3).maxpos) == Fraction(2) ** 13
