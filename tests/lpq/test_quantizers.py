"""Per-channel / MX / per-token baselines checked by brute force against their definitions."""

import numpy as np
import pytest

from lognum.lpq.quantizers import (
    MXQuant,
    PerChannelInt,
    PerChannelLP,
    PerTensorInt,
    PerTokenInt,
    calibrate_lp,
    calibrate_scale,
    storage_bits,
)

from .lp_oracle import OracleLP, lp_values

RNG = np.random.default_rng(0)
W = (RNG.standard_t(3, size=(6, 40)) * 0.05).astype(np.float32)
W[2, 7] = 3.0  # an outlier row


def _nearest_multiple(w_row, s, qmax):
    ks = np.arange(-qmax, qmax + 1) * s
    return ks[np.argmin(np.abs(w_row[:, None] - ks[None, :]), axis=1)]


@pytest.mark.parametrize("n", [4, 6, 8])
def test_per_channel_int_absmax_is_nearest_fp16_scaled_grid(n):
    q = PerChannelInt(n).quantize(W)
    qmax = 2 ** (n - 1) - 1
    for r in range(len(W)):
        s = float(np.float16(np.abs(W[r]).max() / qmax))
        ref = _nearest_multiple(W[r].astype(np.float64), s, qmax)
        np.testing.assert_allclose(q[r], ref.astype(np.float32), rtol=0, atol=1e-7)


def test_per_channel_int_clips():
    w = W.astype(np.float64)
    e = {
        c: np.sum((PerChannelInt(4, c).quantize(W) - w) ** 2, axis=1)
        for c in ("absmax", "mse", "percentile")
    }
    # the MSE clip's grid contains the absmax clip: never worse on any row, better on some
    assert np.all(e["mse"] <= e["absmax"] * (1 + 1e-6)) and np.any(e["mse"] < e["absmax"])
    # the percentile clip saturates the outlier: max |q| of row 2 is below the outlier
    q = PerChannelInt(6, "percentile", percentile=90).quantize(W)
    assert np.abs(q[2]).max() <= np.percentile(np.abs(W[2]), 90) * (1 + 2**-10)


def test_per_channel_lp_reads_its_own_label():
    q = PerChannelLP(6, 1, 4)
    assert str(q) == "LP<6,1,4,sf per channel>"
    assert PerChannelLP.from_label(str(q)) == q
    assert PerChannelLP.from_label("LP<6,1,4,3>") is None  # a single-sf format, not this one


def test_storage_bits():
    assert PerChannelInt(6).bits_per_weight((384, 1536)) == 6 + 16 / 1536
    assert PerChannelLP(6, 0, 5).bits_per_weight((1536, 384)) == 6 + 8 / 384
    assert MXQuant("fp6_e2m3").bits_per_weight((384, 384)) == 6.25
    assert MXQuant("fp4_e2m1").n == 4 and MXQuant("int8").n == 8
    assert storage_bits(None, (3, 3)) == 32
    import lognum

    assert storage_bits(lognum.LogPosit(5, 1, rs=4, sf=2), (3, 3)) == 5


def test_per_channel_lp_rows_use_their_best_sf():
    n, es, rs = 5, 1, 4
    grid = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    pq = PerChannelLP(n, es, rs, sf_grid=grid)
    q = pq.quantize(W).astype(np.float64)
    w = W.astype(np.float64)
    for r in range(len(W)):
        errs = [np.sum((OracleLP(n, es, rs, sf).quantize(w[r]) - w[r]) ** 2) for sf in grid]
        best = grid[int(np.argmin(errs))]
        ref = OracleLP(n, es, rs, best).quantize(w[r])
        np.testing.assert_array_equal(q[r], ref.astype(np.float32).astype(np.float64))
        vals = set(lp_values(n, es, rs, best).astype(np.float32)) | {0.0}
        assert set(np.abs(q[r]).astype(np.float32)) <= vals


def test_mx_and_per_token_and_static():
    import lognum

    x = RNG.standard_normal((3, 5, 64)).astype(np.float32)
    np.testing.assert_array_equal(
        MXQuant("fp4_e2m1").quantize(x), lognum.MX("fp4_e2m1", axis=-1).quantize(x)
    )
    t = PerTokenInt(8).quantize(x)
    # per token, the largest magnitude is kept and every value is a multiple of amax/127
    amax = np.abs(x).max(axis=-1)
    np.testing.assert_allclose(np.abs(t).max(axis=-1), amax, rtol=1e-6)
    k = t / (amax[..., None] / 127)
    np.testing.assert_allclose(k, np.rint(k), atol=1e-3)
    assert np.abs(t - x).max() <= (amax / 127).max() / 2 * (1 + 1e-5)
    s = calibrate_scale(x, 8)
    q = PerTensorInt(8, s).quantize(x)
    # the calibrated scale is at least as good as the absmax scale (in its grid)
    e_abs = np.sum((PerTensorInt(8, np.abs(x).max() / 127).quantize(x) - x) ** 2)
    assert np.sum((q - x) ** 2) <= e_abs


def test_calibrate_lp_finds_an_exact_format():
    vals = lp_values(6, 1, 4, 3.0)
    x = RNG.choice(np.concatenate([vals, -vals]), size=500)
    n, es, rs, sf = calibrate_lp(x, 6, es_grid=(0, 1, 2), sf_grid=(1.0, 2.0, 3.0, 4.0))
    import lognum

    q = lognum.LogPosit(n, es, rs=rs, sf=int(sf)).quantize(x)
    assert np.sum((q - x) ** 2) == 0.0
