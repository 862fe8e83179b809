import numpy as np
import pytest

from lognum.lpq.ablation import loss_variants
from lognum.lpq.fitness import FitnessConfig, contrastive_terms


def test_loss_variants():
    rng = np.random.default_rng(0)
    fp = [rng.standard_normal((10, 4, 3)), rng.standard_normal((10, 6))]
    same = loss_variants([r.copy() for r in fp], fp)
    assert same["mse distillation"] == 0.0
    assert same["cosine distillation"] == pytest.approx(0.0, abs=1e-12)
    q = [r + 0.3 * rng.standard_normal(r.shape) for r in fp]
    v = loss_variants(q, fp)
    loc, glob = contrastive_terms(q, fp, FitnessConfig())
    assert v["contrastive (default)"] == pytest.approx(loc + glob)
    assert v["contrastive, local only"] == pytest.approx(loc)
    # relative MSE by hand: local term (one block) + global term
    rel = [np.sum((a - b) ** 2) / np.sum(b**2) for a, b in zip(q, fp, strict=True)]
    assert v["mse distillation"] == pytest.approx(rel[0] + rel[1])
    assert all(v[k] > same[k] for k in ("mse distillation", "cosine distillation"))
    assert v["contrastive, 8 calibration texts"] != v["contrastive (default)"]
