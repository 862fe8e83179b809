"""MX and block floating point (docs/guide/block.md).

Oracles: the worked examples of docs/guide/block.md (verified there with gfloat), gfloat's
``quantize_block``/``compute_scale_amax`` on random blocks (TiesToEven and TiesToAway), and
hand-computed block floating point examples.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lognum.formats.block import MX, BlockFloat
from lognum.formats.record import BlockCodes, Description

# skips only without the test extra; a skip fails CI (tests/conftest.py)
gfloat = pytest.importorskip("gfloat", reason="gfloat (test extra) is the MX oracle")
from gfloat import RoundMode, compute_scale_amax, quantize_block  # noqa: E402
from gfloat.formats import (  # noqa: E402
    format_info_mxfp4_e2m1,
    format_info_mxfp6_e2m3,
    format_info_mxfp6_e3m2,
    format_info_mxfp8_e4m3,
    format_info_mxfp8_e5m2,
    format_info_mxint8,
)

GF = {
    "fp8_e4m3": format_info_mxfp8_e4m3,
    "fp8_e5m2": format_info_mxfp8_e5m2,
    "fp6_e2m3": format_info_mxfp6_e2m3,
    "fp6_e3m2": format_info_mxfp6_e3m2,
    "fp4_e2m1": format_info_mxfp4_e2m1,
    "int8": format_info_mxint8,
}


def test_worked_examples():
    b = np.array([5, 0.3, -2.5, 0.25, 7.9, 1.75] + [0.0] * 26)
    assert MX("fp4_e2m1").quantize(b)[:6].tolist() == [4, 0.5, -2, 0, 6, 2]
    assert MX("fp4_e2m1", ties="away").quantize(b)[:6].tolist() == [6, 0.5, -3, 0.5, 6, 2]
    codes, scales = MX("fp4_e2m1").encode(b)
    assert scales.tolist() == [127] and codes[:6].tolist() == [
        0b0110,
        0b0001,
        0b1100,
        0,
        0b0111,
        0b0100,
    ]
    c = np.array([1, -1, 0.7, 100, -130] + [0.0] * 27)
    mi = MX("int8")
    assert mi.quantize(c)[:5].tolist() == [0, 0, 0, 100, -130]
    codes, scales = mi.encode(c)
    assert scales.tolist() == [127 + 7] and codes[3] == 100 / 2 and codes[4] == 256 - 65
    assert mi.decode(np.array([0x80]), scales=np.array([127])).tolist() == [-2.0]  # as gfloat


def _exact_scale(emax, vals):
    """compute_scale_amax with an exact floor(log2 amax) (frexp instead of np.log2)."""
    amax = np.max(np.abs(vals))
    if amax == 0:
        return 2.0**-127
    if not np.isfinite(amax):
        return compute_scale_amax(emax, vals)
    return 2.0 ** float(np.clip(np.frexp(amax)[1] - 1 - emax, -127, 127))


def _blocks(rng, k=32):
    out = [
        rng.standard_normal((20, k)) * np.exp2(rng.integers(-30, 30, (20, 1))),
        np.zeros((1, k)),
        np.full((1, k), 1e-42),
    ]
    heavy = rng.standard_normal((4, k))
    heavy[:, 0] = 1000.0
    out.append(heavy)
    return np.concatenate(out)


@pytest.mark.parametrize("element", list(GF))
@pytest.mark.parametrize("ties", ["even", "away"])
def test_random_blocks_match_gfloat(element, ties):
    rng = np.random.default_rng(len(element) + len(ties))
    x = _blocks(rng)
    fmt = MX(element, ties=ties)
    fi = GF[element]
    emax_max = fi.etype.max
    # amax exactly at the element max, and just below the next binade (saturates)
    e1 = rng.standard_normal(32)
    e1[3] = emax_max * 4
    e2 = rng.standard_normal(32)
    e2[5] = -np.nextafter(2.0 ** (math.floor(math.log2(emax_max)) + 1), 0) * 8
    x = np.concatenate([x, e1[None], e2[None]])
    mode = RoundMode.TiesToEven if ties == "even" else RoundMode.TiesToAway
    ref = np.stack([quantize_block(fi, row, _exact_scale, mode) for row in x])
    got = fmt.quantize(x)
    if element == "int8":  # gfloat's int8 element can reach -2.0; lognum encodes symmetrically
        scale = np.ldexp(1.0, np.frexp(np.max(np.abs(x), axis=1, keepdims=True))[1] - 1)
        low = ref == -2.0 * scale
        assert np.array_equal(got[low], -1.984375 * np.broadcast_to(scale, x.shape)[low])
        got, ref = np.where(low, 0, got), np.where(low, 0, ref)
    assert np.array_equal(got, ref), x[got != ref][:4]
    # scales: gfloat's compute_scale_amax (float log2) on every row but the last, whose amax
    # 2^12(1 - 2^-53) makes np.log2 round up to 12: the exact floor(log2 amax) is 11
    _, sc = fmt.encode(x)
    exp_sc = [int(round(math.log2(compute_scale_amax(fi.etype.emax, row)))) + 127 for row in x]
    assert sc.ravel().tolist()[:-1] == exp_sc[:-1] and sc.ravel()[-1] == exp_sc[-1] - 1
    assert np.array_equal(
        fmt.quantize(x[:-1]),
        np.stack([quantize_block(fi, row, compute_scale_amax, mode) for row in x[:-1]])
        if element != "int8"
        else got[:-1],
    )


def test_nan_and_inf_blocks():
    """NaN or ±inf anywhere in a block gives the NaN scale (0xFF): the whole block is NaN (the
    OCP NaN scale; microxcaling's overflowing shared exponent). gfloat differs on inf: it clips
    the scale to 2^127 and saturates (checked here so the divergence stays visible)."""
    x = np.ones((4, 32))
    x[0, 4] = np.nan
    x[1, 2] = np.inf
    x[3, 7] = -np.inf
    for el, emax in (("fp8_e4m3", 8), ("fp4_e2m1", 2), ("int8", 0), ("fp8_e5m2", 15)):
        for dt in (np.float64, np.float32):
            q = MX(el).quantize(x.astype(dt))
            assert q.dtype == dt
            assert np.isnan(q[[0, 1, 3]]).all() and (q[2] == 1).all()
        codes, sc = MX(el).encode(x)
        assert sc.ravel().tolist() == [255, 255, 127 - emax, 255]
        assert np.isnan(MX(el).decode(codes, scales=sc)[[0, 1, 3]]).all()
    fi = format_info_mxfp8_e4m3
    ref = quantize_block(fi, x[1], compute_scale_amax)  # gfloat: scale 2^127, inf saturates
    assert np.isfinite(ref).all() and ref[2] == 448 * 2.0**127
    ref0 = quantize_block(fi, x[0], compute_scale_amax)
    assert np.isnan(ref0).all()


@pytest.mark.parametrize("shape,axis", [((3, 70), -1), ((70, 3), 0), ((2, 45, 4), 1), ((33,), 0)])
def test_layout_partial_blocks_and_round_trip(shape, axis):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape).astype(np.float32)
    fmt = MX("fp6_e3m2", axis=axis)
    q = fmt.quantize(x)
    assert q.shape == x.shape and q.dtype == np.float32
    codes, sc = fmt.encode(x)
    nb = -(-shape[axis] // 32)
    assert codes.shape == x.shape and sc.shape[axis] == nb
    assert np.array_equal(fmt.decode(codes, scales=sc), q.astype(np.float64))
    # the same as blocking the moved axis by hand (zero padding of the last block)
    moved = np.moveaxis(x, axis, -1).astype(np.float64)
    L = moved.shape[-1]
    pad = np.zeros(moved.shape[:-1] + (nb * 32,))
    pad[..., :L] = moved
    rows = pad.reshape(-1, 32)
    ref = np.stack(
        [quantize_block(format_info_mxfp6_e3m2, r, compute_scale_amax) for r in rows]
    ).reshape(pad.shape)[..., :L]
    assert np.array_equal(np.moveaxis(q, axis, -1), ref.astype(np.float32))


def test_block_floating_point():
    f = BlockFloat(4, 4)
    x = np.array([3.0, -1.1, 0.2, 0.05, 7.9, 1.0, -0.3, 0.0])
    # block 1: E_b = 1, step 2^(1-2) = 0.5; block 2: E_b = 2, step 1, 7.9 -> 8 -> clamp 7
    assert f.quantize(x).tolist() == [3.0, -1.0, 0.0, 0.0, 7.0, 1.0, -0.0, 0.0]
    codes, sc = f.encode(x)
    assert sc.tolist() == [127 + 1, 127 + 2] and codes.tolist()[:2] == [6, 16 - 2]
    rng = np.random.default_rng(3)
    y = rng.standard_normal((5, 64)) * 30
    assert np.array_equal(BlockFloat(8, 32).quantize(y), MX("int8").quantize(y))
    assert str(BlockFloat(8, 16)) == "bfp<8,16>"


def test_ceil_scale_rule_never_saturates():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((50, 32)) * np.exp2(rng.integers(-5, 5, (50, 1)))
    for el in ("fp4_e2m1", "fp8_e4m3", "int8"):
        fmt = MX(el, scale_rule="ceil")
        _, sc = fmt.encode(x)
        X = np.exp2(sc.astype(float) - 127)
        amax = np.max(np.abs(x), axis=1)
        emax = fmt._elem_max
        assert (amax <= emax * X[:, 0]).all() and (amax > emax * X[:, 0] / 2).all()


def test_stochastic_rounding_blocks():
    x = np.zeros((2000, 32))
    x[:, 0] = 4.0  # scale 1 for fp4 (emax 2)
    x[:, 1] = 2.0 + 0.3 * 1.0  # between 2 and 3
    fmt = MX("fp4_e2m1")
    q = fmt.quantize(x, rounding="stochastic", rng=np.random.default_rng(1))
    assert set(np.unique(q[:, 1])) == {2.0, 3.0}
    assert abs(np.mean(q[:, 1] == 3.0) - 0.3) < 6 * math.sqrt(0.21 / 2000)
    assert (q[:, 0] == 4.0).all()
    q2 = fmt.quantize(x, rounding="stochastic", rng=np.random.default_rng(1))
    assert np.array_equal(q, q2)
    c, s = fmt.encode(x, rounding="stochastic", rng=np.random.default_rng(1))
    assert np.array_equal(fmt.decode(BlockCodes(c, s)), q)


def test_block_record_fit_scales_describe():
    x = np.random.default_rng(8).standard_normal((3, 40)) * 5
    for fmt in (MX("fp4_e2m1"), MX("int8", block=16), BlockFloat(6, 8, axis=0)):
        rec = fmt.encode(x)
        assert isinstance(rec, BlockCodes) and rec.codes.shape == x.shape
        assert np.array_equal(fmt.decode(rec), fmt.quantize(x))
        assert np.array_equal(fmt.decode(rec.codes, scales=rec.scales), fmt.quantize(x))
        out = BlockCodes(np.empty_like(rec.codes), np.empty_like(rec.scales))
        assert fmt.encode(x, out=out).codes is out.codes and np.array_equal(out.scales, rec.scales)
        assert fmt.fit(x) is fmt and not fmt.needs_fit and fmt.kind == fmt.family == "block"
        assert np.array_equal(fmt.scales(x), np.exp2(rec.scales.astype(float) - 127))
        d = fmt.describe(3)
        assert isinstance(d, Description) and d.format == str(fmt)
        assert d.value == fmt._table[3] and str(d).startswith(f"{fmt} ")
        with pytest.raises(ValueError, match="not elementwise"):
            fmt.ufunc  # noqa: B018 - the property raises
    assert MX("int8").describe(0x80)["integer"] == -128
    assert MX("fp4_e2m1").describe(0b0111)["exponent"] == 3
    with pytest.raises(ValueError, match="scales must not"):
        MX("int8").decode(MX("int8").encode(x), scales=np.zeros(2, np.uint8))


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: MX("fp7"), "element must"),
        (lambda: MX("fp4_e2m1", block=0), "block must"),
        (lambda: MX("int8", scale_rule="max"), "scale_rule must"),
        (lambda: MX("int8", ties="up"), "ties must"),
        (lambda: BlockFloat(1), "mantissa_bits must"),
        (lambda: MX("int8").decode(np.zeros(3, np.uint8)), "scales must"),
        (lambda: MX("int8").values(), "no fixed value set"),
        (lambda: MX("int8", axis=2).quantize(np.ones(3)), "axis must"),
    ],
)
def test_bad_parameters_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()
