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
