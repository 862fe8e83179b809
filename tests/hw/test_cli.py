"""``lognum sim`` entry point (lognum.hw.cli.sim_main)."""

from pathlib import Path

import pytest

from lognum.hw.cli import sim_main
from lognum.hw.report import read_report

DATA = Path(__file__).parent / "data"


def test_sim_main_writes_scalesim_reports(tmp_path, capsys):
    case = DATA / "golden" / "small_gemm_4x4_ws_CALC"
    rc = sim_main(
        [
            "-c",
            str(case / "config.cfg"),
            "-t",
            str(DATA / "small_gemm.csv"),
            "-i",
            "gemm",
            "-p",
            str(tmp_path),
            "--scalesim-compat",
            "--pe",
            "int8",
        ]
    )
    assert rc == 0
    got = read_report(tmp_path / "small_gemm_4x4_ws_CALC" / "COMPUTE_REPORT.csv")
    want = read_report(case / "COMPUTE_REPORT.csv")
    assert [g["Total Cycles"] for g in got] == [w["Total Cycles"] for w in want]
    assert (tmp_path / "small_gemm_4x4_ws_CALC" / "ENERGY_REPORT.csv").exists()
    assert "total cycles" in capsys.readouterr().out


def test_sim_main_bad_input(tmp_path, capsys):
    rc = sim_main(["-c", str(tmp_path / "missing.cfg"), "-t", str(DATA / "small_gemm.csv")])
    assert rc == 2
    assert "error" in capsys.readouterr().err


def test_sim_main_fast_and_energy_table(tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("name,value\ndram_64b,1300\nint_mul_8,0.5\n")
    case = DATA / "golden" / "small_gemm_4x4_os_CALC"
    args = [
        "-c",
        str(case / "config.cfg"),
        "-t",
        str(DATA / "small_gemm.csv"),
        "-i",
        "gemm",
        "--pe",
        "int8",
        "-q",
    ]
    assert sim_main(args + ["-p", str(tmp_path / "a"), "--fast", "--energy-table", str(table)]) == 0
    assert sim_main(args + ["-p", str(tmp_path / "b")]) == 0
    ea = read_report(tmp_path / "a" / case.name / "ENERGY_REPORT.csv")
    eb = read_report(tmp_path / "b" / case.name / "ENERGY_REPORT.csv")
    ca = read_report(tmp_path / "a" / case.name / "COMPUTE_REPORT.csv")
    cb = read_report(tmp_path / "b" / case.name / "COMPUTE_REPORT.csv")
    assert ca == cb  # closed form == cycle simulation
    for a, b in zip(ea, eb, strict=True):  # 8-bit multiply 0.5 instead of 0.2 pJ
        macs = float(b["mac (pJ)"]) / 0.3  # 0.2 pJ multiply + [H14]'s 0.1 pJ 32-bit add
        assert float(a["mac (pJ)"]) == pytest.approx(macs * 0.6)
        assert float(a["dram (pJ)"]) == pytest.approx(float(b["dram (pJ)"]) * 1300 / 2000)
