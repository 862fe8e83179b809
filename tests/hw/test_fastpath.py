"""The fast path (closed-form fold counts) against the register-level simulation.

:func:`lognum.hw.simulate` takes each fold shape's counts from
:func:`lognum.hw.closed_form.fold_counts` unless ``register_level=True`` (each fold shape once
through the PE registers) or ``exhaustive=True`` (every fold). These tests are the proof that
the shortcut changes nothing: every count, the per-PE MACs and the report files are compared
on random layers, array shapes, dataflows and modes.
"""

import dataclasses
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pytest

import lognum.hw as hw
from lognum.hw._array_kernel import N_COUNTS, simulate_fold
from lognum.hw.closed_form import DF_CODE, fold_counts
from lognum.hw.sim import _notrace, simulate_layer

from .golden import assert_reports_equal, cases, run_case

DFS = ("os", "ws", "is")


def _config(R: int, C: int, df: str, mode: str, kb: int, bw: int, **kw) -> hw.ArrayConfig:
    """An R x C array with kb-kB SRAMs and bandwidth bw on every operand."""
    return hw.ArrayConfig(
        rows=R,
        cols=C,
        dataflow=df,
        bandwidth_mode=mode,
        ifmap_sram_kb=kb,
        filter_sram_kb=kb,
        ofmap_sram_kb=kb,
        ifmap_bw=bw,
        filter_bw=bw,
        ofmap_bw=bw,
        **kw,
    )


def _same(a, b):
    """Every field of two LayerResults equal (arrays element-wise, floats bit for bit)."""
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("seed", range(4))
def test_fold_counts_equal_register_simulation(seed):
    rng = np.random.default_rng(seed)
    for _ in range(150):
        R, C = (int(x) for x in rng.integers(1, 24, 2))
        ur, uc = int(rng.integers(1, R + 1)), int(rng.integers(1, C + 1))
        T = int(rng.integers(1, 40))
        for df in DFS:
            busy = np.zeros((R, C), np.int64)
            cnt = np.zeros(N_COUNTS, np.int64)
            cyc = simulate_fold(DF_CODE[df], R, C, ur, uc, T, busy, cnt, _notrace())
            assert fold_counts(df, R, C, ur, uc, T) == (cyc, *(int(x) for x in cnt))
            want = np.zeros((R, C), np.int64)
            want[:ur, :uc] = T  # each used PE does T MACs
            assert np.array_equal(busy, want)


def test_fold_counts_bad_shape():
    with pytest.raises(ValueError, match="ur"):
        fold_counts("os", 4, 4, 5, 1, 3)
    with pytest.raises(ValueError, match="T"):
        fold_counts("ws", 4, 4, 1, 1, 0)


def _random_layer(rng):
    if rng.integers(2):
        M, N, K = (int(x) for x in rng.integers(1, 70, 3))
        return hw.gemm(M, N, K)
    S = int(rng.integers(1, 4))
    H = int(rng.integers(S, 14))
    return hw.conv(
        H,
        int(rng.integers(S, 14)),
        S,
        S,
        int(rng.integers(1, 6)),
        int(rng.integers(1, 20)),
        stride=int(rng.integers(1, 3)),
    )


@pytest.mark.parametrize("seed", range(6))
def test_fast_path_equals_register_level(seed, tmp_path):
    """Default (fast path) vs register_level vs exhaustive on random layers and arrays, all
    dataflows, compat and default mode, CALC and USER: identical results and reports."""
    rng = np.random.default_rng(100 + seed)
    for case in range(5):
        R, C = (int(x) for x in rng.integers(1, 20, 2))
        compat = bool(rng.integers(2))
        mode = ("CALC", "USER")[int(rng.integers(2))]
        kb = (1, 2, 64)[int(rng.integers(3))]
        layers = [_random_layer(rng) for _ in range(2)]
        for df in DFS:
            cfg = _config(R, C, df, mode, kb, bw=3, run_name="r")
            runs = [
                hw.simulate(cfg, layers, scalesim_compat=compat, workers=1, **kw)
                for kw in ({}, {"register_level": True}, {"exhaustive": True})
            ]
            for other in runs[1:]:
                for a, b in zip(runs[0].layers, other.layers, strict=True):
                    _same(a, b)
            texts = []
            for i, r in enumerate(runs):
                paths = r.write_csv(tmp_path / f"{seed}_{case}_{df}_{i}")
                texts.append([p.read_bytes() for p in paths])
            assert texts[0] == texts[1] == texts[2]


@pytest.mark.parametrize("df", DFS)
def test_fast_path_large_array(df):
    """A 64 x 48 array with partial folds in both directions (the shapes where the fast path
    matters): the default equals the register-level simulation."""
    cfg = hw.ArrayConfig(rows=64, cols=48, dataflow=df)
    lay = [hw.gemm(150, 70, 100), hw.conv(9, 9, 3, 3, 20, 50)]
    a = hw.simulate(cfg, lay, scalesim_compat=True, workers=1)
    b = hw.simulate(cfg, lay, scalesim_compat=True, workers=1, register_level=True)
    for x, y in zip(a.layers, b.layers, strict=True):
        _same(x, y)


@pytest.mark.parametrize("seed", range(4))
def test_interpreted_replay_equals_compiled(seed):
    """SCALE-Sim compat mode on small workloads replays with the interpreted kernels
    (lognum.hw._interp, the same source without Numba): the same results as compiled."""
    rng = np.random.default_rng(200 + seed)
    for _ in range(4):
        R, C = (int(x) for x in rng.integers(1, 12, 2))
        mode = ("CALC", "USER")[int(rng.integers(2))]
        kb = (1, 2, 64)[int(rng.integers(3))]
        lay = _random_layer(rng)
        for df in DFS:
            cfg = _config(R, C, df, mode, kb, bw=2)
            a = simulate_layer(lay, cfg, scalesim_compat=True, interpret=True)
            b = simulate_layer(lay, cfg, scalesim_compat=True, interpret=False)
            _same(a, b)


def test_interpreted_module_is_the_kernel_source():
    from lognum.hw import _interp
    from lognum.hw import _scalesim_mem_kernel as smk

    mod = _interp.module()
    assert mod.user_memory is not smk.user_memory
    assert mod.user_memory.__code__.co_filename == smk.user_memory.py_func.__code__.co_filename
    assert mod.user_memory.__code__.co_code == smk.user_memory.py_func.__code__.co_code
    assert not hasattr(mod, "numba")


def test_small_compat_run_does_not_import_numba(tmp_path):
    """A tiny compat run in a fresh process: no Numba, and the reports equal a compiled run."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys, lognum.hw as hw\n"
        "cfg = hw.ArrayConfig(rows=4, cols=4, dataflow='ws', run_name='t')\n"
        "res = hw.simulate(cfg, [hw.gemm(20, 9, 13)], scalesim_compat=True)\n"
        "res.write_csv(sys.argv[1])\n"
        "print('numba' in sys.modules)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"
    cfg = hw.ArrayConfig(rows=4, cols=4, dataflow="ws", run_name="t")
    paths = hw.simulate(cfg, [hw.gemm(20, 9, 13)], scalesim_compat=True).write_csv(tmp_path / "b")
    for p in paths:
        assert p.read_bytes() == (tmp_path / "a" / "t" / p.name).read_bytes()


@pytest.mark.parametrize(
    "folder,case",
    [("golden_user", c) for c in cases("golden_user")]
    + [("golden_calc", c) for c in cases("golden_calc")],
)
def test_interpreted_replay_reproduces_scalesim_fixtures(folder, case, tmp_path, monkeypatch):
    """The committed SCALE-Sim reports (the byte-identity referee of test_user_compat.py and
    test_compat.py), reproduced with the interpreted replay forced on."""
    from lognum.hw import sim

    calls = []
    real = sim._smk
    monkeypatch.setattr(sim, "_smk", lambda interpret: calls.append(interpret) or real(interpret))
    res = run_case(folder, case, scalesim_compat=True, interpret=True)
    assert_reports_equal(res, folder, case, tmp_path)
    assert calls and all(calls)


def test_interpret_auto_budget(monkeypatch):
    """interpret=None: interpreted only while Numba is not loaded and the process's
    interpreted work stays within INTERPRET_WORK; then compiled."""
    from lognum.hw import sim

    calls = []
    real = sim._smk
    monkeypatch.setattr(sim, "_smk", lambda interpret: calls.append(interpret) or real(interpret))
    monkeypatch.setattr(sim, "_numba_loaded", lambda: False)
    monkeypatch.setattr(sim, "_interpreted", [0])
    lay = hw.gemm(30, 20, 10)
    cfg = hw.ArrayConfig(rows=4, cols=4, dataflow="os")
    work = sim._replay_work(lay, cfg)
    monkeypatch.setattr(sim, "INTERPRET_WORK", 2 * work)
    ref = hw.simulate(cfg, lay, scalesim_compat=True, interpret=False).layers[0]
    for _ in range(3):
        _same(hw.simulate(cfg, lay, scalesim_compat=True).layers[0], ref)
    assert calls == [False, True, True, False]
    calls.clear()
    monkeypatch.setattr(sim, "_numba_loaded", lambda: True)
    monkeypatch.setattr(sim, "_interpreted", [0])
    hw.simulate(cfg, lay, scalesim_compat=True)
    assert calls == [False]
    with pytest.raises(ValueError, match="interpret"):
        hw.simulate(cfg, lay, scalesim_compat=True, interpret="yes")
