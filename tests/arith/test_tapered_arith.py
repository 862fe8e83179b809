"""The arithmetic API of posit / GP / LP formats: float and code entry points, user errors,
table vs scalar paths, the undecided-LP fallback, algebraic properties, and the ufuncs."""

from __future__ import annotations

import numpy as np
import pytest

import lognum as ln
from lognum.arith import tapered_ops as T

FORMATS = [
    "posit<8,2>",
    "posit<16,1>",
    "GP<7,1,3,-1>",
    "LP<8,1,5,0>",
    "LP<12,2,6,0.5>",
    "posit<32,2>",
]


def _vals(fmt, m=4000, seed=0):
    rng = np.random.default_rng(seed)
    return fmt.decode(rng.integers(0, 1 << fmt.n, m).astype(np.uint64))


def test_float_api_values_nar_and_errors():
    p = ln.Posit(8, 2)
    a = np.array([1.0, 2.0, 0.5, np.nan, 3.0])
    b = np.array([1.0, 3.0, -0.5, 1.0, 0.0])
    assert np.array_equal(p.add(a, b), [2.0, 5.0, 0.0, np.nan, 3.0], equal_nan=True)
    assert np.array_equal(p.mul(a, b), [1.0, 6.0, -0.25, np.nan, 0.0], equal_nan=True)
    assert np.isnan(p.div(a, b)[4])  # x / 0 = NaR
    assert np.array_equal(p.sqrt(np.array([4.0, -1.0, 0.0])), [2.0, np.nan, 0.0], equal_nan=True)
    with pytest.raises(ValueError, match=r"a holds values that are not posit<8,2> values"):
        p.add(np.array([1.1]), np.array([1.0]))
    with pytest.raises(ValueError, match=r"b holds values"):
        p.mul(np.array([1.0]), np.array([1.1]))
    with pytest.raises(ValueError, match="c holds"):
        p.fma(1.0, 1.0, 1.1)
    with pytest.raises(ValueError, match=r"codes in \[0, 2\^8 - 1\]"):
        p.add_codes(np.array([256]), np.array([1]))
    with pytest.raises(ValueError, match="integer array"):
        p.add_codes(np.array([1.0]), np.array([1]))


@pytest.mark.parametrize("spec", FORMATS)
def test_strict_false_quantizes_first_and_keeps_dtype(spec):
    fmt = ln.parse(spec)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(500) * 4
    y = rng.standard_normal(500)
    for dt in (np.float64, np.float32):
        if dt == np.float32 and fmt.n > 16:
            continue
        a, b = x.astype(dt), y.astype(dt)
        got = fmt.add(a, b, strict=False)
        assert got.dtype == dt
        want = fmt.add(fmt.quantize(a), fmt.quantize(b))
        assert np.array_equal(got, want, equal_nan=True)
        codes = fmt.add_codes(fmt.encode(a), fmt.encode(b))
        assert codes.dtype == fmt.code_dtype
        assert np.array_equal(fmt.decode(codes).astype(dt), want, equal_nan=True)


def test_broadcasting_and_scalars():
    p = ln.Posit(16, 1)
    col = np.array([[1.0], [2.0], [0.25]])
    row = np.array([1.0, -1.0, 3.0, 0.5])
    r = p.mul(col, row)
    assert r.shape == (3, 4)
    assert np.array_equal(r, col * row)  # exact products of small values
    assert p.add(1.0, 2.0) == 3.0 and np.ndim(p.add(1.0, 2.0)) == 0
    assert p.add_codes(0x4000, 0x4000) == p.encode(2.0)


@pytest.mark.parametrize("spec", ["posit<8,2>", "GP<9,2,4,1>", "LP<8,1,5,0>", "LP<10,0,6,-0.75>"])
def test_table_equals_scalar_kernel(spec):
    fmt = ln.parse(spec)
    k, _, c_hi, c_lo = T._k()
    n, es, rs, sc, logm, sfi, sff = fmt._kparams
    c = np.arange(1 << n, dtype=np.uint64)
    ca, cb = np.repeat(c, 1 << n), np.tile(c, 1 << n)
    for name, op in T.OPS.items():
        out = np.empty(ca.size, dtype=np.uint64)
        und = np.empty(ca.size, dtype=np.uint8)
        assert (
            k.binop_codes(
                op, ca, cb, out, und, n, es, rs, sc, logm, sfi, np.uint64(sff), c_hi, c_lo
            )
            == 0
        )
        assert np.array_equal(T.binary_table(fmt._kparams, op).astype(np.uint64), out), name
        vals = fmt.decode(c)
        fused = fmt._binary(name, vals[ca], vals[cb], True)  # the fused float table path
        general = fmt._run_floats(
            lambda kp, x, y, op=op: T._binop_flat(kp, op, x, y),
            (vals[ca], vals[cb]),
            ("a", "b"),
            True,
        )
        assert np.array_equal(fused, general, equal_nan=True)
        assert np.array_equal(fused, fmt.decode(out), equal_nan=True)


@pytest.mark.parametrize("spec", ["LP<16,1,15,0.25>", "LP<24,2,10,-1.5>", "LP<32,3,20,0>"])
def test_lp_sums_decided_and_decimal_fallback_agrees(spec):
    """No undecided LP sum in 10^5 random pairs; the decimal fallback gives the kernel's code
    on a sample (it is an independent evaluation: values in 80-digit decimal)."""
    fmt = ln.parse(spec)
    k, _, c_hi, c_lo = T._k()
    n, es, rs, sc, logm, sfi, sff = fmt._kparams
    rng = np.random.default_rng(4)
    ca = rng.integers(0, 1 << n, 100000).astype(np.uint64)
    cb = rng.integers(0, 1 << n, 100000).astype(np.uint64)
    cb[:30000] = ((1 << n) - ca[:30000] + rng.integers(-3, 4, 30000).astype(np.uint64)) % (
        1 << n
    )  # cancellation
    out = np.empty(ca.size, dtype=np.uint64)
    und = np.empty(ca.size, dtype=np.uint8)
    assert (
        k.binop_codes(0, ca, cb, out, und, n, es, rs, sc, logm, sfi, np.uint64(sff), c_hi, c_lo)
        == 0
    )
    nar = 1 << (n - 1)
    for i in rng.choice(ca.size, 150, replace=False):
        a, b = int(ca[i]), int(cb[i])
        if nar in (a, b) or 0 in (a, b) or (a + b) % (1 << n) == 0:
            continue
        assert T.lp_round_sum(fmt._kparams, T._lp_terms(fmt._kparams, 0, a, b, None)) == out[i]


@pytest.mark.parametrize("spec", ["posit<8,0>", "GP<8,2,3,1>", "LP<8,1,5,0>", "LP<7,2,6,0.5>"])
def test_properties_exhaustive_small(spec):
    fmt = ln.parse(spec)
    n = fmt.n
    full = 1 << n
    c = np.arange(full, dtype=np.uint64)
    ca, cb = np.repeat(c, full), np.tile(c, full)
    add = fmt.add_codes(ca, cb).reshape(full, full)
    mul = fmt.mul_codes(ca, cb).reshape(full, full)
    assert np.array_equal(add, add.T) and np.array_equal(mul, mul.T)  # commutativity
    assert np.array_equal(fmt.neg_codes(fmt.neg_codes(c)), c)
    sub_self = fmt.sub_codes(c, c)
    nar = 1 << (n - 1)
    assert np.all(sub_self[c != nar] == 0) and sub_self[nar] == nar
    # monotonicity of add in each argument: along increasing values, results never decrease
    order = np.argsort(fmt.decode(c))[: full - 1]  # real codes by value (NaR sorts last)
    vals = fmt.decode(add[np.ix_(order, order)].astype(np.uint64))
    assert np.all(np.diff(vals, axis=0) >= 0) and np.all(np.diff(vals, axis=1) >= 0)
    # a + (-a) == 0, a * 1 == a where 1 is a value, neg/abs exact
    assert np.all(fmt.add_codes(c, fmt.neg_codes(c))[c != nar] == 0)
    v = fmt.decode(c)
    assert np.array_equal(fmt.abs(v), np.abs(v), equal_nan=True)


@pytest.mark.parametrize("spec", ["posit<16,2>", "posit<32,2>", "LP<16,1,15,0>", "GP<20,3,6,2>"])
def test_properties_random_large(spec):
    fmt = ln.parse(spec)
    rng = np.random.default_rng(9)
    ca = rng.integers(0, 1 << fmt.n, 20000).astype(np.uint64)
    cb = rng.integers(0, 1 << fmt.n, 20000).astype(np.uint64)
    assert np.array_equal(fmt.add_codes(ca, cb), fmt.add_codes(cb, ca))
    assert np.array_equal(fmt.mul_codes(ca, cb), fmt.mul_codes(cb, ca))
    nar = 1 << (fmt.n - 1)
    s = fmt.sub_codes(ca, ca)
    assert np.all(s[ca != nar] == 0)
    # monotone in a for a fixed b
    b = fmt.decode(cb[:1])[0]
    a = np.sort(fmt.decode(ca[ca != nar]))
    r = fmt.add(a, np.full_like(a, b))
    assert np.all(np.diff(r) >= 0)


def test_compare_total_order():
    p = ln.Posit(8, 2)
    c = np.arange(256, dtype=np.uint64)
    cmp = p.compare_codes(c[:, None], c[None, :])
    v = p.decode(c)
    key = np.where(np.isnan(v), -np.inf, v)  # NaR below every real
    want = (key[:, None] > key[None, :]).astype(int) - (key[:, None] < key[None, :])
    assert np.array_equal(cmp, want.astype(np.int8))
    assert p.compare(np.nan, np.nan) == 0 and p.compare(np.nan, -1e9, strict=False) == -1


def test_fma_single_rounding_differs_from_two():
    p = ln.Posit(8, 2)
    a, c = 1.125, -1.25  # 1.125^2 = 1.265625 rounds to 1.25: two roundings give 0
    assert p.mul(a, a) == 1.25 and p.add(p.mul(a, a), c) == 0.0
    assert p.fma(a, a, c) == 2.0**-6


def test_ufuncs_are_numpy_ufuncs_with_reduce_out_where():
    p = ln.Posit(8, 2)
    u = p.ufuncs
    assert isinstance(u.add, np.ufunc) and isinstance(u.add_codes, np.ufunc)
    x = _vals(p, 300, 3)
    y = _vals(p, 300, 4)
    assert np.array_equal(u.add(x, y), p.add(x, y), equal_nan=True)
    assert np.array_equal(
        u.add(x[:, None], y[None, :5]),
        p.add(*np.broadcast_arrays(x[:, None], y[None, :5])),
        equal_nan=True,
    )
    out = np.zeros(300)
    r = u.add(x, y, out=out)
    assert r is out and np.array_equal(out, p.add(x, y), equal_nan=True)
    even = np.arange(300) % 2 == 0
    out2 = np.full(300, 5.0)
    u.add(x, y, out=out2, where=even)  # masked: the odd entries keep their 5.0
    assert np.array_equal(out2[even], out[even], equal_nan=True) and np.all(out2[~even] == 5)
    z = x[~np.isnan(x)][:100]
    acc = z[0]
    for t in z[1:]:
        acc = p.add(acc, t)  # rounding after every step
    assert u.add.reduce(z) == acc
    cz = p.encode(z)
    assert u.add_codes.reduce(cz) == p.encode(acc)
    assert np.array_equal(u.add.accumulate(z)[-1:], [acc])


def test_lp_ufunc_matches_array_api():
    lp = ln.LogPosit(8, 1, 5, 0.0)
    x = _vals(lp, 2000, 5)
    y = _vals(lp, 2000, 6)
    assert np.array_equal(lp.ufuncs.add(x, y), lp.add(x, y), equal_nan=True)
    c = lp.encode(x)
    d = lp.encode(y)
    assert np.array_equal(lp.ufuncs.mul_codes(c, d), lp.mul_codes(c, d))
    with pytest.raises(AttributeError, match="available"):
        _ = lp.ufuncs.hypot  # not an operation of the format


@pytest.mark.parametrize(
    "spec",
    ["posit<16,2>", "posit<32,2>", "GP<12,1,6,-3>", "GP<24,4,9,7>", "posit<32,0>", "GP<20,0,19,0>"],
)
def test_binary64_eft_kernels_equal_integer_kernels(spec):
    """The two independent GP implementations (integer significands; binary64 TwoSum /
    TwoProduct) agree on random and adversarial codes."""
    from lognum._kernels.tapered_arith_fast import binop_codes_fast, fast_ok, sqrt_codes_fast

    fmt = ln.parse(spec)
    k, _, c_hi, c_lo = T._k()
    n, es, rs, sc, logm, sfi, sff = fmt._kparams
    assert fast_ok(n, es, rs, sc)
    rng = np.random.default_rng(n + es)
    m = 100000
    full = 1 << n
    ca = rng.integers(0, full, m).astype(np.uint64)
    cb = rng.integers(0, full, m).astype(np.uint64)
    cb[: m // 4] = (full - ca[: m // 4] + rng.integers(-3, 4, m // 4).astype(np.uint64)) % full
    ext = np.concatenate([np.arange(1, 40), np.arange(full // 2 - 40, full // 2)])
    ca[m // 4 : m // 2] = rng.choice(ext, m // 4).astype(np.uint64)
    for op in range(4):
        ref = np.empty(m, dtype=np.uint64)
        und = np.empty(m, dtype=np.uint8)
        k.binop_codes(op, ca, cb, ref, und, n, es, rs, sc, 0, 0, np.uint64(0), c_hi, c_lo)
        got = np.empty(m, dtype=np.uint64)
        binop_codes_fast(op, ca, cb, got, n, es, rs, sc)
        assert np.array_equal(got, ref), (op, np.flatnonzero(got != ref)[:5])
    ref = np.empty(m, dtype=np.uint64)
    k.sqrt_codes(ca, ref, n, es, rs, sc, 0, 0, np.uint64(0))
    got = np.empty(m, dtype=np.uint64)
    sqrt_codes_fast(ca, got, n, es, rs, sc)
    assert np.array_equal(got, ref)


LEAN = ["posit<16,2>", "posit<16,1>", "GP<12,1,6,-3>", "GP<16,3,4,5>", "GP<20,0,19,0>"]
LEAN += ["GP<11,0,2,1>"]


@pytest.mark.parametrize("spec", LEAN)
def test_lean_decode_and_exactness_flag_match_the_encoder(spec):
    """``decode_gp_lean`` gives ``decode_gp_fast``'s value for every code, and ``round2``'s
    exactness flag is True exactly on the values of the format (every code's value, and its
    neighbouring doubles, which are not values)."""
    from numba import uint64

    from lognum._kernels.jit import jit
    from lognum._kernels.tapered import decode_gp_fast, encode_gp_fast
    from lognum._kernels.tapered_arith_fast import decode_gp_lean, round2

    @jit
    def run(c, v1, v2, ok, ok_lo, ok_hi, code_ok, n, es, rs, sc):
        for i in range(c.size):
            a = decode_gp_fast(uint64(c[i]), n, es, rs, sc)
            v1[i] = a
            v2[i] = decode_gp_lean(uint64(c[i]), n, es, rs, sc)
            code, ex = round2(a, 0.0, n, es, rs, sc)
            ok[i] = ex
            code_ok[i] = code == encode_gp_fast(a, n, es, rs, sc)
            ok_lo[i] = round2(np.nextafter(a, -np.inf), 0.0, n, es, rs, sc)[1]
            ok_hi[i] = round2(np.nextafter(a, np.inf), 0.0, n, es, rs, sc)[1]

    fmt = ln.parse(spec)
    n, es, rs, sc = fmt._kparams[:4]
    c = np.arange(1 << n, dtype=np.uint64)
    v1, v2 = np.empty(c.size), np.empty(c.size)
    ok, lo, hi, code_ok = (np.zeros(c.size, dtype=np.bool_) for _ in range(4))
    run(c, v1, v2, ok, lo, hi, code_ok, n, es, rs, sc)
    assert np.array_equal(v1, v2, equal_nan=True)
    assert ok.all() and code_ok.all()
    real = ~np.isnan(v1) & (v1 != 0)
    assert not lo[real].any() and not hi[real].any()


@pytest.mark.parametrize("spec", ["posit<16,2>", "GP<12,1,6,-3>", "posit<32,2>", "GP<24,4,9,7>"])
def test_binary64_float_path_equals_codes_and_checks_inputs(spec):
    """The fused float path (``binop_values_fast``: strict inputs checked by the rounding's
    exactness flag, strict=False rounded first) against the code path, in both float dtypes."""
    fmt = ln.parse(spec)
    rng = np.random.default_rng(fmt.n)
    m = 20000
    ca = rng.integers(0, 1 << fmt.n, m).astype(np.uint64)
    cb = rng.integers(0, 1 << fmt.n, m).astype(np.uint64)
    cb[: m // 4] = ((1 << fmt.n) - ca[: m // 4]) % (1 << fmt.n)  # x + (-x), x - x, x / -x
    a, b = fmt.decode(ca), fmt.decode(cb)
    dtypes = [np.float64] + ([np.float32] if fmt.n <= 16 else [])
    for dt in dtypes:
        x, y = a.astype(dt), b.astype(dt)
        if not (np.array_equal(x, a, equal_nan=True) and np.array_equal(y, b, equal_nan=True)):
            continue  # values beyond float32 (not this format's case)
        for name in ("add", "sub", "mul", "div"):
            got = getattr(fmt, name)(x, y)
            want = fmt.decode(getattr(fmt, f"{name}_codes")(ca, cb)).astype(dt)
            assert got.dtype == dt and np.array_equal(got, want, equal_nan=True), (spec, dt, name)
    x = a.copy()
    x[17] = np.nextafter(x[17], np.inf) if x[17] != 0 and not np.isnan(x[17]) else 1e-300
    with pytest.raises(ValueError, match="a holds"):
        fmt.add(x, b)
    with pytest.raises(ValueError, match="b holds"):
        fmt.mul(a, np.where(np.arange(m) == 5, np.inf, b))
    q = fmt.quantize(x)
    assert np.array_equal(fmt.add(x, b, strict=False), fmt.add(q, b), equal_nan=True)
