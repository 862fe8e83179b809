"""``lognum lpq table --ci`` on a synthetic results directory (items, runs, baselines)."""

import json

import numpy as np

from lognum.lpq.cli import lpq_main
from lognum.lpq.evaluate import items_path, save_items
from lognum.lpq.report import convergence_table, research_report
from tests.lpq.synthetic import synthetic_items
from tests.nn.refdata import requires_minilm

pytestmark = requires_minilm  # the human ratings come from the gensim test data

RNG = np.random.default_rng(0)


def _items(quality):
    return synthetic_items(quality, RNG)


def _run(method, seed, fit):
    hist = [{"evaluations": e, "best_fitness": fit + 0.01 * (1 - e / 20)} for e in (5, 10, 20)]
    return {
        "method": method,
        "best_fitness": fit,
        "best_terms": {"L_GL": fit - 0.07},
        "avg_bits": 6.0,
        "evaluations": 20,
        "seconds": 1.0,
        "layer_sizes": [1],
        "layers": [{"layer": "x", "n": 6, "es": 0, "rs": 5, "sf": 4}],
        "config": {
            "fitness": {"lam": 0.1},
            "space": {"max_avg_bits": 6.0},
            "ga": {"seed": seed},
            "seed": seed,
            "problem": {"class": "MiniLMProblem"},
        },
        "history": hist,
        "eval": {"cos_lee": 0.99, "lee_pearson": 0.65, "avg_bits": 6.0},
    }


def test_research_report(tmp_path):
    base = []
    for label, fam, q, bits in [
        ("FP32", "fp32", 1.0, 32.0),
        ("INT6 per-channel absmax", "per-channel", 0.97, 6.01),
        ("MXFP6 e2m3", "mx", 0.98, 6.25),
        ("W6A8 something", "w+a", 0.9, 6.0),
    ]:
        base.append({"method": label, "family": fam, "L_GL": 1.0, "eval": {"avg_bits": bits}})
        save_items(items_path(tmp_path, f"baselines:{label}"), _items(q))
    (tmp_path / "baselines.json").write_text(json.dumps(base))
    for s in (0, 1):
        for m, f in (("lpq-ga", 1.21 + s / 1000), ("random-search", 1.22)):
            name = f"{'ga' if m == 'lpq-ga' else 'random'}_cap6_seed{s}"
            (tmp_path / f"{name}.json").write_text(json.dumps(_run(m, s, f)))
            save_items(items_path(tmp_path, name), _items(0.99))
    md = research_report(tmp_path, B=60)
    assert "| FP32 | 32.000 | 1.0000 |" in md
    assert "| LPQ GA (lam=0.1, <= 6 b, 316" not in md  # budget taken from the runs
    assert "LPQ GA (lam=0.1, <= 6 b, 20 evals) | 2 |" in md
    assert "| LPQ GA (lam=0.1, <= 6 b, 20 evals) | random search | 2 | -0.0100, -0.0090 |" in md
    assert "LPQ GA (lam=0.1, <= 6 b, 20 evals), mean of 2 seeds | INT6 per-channel absmax" in md
    assert "| W6A8 something | 6.00 |" in md and "**not met**" in md
    conv = convergence_table(tmp_path)
    assert conv.splitlines()[0] == "| search | seeds | e = 5 | e = 10 | e = 15 | e = 20 |"
    assert lpq_main(["table", "--ci", "--bootstrap", "30", str(tmp_path)]) == 0
