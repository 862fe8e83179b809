import math

import numpy as np
import pytest

from lognum.lpq.fitness import FitnessConfig, compression_loss, info_nce, l2n


def _nce_loops(a, b, tau):
    """InfoNCE by explicit loops over Python floats (independent oracle)."""
    tot = 0.0
    for i in range(len(a)):
        logits = [sum(x * y for x, y in zip(a[i], b[j], strict=True)) / tau for j in range(len(b))]
        tot += -logits[i] + math.log(sum(math.exp(v) for v in logits))
    return tot / len(a)


def test_info_nce_against_loops():
    rng = np.random.default_rng(0)
    a, b = l2n(rng.standard_normal((5, 7))), l2n(rng.standard_normal((5, 7)))
    for tau in (0.05, 0.3, 2.0):
        assert info_nce(a, b, tau) == pytest.approx(
            _nce_loops(a.tolist(), b.tolist(), tau), rel=1e-12
        )


def test_info_nce_hand_value_orthonormal():
    # identical orthonormal rows: loss = -1/tau + log(e^{1/tau} + (B-1))
    e = np.eye(4)
    tau = 0.5
    assert info_nce(e, e, tau) == pytest.approx(-2.0 + math.log(math.exp(2.0) + 3.0), rel=1e-14)


def test_compression_loss_hand_value():
    g = np.array([[4, 0, 3, 0], [8, 1, 7, 2]], float)
    # (4*100 + 8*300) / (8 * 400) = 2800 / 3200
    assert compression_loss(g, np.array([100, 300]), 8) == pytest.approx(0.875)
    # activations rows (second half) weighted by the same sizes
    g2 = np.vstack([g, [[8, 0, 7, 0], [8, 0, 7, 0]]])
    assert compression_loss(g2, np.array([100, 300]), 8) == pytest.approx((2800 + 3200) / 6400)


def test_fitness_config_validation():
    with pytest.raises(ValueError, match="tau"):
        FitnessConfig(tau=0)
