"""SCALE-Sim 3.0.0 compatibility against committed golden reports.

The fixtures in ``data/golden/<case>/`` were produced by SCALE-Sim 3.0.0 (PyPI ``scalesim``,
numpy 2.3.5, in its own venv) with ``tests/hw/data/make_golden.py``: Python API,
``save_disk_space=True``, topology ``data/small_gemm.csv`` (``-i gemm``) or
``data/small_conv.csv`` (stride 2 and a ``DP`` depthwise row), the ``config.cfg`` next to them.
In both bandwidth modes the COMPUTE and DETAILED_ACCESS reports written with
``scalesim_compat=True`` are byte-identical to SCALE-Sim's. CALC mode on larger layers, where
SCALE-Sim's estimate read buffers fill and evict prefetch windows, is checked on all three
reports against ``data/golden_calc/`` (``test_calc_mode_reports_equal_scalesim``).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


import pytest

import lognum.hw as hw
from lognum.hw.report import ACCESS_COLUMNS, COMPUTE_COLUMNS, read_report

from .golden import DATA, assert_reports_equal, cases, run_case

CASES = cases("golden")
CALC_CASES = cases("golden_calc")


@pytest.mark.parametrize("case", CASES)
def test_matches_scalesim(case, tmp_path):
    d = DATA / "golden" / case
    gemm = case.startswith("small_gemm")
    res = run_case("golden", case, scalesim_compat=True)
    comp = read_report(d / "COMPUTE_REPORT.csv")
    acc = read_report(d / "DETAILED_ACCESS_REPORT.csv")
    assert len(comp) == len(res.layers)
    user = case.endswith("USER")
    for c, a, r in zip(comp, acc, res.layers, strict=True):
        # stall-free cycles = Total Cycles - Stall Cycles + 1 (SCALE-Sim's L - 1)
        assert int(c["Total Cycles"]) - int(c["Stall Cycles"]) + 1 == r.stall_free_cycles
        assert float(c["Mapping Efficiency %"]) == pytest.approx(r.mapping_efficiency, 1e-12)
        assert float(c["Compute Util %"]) == pytest.approx(r.compute_util, 1e-12)
        assert int(a["SRAM IFMAP Reads"]) == r.sram_ifmap_reads
        assert int(a["SRAM Filter Reads"]) == r.sram_filter_reads
        assert int(a["SRAM OFMAP Writes"]) == r.sram_ofmap_writes
        if not user:
            assert int(c["Total Cycles"]) == r.total_cycles
            assert int(c["Stall Cycles"]) == 0 == r.stall_cycles
            assert float(c["Overall Util %"]) == pytest.approx(r.overall_util, 1e-12)
    # default (corrected) mode differs exactly by the documented corrections
    dflt = run_case("golden", case)
    if gemm and not user:
        for r0, r1 in zip(dflt.layers, res.layers, strict=True):
            assert r0.total_cycles == r1.total_cycles + 1
    # reports written with SCALE-Sim's columns
    paths = res.write_csv(tmp_path)
    got = read_report(paths[0])
    assert list(got[0]) == COMPUTE_COLUMNS
    assert list(read_report(paths[1])[0]) == ACCESS_COLUMNS
    assert list(comp[0]) == COMPUTE_COLUMNS and list(acc[0]) == ACCESS_COLUMNS
    assert [int(x["Total Cycles"]) for x in got] == [r.total_cycles for r in res.layers]
    # both modes: SCALE-Sim's memory system, every column identical, byte for byte (these
    # fixtures hold the two reports)
    assert_reports_equal(
        res, "golden", case, tmp_path, ("COMPUTE_REPORT.csv", "DETAILED_ACCESS_REPORT.csv")
    )


def test_read_config_and_topology():
    cfg = hw.read_scalesim_config(DATA / "golden" / "small_conv_8x4_ws_USER" / "config.cfg")
    assert (cfg.rows, cfg.cols, cfg.dataflow, cfg.bandwidth_mode) == (8, 4, "ws", "USER")
    assert cfg.ifmap_sram_kb == 1 and cfg.ifmap_bw == 10
    layers = hw.read_topology(DATA / "Resnet18.csv")
    assert len(layers) == 21
    assert layers[0].gemm_shape(scalesim_compat=True) == (110 * 110, 64, 147)
    assert layers[-1].gemm_shape() == (1, 1000, 512)
    conv = hw.read_topology(DATA / "small_conv.csv")
    assert conv[-1].depthwise and conv[-1].groups == 3
    g = hw.read_topology(DATA / "small_gemm.csv", "gemm")
    assert g[1].gemm_shape() == (9, 7, 13)


def test_topology_extras_and_bad_input(tmp_path):
    t = tmp_path / "t.csv"
    # SCALE-Sim v2's form with an extra column, and an N:M sparsity field (ignored)
    t.write_text(
        "Layer name, H, W, R, S, C, F, Strides,, Target\nc,10,10,3,3,2,4,2, NPU\n"
        "d,9,9,3,3,2,4,1,2:4,\n"
    )
    a, b = hw.read_topology(t)
    assert a.gemm_shape() == (16, 4, 18) and a.gemm_shape(scalesim_compat=True) == (25, 4, 18)
    assert b.gemm_shape() == (49, 4, 18)
    bad = tmp_path / "bad.csv"
    bad.write_text("h\nx,1,2,\n")
    with pytest.raises(ValueError, match="bad topology row"):
        hw.read_topology(bad)
    cfg = tmp_path / "c.cfg"
    cfg.write_text("[general]\nrun_name = x\n[architecture_presets]\nArrayHeight: 4\n")
    with pytest.raises(ValueError, match="missing"):
        hw.read_scalesim_config(cfg)
    with pytest.raises(ValueError, match="input_type"):
        hw.read_topology(t, "fc")


def _run_calc(case, **kw):
    return run_case("golden_calc", case, **kw)


def test_calc_cases_present():
    assert len(CALC_CASES) == 18
    # the fixtures exercise the estimate buffers' window prefetches: DRAM reads stop after
    # cycle -1 (a later window was prefetched) in most rows
    reps = [DATA / "golden_calc" / c / "DETAILED_ACCESS_REPORT.csv" for c in CALC_CASES]
    stops = [float(r["DRAM IFMAP Stop Cycle"]) for p in reps for r in read_report(p)]
    assert sum(s > 0 for s in stops) >= 30


@pytest.mark.parametrize("case", CALC_CASES)
def test_calc_mode_reports_equal_scalesim(case, tmp_path):
    """CALC mode, ``scalesim_compat=True``: every column of the three reports equals
    SCALE-Sim's (estimate read buffers, write buffer draining at ``cols`` words/cycle)."""
    assert_reports_equal(_run_calc(case, scalesim_compat=True), "golden_calc", case, tmp_path)


@pytest.mark.parametrize("case", CALC_CASES[:3])
def test_calc_default_mode_keeps_lognum_model(case):
    """The default CALC mode is lognum's per-fold model: no stalls, no off-by-one."""
    res = _run_calc(case)
    for r in res.layers:
        assert r.stall_cycles == 0 and r.total_cycles == r.stall_free_cycles
        assert r.dram_ifmap_reads > 0 and r.dram_ofmap_writes > 0


def test_calc_compat_validates_sram():
    cfg = hw.ArrayConfig(rows=4, cols=4, dataflow="os", bandwidth_mode="CALC", ifmap_sram_kb=0.05)
    with pytest.raises(ValueError, match="ifmap_sram_kb"):
        hw.simulate(cfg, hw.gemm(8, 8, 8), scalesim_compat=True, workers=1)
    cfg = hw.ArrayConfig(rows=4, cols=4, dataflow="os", bandwidth_mode="CALC", ofmap_sram_kb=0.001)
    with pytest.raises(ValueError, match="ofmap_sram_kb"):
        hw.simulate(cfg, hw.gemm(8, 8, 8), scalesim_compat=True, workers=1)
    # sets of 1 address: two 50-set windows close in the same cycle, where SCALE-Sim's
    # estimate divides by zero
    cfg = hw.ArrayConfig(rows=128, cols=4, dataflow="os", bandwidth_mode="CALC", ifmap_sram_kb=0.1)
    with pytest.raises(ValueError, match="zero cycles"):
        hw.simulate(cfg, hw.gemm(128, 4, 256), scalesim_compat=True, workers=1)
    hw.simulate(cfg, hw.gemm(128, 4, 256), workers=1)  # the default model has no such limit
