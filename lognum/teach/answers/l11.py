"""Lesson 11 (ALPS selection): expected answers (SciPy's kurtosis as the oracle, lognum's
eqs 13-16)."""

from __future__ import annotations

import numpy as np

from lognum.teach.checks import exercise


@exercise("11.1", "excess kurtosis of (0,0,0,0,0,0,4,-4)", hint="mean 0, E[x^2] = 4, E[x^4] = 64.")
def _e1():
    from scipy.stats import kurtosis

    return float(kurtosis([0, 0, 0, 0, 0, 0, 4, -4], fisher=True, bias=True))


@exercise(
    "11.2",
    "kurtosis of Q_GP<8,1,2,0>(W) for layer2.ffn2",
    rtol=1e-9,
    hint="quantize W with the GP, then the excess kurtosis of the result.",
)
def _e2():
    from scipy.stats import kurtosis

    from lognum.data import load_minilm_weights
    from lognum.formats.posit import GeneralizedPosit

    w = load_minilm_weights()["layer2.ffn2"].astype(np.float64)
    return float(kurtosis(GeneralizedPosit(8, 1, 2, 0).quantize(w), fisher=True, bias=True))


@exercise(
    "11.3",
    "eq 13 with round-half-to-even",
    hint="log2 sqrt of the ratios: 0, 0.5, 1.5, 2.5, -0.5; RNE gives 0, 0, 2, 2, 0.",
)
def _e3():
    from lognum.analysis.stats import alps_layerwise

    ew = np.array([1, 2, 8, 32, 0.5])
    return alps_layerwise(ew, ew, 0, 4, 0, 8)["rs_w"].tolist()
