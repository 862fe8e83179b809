import numpy as np
from scipy.special import erf

from lognum.nn import layers as L


def test_conv2d_against_direct_loops():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    for stride, pad in ((1, 0), (1, 1), (2, 1)):
        got = L.conv2d(x, w, b, stride=stride, padding=pad)
        xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        ho = (xp.shape[2] - 3) // stride + 1
        wo = (xp.shape[3] - 3) // stride + 1
        ref = np.zeros((2, 4, ho, wo))
        for n in range(2):
            for o in range(4):
                for i in range(ho):
                    for j in range(wo):
                        patch = xp[n, :, i * stride : i * stride + 3, j * stride : j * stride + 3]
                        ref[n, o, i, j] = np.sum(patch * w[o]) + b[o]
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


def test_attention_against_einsum():
    rng = np.random.default_rng(2)
    q, k, v = (rng.standard_normal((2, 5, 8)).astype(np.float32) for _ in range(3))
    mask = np.zeros((2, 5), np.float32)
    mask[1, 3:] = -1e30
    got = L.attention(q, k, v, mask, heads=2)
    qh, kh, vh = (a.reshape(2, 5, 2, 4).astype(np.float64) for a in (q, k, v))
    s = np.einsum("bqhd,bkhd->bhqk", qh, kh) / 2.0 + mask[:, None, None, :]
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    ref = np.einsum("bhqk,bkhd->bqhd", p, vh).reshape(2, 5, 8)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


def test_layernorm_gelu_pool_linear():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 7)).astype(np.float64)
    g, b = rng.standard_normal(7), rng.standard_normal(7)
    ref = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5) * g + b
    np.testing.assert_allclose(L.layernorm(x, g, b, 1e-5), ref, rtol=1e-12)
    np.testing.assert_allclose(L.gelu(x), 0.5 * x * (1 + erf(x / np.sqrt(2))), rtol=1e-12)
    img = np.arange(2 * 1 * 4 * 5, dtype=np.float64).reshape(2, 1, 4, 5)
    np.testing.assert_array_equal(L.maxpool2d(img)[0, 0], [[6, 8], [16, 18]])
    np.testing.assert_array_equal(L.avgpool2d(img)[0, 0], [[3, 5], [13, 15]])
    w = rng.standard_normal((4, 7))
    np.testing.assert_allclose(L.linear(x[None], w, np.ones(4))[0], x @ w.T + 1)
    m = np.array([[1, 1, 0]], np.float32)
    t = np.array([[[1.0, 2], [3, 4], [100, 100]]])
    np.testing.assert_allclose(L.mean_pool(t, m), [[2.0, 3.0]])
