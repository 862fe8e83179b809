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


def test_centred_terms_ignore_a_common_component():
    from lognum.lpq.fitness import contrastive_terms

    rng = np.random.default_rng(4)
    fp = [rng.standard_normal((6, 5)), rng.standard_normal((6, 3))]
    q = [f + 0.1 * rng.standard_normal(f.shape) for f in fp]
    cfg = FitnessConfig(tau=0.3)
    loc, glob = contrastive_terms(q, fp, cfg)
    mu = fp[1].mean(0)
    assert glob == pytest.approx(info_nce(l2n(q[1] - mu), l2n(fp[1] - mu), 0.3), rel=1e-12)
    # a large component shared by every input (quantized and FP alike) changes nothing centred
    c = [np.full(5, 50.0), np.full(3, -30.0)]
    q2 = [a + v for a, v in zip(q, c, strict=True)]
    fp2 = [a + v for a, v in zip(fp, c, strict=True)]
    assert contrastive_terms(q2, fp2, cfg) == pytest.approx((loc, glob), rel=1e-9)
    # ... but it does change the uncentred loss
    unc = FitnessConfig(tau=0.3, center=False)
    assert contrastive_terms(q2, fp2, unc)[1] != pytest.approx(
        contrastive_terms(q, fp, unc)[1], rel=1e-3
    )
