"""The binary32 fast path of the float grids (``floats.float_value_f32``: per-tensor minifloats,
scaled rows and the one-pass MX blocks) against the float64 path it replaces
(``floats_loops.quantize_rows`` / ``quantize_blocks``, themselves checked against ml_dtypes and
the exact oracle in test_floats.py / test_block.py): bit-identical float32 results, NaN signs
included, on adversarial inputs (every grid value, every midpoint and the floats beside them,
subnormals, ±0, NaN, ±inf, beyond maxpos, float32 max), for every grid the fast path accepts.
All 2^32 float32 patterns were compared once for the named formats (docs/performance.md).
"""

from __future__ import annotations

import numpy as np
import pytest

import lognum as ln
from lognum._kernels import floats_loops as L
from lognum._kernels.floats import f32_params
from lognum.formats.floats import Minifloat

NAMED = [
    "float16",
    "float8_e4m3fn",
    "float8_e5m2",
    "float8_e4m3fnuz",
    "float8_e5m2fnuz",
    "float8_e4m3",
    "float8_e3m4",
    "float6_e2m3fn",
    "float6_e3m2fn",
    "float4_e2m1fn",
]
GENERIC = [
    (3, 2, 3, "ieee"),
    (2, 2, 5, "fn"),
    (3, 3, 2, "fnuz"),
    (5, 1, 20, "none"),
    (7, 2, 0, "fn"),
]
MX = ["mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp4"]


def _formats() -> list[Minifloat]:
    out = []
    for nm in NAMED:
        f = ln.parse(nm)
        out += [f, f._with_saturate(True)]
        if f.special == "ieee" or f.special == "fn":
            out.append(f._with_saturate(False))
    for e, m, bias, sp in GENERIC:
        out += [
            Minifloat(e, m, bias=bias, special=sp),
            Minifloat(e, m, bias=bias, special=sp, saturate=True),
        ]
    return out


def _adversarial(f: Minifloat, scale: float = 1.0) -> np.ndarray:
    """float32 inputs around every decision point of ``f``'s grid times ``scale``."""
    dec = f._code_table()
    pv = np.unique(np.abs(dec[np.isfinite(dec)]))
    mx = pv[-1]
    E = np.floor(np.log2(mx))
    nxt = mx + 2.0 ** (E - f.m)  # the next value of the unbounded grid: overflow decisions
    pts = np.concatenate([pv, (pv[:-1] + pv[1:]) / 2, [nxt, (mx + nxt) / 2, 2 * mx, pv[1] / 4]])
    with np.errstate(over="ignore"):  # 2 maxval of a grid near 2^128: inf (an input too)
        pts = (pts * scale).astype(np.float32)
    f32 = np.float32
    xs = [pts]
    for _ in range(3):
        xs.append(np.nextafter(xs[-1], f32(np.inf)))
    lo = [pts]
    for _ in range(3):
        lo.append(np.nextafter(lo[-1], f32(0)))
    a = np.concatenate(xs + lo)
    tiny = np.array([0, 1, 2, 0x7FFFFF, 0x800000, 0x800001], dtype=np.uint32).view(np.float32)
    special = np.array([np.inf, np.nan, np.finfo(np.float32).max, 1e30, 2.0**-126], np.float32)
    a = np.concatenate(
        [a, tiny, special, np.random.default_rng(0).standard_normal(4000).astype(f32)]
    )
    a = np.concatenate([a, -a, np.array([-np.nan], np.float32)])
    return a.astype(np.float32)


def _old_rows(g, x: np.ndarray, scs: np.ndarray, C: int) -> np.ndarray:
    out = np.empty_like(x)
    L.quantize_rows(x, out, scs, C, g.params(0))
    return out


def _new_rows(g, x: np.ndarray, scs: np.ndarray, C: int) -> np.ndarray:
    out = np.empty_like(x)
    L.quantize_rows_f32(x, out, scs, C, g.params(0), g.f32)
    return out


def _same_bits(a: np.ndarray, b: np.ndarray) -> None:
    bad = np.nonzero(a.view(np.uint32) != b.view(np.uint32))[0]
    assert bad.size == 0, f"{bad.size} differ, e.g. index {bad[:5]}: {a[bad[:5]]} vs {b[bad[:5]]}"


@pytest.mark.parametrize("f", _formats(), ids=str)
def test_rows_equal_float64_path(f: Minifloat) -> None:
    g = f.grid
    assert g.f32 is not None, "every format here has ties to even and IEEE subnormals"
    x = _adversarial(f)
    zero = np.zeros(1, dtype=np.int64)
    _same_bits(_new_rows(g, x, zero, x.size), _old_rows(g, x, zero, x.size))
    # the same through quantize (the dispatch), and float64 inputs keep the float64 path
    _same_bits(f.quantize(x), _old_rows(g, x, zero, x.size))
    np.testing.assert_array_equal(
        f.quantize(x.astype(np.float64)).astype(np.float32), f.quantize(x)
    )


@pytest.mark.parametrize("f", _formats()[:6], ids=str)
@pytest.mark.parametrize("sc", [-127, -126, -40, -3, 5, 100, 126, 127])
def test_scaled_rows_equal_float64_path(f: Minifloat, sc: int) -> None:
    """Rows scaled by 2^sc (ScaledFloat, AdaptivFloat, MX with a scale rule): inputs around the
    scaled grid, and unscaled ones (overflow and underflow of the scaling); |sc| = 127 takes the
    float64 loop."""
    g = f.grid
    with np.errstate(over="ignore"):
        x = np.concatenate([_adversarial(f, 2.0**sc), _adversarial(f)])
    C = x.size // 2
    scs = np.array([sc, -sc], dtype=np.int64)
    _same_bits(_new_rows(g, x, scs, C), _old_rows(g, x, scs, C))


@pytest.mark.parametrize("f", _formats(), ids=str)
def test_codes_equal_float64_path(f: Minifloat) -> None:
    """encode of float32 (straight into the code dtype) = the float64 path's codes, NaN codes
    and signs included; scaled rows too (|sc| = 127 takes the float64 code)."""
    g = f.grid
    assert g.f32codes is not None
    x = _adversarial(f)
    zero = np.zeros(1, dtype=np.int64)
    old = np.empty(x.size, dtype=np.uint32)
    L.encode_rows(x, old, zero, x.size, g.params(0))
    got = f.encode(x)
    assert got.dtype == f.code_dtype
    np.testing.assert_array_equal(got, old.astype(got.dtype))
    np.testing.assert_array_equal(f.encode(x.astype(np.float64)), got)
    with np.errstate(over="ignore"):
        xs = np.concatenate([_adversarial(f, 2.0**-40), _adversarial(f, 2.0**100)])
    xs = np.concatenate([xs, x[: xs.size // 2 - 1]])[: 2 * (xs.size // 2)]
    for sc in ([-40, 100], [127, -127], [126, -126]):
        scs = np.array(sc, dtype=np.int64)
        a = np.empty(xs.size, dtype=np.uint16)
        b = np.empty(xs.size, dtype=np.uint32)
        L.encode_rows_f32(xs, a, scs, xs.size // 2, g.params(0), g.f32, g.f32codes)
        L.encode_rows(xs, b, scs, xs.size // 2, g.params(0))
        np.testing.assert_array_equal(a, b.astype(np.uint16))


@pytest.mark.parametrize("name", MX)
def test_blocks_equal_float64_path(name: str) -> None:
    """One-pass MX blocks: blocks of every magnitude (tiny ones with a clipped scale, float32
    subnormal maxima, huge ones near float32 max with saturation), zero blocks, NaN/inf
    blocks, ±0, ties."""
    f = ln.parse(name)
    g = f._grid
    assert g.f32 is not None
    rng = np.random.default_rng(1)
    k = f.block
    elem = f._elem_quantizer if hasattr(f, "_elem_quantizer") else None
    base = _adversarial(elem) if isinstance(elem, Minifloat) else rng.standard_normal(4096)
    base = base[np.isfinite(base)]
    nb = 600
    blocks = rng.choice(base, size=(nb, k)).astype(np.float64)
    expo = rng.integers(-150, 128, size=nb)
    blocks *= np.ldexp(1.0, expo)[:, None] / 8
    blocks[0] = 0.0
    blocks[1, 3] = np.nan
    blocks[2, 5] = -np.inf
    blocks[3] = -0.0
    blocks[4, :] = np.array([1, 2, 1e-45, -3e-45] * (k // 4))[:k]
    blocks[5, 0] = 3.4028234663852886e38
    with np.errstate(over="ignore", invalid="ignore"):
        x = blocks.astype(np.float32).reshape(-1)
    for sat in (0, 1):
        a = np.empty_like(x)
        b = np.empty_like(x)
        L.quantize_blocks_f32(x, a, k, f._emax, g.params(0), g.f32, sat)
        L.quantize_blocks(x, b, k, f._emax, g.params(0), sat)
        _same_bits(a, b)
    out = np.empty_like(x)
    assert f.quantize(x, out=out) is out
    L.quantize_blocks(x, b, k, f._emax, g.params(0), int(f.saturating))
    _same_bits(out, b)


def test_f32_params_refuses_what_it_cannot_do() -> None:
    """Ties away, unsigned, zero-NaN, no subnormals and grids below the binary32 normal range
    keep the float64 path."""
    p = ln.parse("float8_e4m3fn").grid.params(0)
    assert f32_params(p) is not None
    assert f32_params(p._replace(away=1)) is None
    assert ln.parse("float8_e8m0fnu").grid.f32 is None  # unsigned, no zero, no subnormals
    assert Minifloat(4, 2, bias=5, subnormals=False, special="none").grid.f32 is None
    assert Minifloat(8, 3, bias=200, special="ieee").grid.f32 is None  # below 2^-126
    assert ln.parse("bfloat16").grid.f32 is None  # subnormals below 2^-126


@pytest.mark.parametrize("sat", [False, True])
def test_bfloat16_codes_equal_float64_path(sat: bool) -> None:
    """bfloat16 encode of float32 (``bf16_encode_f32``, checked once on all 2^32 patterns)
    = the float64 path's codes on ties, subnormals, overflow, ±0, NaN payloads, ±inf."""
    f = ln.parse("bfloat16")._with_saturate(sat)
    rng = np.random.default_rng(3)
    pats = np.concatenate(
        [
            rng.integers(0, 1 << 32, 200_000, dtype=np.uint64).astype(np.uint32),
            (np.arange(0, 1 << 16, dtype=np.uint32) << 16) | 0x8000,  # every tie
            (np.arange(0, 1 << 16, dtype=np.uint32) << 16) | 0x7FFF,
            (np.arange(0, 1 << 16, dtype=np.uint32) << 16) | 0x8001,
            np.array([0x7F7F8000, 0x7F7FFFFF, 0x7F800000, 0x7F800001, 0xFFC00001], np.uint32),
        ]
    )
    x = pats.view(np.float32)
    old = np.empty(x.size, dtype=np.uint32)
    L.encode_rows(x, old, np.zeros(1, dtype=np.int64), x.size, f.grid.params(0))
    got = f.encode(x)
    assert got.dtype == np.uint16
    np.testing.assert_array_equal(got, old.astype(np.uint16))
