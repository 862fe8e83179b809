"""``where=`` on the Numba-built ufuncs: the arithmetic ufuncs of posit / GP / LP formats
(``fmt.ufuncs.add`` etc., values and codes) and the formats' quantize ufuncs (``fmt.ufunc``).

Every masked call is compared with the unmasked result (or the array API) on the masked
elements, and the unmasked elements of ``out`` must be left exactly as they were. The house
decorator makes this work (``lognum._kernels.jit.allow_masked_calls``); without it each masked
element-wise call here raises a ``ValueError`` in NumPy 2 (``reduce(where=...)`` would not)."""

from __future__ import annotations

import numpy as np
import pytest

import lognum as ln
from lognum._kernels import jit as house

ARITH = ["posit<8,2>", "posit<16,2>", "GP<9,2,4,1>", "LP<8,1,5,0>", "LP<12,2,6,0.5>"]
QUANT = ["posit<16,1>", "float8_e4m3", "int8", "LNS<8,3>"]
SENTINEL = -123.25  # not a value any result takes here


def _vals(fmt, shape, seed):
    """Finite values of the format (no NaR), moderate magnitudes so sums do not saturate."""
    rng = np.random.default_rng(seed)
    x = fmt.quantize(rng.standard_normal(int(np.prod(shape))) * 3.0).reshape(shape)
    return np.where(np.isnan(x), 1.0, x)


def _eq(a, b):
    return np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("spec", ARITH)
def test_binary_where_with_and_without_out(spec):
    fmt = ln.parse(spec)
    x, y = _vals(fmt, (40, 25), 1), _vals(fmt, (40, 25), 2)
    m = np.random.default_rng(3).random(x.shape) < 0.4
    for name in ("add", "sub", "mul", "div"):
        uf = getattr(fmt.ufuncs, name)
        full = getattr(fmt, name)(x, y)
        out = np.full(x.shape, SENTINEL)
        r = uf(x, y, out=out, where=m)
        assert r is out
        assert _eq(out[m], full[m]), (spec, name)
        assert np.all(out[~m] == SENTINEL), (spec, name)  # untouched
        r = uf(x, y, where=m, out=None)  # NumPy allocates; only the masked part is defined
        assert r.shape == x.shape and _eq(r[m], full[m]), (spec, name)


@pytest.mark.parametrize("spec", ARITH)
def test_codes_where_broadcast_mask_and_float32(spec):
    fmt = ln.parse(spec)
    x, y = _vals(fmt, (30, 20), 4), _vals(fmt, (30, 20), 5)
    cx, cy = fmt.encode(x), fmt.encode(y)
    cols = np.arange(20) % 3 == 1  # broadcast over the rows
    out = np.full(cx.shape, 7, dtype=cx.dtype)
    fmt.ufuncs.add_codes(cx, cy, out=out, where=cols)
    full = fmt.add_codes(cx, cy)
    assert np.array_equal(out[:, cols], full[:, cols])
    assert np.all(out[:, ~cols] == 7)
    rows = (np.arange(30) % 2 == 0)[:, None]
    out32 = np.full(x.shape, SENTINEL, dtype=np.float32)
    fmt.ufuncs.mul(x.astype(np.float32), y[:1].astype(np.float32), out=out32, where=rows)
    ref = fmt.mul(*np.broadcast_arrays(x, y[:1])).astype(np.float32)
    mm = np.broadcast_to(rows, x.shape)
    assert _eq(out32[mm], ref[mm]) and np.all(out32[~mm] == np.float32(SENTINEL))


@pytest.mark.parametrize("spec", ARITH)
def test_reduce_where_initial_is_the_sequential_masked_sum(spec):
    fmt = ln.parse(spec)
    x = _vals(fmt, (300,), 6)
    m = np.random.default_rng(7).random(300) < 0.5
    for name, initial in (("add", 0.5), ("mul", 1.0)):
        uf = getattr(fmt.ufuncs, name)
        acc = initial
        for t in x[m]:
            acc = float(getattr(fmt, name)(np.array([acc]), np.array([t]))[0])  # one rounding each
        assert _eq(uf.reduce(x, where=m, initial=initial), acc), (spec, name)
    acc = 0
    cx = fmt.encode(x)
    for t in cx[m]:
        acc = int(fmt.add_codes(np.array([acc]), np.array([t]))[0])
    assert int(fmt.ufuncs.add_codes.reduce(cx, where=m, initial=0)) == acc
    # 2-D, along an axis, with a broadcast mask (the identity 0 of add as the start)
    x2 = x[:240].reshape(12, 20)
    m2 = (np.arange(20) % 4 != 0)[None, :]
    r = fmt.ufuncs.add.reduce(x2, axis=1, where=m2)
    for i in range(12):
        acc = 0.0
        for t in x2[i, m2[0]]:
            acc = float(fmt.add(np.array([acc]), np.array([t]))[0])
        assert _eq(r[i], acc), (spec, i)


@pytest.mark.parametrize("spec", ["posit<16,2>", "LP<8,1,5,0>"])
def test_in_place_and_overlapping_masked_calls(spec):
    fmt = ln.parse(spec)
    x0 = _vals(fmt, (200,), 8)
    m = np.random.default_rng(9).random(200) < 0.5
    x = x0.copy()
    fmt.ufuncs.add(x, x[::-1], out=x, where=m)  # reversed view of the output
    want = np.where(m, fmt.add(x0, x0[::-1]), x0)
    assert _eq(x, want)
    x = x0.copy()
    fmt.ufuncs.sub(x[1:], x[:-1], out=x[:-1], where=m[1:])  # shifted overlap
    want = x0.copy()
    want[:-1] = np.where(m[1:], fmt.sub(x0[1:], x0[:-1]), x0[:-1])
    assert _eq(x, want)


@pytest.mark.parametrize("spec", ["posit<16,2>", "LP<12,2,6,0.5>"])
def test_unary_and_fma_where(spec):
    fmt = ln.parse(spec)
    x, y, z = (_vals(fmt, (500,), s) for s in (10, 11, 12))
    m = np.random.default_rng(13).random(500) < 0.3
    out = np.full(500, SENTINEL)
    fmt.ufuncs.fma(x, y, z, out=out, where=m)
    assert _eq(out[m], fmt.fma(x, y, z)[m]) and np.all(out[~m] == SENTINEL)
    out = np.full(500, SENTINEL)
    fmt.ufuncs.sqrt(np.abs(x), out=out, where=m)
    assert _eq(out[m], fmt.sqrt(np.abs(x))[m]) and np.all(out[~m] == SENTINEL)
    c = fmt.encode(x)
    oc = np.zeros_like(c)
    fmt.ufuncs.neg_codes(c, out=oc, where=m)
    assert np.array_equal(oc[m], fmt.neg_codes(c)[m]) and np.all(oc[~m] == 0)


@pytest.mark.parametrize("spec", QUANT)
def test_format_quantize_ufunc_where(spec):
    fmt = ln.parse(spec)
    uf = fmt.ufunc
    rng = np.random.default_rng(14)
    for dtype in (np.float32, np.float64):
        x = (rng.standard_normal((50, 40)) * 2).astype(dtype)
        q = fmt.quantize(x)
        m = rng.random(x.shape) < 0.5
        out = np.full(x.shape, SENTINEL, dtype=dtype)
        assert uf(x, out=out, where=m) is out
        assert _eq(out[m], q[m]) and np.all(out[~m] == dtype(SENTINEL)), (spec, dtype)
        r = uf(x, where=m, out=None)
        assert _eq(r[m], q[m]), (spec, dtype)
        cols = np.arange(40) < 15  # broadcast mask
        out = np.full(x.shape, SENTINEL, dtype=dtype)
        uf(x, out=out, where=cols)
        assert _eq(out[:, cols], q[:, cols]) and np.all(out[:, ~cols] == dtype(SENTINEL))
        y = x.copy()  # in place, shifted overlap
        uf(y[:, :-1], out=y[:, 1:], where=m[:, 1:])
        want = x.copy()
        want[:, 1:] = np.where(m[:, 1:], fmt.quantize(x[:, :-1]), x[:, 1:])
        assert _eq(y, want), (spec, dtype)


def test_every_ufunc_here_had_its_output_flags_cleared():
    ufs = [ln.parse(s).ufunc for s in QUANT]
    ufs += [ln.parse(s).ufuncs.add for s in ARITH] + [ln.parse(ARITH[0]).ufuncs.fma_codes]
    assert house.MASKED_CALLS
    for uf in ufs:
        raw = getattr(uf, "ufunc", uf)
        view = house._verified_view(raw, raw)
        assert view is not None
        assert [view.op_flags[i] for i in range(raw.nin, raw.nargs)] == [0] * raw.nout
