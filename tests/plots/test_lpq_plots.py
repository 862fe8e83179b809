import json

import numpy as np

from lognum.plots import render
from lognum.plots.lpq import sensitivity


def _sens(L=6, ns=(4, 5, 6, 7, 8)):
    rng = np.random.default_rng(0)
    cost = rng.normal(scale=1e-3, size=(L, len(ns)))
    cost[:, ns.index(6)] = 0.0
    alloc = [5, 6, 7, 6, 8, 4][:L]
    return (
        {
            "layers": [{"n": n} for n in alloc],
            "sensitivity": {"ns": list(ns), "cost_L_GL": cost.tolist()},
        },
        cost,
        alloc,
    )


def test_sensitivity_figure_shows_the_table_the_choice_and_the_points():
    sens, cost, alloc = _sens()
    pts = [{"L_GL": 1 + k / 100, "cos_lee": 0.99 - k / 1000, "lee_pearson": 0.64} for k in range(5)]
    fig = sensitivity(sens, pts, fp32_pearson=0.656)
    a0, a1, a2 = fig.axes[:3]
    np.testing.assert_array_equal(a0.images[0].get_array(), cost.T)
    dp = next(ln for ln in a0.lines if ln.get_label() == "DP choice")
    assert list(dp.get_ydata()) == [(4, 5, 6, 7, 8).index(n) for n in alloc]
    for ax, key in ((a1, "cos_lee"), (a2, "lee_pearson")):
        xy = ax.collections[0].get_offsets()
        np.testing.assert_allclose(xy[:, 0], [p["L_GL"] for p in pts])
        np.testing.assert_allclose(xy[:, 1], [p[key] for p in pts])
    assert [ln.get_ydata()[0] for ln in a2.lines] == [0.656, 0.99 * 0.656]


def test_registered_sensitivity_figure_reads_the_working_directory(tmp_path, monkeypatch):
    sens, cost, _ = _sens()
    res = tmp_path / "results" / "lpq"
    res.mkdir(parents=True)
    (res / "sensitivity.json").write_text(json.dumps(sens))
    monkeypatch.chdir(tmp_path)
    paths = render(["lpq_sensitivity"], tmp_path / "fig", progress=False)
    assert {p.name for p in paths} == {
        "lpq_sensitivity.pdf",
        "lpq_sensitivity.png",
        "lpq_sensitivity.csv",
    }
    text = (tmp_path / "fig" / "lpq_sensitivity.csv").read_text()
    # the heat map's values are in the CSV, row = word-size index, column = layer
    z = {
        (int(r[2]), int(r[3])): float(r[4])
        for r in (ln.split(",") for ln in text.splitlines() if ln.startswith("1,image0,"))
    }
    assert z == {(j, i): cost[j, i] for j in range(cost.shape[0]) for i in range(cost.shape[1])}
