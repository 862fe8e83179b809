"""Numba kernels of the memory model: im2col tile footprints and the double-buffered
SRAM / DRAM timeline with stalls.

This is the model of the default mode (``scalesim_compat=False``) in both bandwidth modes (and
of compat mode with bit-fusion lanes > 1). SCALE-Sim's own per-address models (USER: sets,
back-to-back prefetches, doubled stalls; CALC: the set-based bandwidth estimate) are in
:mod:`lognum.hw._scalesim_mem_kernel`, used by ``scalesim_compat=True`` (:mod:`lognum.hw.sim`
lists the differences).

The default model works at fold granularity. Folds run column-fold outer, row-fold inner
(fold ``f = j * row_folds + i``). Each fold needs one IFMAP tile and one FILTER tile (the slice
of the operand matrix it reads; a convolution's IFMAP tile counts distinct input elements, so
im2col duplication is not fetched twice).

Residency (capacity-aware). Each operand SRAM of ``cap`` words (both halves together) holds
whole tiles in FIFO order, never more than ``cap`` words:

- a fold whose tile is resident reads it from the SRAM (no DRAM traffic);
- otherwise the tile is fetched from DRAM (its words are counted; if the tile had been fetched
  before and was evicted since, the words also count as *refetched*) and enters the SRAM,
  evicting the oldest resident tiles until it fits (each counted as an *eviction*);
- a tile larger than the whole SRAM is streamed through it: it evicts every resident tile and
  is not resident afterwards, so every fold that uses it fetches it again (a 32 k-word FILTER
  tile reused by 8 folds through a 1 k-word SRAM costs 8 x 32 k DRAM words);
- a tile with no words left to fetch (a convolution whose whole input fits in the SRAM counts
  only elements no earlier tile fetched) is a hit.

Timing. Each SRAM is double buffered: while fold ``f`` computes, the tiles of fold ``f + 1`` that
are not resident are fetched at the operand's DRAM bandwidth (one channel per operand, each
fetch queued behind the previous one on its channel); fold ``f + 1`` stalls until they have
arrived (USER mode; in CALC mode reads never stall, as in SCALE-Sim). Outputs (os) or partial
sums (ws/is, when an output block does not fit half the OFMAP SRAM) are drained to DRAM at the
OFMAP bandwidth; a fold cannot start while the buffer half it writes is still draining (fold
``f - 2``'s data).

Simplifications (estimates, documented): a tile that does not fit next to the tile in use is
still modelled as one prefetch overlapping the previous fold at the same bandwidth (a real
design would stream it during the fold: the bandwidth bound is the same); each operand has its
own DRAM channel of the given bandwidth; partial-sum read-back shares the IFMAP channel; DRAM
latency is zero.

Memory: the schedule is generated inside the kernel fold by fold, so memory does not grow with
the number of folds: the tile sizes are given per row fold and per column fold (operands whose
tile is different in every fold are never reused and need no residency state), except a
convolution's input-stationary IFMAP tiles, given one per fold.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lognum._kernels.jit import jit


@jit
def ifmap_tile_words(m0, m1, k0, k1, E, F, H, W, Cin, S, stride, pad, batch, stamp, tag):
    """Number of distinct in-bounds IFMAP elements read by im2col rows ``[m0, m1)`` and
    columns ``[k0, k1)`` of a convolution (``k = (r S + s) Cin + c``, NHWC input).

    ``stamp`` is an int64 scratch array of size ``batch*H*W*Cin`` and ``tag`` a value never
    used before in it (avoids clearing). Padding and out-of-range windows are not fetched.
    """
    nk = k1 - k0
    rr = np.empty(nk, np.int64)
    ss = np.empty(nk, np.int64)
    cc = np.empty(nk, np.int64)
    for i in range(nk):
        k = k0 + i
        rr[i] = k // (S * Cin)
        q = k - rr[i] * S * Cin
        ss[i] = q // Cin
        cc[i] = q - ss[i] * Cin
    n = 0
    EF = E * F
    for m in range(m0, m1):
        b = m // EF
        p = m - b * EF
        e = p // F
        f = p - e * F
        h0 = e * stride - pad
        w0 = f * stride - pad
        base = b * H
        for i in range(nk):
            h = h0 + rr[i]
            w = w0 + ss[i]
            if h < 0 or h >= H or w < 0 or w >= W:
                continue
            a = ((base + h) * W + w) * Cin + cc[i]
            if stamp[a] != tag:
                stamp[a] = tag
                n += 1
    return n


# tile kinds: which fold index names the tile, and how its words are given
TILE_ROW = 0  # tile id = row fold i, words wa[i] (reused across column folds)
TILE_COL = 1  # tile id = column fold j, words wb[j] (reused across row folds)
TILE_UNIQUE = 2  # a new tile in every fold, words wa[i] * wb[j]
TILE_UNIQUE_FULL = 3  # a new tile in every fold, words full[f]

# OFMAP modes
OF_OS = 0  # os: fold f drains oa[i] * ob[j] outputs
OF_EVERY = 1  # ws/is compat: every fold writes its block ob[j]
OF_SPILL = 2  # ws/is: block ob[j] kept on chip if it fits half the OFMAP SRAM, else spilled


class Operand(NamedTuple):
    """The IFMAP or FILTER side of :func:`memory_timeline`: the tiles and the SRAM / channel."""

    kind: int  # TILE_*
    wa: np.ndarray  # float64 words per row fold (TILE_ROW, TILE_UNIQUE)
    wb: np.ndarray  # float64 words per column fold (TILE_COL, TILE_UNIQUE)
    full: np.ndarray  # float64 words per fold (TILE_UNIQUE_FULL)
    cap: float  # SRAM words (both halves)
    bw: float  # DRAM words per cycle


class Ofmap(NamedTuple):
    """The OFMAP side of :func:`memory_timeline`."""

    mode: int  # OF_*
    a: np.ndarray  # float64 words per row fold (OF_OS)
    b: np.ndarray  # float64 words per column fold
    cap: float  # SRAM words
    bw: float  # drain words per cycle


class Sram(NamedTuple):
    """State of one operand SRAM (:func:`_access`)."""

    resident: np.ndarray  # bool per reusable tile: in the SRAM now
    fetched: np.ndarray  # bool per reusable tile: fetched before
    q_id: np.ndarray  # int64 ring buffer of the resident tiles' ids (-1: a one-fold tile)
    q_w: np.ndarray  # float64 ring buffer of their words
    st: np.ndarray  # float64[N_SRAM], the entries below


# ``Sram.st`` (float64[N_SRAM])
_HEAD = 0  # ring-buffer index of the oldest resident tile
_SIZE = 1  # resident tiles
_OCCUPIED = 2  # words held by the resident tiles
_DRAM = 3  # DRAM words fetched
_REFETCHED = 4  # of which fetched again after an eviction
_EVICTIONS = 5  # tiles evicted
N_SRAM = 6

# timeline state carried from chunk to chunk of column folds (float64[N_TIMELINE], :func:`_folds`)
_OFMAP_WRITES = 0  # DRAM OFMAP writes
_OFMAP_READS = 1  # DRAM OFMAP (partial-sum) reads
_STALLS = 2  # stall cycles
_IF_FREE = 3  # time at which the IFMAP DRAM channel is free
_FL_FREE = 4  # time at which the FILTER DRAM channel is free
_DRAIN_PREV = 5  # OFMAP drain end of fold f - 1
_DRAIN_PREV2 = 6  # OFMAP drain end of fold f - 2
_START = 7  # start of the current fold
_FILL = 8  # start of fold 0 (the initial fill)
_FOLD = 9  # index of the next fold
_IF_FIRST = 10  # IFMAP words of the first fold
_FL_FIRST = 11  # FILTER words of the first fold
N_TIMELINE = 12


class Timeline(NamedTuple):
    """What :func:`memory_timeline` returns (cycles and words, float)."""

    stalls: float  # stall cycles
    fill: float  # initial fill cycles (before fold 0 starts)
    drain: float  # final OFMAP drain cycles after the last fold
    dram_ifmap_reads: float
    dram_filter_reads: float
    dram_ofmap_writes: float
    dram_ofmap_reads: float
    compute_end: float  # end cycle of compute (incl. stalls), counted from the fill's end
    ifmap_refetched: float  # IFMAP words fetched again after an eviction
    filter_refetched: float
    ifmap_evictions: float  # IFMAP tiles evicted
    filter_evictions: float
    ifmap_first_fold: float  # IFMAP words of the first fold
    filter_first_fold: float


@jit
def _tile(kind, i, j, f, wa, wb, full):
    """(tile id or -1 for a tile used by one fold only, words) of fold ``(i, j)``."""
    if kind == TILE_ROW:
        return i, wa[i]
    if kind == TILE_COL:
        return j, wb[j]
    if kind == TILE_UNIQUE:
        return -1, wa[i] * wb[j]
    return -1, full[f]


@jit
def _access(tid, w, cap, sram):
    """One fold's access to one operand SRAM (FIFO of whole tiles, module docstring).

    ``sram``: the SRAM's :class:`Sram` state, updated; ``cap``: its words. Returns the words
    fetched (0 on a hit)."""
    resident, fetched, q_id, q_w, st = sram
    if w <= 0.0:
        return 0.0
    if tid >= 0 and resident[tid]:
        return 0.0
    st[_DRAM] += w
    if tid >= 0:
        if fetched[tid]:
            st[_REFETCHED] += w
        fetched[tid] = True
    n = q_id.shape[0]
    if w > cap:  # streamed through: evicts everything, not resident afterwards
        while st[_SIZE] > 0:
            h = int(st[_HEAD])
            if q_id[h] >= 0:
                resident[q_id[h]] = False
            st[_HEAD] = (h + 1) % n
            st[_SIZE] -= 1
            st[_EVICTIONS] += 1
        st[_OCCUPIED] = 0.0
        return w
    while st[_OCCUPIED] + w > cap:
        h = int(st[_HEAD])
        if q_id[h] >= 0:
            resident[q_id[h]] = False
        st[_OCCUPIED] -= q_w[h]
        st[_HEAD] = (h + 1) % n
        st[_SIZE] -= 1
        st[_EVICTIONS] += 1
    if st[_SIZE] >= n:
        raise RuntimeError("memory_timeline: ring buffer of resident tiles too small")
    t = (int(st[_HEAD]) + int(st[_SIZE])) % n
    q_id[t] = tid
    q_w[t] = w
    st[_SIZE] += 1
    st[_OCCUPIED] += w
    if tid >= 0:
        resident[tid] = True
    return w


@jit
def _folds(j0, j1, rf, fold_len, stall_reads, ifm, flt, ofm, if_sram, fl_sram, sv):
    """Column folds ``[j0, j1)`` of :func:`memory_timeline` (``ifm``, ``flt``: :class:`Operand`,
    ``ofm``: :class:`Ofmap`, ``if_sram``, ``fl_sram``: :class:`Sram`); the timeline state is
    carried in ``sv`` (float64[N_TIMELINE], the ``_OFMAP_WRITES`` ... ``_FL_FIRST`` entries
    above)."""
    if_bw, fl_bw, of_bw, of_cap, of_mode = ifm.bw, flt.bw, ofm.bw, ofm.cap, ofm.mode
    of_a, of_b = ofm.a, ofm.b
    dram_ow, dram_or, stalls = sv[_OFMAP_WRITES], sv[_OFMAP_READS], sv[_STALLS]
    if_free, fl_free = sv[_IF_FREE], sv[_FL_FREE]
    drain_end_prev, drain_end_prev2 = sv[_DRAIN_PREV], sv[_DRAIN_PREV2]
    start, fill, f = sv[_START], sv[_FILL], int(sv[_FOLD])  # fold 0 issues at 0
    for j in range(j0, j1):
        for i in range(rf):
            # the tiles of fold f are prefetched from the moment fold f-1 starts
            issue = start
            ready = issue
            ti, w = _tile(ifm.kind, i, j, f, ifm.wa, ifm.wb, ifm.full)
            w = _access(ti, w, ifm.cap, if_sram)
            if f == 0:
                sv[_IF_FIRST] = w
            if w > 0:
                if_free = max(issue, if_free) + w / if_bw
                ready = max(ready, if_free)
            tf, w = _tile(flt.kind, i, j, f, flt.wa, flt.wb, flt.full)
            w = _access(tf, w, flt.cap, fl_sram)
            if f == 0:
                sv[_FL_FIRST] = w
            if w > 0:
                fl_free = max(issue, fl_free) + w / fl_bw
                ready = max(ready, fl_free)
            # OFMAP words drained after this fold, partial sums read back before it
            ow = 0.0
            orr = 0.0
            if of_mode == OF_OS:
                ow = of_a[i] * of_b[j]
            elif of_mode == OF_EVERY:
                ow = of_b[j]
            elif of_b[j] <= of_cap // 2:
                ow = of_b[j] if i == rf - 1 else 0.0
            else:
                ow = of_b[j]
                orr = of_b[j] if i > 0 else 0.0
            if orr > 0:
                dram_or += orr
                if_free = max(issue, if_free) + orr / if_bw
                ready = max(ready, if_free)
            if f == 0:
                start = ready if stall_reads else 0.0
                fill = start
            else:
                earliest = start + fold_len
                s = earliest
                if stall_reads and ready > s:
                    s = ready
                # the OFMAP half this fold writes must have been drained (fold f-2's data)
                if drain_end_prev2 > s:
                    s = drain_end_prev2
                stalls += s - earliest
                start = s
            end = start + fold_len
            drain_end_prev2 = drain_end_prev
            if ow > 0:
                dram_ow += ow
                drain_end_prev = max(end, drain_end_prev) + ow / of_bw
            f += 1
    sv[_OFMAP_WRITES], sv[_OFMAP_READS], sv[_STALLS] = dram_ow, dram_or, stalls
    sv[_IF_FREE], sv[_FL_FREE] = if_free, fl_free
    sv[_DRAIN_PREV], sv[_DRAIN_PREV2] = drain_end_prev, drain_end_prev2
    sv[_START], sv[_FILL], sv[_FOLD] = start, fill, f


def memory_timeline(
    *,
    rf: int,
    cf: int,
    fold_len: float,
    ifmap: Operand,
    filt: Operand,
    ofmap: Ofmap,
    stall_reads: bool,
    nq_if: int,
    nq_fl: int,
    progress: bool = False,
) -> Timeline:
    """Replay the ``rf x cf`` folds in order against the double-buffered SRAMs (keyword
    arguments only).

    ``ifmap``, ``filt``: the IFMAP and FILTER :class:`Operand` (tile kind ``TILE_*`` with its
    per row fold / per column fold / per fold word counts, SRAM words, DRAM words/cycle);
    ``ofmap``: the :class:`Ofmap` (mode ``OF_*``, words per row fold and per column fold, SRAM
    words, drain words/cycle). ``stall_reads`` = False is CALC mode (reads never stall, as in
    SCALE-Sim). ``nq_if``, ``nq_fl``: sizes of the ring buffers of resident tiles (more than the
    most tiles an SRAM can hold: ``cap // smallest tile + 1``, at most one per fold). Returns a
    :class:`Timeline` (stalls, fill and drain cycles, DRAM words, refetches, evictions). The
    folds run in chunks of column folds (a progress bar when ``progress`` and there are more
    than 2^24 folds); memory does not depend on their number.
    """
    from lognum._progress import Progress

    def n_tiles(kind, wa, wb):
        return wa.shape[0] if kind == TILE_ROW else (wb.shape[0] if kind == TILE_COL else 1)

    def sram(n_tiles: int, nq: int) -> Sram:
        return Sram(
            np.zeros(n_tiles, np.bool_),
            np.zeros(n_tiles, np.bool_),
            np.empty(nq, np.int64),
            np.empty(nq, np.float64),
            np.zeros(N_SRAM),
        )

    if_sram = sram(n_tiles(ifmap.kind, ifmap.wa, ifmap.wb), nq_if)
    fl_sram = sram(n_tiles(filt.kind, filt.wa, filt.wb), nq_fl)
    sv = np.zeros(N_TIMELINE)
    step = max(1, (1 << 22) // max(rf, 1))  # column folds per chunk (~4 M folds)
    show = bool(progress) and rf * cf > (1 << 24)
    with Progress(cf, "lognum sim: memory model (column folds)", enabled=show) as bar:
        for j0 in range(0, cf, step):
            j1 = min(cf, j0 + step)
            _folds(j0, j1, rf, fold_len, stall_reads, ifmap, filt, ofmap, if_sram, fl_sram, sv)
            bar.update(j1 - j0)
    end_all = sv[_START] + fold_len
    return Timeline(
        stalls=sv[_STALLS],
        fill=sv[_FILL],
        drain=max(0.0, sv[_DRAIN_PREV] - end_all),
        dram_ifmap_reads=if_sram.st[_DRAM],
        dram_filter_reads=fl_sram.st[_DRAM],
        dram_ofmap_writes=sv[_OFMAP_WRITES],
        dram_ofmap_reads=sv[_OFMAP_READS],
        compute_end=end_all - sv[_FILL],
        ifmap_refetched=if_sram.st[_REFETCHED],
        filter_refetched=fl_sram.st[_REFETCHED],
        ifmap_evictions=if_sram.st[_EVICTIONS],
        filter_evictions=fl_sram.st[_EVICTIONS],
        ifmap_first_fold=sv[_IF_FIRST],
        filter_first_fold=sv[_FL_FIRST],
    )
