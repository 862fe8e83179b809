"""The package's promises: cheap import, the main job's table and figure, the figures CLI."""

from __future__ import annotations

import subprocess
import sys

import numpy as np


def test_import_is_cheap_and_compiles_nothing():
    code = (
        "import time, sys; t = time.perf_counter(); import lognum; "
        "dt = time.perf_counter() - t; "
        "assert 'numba' not in sys.modules and 'numpy' not in sys.modules, 'heavy import'; "
        "print(dt)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout) < 1.0


def test_table_has_the_key_figures():
    import io
    from contextlib import redirect_stdout

    from lognum.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["table"]) == 0
    text = buf.getvalue()
    assert "posit<8,2>" in text and "LP<6,2,5,0>" in text and "GP<8,1,3,0>" in text
    row = next(line for line in text.splitlines() if line.startswith("posit<8,2>"))
    # maxpos 2^24, minpos 2^-24, 14.45 decades, 255 values (docs/guide/tapered.md)
    assert "1.67772e+07" in row and "5.96046e-08" in row and "14.45" in row and "255" in row


def test_family_figure_written_deterministically(tmp_path):
    from lognum.cli import main

    assert main(["figures", "--only", "family", "-o", str(tmp_path)]) == 0
    pdf = (tmp_path / "family_values.pdf").read_bytes()
    png = tmp_path / "family_values.png"
    assert pdf.startswith(b"%PDF") and png.stat().st_size > 1000
    assert main(["figures", "--only", "family", "-o", str(tmp_path / "b")]) == 0
    assert (tmp_path / "b" / "family_values.pdf").read_bytes() == pdf
    import matplotlib.image as mpimg

    img = mpimg.imread(png)
    assert img.ndim == 3 and np.unique(img.reshape(-1, img.shape[-1]), axis=0).shape[0] > 3


def test_unknown_command_fails():
    from lognum.cli import main

    assert main(["frobnicate"]) == 2


# ---------------------------------------------------------------------------------------------
# User errors: one line on stderr, exit code 2, no traceback, for every command.
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

HW = Path(__file__).parent / "hw" / "data"
GOOD_CFG = HW / "golden" / "small_gemm_4x4_is_USER" / "config.cfg"
GEMM = HW / "small_gemm.csv"


def _files(d: Path) -> dict[str, Path]:
    good = GOOD_CFG.read_text()
    f = {}

    def put(name, text, mode="w"):
        p = d / name
        if mode == "wb":
            p.write_bytes(text)
        else:
            p.write_text(text)
        f[name] = p

    put("nohdr.cfg", "\n".join(ln for ln in good.splitlines() if not ln.startswith("[")))
    for name, key, val in [
        ("inf.cfg", "IfmapSramSzkB", "inf"),
        ("nan.cfg", "FilterSramSzkB", "nan"),
        ("zero.cfg", "OfmapSramSzkB", "0"),
        ("frac.cfg", "ArrayHeight", "4.5"),
        ("huge.cfg", "ArrayWidth", "100000"),
        ("df.cfg", "Dataflow", "xs"),
        ("bw.cfg", "Bandwidth", "-1"),
        ("mode.cfg", "InterfaceBandwidth", "FAST"),
    ]:
        put(
            name,
            "\n".join(
                f"{key}: {val}" if ln.split(":")[0].split("=")[0].strip() == key else ln
                for ln in good.splitlines()
            ),
        )
    put("interp.cfg", good.replace("run_name = ", "run_name = a%(b"))
    put("slash.cfg", good.replace("run_name = ", "run_name = ../"))
    put("nokey.cfg", "[general]\nrun_name = x\n")
    put("bin.cfg", b"\xff\xfe\x00\x01", "wb")
    put("hdr.csv", "Layer, M, N, K,\n")
    put("empty.csv", "")
    put("zero.csv", "L, M, N, K,\ng, 0, 3, 3,\n")
    put("text.csv", "L, M, N, K,\ng, a, 3, 3,\n")
    put("short.csv", "L, M, N, K,\ng, 3, 3,\n")
    put("huge.csv", "L, M, N, K,\ng, 100000, 100000, 100000,\n")
    put("bin.csv", b"\xff\xfe\x00bad", "wb")
    put("table_bad.csv", "name,value\nnot_an_entry,1\n")
    put("table_val.csv", "dram_64b,lots\n")
    put("a_file", "x")
    return f


def _bad_inputs(d: Path) -> list[list[str]]:
    f = _files(d)
    sim = ["sim", "-c", str(GOOD_CFG), "-t", str(GEMM), "-i", "gemm", "-q", "-p", str(d)]
    cases = [
        ["sim", "-c", str(f[c]), "-t", str(GEMM), "-i", "gemm", "-q", "-p", str(d)]
        for c in f
        if c.endswith(".cfg")
    ]
    cases += [
        ["sim", "-c", str(GOOD_CFG), "-t", str(f[t]), "-i", "gemm", "-q", "-p", str(d)]
        for t in ("hdr.csv", "empty.csv", "zero.csv", "text.csv", "short.csv", "bin.csv", "a_file")
    ]
    cases += [
        ["sim", "-c", str(d / "missing.cfg"), "-t", str(GEMM), "-q"],
        ["sim", "-c", str(GOOD_CFG), "-t", str(d / "missing.csv"), "-q"],
        ["sim", "-c", str(d), "-t", str(GEMM), "-q"],
        ["sim", "-c", str(GOOD_CFG), "-t", str(d), "-q"],
        ["sim", "-c", str(GOOD_CFG), "-t", str(GEMM), "-q"],  # gemm rows read as conv
        sim + ["--scalesim-compat", "-t", str(f["huge.csv"])],
        sim + ["--functional", "--pe", "int8", "-t", str(f["huge.csv"])],
        sim + ["--pe", "nope"],
        sim + ["--functional"],
        sim + ["-j", "0"],
        sim + ["-j", "x"],
        sim + ["--max-memory-gb", "0"],
        sim + ["--energy-table", str(f["table_bad.csv"])],
        sim + ["--energy-table", str(f["table_val.csv"])],
        sim + ["--energy-table", str(d / "missing.csv")],
        sim[:-1] + [str(f["a_file"])],
        sim[:-1] + [str(f["a_file"] / "sub")],
        ["sim"],
        ["sim", "--bogus"],
        ["table", "extra"],
        ["frobnicate"],
        ["figures", "-o", str(f["a_file"])],
        ["figures", "--only", "nothing"],
        ["lpq"],
        ["lpq", "run", "--population", "0"],
    ]
    return cases


def _assert_user_error(rc, err, argv):
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2, (argv, err)
    assert "Traceback" not in err, (argv, err)
    assert len(lines) == 1 and "error" in lines[0], (argv, err)


def test_every_bad_input_is_one_line_exit_2(tmp_path, capsys):
    from lognum.cli import main

    for argv in _bad_inputs(tmp_path):
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse
            rc = exc.code
        _assert_user_error(rc, capsys.readouterr().err, argv)


def test_bad_input_subprocess_no_traceback(tmp_path):
    f = _files(tmp_path)
    for argv in (
        ["sim", "-c", str(f["nohdr.cfg"]), "-t", str(GEMM), "-i", "gemm", "-q"],
        ["sim", "-c", str(GOOD_CFG), "-t", str(f["hdr.csv"]), "-i", "gemm", "-q"],
        ["sim"],
        ["bogus"],
    ):
        out = subprocess.run(
            [sys.executable, "-m", "lognum", *argv],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parents[1],
        )
        _assert_user_error(out.returncode, out.stderr, argv)


def test_unwritable_report_folder(tmp_path, capsys, monkeypatch):
    from lognum.cli import main

    def denied(self, *a, **k):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", denied)
    rc = main(
        [
            "sim",
            "-c",
            str(GOOD_CFG),
            "-t",
            str(GEMM),
            "-i",
            "gemm",
            "-q",
            "-p",
            str(tmp_path / "ro"),
        ]
    )
    err = capsys.readouterr().err
    _assert_user_error(rc, err, "unwritable")
    assert "Permission denied" in err and "-p/--outdir" in err


def test_subcommand_value_errors_print_cleanly_but_bugs_keep_traceback(capsys, monkeypatch):
    import lognum.hw.cli
    import lognum.lpq.cli
    from lognum.cli import main

    def bad(argv):
        raise ValueError("--population must be an integer >= 2, got 0\n(second line)")

    monkeypatch.setattr(lognum.lpq.cli, "lpq_main", bad)
    assert main(["lpq", "run"]) == 2
    err = capsys.readouterr().err
    assert err == "lognum lpq: error: --population must be an integer >= 2, got 0 (second line)\n"
    monkeypatch.setenv("LOGNUM_DEBUG", "1")
    with pytest.raises(ValueError, match="population"):
        main(["lpq", "run"])
    monkeypatch.delenv("LOGNUM_DEBUG")

    def bug(argv):
        raise IndexError("internal")

    monkeypatch.setattr(lognum.hw.cli, "sim_main", bug)
    with pytest.raises(IndexError):  # a genuine bug is not hidden
        main(["sim"])


def test_simulate_api_errors():
    import lognum.hw as hw

    with pytest.raises(ValueError, match="unknown ArrayConfig field"):
        hw.simulate({"rowz": 4}, hw.gemm(4, 4, 4))
    r = hw.simulate({"rows": 4, "cols": 4}, hw.gemm(4, 4, 4)).layers[0]  # dict accepted
    assert r.total_cycles > 0
    with pytest.raises(TypeError, match="config must be"):
        hw.simulate(4, hw.gemm(4, 4, 4))
    with pytest.raises(TypeError, match="layers"):
        hw.simulate(hw.ArrayConfig(), 3)
    with pytest.raises(TypeError, match=r"layers\[1\]"):
        hw.simulate(hw.ArrayConfig(), [hw.gemm(4, 4, 4), (4, 4, 4)])
    with pytest.raises(ValueError, match="empty"):
        hw.simulate(hw.ArrayConfig(), [])
    with pytest.raises(ValueError, match="workers"):
        hw.simulate(hw.ArrayConfig(), hw.gemm(4, 4, 4), workers=0)
    for kw in (
        {"ifmap_sram_kb": float("inf")},
        {"ofmap_bw": float("nan")},
        {"run_name": "a/b"},
        {"filter_sram_kb": 1e-9},
        {"rows": 4.0},
    ):
        with pytest.raises(ValueError, match=next(iter(kw))):
            hw.ArrayConfig(**kw)


def test_huge_layer_default_mode_bounded_memory_or_refused():
    """gemm(100000^3) on the golden 4x4 config: compat and functional are refused up front
    with the memory they would need; the default model streams its folds (small arrays)."""
    import lognum.hw as hw
    from lognum.hw.sim import memory_estimate

    cfg = hw.read_scalesim_config(GOOD_CFG)
    lay = hw.gemm(100000, 100000, 100000)
    assert memory_estimate(lay, cfg) < 2**25  # under 32 MB, whatever the number of folds
    with pytest.raises(ValueError, match=r"would need about 7\d\d GB"):
        hw.simulate(cfg, lay, scalesim_compat=True)
    with pytest.raises(ValueError, match="functional mode"):
        hw.simulate(cfg, lay, functional=True, pe="int8")
    # a 4 M-fold layer runs in the default mode (memory independent of the fold count)
    r = hw.simulate(cfg, hw.gemm(8192, 2, 8192), fast=True).layers[0]  # is: K x M folds
    assert r.folds == 2048 * 2048 and r.dram_ifmap_reads == 8192 * 8192
