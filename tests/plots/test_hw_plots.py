"""Figures of lognum.hw: bar heights equal the simulated counts; the registered figures."""

import matplotlib

matplotlib.use("Agg")

import numpy as np

import lognum.hw as hw
import lognum.plots.hw as ph


def _net():
    return [hw.gemm(9, 7, 13, name="a"), hw.conv(6, 6, 3, 3, 2, 3, padding=1, name="b")]


def test_figures_show_the_data():
    cfg = hw.ArrayConfig(
        rows=4, cols=4, dataflow="os", bandwidth_mode="USER", ifmap_bw=1, filter_bw=1, ofmap_bw=1
    )
    r = hw.simulate(cfg, _net(), pe="int8", workers=1)
    fig = ph.cycle_breakdown(r)
    bars = fig.axes[0].patches
    assert len(bars) == 3 * 2
    tops = [b.get_y() + b.get_height() for b in bars[-2:]]
    assert tops == [x.total_cycles for x in r.layers]
    fig = ph.utilisation_per_layer({"os": r})
    assert np.allclose(
        [b.get_height() for b in fig.axes[0].patches], [x.overall_util for x in r.layers]
    )
    fig = ph.energy_breakdown({"int8": r})
    total = sum(b.get_height() for b in fig.axes[0].patches)
    assert np.isclose(total, r.energy_pj / 1e6)
    fig = ph.pe_utilisation_map(r.layers[0])
    assert np.allclose(fig.axes[0].images[0].get_array(), r.layers[0].pe_util)


def test_registered_hw_figures_simulate_the_small_network(monkeypatch):
    monkeypatch.setattr(ph, "small_network", _net)
    ph._default_runs.cache_clear()
    try:
        fig = ph.fig_cycle_breakdown()
        r = hw.simulate(
            hw.ArrayConfig(
                rows=16,
                cols=16,
                dataflow="os",
                bandwidth_mode="USER",
                ifmap_bw=4,
                filter_bw=4,
                ofmap_bw=4,
            ),
            _net(),
        )
        tops = [b.get_y() + b.get_height() for b in fig.axes[0].patches[-2:]]
        assert tops == [x.total_cycles for x in r.layers]
        fig = ph.fig_energy_breakdown()
        assert "16x16 os" in fig.axes[0].get_title("left")
        assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [
            "int8",
            "fp8",
            "posit8",
            "lp8",
            "lp4x2",
        ]
    finally:
        ph._default_runs.cache_clear()


def test_trace_frames_one_panel_per_cycle():
    tr = hw.trace_fold("os", 3, 2, 2)
    fig = ph.trace_frames(tr, ncols=4)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == tr.cycles == 2 + 3 + 2 - 2
    for ax, t in zip(shown, range(tr.cycles), strict=True):
        assert np.array_equal(ax.images[0].get_array(), tr.mac[t] >= 0)
        labels = sorted(x.get_text() for x in ax.texts if x.get_text())
        assert labels == sorted(f"k{v}" for v in tr.mac[t].ravel() if v >= 0)
