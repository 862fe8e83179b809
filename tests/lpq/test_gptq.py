"""GPTQ rounding: the closed form for two inputs, RTN for a diagonal Hessian, lower error."""

import numpy as np
import pytest

from lognum.lpq.gptq import (
    format_column_quantizer,
    gptq_quantize,
    int_column_quantizer,
)

RNG = np.random.default_rng(3)


def _data(n_in=12, n_out=5, tokens=400):
    mix = RNG.standard_normal((n_in, n_in))
    x = RNG.standard_normal((tokens, n_in)) @ mix  # correlated inputs
    w = RNG.standard_normal((n_out, n_in)) * 0.1
    return x, w


def test_two_inputs_match_the_optimal_compensation():
    x, w = _data(n_in=2, n_out=3)
    h = x.T @ x
    s = np.full(3, 0.05)
    q = gptq_quantize(w, h, int_column_quantizer(s, 4), damp=0.0)
    rnd = lambda v: np.clip(np.rint(v / s), -7, 7) * s  # noqa: E731
    q0 = rnd(w[:, 0])
    # with column 0 fixed at q0, the best real column 1 is w1 + (w0 - q0) H01 / H11
    w1 = w[:, 1] + (w[:, 0] - q0) * h[0, 1] / h[1, 1]
    np.testing.assert_allclose(q[:, 0], q0)
    np.testing.assert_allclose(q[:, 1], rnd(w1))


def test_diagonal_hessian_is_round_to_nearest():
    _, w = _data()
    h = np.diag(RNG.random(12) + 0.5)
    s = np.abs(w).max(axis=1) / 7
    q = gptq_quantize(w, h, int_column_quantizer(s, 4))
    np.testing.assert_allclose(q, np.clip(np.rint(w / s[:, None]), -7, 7) * s[:, None])


@pytest.mark.parametrize("kind", ["int", "lp"])
def test_output_error_below_round_to_nearest(kind):
    import lognum

    x, w = _data()
    h = x.T @ x
    if kind == "int":
        s = np.abs(w).max(axis=1) / 7
        qc = int_column_quantizer(s, 4)
        rtn = np.clip(np.rint(w / s[:, None]), -7, 7) * s[:, None]
    else:
        fmt = lognum.LogPosit(4, 1, rs=2, sf=3)
        qc = format_column_quantizer(fmt)
        rtn = fmt.quantize(w)
    q = gptq_quantize(w, h, qc)
    err = lambda a: np.sum((x @ (w - a).T) ** 2)  # noqa: E731
    assert err(q) < 0.8 * err(rtn)
    # still on the grid: every column re-rounds to itself
    for j in range(w.shape[1]):
        np.testing.assert_allclose(qc(j, q[:, j]), q[:, j])


def _outlier_layer():
    """Correlated inputs; row 0 holds one weight 20x beyond the format's maxpos."""
    import lognum

    x, w = _data(n_in=16, n_out=4, tokens=600)
    fmt = lognum.LogPosit(4, 1, rs=2, sf=3)
    w = np.clip(w, -0.5 * fmt.maxpos, 0.5 * fmt.maxpos)
    w[0, 0] = 20 * fmt.maxpos
    return x, w, fmt


def test_clipping_error_of_an_outlier_is_not_fed_back():
    # the bug behind the catastrophic GPTQ-LP rows: the clipping error of a weight beyond
    # maxpos was spread over the row and drove its other weights into saturation too
    x, w, fmt = _outlier_layer()
    h = x.T @ x
    qc = format_column_quantizer(fmt)
    mp = float(fmt.maxpos)
    q = gptq_quantize(w, h, qc, limit=mp)
    old = gptq_quantize(w, h, qc)  # limit=None: the old behaviour
    sat = lambda a: int(np.sum(np.abs(a) >= mp))  # noqa: E731
    assert sat(fmt.quantize(w)) == 1
    assert sat(q) <= 2  # the outlier itself (and at most one neighbour by rounding)
    assert sat(old[0]) >= 8  # the old feedback saturates most of row 0
    # the rows without an outlier are unaffected by the limit
    np.testing.assert_allclose(q[1:], old[1:])
    # and the result equals GPTQ of the weights pre-clipped into the range
    np.testing.assert_allclose(q[:, 1:], gptq_quantize(np.clip(w, -mp, mp), h, qc)[:, 1:])


def test_limit_beyond_every_weight_changes_nothing():
    x, w = _data()
    h = x.T @ x
    s = np.abs(w).max(axis=1) / 7
    qc = int_column_quantizer(s, 4)
    big = 1e6 * s  # no weight, before or after the updates, comes near it
    np.testing.assert_allclose(gptq_quantize(w, h, qc, limit=big), gptq_quantize(w, h, qc))
    with pytest.raises(ValueError, match="damp"):
        gptq_quantize(w, h, qc, damp=-1.0)


class _OneLayer:
    """A stand-in problem with one linear layer (``gptq_plan`` reads ``state()`` only when
    the Hessians are given)."""

    def __init__(self, w):
        self.w = w

    def state(self):
        return {"model": self, "names": ["layer"]}

    def weight_of(self, name):
        return self.w


@pytest.mark.parametrize("kind", ["lp", "int"])
def test_gptq_plan_keeps_saturation_to_the_outliers(kind):
    from lognum.lpq.gptq import gptq_plan

    x, w, fmt = _outlier_layer()
    hs = {"layer": x.T @ x}
    fixed = gptq_plan(_OneLayer(w), kind, 4, fmt, hessians=hs).weights["layer"].q
    old = gptq_plan(_OneLayer(w), kind, 4, fmt, hessians=hs, feed_saturation=True)
    old = old.weights["layer"].q
    if kind == "lp":
        mp = float(fmt.maxpos)
        assert np.sum(np.abs(fixed) >= mp) <= 2
        assert np.sum(np.abs(old) >= mp) >= 8
    else:  # the MSE clip of row 0 is far below its outlier: the same holds per row
        top = np.abs(fixed).max(axis=1, keepdims=True)
        assert np.sum(np.isclose(np.abs(fixed[0]), top[0])) <= 2
