"""``lognum sim`` entry point (lognum.hw.cli.sim_main)."""

from pathlib import Path

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
