"""The default memory model against an independent brute-force replay.

The oracle below enumerates the folds, builds each fold's IFMAP and FILTER tiles as explicit
sets of element addresses (im2col written out element by element), keeps each SRAM as a FIFO of
whole tiles (a deque of address sets), and replays the double-buffered timeline with exact
fractions. It shares no code with :mod:`lognum.hw._memory_kernel` or :mod:`lognum.hw.sim`.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from fractions import Fraction

import numpy as np
import pytest

import lognum.hw as hw


def _oracle(layer, R, C, df, caps, bws, user=True):
    """Brute-force replay of the documented default model (lanes = 1)."""
    if layer.kind == "gemm":
        M, N, K = layer.m, layer.n, layer.k

        def a_addr(m, k):
            return (m, k)
    else:
        H, W, Rf, Sf, Ci = layer.H, layer.W, layer.R, layer.S, layer.C
        st, p = layer.stride, layer.padding
        E = (H + 2 * p - Rf) // st + 1
        F = (W + 2 * p - Sf) // st + 1
        M, N, K = layer.batch * E * F, layer.filters, Rf * Sf * Ci

        def a_addr(m, k):
            b, rest = divmod(m, E * F)
            e, f = divmod(rest, F)
            r, rest = divmod(k, Sf * Ci)
            s, c = divmod(rest, Ci)
            h, w = e * st - p + r, f * st - p + s
            if 0 <= h < H and 0 <= w < W:
                return (b, h, w, c)
            return None  # padding: not fetched

    Sr, Sc, T = {"os": (M, N, K), "ws": (K, N, M), "is": (K, M, N)}[df]
    rf, cf = -(-Sr // R), -(-Sc // C)
    fold_len = T + R + C - 2 if df == "os" else 2 * R + C + T - 2

    def rng(idx, n, S):
        return range(idx * n, min(S, (idx + 1) * n))

    folds = []
    for j in range(cf):
        for i in range(rf):
            if df == "os":
                ms, ks, ns = rng(i, R, M), range(K), rng(j, C, N)
            elif df == "ws":
                ms, ks, ns = range(M), rng(i, R, K), rng(j, C, N)
            else:
                ms, ks, ns = rng(j, C, M), rng(i, R, K), range(N)
            a = frozenset(x for m in ms for k in ks if (x := a_addr(m, k)) is not None)
            b = frozenset((k, n) for k in ks for n in ns)
            if df == "os":
                ow = len(ms) * len(ns)
            else:
                ow = T * (len(ns) if df == "ws" else len(ms))
            folds.append((i, a, b, ow))
    union = frozenset().union(*(a for _, a, _, _ in folds))
    incremental = layer.kind == "conv" and len(union) <= caps[0]

    class Sram:
        def __init__(self, cap):
            self.cap, self.q, self.reads, self.refetch, self.evict = cap, deque(), 0, 0, 0
            self.seen: set = set()  # tiles fetched before
            self.got: set = set()  # elements fetched before (incremental conv input)

        def need(self, tile, incr=False):
            if incr:
                w = len(tile - self.got)
                self.got |= tile
                self.reads += w
                return w  # everything fits: nothing is ever evicted
            if any(t == tile for t, _ in self.q):
                return 0
            w = len(tile)
            self.reads += w
            if tile in self.seen:
                self.refetch += w
            self.seen.add(tile)
            if w > self.cap:
                self.evict += len(self.q)
                self.q.clear()
                return w
            while sum(x for _, x in self.q) + w > self.cap:
                self.q.popleft()
                self.evict += 1
            self.q.append((tile, w))
            return w

    sa, sb = Sram(caps[0]), Sram(caps[1])
    ofcap = caps[2]
    bw = [Fraction(x) for x in bws]
    chan = [Fraction(0), Fraction(0)]
    start = Fraction(0)
    fill = Fraction(0)
    stalls = Fraction(0)
    drains = [Fraction(0), Fraction(0)]  # drain end of folds f-1, f-2
    ow_tot = or_tot = 0
    first = None
    for f, (i, a, b, ow) in enumerate(folds):
        issue = start
        ready = issue
        wa = sa.need(a, incremental)
        wb = sb.need(b)
        if f == 0:
            first = (wa, wb)
        for c, w in ((0, wa), (1, wb)):
            if w:
                chan[c] = max(issue, chan[c]) + w / bw[c]
                ready = max(ready, chan[c])
        rd = 0
        if df != "os":  # ws/is partial sums: kept on chip when the block fits half the SRAM
            if ow <= ofcap // 2:
                ow = ow if i == rf - 1 else 0
            else:
                rd = ow if i > 0 else 0
        if rd:
            or_tot += rd
            chan[0] = max(issue, chan[0]) + rd / bw[0]
            ready = max(ready, chan[0])
        if f == 0:
            start = ready if user else Fraction(0)
            fill = start
        else:
            s = start + fold_len
            if user:
                s = max(s, ready)
            s = max(s, drains[1])
            stalls += s - (start + fold_len)
            start = s
        drains[1] = drains[0]
        if ow:
            ow_tot += ow
            drains[0] = max(start + fold_len, drains[0]) + Fraction(ow) / bw[2]
    if not user:
        stalls, fill = Fraction(0), Fraction(max(first), 10)
    L = len(folds) * fold_len
    total = L + math.ceil(stalls)
    drain = max(Fraction(0), drains[0] - (start + fold_len))
    return {
        "stall_cycles": math.ceil(stalls),
        "total_cycles": total,
        "total_cycles_incl_prefetch": math.ceil(fill) + total + math.ceil(drain),
        "dram_ifmap_reads": sa.reads,
        "dram_filter_reads": sb.reads,
        "dram_ofmap_writes": ow_tot,
        "dram_ofmap_reads": or_tot,
        "dram_ifmap_refetches": sa.refetch,
        "dram_filter_refetches": sb.refetch,
        "sram_ifmap_evictions": sa.evict,
        "sram_filter_evictions": sb.evict,
    }


def _sim(layer, R, C, df, caps, bws, user=True):
    kb = [c / 1024 for c in caps]
    cfg = hw.ArrayConfig(
        rows=R,
        cols=C,
        dataflow=df,
        ifmap_sram_kb=kb[0],
        filter_sram_kb=kb[1],
        ofmap_sram_kb=kb[2],
        bandwidth_mode="USER" if user else "CALC",
        ifmap_bw=bws[0],
        filter_bw=bws[1],
        ofmap_bw=bws[2],
    )
    return hw.simulate(cfg, layer, workers=1).layers[0]


def _check(layer, R, C, df, caps, bws, user=True):
    got = _sim(layer, R, C, df, caps, bws, user)
    want = _oracle(layer, R, C, df, caps, bws if user else (bws[0], bws[1], C), user)
    assert {k: getattr(got, k) for k in want} == want, (layer, R, C, df, caps, bws, user)
    return got


# ---------------------------------------------------------------------------------------------
def test_reproducer_tile_larger_than_sram_is_refetched_every_fold():
    """gemm(64, 8, 4096) on 8x8 os: the FILTER tile (4096 x 8 = 32768 words) is used by all 8
    row folds. With 1 kB it cannot stay resident: 8 x 32768 words at 1 word/cycle."""
    lay = hw.gemm(64, 8, 4096)
    small = _check(lay, 8, 8, "os", (1024, 1024, 1024), (10, 1, 10))
    assert small.dram_filter_reads == 8 * 32768
    assert small.dram_filter_refetches == 7 * 32768
    # fold f's tile arrives at 32768 (f + 1): stalls 7 (32768 - 4110) after a 32768-cycle fill
    assert small.stall_cycles == 7 * (32768 - 4110)
    assert small.total_cycles == 8 * 4110 + 7 * (32768 - 4110)
    assert small.total_cycles_incl_prefetch >= 8 * 32768
    big = _check(lay, 8, 8, "os", (2 << 20, 2 << 20, 2 << 20), (10, 1, 10))
    assert big.dram_filter_reads == 32768 and big.dram_filter_refetches == 0
    assert big.stall_cycles == 0 and big.total_cycles == 8 * 4110
    # 4 / 2 / 2 kB at 4 words/cycle: 8 x 32768 filter words take 65536 cycles
    mid = _check(lay, 8, 8, "os", (4096, 2048, 2048), (4, 4, 4))
    assert mid.total_cycles_incl_prefetch >= 8 * 32768 // 4
    assert mid.stall_cycles == 61454 - 8 * 4110


def test_hand_fifo_cycle_of_three_tiles():
    """os gemm(24, 8, 4) on 8x8: 3 IFMAP tiles of 32 words (row folds), 1 column fold; with
    2 column folds (N = 16) the tiles are used again in order 0 1 2 0 1 2. An SRAM of 96 words
    keeps all three; 64 words holds two, so FIFO evicts each one just before it is needed."""
    lay = hw.gemm(24, 16, 4)
    r = _check(lay, 8, 8, "os", (96, 4096, 4096), (1, 1, 1))
    assert r.dram_ifmap_reads == 96 and r.sram_ifmap_evictions == 0
    r = _check(lay, 8, 8, "os", (64, 4096, 4096), (1, 1, 1))
    assert r.dram_ifmap_reads == 2 * 96 and r.dram_ifmap_refetches == 96
    assert r.sram_ifmap_evictions == 4  # tiles 0, 1, 2, 0 make room for 2, 0, 1, 2
    r = _check(lay, 8, 8, "os", (31, 4096, 4096), (1, 1, 1))  # streamed: never resident
    assert r.dram_ifmap_reads == 2 * 96 and r.sram_ifmap_evictions == 0


_LAYERS = [
    hw.gemm(13, 7, 11),
    hw.gemm(9, 17, 5),
    hw.gemm(20, 3, 16),
    hw.conv(6, 6, 3, 3, 2, 5, padding=1),
    hw.conv(7, 5, 2, 3, 3, 4, stride=2),
    hw.conv(5, 5, 1, 1, 3, 6, batch=2),
]


@pytest.mark.parametrize("df", ["os", "ws", "is"])
def test_default_model_equals_brute_force(df):
    rng = np.random.default_rng(11 + len(df))
    for lay, (R, C) in itertools.product(_LAYERS, [(2, 3), (4, 4)]):
        M, N, K = lay.gemm_shape()
        tot = M * K
        for capa in (max(1, tot // 9), tot // 3, tot // 2, tot, 4 * tot):
            capb = int(rng.choice([4, K * N // 3 + 1, K * N // 2, 4 * K * N]))
            capo = int(rng.choice([2, M * N // 2, 4 * M * N]))
            bws = tuple(float(x) for x in rng.choice([0.5, 1, 2, 8], size=3))
            _check(lay, R, C, df, (capa, capb, capo), bws, True)
        _check(lay, R, C, df, (max(1, tot // 3), 8, 2 * M * N), (1, 1, 1), False)


def test_refetch_fields_none_in_scalesim_compat():
    cfg = hw.ArrayConfig(rows=4, cols=4, bandwidth_mode="USER", ifmap_bw=2, filter_bw=2, ofmap_bw=2)
    r = hw.simulate(cfg, hw.gemm(16, 16, 16), scalesim_compat=True).layers[0]
    assert r.dram_ifmap_refetches is None and r.sram_filter_evictions is None
