"""SCALE-Sim 3.0.0 USER-bandwidth mode, reproduced report row by report row.

The fixtures in ``data/golden_user/<case>/`` were produced by SCALE-Sim 3.0.0 (PyPI
``scalesim``, numpy 2.3.5, in its own venv) with ``data/make_golden.py --user``: Python API,
``save_disk_space=True``, topology ``data/user_gemm.csv`` (``-i gemm``) or
``data/user_conv.csv`` (stride 2 and a ``DP`` depthwise row), the ``config.cfg`` next to them
(USER mode, 1-3 kB SRAMs, 1-10 words/cycle: the read and write buffers stall). Every column of
``COMPUTE_REPORT.csv``, ``DETAILED_ACCESS_REPORT.csv`` and ``BANDWIDTH_REPORT.csv`` that lognum
writes with ``scalesim_compat=True`` equals SCALE-Sim's, and the files are byte-identical.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest

import lognum.hw as hw
from lognum.hw.report import read_report

from .golden import DATA, assert_reports_equal, cases, run_case

CASES = cases("golden_user")


def _run(case, **kw):
    return run_case("golden_user", case, **kw)


def test_cases_present():
    assert len(CASES) == 18
    stalls = [
        int(r["Stall Cycles"])
        for c in CASES
        for r in read_report(DATA / "golden_user" / c / "COMPUTE_REPORT.csv")
    ]
    assert sum(s > 0 for s in stalls) >= 20  # the fixtures do exercise the stall paths


@pytest.mark.parametrize("case", CASES)
def test_user_mode_reports_equal_scalesim(case, tmp_path):
    assert_reports_equal(_run(case, scalesim_compat=True), "golden_user", case, tmp_path)


@pytest.mark.parametrize("case", CASES[:6])
def test_default_mode_keeps_lognum_model(case):
    """The default (``scalesim_compat=False``) USER mode is lognum's per-fold model: its
    total is the stall-free length plus its own stalls (no SCALE-Sim off-by-one)."""
    res = _run(case)
    for r in res.layers:
        assert r.total_cycles == r.stall_free_cycles + r.stall_cycles
        assert r.dram_ofmap_writes > 0 and r.dram_ifmap_reads > 0


def test_user_compat_validates_bandwidth():
    cfg = hw.ArrayConfig(rows=4, cols=4, dataflow="os", bandwidth_mode="USER", ifmap_bw=2.5)
    with pytest.raises(ValueError, match="ifmap_bw"):
        hw.simulate(cfg, hw.gemm(8, 8, 8), scalesim_compat=True, workers=1)
    cfg = hw.ArrayConfig(rows=4, cols=4, dataflow="os", bandwidth_mode="USER", ofmap_sram_kb=0.001)
    with pytest.raises(ValueError, match="ofmap_sram_kb"):
        hw.simulate(cfg, hw.gemm(8, 8, 8), scalesim_compat=True, workers=1)
