"""Lesson 05 (log quantization, codebooks, binary weights): expected answers."""

from __future__ import annotations

import numpy as np

from lognum.teach.checks import exercise


def _w():
    from lognum.data import load_minilm_weights

    return load_minilm_weights()["layer0.query"].astype(np.float64)


@exercise(
    "05.1",
    "the MSE-optimal binary scale on a grid",
    rtol=0,
    atol=1e-12,
    hint="J(a) = mean(w^2) - 2 a mean|w| + a^2 is minimal at a = mean|w|: the grid point "
    "nearest to it.",
)
def _e1():
    grid = np.linspace(0.01, 0.2, 1901)
    a = float(np.mean(np.abs(_w())))
    j = grid**2 - 2 * grid * a  # J(a) up to the constant mean(w^2)
    return float(grid[int(np.argmin(j))])


@exercise("05.2", "an LNS<8,3> product", hint="1.5 -> 2^(5/8), 2.5 -> 2^(11/8).")
def _e2():
    from lognum.formats.parse import parse

    f = parse("LNS<8,3>")
    a, b = f.quantize(np.array([1.5, 2.5]))
    return float(f.quantize(np.array([a * b]))[0])


@exercise(
    "05.3",
    "SQNR of an 8-level k-means codebook",
    rtol=1e-6,
    hint="start from the quantiles (j + 0.5)/8, alternate assignment and means 20 times.",
)
def _e3():
    from scipy.cluster.vq import vq

    w = _w()
    c = np.quantile(w, (np.arange(8) + 0.5) / 8)
    for _ in range(20):
        idx, _ = vq(w[:, None], c[:, None])
        c = np.array([w[idx == j].mean() if np.any(idx == j) else c[j] for j in range(8)])
    idx, _ = vq(w[:, None], c[:, None])
    q = c[idx]
    return float(10 * np.log10(np.sum(w**2) / np.sum((w - q) ** 2)))
