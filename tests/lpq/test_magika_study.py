import numpy as np
import pytest

from lognum.lpq.fitness import FitnessConfig, contrastive_terms, logposit_format
from lognum.lpq.magika_study import clopper_pearson, magika_table
from lognum.lpq.problems import MagikaProblem
from lognum.nn.quant import QuantPlan
from tests.nn.test_magika import requires_magika


def test_problem_validates_n_calib():
    with pytest.raises(ValueError, match="n_calib"):
        MagikaProblem(1)
    assert MagikaProblem(4, seed=2).key() == "magika:4:2"


@requires_magika
def test_problem_loss_and_top1_record():
    from lognum.lpq.cnn_study import top1_record
    from lognum.nn.magika import package_files

    prob = MagikaProblem(4)
    st = prob.state()
    m = st["model"]
    assert st["names"] == ["dense0", "conv0", "dense1"]
    assert list(st["sizes"]) == [64 * 257, 512 * 256 * 5, 214 * 512]
    assert [r.shape for r in st["fp"]] == [(4, 512, 256), (4, 512), (4, 214)]
    fc = FitnessConfig()
    loc0, glob0 = prob.loss_terms(QuantPlan(), fc)
    ref = contrastive_terms(st["fp"], st["fp"], fc)
    assert (loc0, glob0) == pytest.approx(ref, rel=1e-9)
    lp3 = QuantPlan(dict.fromkeys(st["names"], logposit_format(3, 0, 2, 3)))
    loc3, glob3 = prob.loss_terms(lp3, fc)
    assert loc3 + glob3 > loc0 + glob0
    test, calib = package_files(m, per_label=1, n_calib=4)
    assert len(calib) == 4 and not set(calib) & {p for p, _ in test}
    x = np.stack([m.tokens_of(p)[0] for p, _ in test])
    y = np.array([m.labels.index(lab) for _, lab in test])
    fp = m.predict(x)
    dr = np.random.default_rng(0).integers(len(y), size=(200, len(y)))
    r0 = top1_record(m, QuantPlan(), fp, x, y, dr)
    assert r0["top1"][0] == np.mean(fp == y) and r0["agreement"] == [1.0, 1.0, 1.0]
    r3 = top1_record(m, lp3, fp, x, y, dr)
    pred = m.predict(x, lp3)
    assert r3["agreement"][0] == np.mean(pred == fp) < 1.0
    assert r3["top1_drop"][0] == pytest.approx(np.mean(fp == y) - np.mean(pred == y))


def test_magika_table():
    row = {
        "method": "INT8 per-channel absmax",
        "avg_weight_bits": 8.0125,
        "top1": [0.86, 0.82, 0.9],
        "top1_drop": [0.0, -0.01, 0.01],
        "agreement": [0.99, 0.98, 1.0],
        "disagreements": 2,
        "agreement_exact95": [0.9643, 0.9988],
    }
    t = magika_table({"rows": [row]})
    assert t.splitlines()[0].startswith("| configuration | avg weight bits | top-1 |")
    assert (
        "| INT8 per-channel absmax | 8.01 | 0.860 [0.820, 0.900] | 0.000 [-0.010, 0.010] | "
        "0.990 [0.980, 1.000] | 2 [0.964, 0.999] |" in t
    )


def test_clopper_pearson():
    from scipy.stats import binom

    lo, hi = clopper_pearson(237, 237)
    assert hi == 1.0 and lo == pytest.approx(0.025 ** (1 / 237), rel=1e-9)  # 0.9845
    assert clopper_pearson(0, 10)[0] == 0.0
    lo, hi = clopper_pearson(200, 237)
    # the bounds are where the tail probabilities equal 2.5 %
    assert binom.sf(199, 237, lo) == pytest.approx(0.025, rel=1e-6)
    assert binom.cdf(200, 237, hi) == pytest.approx(0.025, rel=1e-6)
    with pytest.raises(ValueError, match="k <= n"):
        clopper_pearson(5, 4)


def test_cli_magika_study_rejects_a_directory_out(tmp_path, capsys):
    from lognum.lpq.cli import lpq_main

    assert lpq_main(["magika-study", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
