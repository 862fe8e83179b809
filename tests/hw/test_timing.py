"""Cycle counts: hand traces, closed form vs register-level simulation, memory model."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pytest

import lognum.hw as hw
from lognum.hw._array_kernel import simulate_fold
from lognum.hw.closed_form import DF_CODE, closed_form, fold_classes
from lognum.hw.sim import _notrace, trace_fold


def _cfg(R, C, df, **kw):
    return hw.ArrayConfig(rows=R, cols=C, dataflow=df, **kw)


# ---------------------------------------------------------------------------------------------
# Hand traces: 2x2 array, GEMM M=2, N=3, K=2 (A is 2x2, B is 2x3).
#
# os (outputs stay; Sr=M=2, Sc=N=3, T=K=2): 1 row fold x 2 column folds (N: 2 + 1 columns).
#   fold 1 (n = 0, 1); "PE(r,c): k" = MAC on reduction index k
#     cycle 0: PE(0,0):k0
#     cycle 1: PE(0,0):k1  PE(0,1):k0  PE(1,0):k0
#     cycle 2: PE(0,1):k1  PE(1,0):k1  PE(1,1):k0
#     cycle 3: PE(1,1):k1                       -> 4 cycles = T + R + C - 2
#   fold 2 (n = 2, column 1 idle but the skewed stream still passes it): 4 cycles.
#   L = 8; SCALE-Sim reports Total Cycles = L - 1 = 7. MACs per PE: column 0 in both folds
#   (4 each), column 1 only in fold 1 (2 each).
#   SRAM: IFMAP reads 2 folds x 2 rows x 2 = 8, FILTER reads 2 + 2 + 2 (fold 1: 2 cols x 2 k,
#   fold 2: 1 col x 2 k) = 6, OFMAP writes = 6 outputs (SCALE-Sim: + 2 folds x (2+2) = 14).
# ws (weights stay; Sr=K=2, Sc=N=3, T=M=2): 2 column folds of 2R + C + T - 2 = 6 cycles:
#     cycles 0-1: weights shift in from the top
#     cycle 2: PE(0,0):m0
#     cycle 3: PE(0,0):m1  PE(0,1):m0  PE(1,0):m0
#     cycle 4: PE(0,1):m1  PE(1,0):m1  PE(1,1):m0
#     cycle 5: PE(1,1):m1 -> psum of (m1, col 1) leaves the array: 6 cycles
#   L = 12. IFMAP reads 2 folds x 2 x 2 = 8, FILTER reads K N = 6, OFMAP writes M N = 6.
# is (inputs stay; Sr=K=2, Sc=M=2, T=N=3): one fold of 2R + C + T - 2 = 7 cycles (the last
#   psum, n2 in column 1, leaves in cycle 2 + 2 + 1 + 1 = 6). IFMAP reads M K = 4, FILTER
#   reads K N = 6, OFMAP writes 6.
HAND = {
    "os": dict(L=8, if_=8, fl=6, of=6, busy=[[4, 2], [4, 2]]),
    "ws": dict(L=12, if_=8, fl=6, of=6, busy=[[4, 2], [4, 2]]),
    "is": dict(L=7, if_=4, fl=6, of=6, busy=[[3, 3], [3, 3]]),
}


@pytest.mark.parametrize("df", ["os", "ws", "is"])
def test_hand_trace_2x2(df):
    h = HAND[df]
    for exhaustive in (False, True):
        r = hw.simulate(_cfg(2, 2, df), hw.gemm(2, 3, 2), exhaustive=exhaustive, workers=1)
        lay = r.layers[0]
        assert lay.stall_free_cycles == h["L"]
        assert lay.total_cycles == h["L"]
        assert (lay.sram_ifmap_reads, lay.sram_filter_reads, lay.sram_ofmap_writes) == (
            h["if_"],
            h["fl"],
            h["of"],
        )
        assert lay.busy.tolist() == h["busy"]
        assert lay.macs == 12 == lay.busy.sum()
    c = hw.simulate(_cfg(2, 2, df), hw.gemm(2, 3, 2), scalesim_compat=True).layers[0]
    assert c.total_cycles == h["L"] - 1
    assert c.sram_ofmap_writes == (14 if df == "os" else 6)


# MAC slot per PE and cycle ([[PE(0,0), PE(0,1)], [PE(1,0), PE(1,1)]], -1 = idle), written
# out by hand from the schedules in the comment above (first fold of each dataflow).
_ = -1
HAND_MACS = {
    "os": [[[0, _], [_, _]], [[1, 0], [0, _]], [[_, 1], [1, 0]], [[_, _], [_, 1]]],
    "ws": [[[_, _], [_, _]]] * 2
    + [[[0, _], [_, _]], [[1, 0], [0, _]], [[_, 1], [1, 0]], [[_, _], [_, 1]]],
    "is": [[[_, _], [_, _]]] * 2
    + [[[0, _], [_, _]], [[1, 0], [0, _]], [[2, 1], [1, 0]], [[_, 2], [2, 1]], [[_, _], [_, 2]]],
}


@pytest.mark.parametrize("df", ["os", "ws", "is"])
def test_hand_trace_cycle_by_cycle(df):
    T = 3 if df == "is" else 2
    tr = trace_fold(df, 2, 2, T)
    assert tr.mac.tolist() == HAND_MACS[df]
    if df != "os":  # stationary tile shifted in from the top: row index R-1-t enters at t
        assert tr.top[0].tolist() == [[1, 1], [_, _]]
        assert tr.top[2].tolist() == [[0, 0], [1, 1]]
    else:  # skew: the left operand of row r enters at cycle t + r
        assert tr.left[1].tolist() == [[1, 0], [0, _]]


def test_single_fold_trace_lengths():
    # one fold, full array, explicit lengths: os T+R+C-2, ws/is 2R+C+T-2
    for R, C, T in ((1, 1, 1), (3, 5, 4), (4, 2, 9)):
        for df, want in (
            ("os", T + R + C - 2),
            ("ws", 2 * R + C + T - 2),
            ("is", 2 * R + C + T - 2),
        ):
            busy = np.zeros((R, C), np.int64)
            cnt = np.zeros(4, np.int64)
            assert simulate_fold(DF_CODE[df], R, C, R, C, T, busy, cnt, _notrace()) == want
            assert (busy == T).all()


@pytest.mark.parametrize("seed", range(6))
def test_closed_form_equals_cycle_simulation(seed):
    rng = np.random.default_rng(seed)
    for _ in range(8):
        R, C = (int(x) for x in rng.integers(1, 9, 2))
        M, N, K = (int(x) for x in rng.integers(1, 40, 3))
        df = ["os", "ws", "is"][int(rng.integers(3))]
        compat = bool(rng.integers(2))
        cf = closed_form(df, M, N, K, R, C, compat)
        lay = hw.simulate(
            _cfg(R, C, df), hw.gemm(M, N, K), scalesim_compat=compat, exhaustive=True, workers=1
        ).layers[0]
        assert lay.stall_free_cycles == cf.stall_free_cycles
        assert lay.sram_ifmap_reads == cf.sram_ifmap_reads
        assert lay.sram_filter_reads == cf.sram_filter_reads
        assert lay.sram_ofmap_writes == cf.sram_ofmap_writes
        assert lay.busy.sum() == M * N * K
        for kw in ({}, {"fast": True}):  # fold classes once each / closed-form fast path
            other = hw.simulate(
                _cfg(R, C, df), hw.gemm(M, N, K), scalesim_compat=compat, workers=1, **kw
            ).layers[0]
            assert np.array_equal(other.busy, lay.busy)
            assert other.total_cycles == lay.total_cycles
            assert (other.sram_ifmap_reads, other.sram_filter_reads, other.sram_ofmap_writes) == (
                lay.sram_ifmap_reads,
                lay.sram_filter_reads,
                lay.sram_ofmap_writes,
            )


def test_fold_classes_cover_all_folds():
    for Sr, Sc, R, C in ((10, 7, 4, 3), (8, 6, 4, 3), (1, 1, 4, 4), (5, 9, 5, 2)):
        fc = fold_classes(Sr, Sc, R, C)
        assert sum(n for _, _, n in fc) == -(-Sr // R) * -(-Sc // C)
        assert sum(ur * uc * n for ur, uc, n in fc) == Sr * Sc


def test_conv_output_size_default_vs_compat():
    lay = hw.conv(224, 224, 7, 7, 3, 64, stride=2)
    assert lay.out_hw() == (109, 109)  # floor((224-7)/2)+1
    assert lay.out_hw(scalesim_compat=True) == (110, 110)  # docs/simulator.md
    assert hw.conv(56, 56, 3, 3, 64, 64, padding=1).gemm_shape() == (3136, 64, 576)


def test_user_bandwidth_stalls_and_calc_no_stalls():
    lay = hw.gemm(64, 64, 64)
    calc = hw.simulate(_cfg(8, 8, "os", bandwidth_mode="CALC"), lay).layers[0]
    assert calc.stall_cycles == 0
    slow = hw.simulate(
        _cfg(8, 8, "os", bandwidth_mode="USER", ifmap_bw=0.5, filter_bw=0.5, ofmap_bw=0.5), lay
    ).layers[0]
    fast = hw.simulate(
        _cfg(8, 8, "os", bandwidth_mode="USER", ifmap_bw=1000, filter_bw=1000, ofmap_bw=1000), lay
    ).layers[0]
    assert fast.stall_cycles == 0 and slow.stall_cycles > 0
    assert slow.total_cycles == slow.stall_free_cycles + slow.stall_cycles
    # bandwidth-bound: the ifmap tile of each fold (8 x 64 words) at 0.5 words/cycle
    assert slow.total_cycles >= 64 * 64 / 0.5
    # compat: SCALE-Sim's per-address model (whole words/cycle only; tests/hw/test_user_compat);
    # with 64 kB both operands are on chip before cycle 0 (no stalls), with 1 kB they stall
    kw = dict(bandwidth_mode="USER", ifmap_bw=3, filter_bw=3, ofmap_bw=3)
    big = hw.simulate(_cfg(8, 8, "os", **kw), lay, scalesim_compat=True).layers[0]
    assert big.stall_cycles == 0 and big.total_cycles == big.stall_free_cycles - 1
    assert big.access_cycles["dram_ifmap"] == (-1366, -1)  # ceil(64 * 64 / 3) lines
    kw.update(ifmap_sram_kb=1, filter_sram_kb=1, ofmap_sram_kb=1)
    compat = hw.simulate(_cfg(8, 8, "os", **kw), lay, scalesim_compat=True).layers[0]
    assert compat.stall_cycles > 0
    assert compat.dram_ifmap_reads % 3 == 0 and compat.dram_filter_reads % 3 == 0  # lines
    assert compat.total_cycles <= compat.stall_free_cycles - 1 + compat.stall_cycles
    with pytest.raises(ValueError, match="ifmap_bw"):
        hw.simulate(
            _cfg(8, 8, "os", bandwidth_mode="USER", ifmap_bw=0.5), lay, scalesim_compat=True
        )


def test_dram_reuse_depends_on_sram_size():
    lay = hw.gemm(64, 64, 64)
    big = hw.simulate(_cfg(8, 8, "os", ifmap_sram_kb=64), lay).layers[0]
    small = hw.simulate(_cfg(8, 8, "os", ifmap_sram_kb=0.25), lay).layers[0]
    assert big.dram_ifmap_reads == 64 * 64  # fits: fetched once
    assert small.dram_ifmap_reads == 8 * 64 * 64  # re-fetched for each of 8 column folds
    assert big.dram_filter_reads == small.dram_filter_reads == 64 * 64


def test_conv_dram_counts_unique_ifmap():
    # 1x1 conv, stride 1: im2col has no duplication; 3x3 conv reads each input once from DRAM
    c = hw.conv(10, 10, 3, 3, 4, 8, padding=1)
    r = hw.simulate(_cfg(4, 4, "os"), c).layers[0]
    assert r.sram_ifmap_reads == 100 * 36 * 2  # M K ceil(N/C)
    assert r.dram_ifmap_reads == 10 * 10 * 4


def test_depthwise_and_parallel_network():
    net = [hw.gemm(20, 10, 30, name=f"g{i}") for i in range(5)]
    net.append(hw.conv(7, 7, 3, 3, 3, 2, depthwise=True, name="dw"))
    r1 = hw.simulate(_cfg(4, 4, "ws"), net, workers=1)
    r2 = hw.simulate(_cfg(4, 4, "ws"), net, workers=2)
    assert [x.total_cycles for x in r1.layers] == [x.total_cycles for x in r2.layers]
    dw = r1.layers[-1]
    one = closed_form("ws", 25, 2, 9, 4, 4)
    assert dw.stall_free_cycles == 3 * one.stall_free_cycles
    rc = hw.simulate(_cfg(4, 4, "ws"), net, scalesim_compat=True)
    assert len(rc.layers) == 5 + 3  # SCALE-Sim expands the depthwise layer per channel


def test_bit_fusion_lanes_halve_reduction():
    lay = hw.gemm(16, 16, 64)
    r8 = hw.simulate(_cfg(8, 8, "os"), lay, pe="lp8").layers[0]
    r4 = hw.simulate(_cfg(8, 8, "os"), lay, pe="lp4x2").layers[0]
    assert r8.stall_free_cycles == 4 * (64 + 14)
    assert r4.stall_free_cycles == 4 * (32 + 14)


def test_bad_parameters():
    with pytest.raises(ValueError, match="dataflow"):
        hw.ArrayConfig(dataflow="xs")
    with pytest.raises(ValueError, match="rows"):
        hw.ArrayConfig(rows=0)
    with pytest.raises(ValueError, match="m must"):
        hw.gemm(0, 1, 1)
    with pytest.raises(ValueError, match="pe must"):
        hw.simulate(_cfg(2, 2, "os"), hw.gemm(2, 2, 2), pe="int7")
