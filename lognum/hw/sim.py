"""``lognum.hw.simulate``: run a network of layers on a systolic array.

Per layer (docs/simulator.md):

1. the layer becomes the im2col GEMM ``M x K @ K x N`` (:mod:`lognum.hw.workload`);
2. the fold schedule (col-fold outer, row-fold inner): a real cycle-by-cycle simulation in Numba
   (:func:`lognum.hw._array_kernel.simulate_fold`) moves the operands through the PE registers
   and counts cycles, per-PE MACs (busy cycles) and SRAM reads/writes per operand. Folds of the
   same shape have the same timing, so there are at most four distinct fold shapes per layer.
   By default each shape's counts come from the closed form of that register schedule
   (:func:`lognum.hw.closed_form.fold_counts`, the fast path: its work does not grow with
   ``R * C * cycles``), weighted by the shape's count; ``register_level=True`` runs each
   shape once through the register-level simulation instead, ``exhaustive=True`` every fold.
   The register-level simulation is the reference: the tests compare the fast path with it on
   random layers and array shapes, and with SCALE-Sim's reports;
3. the memory model adds stall cycles (USER mode) and DRAM traffic. Two models:

   - default (``scalesim_compat=False``), and compat mode with bit-fusion lanes > 1:
     lognum's own per-fold model (:mod:`lognum.hw._memory_kernel`): each fold needs one
     IFMAP and one FILTER tile; each SRAM keeps whole tiles in FIFO order up to its capacity
     (a tile larger than the SRAM is streamed and fetched again by every fold that uses it;
     evictions and refetched words are reported), double buffering, one DRAM channel per
     operand at the given bandwidth; DRAM counts are the words the folds fetch (a function of
     the SRAM size);
   - ``scalesim_compat=True`` with ``bandwidth_mode="USER"``: SCALE-Sim 3.0.0's own USER-mode
     memory system, replayed address by address (:mod:`lognum.hw._scalesim_mem_kernel`):
     prefetch order along anti-diagonals, sets of ``ceil(SRAM/100)`` addresses, a sliding
     active window, new prefetches requested back to back after the previous one, DRAM
     lines of ``bw`` words (padding counted), the OFMAP write buffer with its drain, and its
     stall accounting including the doubled positive stalls of SCALE-Sim#130;
   - ``scalesim_compat=True`` with ``bandwidth_mode="CALC"``: SCALE-Sim 3.0.0's CALC-mode
     memory system, replayed by the same kernel: its *estimate* read buffers (demanded
     addresses gathered into sets of ``floor(SRAM/100)``, a 50-set window whose prefetch is
     logged at 10 words/cycle for the first fill and then spread over the cycles between
     window closures, the oldest 50 sets evicted at each closure) and the OFMAP write buffer
     draining at ``cols`` words/cycle. Reads never stall.

   In both compat modes all columns of COMPUTE_REPORT / DETAILED_ACCESS_REPORT /
   BANDWIDTH_REPORT equal SCALE-Sim's, byte for byte (``tests/hw/test_user_compat.py``,
   ``tests/hw/test_compat.py``).

Differences to SCALE-Sim 3.0.0, default mode (``scalesim_compat=False``) vs compat mode:

- Total Cycles: ``L + stalls`` (default) vs SCALE-Sim's largest OFMAP service cycle, which is
  ``L - 1 + stalls`` when the last row does not stall (compat; SCALE-Sim#125).
- os OFMAP SRAM writes: ``M N`` vs ``M N + folds (R + C)`` (SCALE-Sim's counting bug).
- conv output size: ``floor((H + 2p - R)/s) + 1`` vs SCALE-Sim's ``ceil((H - R + s)/s)``.
- ws/is compute utilisation: real fold length vs SCALE-Sim's ``2R + 2C + T - 3``; compat
  averages the per-fold ratios in SCALE-Sim's order (bit-identical floats).
- ws/is partial-sum read-back from the OFMAP SRAM is counted (``sram_ofmap_reads``) vs not.
- USER mode: default = lognum's per-fold DRAM model (stalls when a fold's tiles have not
  arrived; DRAM counts = words fetched under capacity-aware residency). Compat = SCALE-Sim's
  per-address model (above): prefetches requested back to back from cycle 0, positive stalls
  counted twice (SCALE-Sim#130), DRAM reads in whole lines incl. padding, and SRAM/DRAM
  start/stop cycles, ``Total Cycles (incl. prefetch)`` and the DRAM bandwidths as SCALE-Sim's.
  Compat needs whole words/cycle bandwidths (``ValueError`` otherwise); with bit-fusion lanes
  > 1 compat USER mode falls back to lognum's model with positive stalls doubled. Beyond
  SCALE-Sim: padding is treated as part of the input (SCALE-Sim topologies give padded sizes),
  batch > 1 extends the IFMAP addresses by the image index.
- ws/is DRAM OFMAP writes: compat writes every K-fold's partial sums to DRAM (as SCALE-Sim);
  the default keeps them in the OFMAP SRAM when the output block fits (else spills and reads
  them back, ``dram_ofmap_reads``).
- depthwise layers: compat expands them into one layer (and report row) per channel, as
  SCALE-Sim; the default keeps one row with ``groups`` independent GEMMs.
- CALC mode: no read stalls in either mode (as SCALE-Sim). Default: DRAM counts are the words
  each fold needs, ``Total Cycles (incl. prefetch)`` = initial fill at 10 words/cycle + total
  + final OFMAP drain, SRAM start/stop cycles the schedule's first and last cycles. Compat:
  SCALE-Sim's estimate (above): an address hits only if it was demanded since the last window
  closure, a window's prefetch is logged over the cycles in which the previous window filled
  (these give the DRAM start/stop cycles and bandwidths). Compat CALC needs IFMAP/FILTER SRAMs
  of at least 100 words (SCALE-Sim's sets would be empty) and rejects, with ``ValueError``,
  layers where two windows close in the same cycle (SCALE-Sim divides by zero there).
- not in SCALE-Sim: padding, batch, PE arithmetic (functional mode), bit-fusion lanes, energy.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lognum.hw.closed_form import DF_CODE, closed_form, fold_classes, fold_counts, mapping
from lognum.hw.config import ArrayConfig
from lognum.hw.workload import Layer, expand_depthwise

__all__ = [
    "simulate",
    "SimResult",
    "LayerResult",
    "simulate_layer",
    "trace_fold",
    "FoldTrace",
    "memory_estimate",
]

#: SCALE-Sim compat mode replays a simulate() call with the interpreted kernels of
#: :mod:`lognum.hw._interp` (``interpret=None``) when Numba is not loaded yet and the replay
#: work of this process so far plus this call's (demand rows + SRAM accesses, + operand
#: elements in USER mode; :func:`_replay_work`) is at most this: up to about 0.45 s of CPU
#: interpreted in all (0.07-0.73 us per unit measured), less than importing Numba and loading
#: a cached kernel (~0.7 s). Later calls use the compiled kernels. The kernel modules (and
#: Numba) are imported only where they are used.
INTERPRET_WORK = 600_000
_interpreted = [0]  # replay work interpreted so far in this process


def _numba_loaded() -> bool:
    """Is Numba imported in this process (then the compiled kernels cost little)?"""
    return "numba" in sys.modules


def _notrace() -> np.ndarray:
    from lognum.hw._array_kernel import N_TRACE

    return np.zeros((0, N_TRACE, 1, 1), np.int64)


def _smk(interpret: bool):
    """The SCALE-Sim replay kernels: compiled (Numba) or interpreted (:mod:`lognum.hw._interp`)."""
    if interpret:
        from lognum.hw import _interp

        return _interp.module()
    from lognum.hw import _scalesim_mem_kernel

    return _scalesim_mem_kernel


def _replay_work(layer: Layer, cfg: ArrayConfig) -> int:
    """Loop iterations of the compat-mode replay of one layer, roughly: demand rows, SRAM
    accesses, and in USER mode the prefetch sequences and address spaces."""
    M, N, K = layer.gemm_shape(True)
    cf = closed_form(cfg.dataflow, M, N, K, cfg.rows, cfg.cols, True)
    w = cf.stall_free_cycles + cf.sram_ifmap_reads + cf.sram_filter_reads + cf.sram_ofmap_writes
    if cfg.bandwidth_mode == "USER":
        w += 3 * (M * K + K * N)
    return w * layer.groups


@dataclass
class LayerResult:
    """Counts of one layer. Cycle counts are per layer (all depthwise groups together).

    ``dram_*_refetches`` (words fetched again after their tile was evicted, included in
    ``dram_*_reads``) and ``sram_*_evictions`` (tiles evicted to make room) come from the
    default memory model (:mod:`lognum.hw._memory_kernel`); they are ``None`` where SCALE-Sim's
    own memory model runs (``scalesim_compat=True`` with one lane), which has no tiles.
    """

    name: str
    M: int
    N: int
    K: int
    groups: int
    folds: int
    stall_free_cycles: int
    total_cycles: int
    stall_cycles: int
    total_cycles_incl_prefetch: int
    compute_cycles: int
    fill_drain_cycles: int
    macs: int
    overall_util: float
    mapping_efficiency: float
    compute_util: float
    sram_ifmap_reads: int
    sram_filter_reads: int
    sram_ofmap_writes: int
    sram_ofmap_reads: int
    dram_ifmap_reads: int
    dram_filter_reads: int
    dram_ofmap_writes: int
    dram_ofmap_reads: int
    access_cycles: dict[str, tuple[int, int]] = field(default_factory=dict)
    dram_ifmap_refetches: int | None = None
    dram_filter_refetches: int | None = None
    sram_ifmap_evictions: int | None = None
    sram_filter_evictions: int | None = None
    busy: np.ndarray | None = field(default=None, repr=False)
    energy: dict[str, float] | None = None
    output: Any = field(default=None, repr=False)

    @property
    def pe_util(self) -> np.ndarray:
        """Per-PE utilisation: busy (MAC) cycles / total cycles."""
        return self.busy / max(self.total_cycles, 1)


@dataclass
class SimResult:
    """Result of :func:`simulate`: per-layer records plus the configuration."""

    config: ArrayConfig
    layers: list[LayerResult]
    scalesim_compat: bool
    pe: Any = None

    @property
    def total_cycles(self) -> int:
        return sum(r.total_cycles for r in self.layers)

    @property
    def macs(self) -> int:
        return sum(r.macs for r in self.layers)

    @property
    def energy_pj(self) -> float:
        return sum(sum(r.energy.values()) for r in self.layers if r.energy)

    def summary(self, table: Any = None) -> dict[str, float]:
        """Network totals: cycles, MACs, utilisation, energy by component (pJ, estimates),
        EDP (pJ x s at ``config.freq_mhz``), MAC/s and, for a single PE type, GMAC/s per mm^2
        (:func:`lognum.hw.energy.array_area_mm2`)."""
        c = self.config
        cyc = self.total_cycles
        t_s = cyc / (c.freq_mhz * 1e6)
        out: dict[str, float] = {
            "cycles": cyc,
            "stall_cycles": sum(r.stall_cycles for r in self.layers),
            "macs": self.macs,
            "util_pct": 100.0 * self.macs / max(cyc * c.rows * c.cols, 1),
            "time_s": t_s,
            "macs_per_s": self.macs / t_s if t_s else 0.0,
        }
        if any(r.energy for r in self.layers):
            comps: dict[str, float] = {}
            for r in self.layers:
                for k, v in (r.energy or {}).items():
                    comps[k] = comps.get(k, 0.0) + v
            out.update({f"energy_{k}_pj": v for k, v in comps.items()})
            e = sum(comps.values())
            out["energy_pj"] = e
            out["edp_pj_s"] = e * t_s
        if self.pe is not None and not isinstance(self.pe, list):
            from lognum.hw.energy import array_area_mm2

            area = array_area_mm2(c, self.pe, table)["total"]
            out["area_mm2"] = area
            out["gmacs_per_mm2"] = out["macs_per_s"] / 1e9 / area
        return out

    def __repr__(self) -> str:
        c = self.config
        return (
            f"SimResult({len(self.layers)} layers on {c.rows}x{c.cols} {c.dataflow}, "
            f"total_cycles={self.total_cycles}, macs={self.macs}, compat={self.scalesim_compat})"
        )

    def write_csv(self, outdir: str | Path) -> list[Path]:
        """Write SCALE-Sim's ``COMPUTE_REPORT.csv``, ``DETAILED_ACCESS_REPORT.csv`` and
        ``BANDWIDTH_REPORT.csv`` (same columns), plus ``ENERGY_REPORT.csv`` when energies were
        computed, into ``outdir/<run_name>/``. No pandas."""
        from lognum.hw.report import write_reports

        return write_reports(self, outdir)


def _ifmap_words_fn(layer: Layer, compat: bool, cap: float = 0.0, M: int = 0, K: int = 0):
    """Return words(m0, m1, k0, k1): distinct IFMAP elements of an im2col tile.

    If the whole IFMAP footprint (the input elements the layer reads) fits in ``cap`` words,
    tiles count only elements not fetched by an earlier tile (everything stays resident);
    otherwise each tile counts its own footprint (halo overlaps between tiles are fetched
    again)."""
    from lognum.hw._memory_kernel import ifmap_tile_words

    if layer.kind == "gemm":
        return lambda m0, m1, k0, k1: (m1 - m0) * (k1 - k0)
    E, F = layer.out_hw(compat)
    cin = 1 if layer.depthwise else layer.C
    stamp = np.full(layer.batch * layer.H * layer.W * cin, -1, np.int64)
    tag = [0]
    args = (E, F, layer.H, layer.W, cin, layer.S, layer.stride, layer.padding, layer.batch)
    # the whole input the layer reads (its footprint) fits in the SRAM
    incremental = stamp.size <= cap or int(ifmap_tile_words(0, M, 0, K, *args, stamp, 10**9)) <= cap

    def fn(m0, m1, k0, k1):
        if not incremental or tag[0] == 0:
            tag[0] += 1
        return int(ifmap_tile_words(m0, m1, k0, k1, *args, stamp, tag[0]))

    return fn


def _tile_plan(layer, cfg, M, N, K, compat, lanes):
    """The fold schedule of :func:`lognum.hw._memory_kernel.memory_timeline`: fold grid,
    per-operand tile kinds and word counts, OFMAP mode (module docstring there)."""
    from lognum.hw import _memory_kernel as mk

    df, R, C = cfg.dataflow, cfg.rows, cfg.cols
    Sr, Sc, T = mapping(df, M, N, K, lanes)
    rf, cf = -(-Sr // R), -(-Sc // C)
    KR = R * lanes  # reduction elements per row fold (ws/is)

    def used(n, S, count):  # used extent of each of ``count`` folds of width n over S
        u = np.full(count, float(n))
        u[-1] = S - (count - 1) * n
        return u

    none = np.zeros(1)
    if_full = none
    if df == "os":
        words = _ifmap_words_fn(layer, compat, cfg.sram_words("ifmap"), M, K)
        if_plan = (
            mk.TILE_ROW,
            np.array([words(i * R, min(M, (i + 1) * R), 0, K) for i in range(rf)], float),
            none,
        )
        fl_plan = (mk.TILE_COL, none, K * used(C, N, cf))
        of_plan = (mk.OF_OS, used(R, M, rf), used(C, N, cf))
    else:
        uk = used(KR, K, rf)
        if df == "ws":
            words = _ifmap_words_fn(layer, compat, cfg.sram_words("ifmap"), M, K)
            if_plan = (
                mk.TILE_ROW,
                np.array([words(0, M, i * KR, min(K, (i + 1) * KR)) for i in range(rf)], float),
                none,
            )
            fl_plan = (mk.TILE_UNIQUE, uk, used(C, N, cf))
        else:
            if layer.kind == "gemm":
                if_plan = (mk.TILE_UNIQUE, uk, used(C, M, cf))
            else:
                words = _ifmap_words_fn(layer, compat, cfg.sram_words("ifmap"), M, K)
                if_full = np.array(
                    [
                        words(j * C, min(M, (j + 1) * C), i * KR, min(K, (i + 1) * KR))
                        for j in range(cf)
                        for i in range(rf)
                    ],
                    float,
                )
                if_plan = (mk.TILE_UNIQUE_FULL, none, none)
            fl_plan = (mk.TILE_ROW, uk * N, none)
        of_plan = (mk.OF_EVERY if compat else mk.OF_SPILL, none, T * used(C, Sc, cf))
    return rf, cf, if_plan, if_full, fl_plan, of_plan


def _queue_len(kind, wa, wb, full, cap, nfolds):
    """Ring-buffer size for the resident tiles of one operand (see ``memory_timeline``)."""
    from lognum.hw import _memory_kernel as mk

    if kind == mk.TILE_UNIQUE:
        w = wa.min() * wb.min()
    else:
        v = {mk.TILE_ROW: wa, mk.TILE_COL: wb, mk.TILE_UNIQUE_FULL: full}[kind]
        v = v[v > 0]
        w = v.min() if v.size else 1.0
    return int(min(cap // max(w, 1.0), nfolds)) + 2


def _memory(layer, cfg, M, N, K, compat, lanes, fold_len, progress=False):
    """Build the tile plan and run the memory timeline (streamed fold by fold)."""
    from lognum.hw import _memory_kernel as mk

    rf, cf, (ik, iwa, iwb), if_full, (fk, fwa, fwb), (om, oa, ob) = _tile_plan(
        layer, cfg, M, N, K, compat, lanes
    )
    none = np.zeros(1)
    icap, fcap = float(cfg.sram_words("ifmap")), float(cfg.sram_words("filter"))
    user = cfg.bandwidth_mode == "USER"
    out = mk.memory_timeline(
        rf=rf,
        cf=cf,
        fold_len=float(fold_len),
        ifmap=mk.Operand(ik, iwa, iwb, if_full, icap, float(cfg.ifmap_bw)),
        filt=mk.Operand(fk, fwa, fwb, none, fcap, float(cfg.filter_bw)),
        ofmap=mk.Ofmap(
            om, oa, ob, float(cfg.sram_words("ofmap")), float(cfg.ofmap_bw if user else cfg.cols)
        ),
        stall_reads=user,
        nq_if=_queue_len(ik, iwa, iwb, if_full, icap, rf * cf),
        nq_fl=_queue_len(fk, fwa, fwb, none, fcap, rf * cf),
        progress=progress,
    )
    if not user:
        # CALC: initial fill at 10 words/cycle (SCALE-Sim's first CALC fill), no stalls
        out = out._replace(fill=max(out.ifmap_first_fold, out.filter_first_fold) / 10.0, stalls=0.0)
    return out


def _scalesim_geometry(layer: Layer, M: int, K: int) -> tuple[np.ndarray, np.ndarray]:
    """SCALE-Sim's IFMAP addressing, decomposed for :func:`_scalesim_mem_kernel._ifmap_addr`:
    ``(g, [H, W, Cin, batch])``. A GEMM is the convolution ``H = M``, ``W = S = K``, ``Cin = 1``;
    padding is part of the input (SCALE-Sim topologies give padded sizes); batch > 1 stacks
    the images."""
    if layer.kind == "gemm":
        H, W, cin, S, stride, F = M, K, 1, K, 1, 1
    else:
        _, F = layer.out_hw(True)
        H, W = layer.H + 2 * layer.padding, layer.W + 2 * layer.padding
        cin = 1 if layer.depthwise else layer.C
        S, stride = layer.S, layer.stride
    g = np.zeros((6, max(M, K)), np.int64)
    m = np.arange(M)
    EF = M // (1 if layer.kind == "gemm" else layer.batch)
    b, p = np.divmod(m, EF)
    g[0, :M] = b * H
    g[1, :M] = (p // F) * stride
    g[2, :M] = (p % F) * stride
    k = np.arange(K)
    g[3, :K], q = np.divmod(k, S * cin)
    g[4, :K], g[5, :K] = np.divmod(q, cin)
    return g, np.array([H, W, cin, M // EF], np.int64)


def _read_buffer(op, df, R, C, M, N, K, g, hwc, words, bw, smk):
    """Prefetch order, set membership and initial state of one SCALE-Sim read buffer
    (:mod:`lognum.hw._scalesim_mem_kernel`; ``smk``: that module or its interpreted twin)."""
    cdiv = lambda a, b: -(-a // b)  # noqa: E731
    # (major, blocks, block rows, block width, limit, rolled) per dataflow and operand
    if op == 0:
        major, nblk, T1, W1, lim, rolled = {
            "os": (1, cdiv(M, R), K, R, M, 1),
            "ws": (0, cdiv(K, R), M, R, K, 1),
            "is": (1, cdiv(M, C), K, C, M, 0),
        }[df]
        space = int(np.prod(hwc))  # H * W * Cin * batch
    else:
        major, nblk, T1, W1, lim, rolled = {
            "os": (0, cdiv(N, C), K, C, N, 1),
            "ws": (0, cdiv(N, C), K, C, N, 0),
            "is": (1, cdiv(K, R), N, R, K, 1),
        }[df]
        space = N * K
    seq = np.empty(nblk * T1 * W1, np.int64)
    smk.prefetch_sequence(op, major, nblk, T1, W1, lim, rolled, g, hwc, K, seq)
    eps = cdiv(words, 100)
    ptr = np.empty(space + 1, np.int64)
    scratch = np.empty(space, np.int64)
    nvalid = smk.build_sets(seq, eps, space, ptr, scratch)
    sets = np.empty(int(ptr[-1]), np.int64)
    smk.fill_sets(seq, eps, ptr, scratch, np.empty(space, np.int64), sets)
    active = cdiv(words, 2)
    nsets = nvalid // eps + 1
    A = min(cdiv(active, eps), nsets)
    P = min(cdiv(words - active, eps), nsets - A)
    n_a = min(cdiv(active, bw), cdiv(seq.size, bw))  # lines of the initial fill
    st = np.zeros(smk.N_RB, np.int64)
    st[smk.RB_START] = 0  # the active window starts at set 0
    st[smk.RB_WINDOW], st[smk.RB_SETS], st[smk.RB_SHIFT] = A, nsets, P
    st[smk.RB_LINES], st[smk.RB_BW] = cdiv(words - active, bw), bw
    st[smk.RB_LAST], st[smk.RB_WORDS] = -1, n_a * bw
    return ptr, sets, st, n_a


def _scalesim_user(
    layer: Layer, cfg: ArrayConfig, M: int, N: int, K: int, interpret: bool = False
) -> dict:
    """SCALE-Sim 3.0.0's USER-mode memory system (:mod:`lognum.hw._scalesim_mem_kernel`)."""
    for nm in ("ifmap_bw", "filter_bw", "ofmap_bw"):
        v = getattr(cfg, nm)
        if v != int(v):
            raise ValueError(
                f"{nm} must be a whole number of words/cycle in SCALE-Sim's USER "
                f"mode (scalesim_compat=True), got {v!r}"
            )
    for nm in ("ifmap", "filter", "ofmap"):
        if cfg.sram_words(nm) < 2:  # SCALE-Sim would never move its window / drain
            kb = getattr(cfg, nm + "_sram_kb")
            raise ValueError(
                f"{nm}_sram_kb must hold at least 2 words in SCALE-Sim's USER mode "
                f"(scalesim_compat=True), got {kb!r}"
            )
    smk = _smk(interpret)
    df, R, C = cfg.dataflow, cfg.rows, cfg.cols
    g, hwc = _scalesim_geometry(layer, M, K)
    if_ptr, if_sets, if_st, if_na = _read_buffer(
        0, df, R, C, M, N, K, g, hwc, cfg.sram_words("ifmap"), int(cfg.ifmap_bw), smk
    )
    fl_ptr, fl_sets, fl_st, fl_na = _read_buffer(
        1, df, R, C, M, N, K, g, hwc, cfg.sram_words("filter"), int(cfg.filter_bw), smk
    )
    out = np.zeros(smk.N_OUT, np.int64)
    none = np.zeros(0, np.int64)
    smk.user_memory(
        df=DF_CODE[df],
        R=R,
        C=C,
        M=M,
        N=N,
        K=K,
        g=g,
        hwc=hwc,
        if_ptr=if_ptr,
        if_sets=if_sets,
        fl_ptr=fl_ptr,
        fl_sets=fl_sets,
        if_st=if_st,
        fl_st=fl_st,
        of_words=cfg.sram_words("ofmap"),
        of_bw=int(cfg.ofmap_bw),
        out=out,
        calc=False,
        if_last=none,
        fl_last=none,
    )
    dram_ifmap = (-if_na, int(if_st[smk.RB_LAST]))
    dram_filter = (-fl_na, int(fl_st[smk.RB_LAST]))
    reads = (int(if_st[smk.RB_WORDS]), int(fl_st[smk.RB_WORDS]))
    return _replay_result(out, dram_ifmap, dram_filter, reads, smk)


def _replay_result(out: np.ndarray, dram_ifmap, dram_filter, reads, smk) -> dict:
    """The counts of one :func:`lognum.hw._scalesim_mem_kernel.user_memory` replay (its ``out``
    and the read buffers' DRAM windows and words)."""
    o = [int(x) for x in out]
    return {
        "stalls": o[smk.OUT_STALLS],
        "total": o[smk.OUT_TOTAL],
        "sram_ifmap": (o[smk.OUT_SRAM_IFMAP_START], o[smk.OUT_SRAM_IFMAP_STOP]),
        "sram_filter": (o[smk.OUT_SRAM_FILTER_START], o[smk.OUT_SRAM_FILTER_STOP]),
        "sram_ofmap": (o[smk.OUT_SRAM_OFMAP_START], o[smk.OUT_SRAM_OFMAP_STOP]),
        "dram_ifmap": dram_ifmap,
        "dram_filter": dram_filter,
        "dram_ofmap": (o[smk.OUT_DRAM_OFMAP_START], o[smk.OUT_DRAM_OFMAP_STOP]),
        "dram_ifmap_reads": reads[0],
        "dram_filter_reads": reads[1],
        "dram_ofmap_writes": o[smk.OUT_DRAM_OFMAP_WRITES],
        "incl": o[smk.OUT_DRAM_OFMAP_STOP] - min(dram_ifmap[0], dram_filter[0]),
    }


def _scalesim_calc(
    layer: Layer, cfg: ArrayConfig, M: int, N: int, K: int, interpret: bool = False
) -> dict:
    """SCALE-Sim 3.0.0's CALC-mode memory system: the estimate read buffers
    (:func:`lognum.hw._scalesim_mem_kernel._est_access`) and the write buffer draining at
    ``cols`` words/cycle, replayed by :func:`lognum.hw._scalesim_mem_kernel.user_memory`."""
    for nm in ("ifmap", "filter"):
        if cfg.sram_words(nm) < 100:  # SCALE-Sim's sets of floor(words/100) would be empty
            kb = getattr(cfg, nm + "_sram_kb")
            raise ValueError(
                f"{nm}_sram_kb must hold at least 100 words in SCALE-Sim's CALC "
                f"mode (scalesim_compat=True), got {kb!r}"
            )
    if cfg.sram_words("ofmap") < 2:
        raise ValueError(
            "ofmap_sram_kb must hold at least 2 words in SCALE-Sim's CALC mode "
            f"(scalesim_compat=True), got {cfg.ofmap_sram_kb!r}"
        )
    smk = _smk(interpret)
    df, R, C = cfg.dataflow, cfg.rows, cfg.cols
    g, hwc = _scalesim_geometry(layer, M, K)
    if_st = smk.calc_state(cfg.sram_words("ifmap"))
    fl_st = smk.calc_state(cfg.sram_words("filter"))
    if_last = np.full(int(np.prod(hwc)), -1, np.int64)
    fl_last = np.full(N * K, -1, np.int64)
    none = np.zeros(0, np.int64)
    out = np.zeros(smk.N_OUT, np.int64)
    smk.user_memory(
        df=DF_CODE[df],
        R=R,
        C=C,
        M=M,
        N=N,
        K=K,
        g=g,
        hwc=hwc,
        if_ptr=none,
        if_sets=none,
        fl_ptr=none,
        fl_sets=none,
        if_st=if_st,
        fl_st=fl_st,
        of_words=cfg.sram_words("ofmap"),
        of_bw=C,
        out=out,
        calc=True,
        if_last=if_last,
        fl_last=fl_last,
    )
    if if_st[smk.EST_ERR] or fl_st[smk.EST_ERR]:
        raise ValueError(
            f"layer {layer.name!r}: SCALE-Sim's CALC estimate fails here (a "
            "prefetch window of zero cycles: too many addresses per cycle for the "
            "SRAM size); increase ifmap_sram_kb / filter_sram_kb"
        )
    dram_ifmap = (int(if_st[smk.EST_DSTART]), int(if_st[smk.EST_DSTOP]))
    dram_filter = (int(fl_st[smk.EST_DSTART]), int(fl_st[smk.EST_DSTOP]))
    reads = (int(if_st[smk.EST_COUNT]), int(fl_st[smk.EST_COUNT]))
    return _replay_result(out, dram_ifmap, dram_filter, reads, smk)


def memory_estimate(
    layer: Layer,
    cfg: ArrayConfig,
    scalesim_compat: bool = False,
    lanes: int = 1,
    functional: bool = False,
) -> int:
    """Approximate peak bytes the simulation of one layer allocates (its largest arrays).

    Default mode: per-row-fold and per-column-fold tile sizes and the resident-tile ring
    buffers (a convolution adds its input tensor's size in int64 for the footprint count, and
    an input-stationary convolution one word count per fold). SCALE-Sim compat mode (one lane)
    replays every address, so it holds the IFMAP and FILTER address sequences (about
    ``5 x 8 x (M K + K N)`` bytes). Functional mode holds the operand matrices decoded
    (about ``64 (M K + K N) + 200 M N`` bytes). An estimate within a small factor, used by
    :func:`simulate` to refuse layers that would not fit (``max_memory_gb``).
    """
    M, N, K = layer.gemm_shape(scalesim_compat)
    R, C, df = cfg.rows, cfg.cols, cfg.dataflow
    Sr, Sc, _ = mapping(df, M, N, K, lanes)
    rf, cf = -(-Sr // R), -(-Sc // C)
    b = 64 * (rf + cf) + 32 * R * C
    ic, fc = cfg.sram_words("ifmap"), cfg.sram_words("filter")
    b += 16 * (min(ic, rf * cf) + min(fc, rf * cf))  # ring buffers (bound: one per word)
    if layer.kind == "conv":
        b += 8 * layer.batch * layer.H * layer.W * (1 if layer.depthwise else layer.C)
        if df == "is":
            b += 8 * rf * cf
    if scalesim_compat and lanes == 1:
        b += 5 * 8 * (M * K + K * N) + 8 * 6 * max(M, K) + 24 * (ic + fc)
    if functional:
        b += 64 * (M * K + K * N) + 200 * M * N
    return int(b)


def simulate_layer(
    layer: Layer,
    cfg: ArrayConfig,
    scalesim_compat: bool = False,
    exhaustive: bool = False,
    lanes: int = 1,
    pe: Any = None,
    functional: bool = False,
    operands: tuple[np.ndarray, np.ndarray] | None = None,
    rng: np.random.Generator | None = None,
    energy_table: Any = None,
    fast: bool = False,
    progress: bool = False,
    register_level: bool = False,
    interpret: bool = False,
) -> LayerResult:
    """Simulate one layer (all its depthwise groups); see :func:`simulate`. ``progress``: a
    progress bar for the memory model of a layer with more than 2^24 folds. ``interpret``:
    run SCALE-Sim's replay (compat mode) with the interpreted kernels
    (:mod:`lognum.hw._interp`; the same results)."""
    df, R, C = cfg.dataflow, cfg.rows, cfg.cols
    M, N, K = layer.gemm_shape(scalesim_compat)
    g = layer.groups
    cf = closed_form(df, M, N, K, R, C, scalesim_compat, lanes)
    busy = np.zeros((R, C), np.int64)
    cycles = left = top = writes = 0
    code = DF_CODE[df]
    if fast:  # closed form: each used PE of a fold does T MACs
        for ur, uc, cnt in fold_classes(cf.Sr, cf.Sc, R, C):
            busy[:ur, :uc] += cnt * cf.T
        cycles = cf.stall_free_cycles
    elif exhaustive or register_level:
        # the register-level simulation: the reference the fast path is tested against
        from lognum.hw import _array_kernel as ak

        counts = np.zeros(ak.N_COUNTS, np.int64)
        notrace = _notrace()
        if exhaustive:  # every fold through the PE registers
            Sr, Sc = cf.Sr, cf.Sc
            for j in range(cf.col_folds):
                uc = min(C, Sc - j * C)
                for i in range(cf.row_folds):
                    ur = min(R, Sr - i * R)
                    cycles += ak.simulate_fold(code, R, C, ur, uc, cf.T, busy, counts, notrace)
        else:  # each distinct fold shape once through the PE registers, weighted by its count
            for ur, uc, cnt in fold_classes(cf.Sr, cf.Sc, R, C):
                b = np.zeros((R, C), np.int64)
                c = np.zeros(ak.N_COUNTS, np.int64)
                cyc = ak.simulate_fold(code, R, C, ur, uc, cf.T, b, c, notrace)
                cycles += cnt * cyc
                busy += cnt * b
                counts += cnt * c
        left, top = int(counts[ak.LEFT_READS]), int(counts[ak.TOP_READS])
        writes = int(counts[ak.OFMAP_WRITES])
    else:
        # the fast path: each distinct fold shape's register-level counts in closed form
        # (fold_counts, tested equal to simulate_fold), weighted by the shape's count
        for ur, uc, cnt in fold_classes(cf.Sr, cf.Sc, R, C):
            cyc, lr, tr, wr, _ = fold_counts(df, R, C, ur, uc, cf.T)
            cycles += cnt * cyc
            busy[:ur, :uc] += cnt * cf.T
            left += cnt * lr
            top += cnt * tr
            writes += cnt * wr
    if df == "is":
        if_reads, fl_reads = top, left
    else:
        if_reads, fl_reads = left, top
    if_reads *= lanes
    fl_reads *= lanes
    if scalesim_compat and df == "os":
        writes += cf.folds * (R + C)
    if fast:
        if_reads, fl_reads = cf.sram_ifmap_reads, cf.sram_filter_reads
        writes = cf.sram_ofmap_writes
    L = cycles
    macs = M * N * K
    compute = cf.folds * cf.T
    if scalesim_compat and lanes == 1:
        # SCALE-Sim's own memory system (USER or CALC mode), address by address
        user = cfg.bandwidth_mode == "USER"
        u = (_scalesim_user if user else _scalesim_calc)(layer, cfg, M, N, K, interpret)
        stalls, total, incl = u["stalls"], u["total"], u["incl"]
        dram = (u["dram_ifmap_reads"], u["dram_filter_reads"], u["dram_ofmap_writes"], 0)
        reuse = (None, None, None, None)
        acc = {
            k: u[k]
            for k in (
                "sram_ifmap",
                "sram_filter",
                "sram_ofmap",
                "dram_ifmap",
                "dram_filter",
                "dram_ofmap",
            )
        }
    else:
        mem = _memory(layer, cfg, M, N, K, scalesim_compat, lanes, cf.fold_cycles, progress)
        stalls = int(math.ceil(mem.stalls))
        if scalesim_compat and cfg.bandwidth_mode == "USER":
            stalls *= 2  # SCALE-Sim#130: positive stalls are added twice
        total = (L - 1 if scalesim_compat else L) + stalls
        fill = int(math.ceil(mem.fill))
        incl = fill + total + int(math.ceil(mem.drain))
        dram = (
            int(mem.dram_ifmap_reads),
            int(mem.dram_filter_reads),
            int(mem.dram_ofmap_writes),
            int(mem.dram_ofmap_reads),
        )
        reuse = (
            int(mem.ifmap_refetched) * g,
            int(mem.filter_refetched) * g,
            int(mem.ifmap_evictions) * g,
            int(mem.filter_evictions) * g,
        )
        # access windows (first/last cycle) from the schedule of the first and last fold
        last0 = total
        acc = {
            "sram_ifmap": (0, last0),
            "sram_filter": (0, last0),
            "sram_ofmap": (cf.T - 1 if df == "os" else 2 * R - 1, last0),
            "dram_ifmap": (-fill, last0),
            "dram_filter": (-fill, last0),
            "dram_ofmap": (cf.fold_cycles, incl - fill),
        }
    res = LayerResult(
        name=layer.name,
        M=M,
        N=N,
        K=K,
        groups=g,
        folds=cf.folds * g,
        stall_free_cycles=L * g,
        total_cycles=total * g,
        stall_cycles=stalls * g,
        total_cycles_incl_prefetch=incl * g,
        compute_cycles=compute * g,
        fill_drain_cycles=(L - compute) * g,
        macs=macs * g,
        overall_util=100.0 * macs / max(total * R * C * lanes, 1),
        mapping_efficiency=cf.mapping_efficiency,
        compute_util=cf.compute_util,
        sram_ifmap_reads=if_reads * g,
        sram_filter_reads=fl_reads * g,
        sram_ofmap_writes=writes * g,
        sram_ofmap_reads=cf.sram_ofmap_reads * g,
        dram_ifmap_reads=dram[0] * g,
        dram_filter_reads=dram[1] * g,
        dram_ofmap_writes=dram[2] * g,
        dram_ofmap_reads=dram[3] * g,
        access_cycles=acc,
        busy=busy * g,
        dram_ifmap_refetches=reuse[0],
        dram_filter_refetches=reuse[1],
        sram_ifmap_evictions=reuse[2],
        sram_filter_evictions=reuse[3],
    )
    if functional:
        from lognum.hw.functional import run_functional

        res.output = run_functional(layer, cfg, pe, operands, rng, scalesim_compat)
    if pe is not None or energy_table is not None:
        from lognum.hw.energy import layer_energy

        res.energy = layer_energy(res, cfg, pe, energy_table)
    return res


def simulate(
    config: ArrayConfig | str | Path,
    layers: list[Layer] | Layer | str | Path,
    *,
    input_type: str = "conv",
    scalesim_compat: bool = False,
    exhaustive: bool = False,
    fast: bool = False,
    register_level: bool = False,
    interpret: bool | None = None,
    pe: Any = None,
    functional: bool = False,
    operands: list[tuple[np.ndarray, np.ndarray]] | None = None,
    energy_table: Any = None,
    workers: int | None = None,
    progress: bool | None = None,
    seed: int = 0,
    max_memory_gb: float = 4.0,
) -> SimResult:
    """Simulate ``layers`` on the array ``config``.

    ``config`` may also be a dict of :class:`ArrayConfig` fields. Bad arguments raise
    ``ValueError`` (a value out of range) or ``TypeError`` (a wrong type), naming the
    parameter.

    Parameters
    ----------
    config : an :class:`ArrayConfig`, a dict of its fields, or the path of a SCALE-Sim
        ``.cfg`` file.
    layers : a list of :class:`Layer`, one layer, or the path of a SCALE-Sim topology CSV
        (``input_type`` ``"conv"`` or ``"gemm"``).
    scalesim_compat : reproduce SCALE-Sim 3.0.0's documented bugs (module docstring); in
        compat mode depthwise layers are expanded into per-channel layers like SCALE-Sim.
    exhaustive : simulate every fold cycle by cycle through the PE registers (the reference).
    register_level : simulate each distinct fold shape once cycle by cycle through the PE
        registers, weighted by its count (the reference at the cost of one fold per shape).
        Neither set (the default): the same counts from the closed form of each fold shape's
        register schedule (:func:`lognum.hw.closed_form.fold_counts`, tested equal).
    interpret : compat mode: replay SCALE-Sim's memory system with the interpreted kernels
        (True), the compiled ones (False), or the interpreted ones while Numba is not loaded
        and the work is small (None, the default: a tiny run then never imports Numba;
        :data:`INTERPRET_WORK`). The results are the same.
    fast : take cycles, per-PE MACs and SRAM counts from the layer's closed form
        (:mod:`lognum.hw.closed_form`; tested equal to the simulation).
    pe : a PE type (:func:`lognum.hw.pe.pe_type` name such as ``"int8"``, ``"lp8"``, or a
        :class:`lognum.hw.pe.PEType`), or a list with one PE per layer (mixed precision, e.g.
        per-layer formats from LPQ): sets the lanes (bit fusion), energy and arithmetic.
    functional : also compute each layer's output through the PE arithmetic, cycle by cycle
        (``operands``: per layer ``(A, B)`` quantized operand values; random when omitted).
    energy_table : an :class:`lognum.hw.energy.EnergyTable` (default: the built-in table).
    workers : threads simulating layers in parallel (default: CPU count; kernels release the
        GIL). One level of parallelism only.
    progress : stderr progress bar (default: on for more than 8 layers).
    max_memory_gb : refuse (``ValueError``, before simulating anything) a layer whose
        simulation would allocate more than this (:func:`memory_estimate`). The default mode
        streams the folds and needs little memory at any size; SCALE-Sim compat mode and
        functional mode hold whole operand matrices.
    """
    from lognum.hw.config import read_scalesim_config
    from lognum.hw.workload import read_topology

    if isinstance(config, (str, Path)):
        cfg = read_scalesim_config(config)
    elif isinstance(config, ArrayConfig):
        cfg = config
    elif isinstance(config, dict):
        import dataclasses

        names = {f.name for f in dataclasses.fields(ArrayConfig)}
        bad = sorted(set(map(str, config)) - names)
        if bad:
            raise ValueError(f"config: unknown ArrayConfig field(s) {bad}; fields: {sorted(names)}")
        cfg = ArrayConfig(**config)
    else:
        raise TypeError(
            "config must be an ArrayConfig, a dict of its fields or the path of a "
            f"SCALE-Sim .cfg file, got {type(config).__name__}"
        )
    if isinstance(layers, (str, Path)):
        layers = read_topology(layers, input_type)
    elif isinstance(layers, Layer):
        layers = [layers]
    elif not isinstance(layers, (list, tuple)):
        raise TypeError(
            "layers must be a Layer, a list of Layers or the path of a topology "
            f"CSV, got {type(layers).__name__}"
        )
    layers = list(layers)
    for i, lay in enumerate(layers):
        if not isinstance(lay, Layer):
            raise TypeError(
                f"layers[{i}] must be a Layer (hw.gemm / hw.conv), got {type(lay).__name__}"
            )
    if not layers:
        raise ValueError("layers: nothing to simulate (empty list)")
    if workers is not None and (
        not isinstance(workers, int) or isinstance(workers, bool) or workers < 1
    ):
        raise ValueError(f"workers must be an integer >= 1 (or None: all CPUs), got {workers!r}")
    if not (isinstance(max_memory_gb, (int, float)) and max_memory_gb > 0):
        raise ValueError(f"max_memory_gb must be a number > 0, got {max_memory_gb!r}")
    pe_list = list(pe) if isinstance(pe, (list, tuple)) else [pe] * len(layers)
    if len(pe_list) != len(layers):
        raise ValueError(f"pe: a list needs one PE per layer ({len(layers)}), got {len(pe_list)}")
    if scalesim_compat:
        pe_list = [p for lay, p in zip(layers, pe_list, strict=True) for _ in expand_depthwise(lay)]
        layers = [x for lay in layers for x in expand_depthwise(lay)]
    if operands is not None and len(operands) != len(layers):
        raise ValueError(f"operands must have one (A, B) pair per layer ({len(layers)})")
    if any(p is not None for p in pe_list):
        from lognum.hw.pe import pe_type  # imports lognum.formats: only when a PE is named

        pe_objs = [None if p is None else pe_type(p) for p in pe_list]
    else:
        pe_objs = [None] * len(pe_list)
    if functional and any(p is None for p in pe_objs):
        raise ValueError("functional=True needs a pe (e.g. pe='int8')")
    for lay, p in zip(layers, pe_objs, strict=True):
        need = memory_estimate(lay, cfg, scalesim_compat, 1 if p is None else p.lanes, functional)
        if need > max_memory_gb * 2**30:
            M, N, K = lay.gemm_shape(scalesim_compat)
            why = (
                "SCALE-Sim compat mode replays every address"
                if scalesim_compat
                else "functional mode holds the operands"
                if functional
                else "tile sizes, resident tiles and the input tensor"
            )
            raise ValueError(
                f"layer {lay.name!r} (GEMM {M} x {N} x {K}) would need about "
                f"{need / 2**30:.3g} GB of memory, over max_memory_gb={max_memory_gb:g} "
                f"({why}; raise max_memory_gb / --max-memory-gb if the machine has it)"
            )
    if interpret not in (None, True, False):
        raise ValueError(f"interpret must be None, True or False, got {interpret!r}")
    if interpret is None:
        # SCALE-Sim's replay interpreted while that is cheaper than loading Numba
        work = 0
        if scalesim_compat and not _numba_loaded():
            work = sum(_replay_work(lay, cfg) for lay in layers)
        interpret = 0 < work and _interpreted[0] + work <= INTERPRET_WORK
        if interpret:
            _interpreted[0] += work
    interpret = bool(interpret and scalesim_compat)
    workers = workers or os.cpu_count() or 1
    inner = progress is not False and not (progress or len(layers) > 8)  # one bar at a time
    if progress is None:
        progress = len(layers) > 8
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**63 - 1, size=len(layers))

    def one(i):
        return simulate_layer(
            layers[i],
            cfg,
            scalesim_compat,
            exhaustive,
            1 if pe_objs[i] is None else pe_objs[i].lanes,
            pe_objs[i],
            functional,
            None if operands is None else operands[i],
            np.random.default_rng(seeds[i]),
            energy_table,
            fast,
            inner,
            register_level,
            interpret,
        )

    from lognum._progress import Progress

    results: list[LayerResult | None] = [None] * len(layers)
    with Progress(len(layers), "lognum sim", enabled=progress) as bar:
        if workers == 1 or len(layers) == 1:
            for i in range(len(layers)):
                results[i] = one(i)
                bar.update()
        else:
            # warm up (compile) in this thread first, then run the rest in parallel
            results[0] = one(0)
            bar.update()
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=workers) as ex:
                futs = {ex.submit(one, i): i for i in range(1, len(layers))}
                for fut in futs:
                    results[futs[fut]] = fut.result()
                    bar.update()
    uniq = {p for p in pe_objs}
    return SimResult(
        config=cfg,
        layers=results,
        scalesim_compat=scalesim_compat,
        pe=uniq.pop() if len(uniq) == 1 else pe_objs,
    )


@dataclass
class FoldTrace:
    """Cycle-by-cycle register contents of one fold (:func:`trace_fold`).

    ``left[t, r, c]``: slot in PE (r, c)'s left (streaming) register at cycle ``t`` (-1 empty);
    ``top``: os: slot in the top register; ws/is: row index of the stationary operand;
    ``mac``: slot of the MAC the PE performs in that cycle (-1: idle). Slots are the temporal
    index: ``k`` (os), ``m`` (ws), ``n`` (is).
    """

    dataflow: str
    R: int
    C: int
    T: int
    left: np.ndarray
    top: np.ndarray
    mac: np.ndarray

    @property
    def cycles(self) -> int:
        return self.left.shape[0]


def trace_fold(
    dataflow: str,
    R: int,
    C: int,
    T: int,
    used_rows: int | None = None,
    used_cols: int | None = None,
) -> FoldTrace:
    """Run one fold of the register-level simulation and record every cycle."""
    from lognum.hw.closed_form import fold_length

    ur = R if used_rows is None else used_rows
    uc = C if used_cols is None else used_cols
    if not (1 <= ur <= R and 1 <= uc <= C and T >= 1):
        raise ValueError("need 1 <= used_rows <= R, 1 <= used_cols <= C, T >= 1")
    from lognum.hw import _array_kernel as ak

    n = fold_length(dataflow, R, C, T)
    tr = np.full((n, ak.N_TRACE, R, C), -1, np.int64)
    busy = np.zeros((R, C), np.int64)
    counts = np.zeros(ak.N_COUNTS, np.int64)
    cyc = ak.simulate_fold(DF_CODE[dataflow], R, C, ur, uc, T, busy, counts, tr)
    tr = tr[:cyc]
    return FoldTrace(
        dataflow, R, C, T, tr[:, ak.TRACE_LEFT], tr[:, ak.TRACE_TOP], tr[:, ak.TRACE_MAC]
    )


def compare_pes(
    config: ArrayConfig, layers, pes=("int8", "fp8", "posit8", "lp8", "lp4x2"), **kw: Any
) -> dict[str, dict[str, float]]:
    """Simulate the same network with several PE types; returns ``{pe: SimResult.summary()}``
    (cycles, energy by component, EDP, GMAC/s per mm^2 — energies and areas are estimates)."""
    return {str(p): simulate(config, layers, pe=p, **kw).summary() for p in pes}
