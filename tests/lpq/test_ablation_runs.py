"""Fitness variants of re-run ablations, calibrated activation genes, and their reports."""

import json
import pickle

import numpy as np
import pytest

from lognum.lpq.ablation import loss_variants
from lognum.lpq.cli import lpq_main
from lognum.lpq.evaluate import items_path, save_items
from lognum.lpq.fitness import FitnessConfig, contrastive_terms
from lognum.lpq.ga import LPQResult
from lognum.lpq.problems import MiniLMProblem, absolute_act_sf
from tests.lpq.synthetic import synthetic_items
from tests.nn.refdata import requires_minilm

RNG = np.random.default_rng(5)


def _reps():
    fp = [RNG.standard_normal((6, 4, 5)) for _ in range(3)] + [RNG.standard_normal((6, 8))]
    q = [r + 0.1 * RNG.standard_normal(r.shape) for r in fp]
    return q, fp


@pytest.mark.parametrize("kind", ["mse", "cosine"])
def test_distill_variants_are_the_ablation_losses(kind):
    q, fp = _reps()
    loc, glob = contrastive_terms(q, fp, FitnessConfig(distill=kind))
    want = loss_variants(q, fp)[f"{kind} distillation"]
    assert loc + glob == pytest.approx(want, rel=1e-12)
    assert loc > 0 and glob > 0
    # an exact copy has zero loss (InfoNCE would not)
    assert contrastive_terms(fp, fp, FitnessConfig(distill=kind)) == pytest.approx((0, 0))


def test_default_and_local_global_terms_unchanged():
    q, fp = _reps()
    v = loss_variants(q, fp)
    loc, glob = contrastive_terms(q, fp, FitnessConfig())
    assert loc + glob == pytest.approx(v["contrastive (default)"])
    assert loc == pytest.approx(v["contrastive, local only"])
    with pytest.raises(ValueError, match="distill must be one of"):
        FitnessConfig(distill="kl")


def test_activation_sf_offsets():
    g = np.array([[6, 0, 5, 4], [5, 1, 3, 3], [8, 1, 7, 0], [8, 0, 6, -1]], dtype=float)
    a = absolute_act_sf(g, (1.0, -1.0))
    np.testing.assert_array_equal(a[:2], g[:2])
    np.testing.assert_array_equal(a[2:, 3], [1.0, -2.0])
    np.testing.assert_array_equal(absolute_act_sf(g[:2], (1.0, -1.0)), g[:2])  # weights only
    np.testing.assert_array_equal(absolute_act_sf(g, ()), g)
    with pytest.raises(ValueError, match="genome must have 2 or 4 rows"):
        absolute_act_sf(g[:3], (1.0, -1.0))
    p = MiniLMProblem(act_sf_base=[1, -1])
    assert p.act_sf_base == (1.0, -1.0) and p.key() == MiniLMProblem().key()
    assert pickle.loads(pickle.dumps(p)) == p
    r = LPQResult(
        method="lpq-ga",
        layer_names=["a", "b"],
        layer_sizes=[10, 10],
        best_genome=g,
        best_fitness=1.0,
        best_terms={},
        config={"problem": {"class": "MiniLMProblem", "act_sf_base": [1.0, -1.0]}},
    )
    f = r.formats()
    assert f[2]["sf"] == 0.0 and f[2]["sf_base"] == 1.0 and f[2]["format"] == "LP<8,1,7,1>"
    assert f[3]["format"] == "LP<8,0,6,-2>" and "sf_base" not in f[0]
    back = LPQResult.from_json(r.to_json())
    np.testing.assert_array_equal(back.best_genome, g)  # the genes, not the applied sf


def test_cli_act_calibrate_needs_acts(tmp_path, capsys):
    argv = ["run", "--model", "tinycnn", "--act-calibrate", "--out", str(tmp_path / "x.json")]
    assert lpq_main(argv) == 2
    assert "--act-calibrate needs --acts" in capsys.readouterr().err


# ---- reports (the human ratings come from the gensim test data) ----------------------------


def _items(q):
    return synthetic_items(q, np.random.default_rng(int(q * 1000)))


def _run(seed, acts=False, bits=6.0):
    space = {"max_avg_bits": 6.0, "acts": acts, "act_n": [8] if acts else None}
    return {
        "method": "lpq-ga",
        "best_fitness": 1.2 + seed / 100,
        "best_terms": {"L_GL": 1.1},
        "avg_bits": bits,
        "evaluations": 20,
        "seconds": 1.0,
        "layer_sizes": [1],
        "layers": [{"layer": "x", "n": 6, "es": 0, "rs": 5, "sf": 4}],
        "config": {
            "fitness": {"lam": 0.1},
            "space": space,
            "ga": {"seed": seed},
            "problem": {"class": "MiniLMProblem"},
        },
        "history": [{"evaluations": 20, "best_fitness": 1.2}],
        "eval": {"avg_bits": bits},
    }


def _save(d, stem, rec, q):
    (d / f"{stem}.json").write_text(json.dumps(rec))
    save_items(items_path(d, stem), _items(q))


@requires_minilm
def test_ablation_runs_report(tmp_path):
    from lognum.lpq.ablation_runs import ablation_runs_report

    for s in (0, 1, 2):
        _save(tmp_path, f"default_seed{s}", _run(s), 0.99 - s / 1000)
        _save(tmp_path, f"mse_seed{s}", _run(s), 0.99 - s / 1000)  # same items as the default
        _save(tmp_path, f"tau1.0_seed{s}", _run(s, bits=5.5), 0.90 - s / 1000)
    _save(tmp_path, "cosine_seed0", _run(0), 0.95)
    md, res = ablation_runs_report(tmp_path, tmp_path, B=50, with_lgl=False)
    lines = md.splitlines()
    assert lines[2].startswith("| default (contrastive") and "| 3 | 6.000 |" in lines[2]
    assert "default" in res["variants"] and set(res["variants"]) == {
        "default",
        "mse",
        "cosine",
        "tau1.0",
    }
    # identical items: difference exactly 0 with a zero-width interval
    d = res["variants"]["mse"]["diff_vs_default"]
    assert all(v == [0.0, 0.0, 0.0] for v in d.values())
    assert "| MSE distillation (local + global) | 3 | +0.0000 [+0.0000, +0.0000] |" in md
    per = res["variants"]["tau1.0"]["diff_per_seed"]["cos_lee"]
    assert len(per) == 3 and all(v < -0.02 for v in per)  # items of quality 0.90 vs 0.99
    assert md.rstrip().splitlines()[-1].endswith(" | " + ", ".join(f"{v:+.4f}" for v in per) + " |")
    assert np.mean(per) == pytest.approx(res["variants"]["tau1.0"]["diff_vs_default"]["cos_lee"][0])
    t = res["variants"]["tau1.0"]
    assert t["avg_bits"] == 5.5 and t["diff_vs_default"]["cos_lee"][2] < 0  # CI below 0
    assert res["variants"]["cosine"]["diff_seeds"] == [0]
    m = t["metrics"]["cos_lee"]
    assert m["ci"][0] <= m["mean"] <= m["ci"][1] and m["seed_range"][0] <= m["seed_range"][1]
    # the CLI writes the same numbers (and the markdown)
    out = tmp_path / "rep" / "r.json"
    argv = ["ablation-runs", str(tmp_path), "--no-lgl", "--bootstrap", "50", "--out", str(out)]
    assert lpq_main(argv) == 0
    saved = json.loads(out.read_text())
    assert saved["markdown"] == md and saved["variants"]["mse"]["diff_vs_default"] == d
    bad = ["ablation-runs", str(tmp_path), "--ref-pattern", "x.json", "--out", str(out)]
    assert lpq_main(bad) == 2


@requires_minilm
def test_research_report_joint_wa_section(tmp_path):
    from lognum.lpq.report import research_report

    base = []
    for label, q in (
        ("FP32", 1.0),
        ("W6A8 LP: LP<6,0,5,4> / LP<8> per layer (calibrated)", 0.98),
        ("W6A8 INT per-channel mse / per-token INT8", 0.97),
    ):
        base.append({"method": label, "family": "w+a", "L_GL": 1.0, "eval": {"avg_bits": 6.0}})
        save_items(items_path(tmp_path, f"baselines:{label}"), _items(q))
    (tmp_path / "baselines.json").write_text(json.dumps(base))
    for s in (0, 1):
        _save(tmp_path, f"ga_cap6_seed{s}", _run(s), 0.99)
        _save(tmp_path, f"ga_wa8_cap6_seed{s}", _run(s, acts=True), 0.985)
    md = research_report(tmp_path, B=40)
    sec = md.split("## Joint W+A search")[1].split("\n## ")[0]
    wa = "W+A (A8) LPQ GA (lam=0.1, <= 6 b, 20 evals), mean of 2 seeds"
    assert f"| {wa} | LPQ GA (lam=0.1, <= 6 b, 20 evals) (weights only), mean of 2 seeds |" in sec
    assert f"| {wa} | W6A8 INT per-channel mse / per-token INT8 |" in sec
    # the seed-mean W+A row is in the within-1 %-of-FP32 check too
    assert f"| {wa} | 6.00 |" in md.split("## W+A: difference to FP32")[1]
    # and the W+A seeds are a search setting of their own
    assert "| W+A (A8) LPQ GA (lam=0.1, <= 6 b, 20 evals) | 2 |" in md
