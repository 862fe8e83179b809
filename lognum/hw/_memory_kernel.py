"""Numba kernels of the memory model: im2col tile footprints and the double-buffered
SRAM / DRAM timeline with stalls.

The model works at fold granularity (documented in :func:`lognum.hw.sim.simulate`):
operands live in tiles (the slice of the IFMAP / FILTER operand matrix a fold needs); each SRAM
is double buffered, so while fold ``f`` computes from the active half, the tiles of fold
``f + 1`` are fetched into the other half at the DRAM bandwidth; a fold whose tiles have not
arrived when the previous fold ends stalls. A tile already fetched is reused without DRAM
traffic if the words fetched since then still fit in the SRAM (FIFO replacement). Outputs
(os) or partial sums (ws/is, when an output block does not fit the OFMAP SRAM) are drained to
DRAM at the OFMAP bandwidth; a fold cannot start while the buffer it writes is still draining.

Simplifications (estimates, documented): a tile larger than half its SRAM is modelled as one
prefetch at the same bandwidth (a real design would stream it during the fold); each operand
has its own DRAM channel of the given bandwidth; partial-sum read-back shares the IFMAP channel;
DRAM latency is zero.

This is the model of the default mode (``scalesim_compat=False``) in both bandwidth modes (and
of compat mode with bit-fusion lanes > 1). SCALE-Sim's own per-address models (USER: sets,
back-to-back prefetches, doubled stalls; CALC: the set-based bandwidth estimate) are in
:mod:`lognum.hw._scalesim_mem_kernel`, used by ``scalesim_compat=True`` (:mod:`lognum.hw.sim`
lists the differences).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def memory_timeline(
    fold_len,
    if_tile,
    if_words,
    fl_tile,
    fl_words,
    of_words,
    of_reads,
    if_cap,
    fl_cap,
    of_cap,
    if_bw,
    fl_bw,
    of_bw,
    stall_reads,
    out,
):
    """Replay the folds in order against the double-buffered SRAMs.

    Per fold ``f``: tile ids and word counts of its IFMAP and FILTER tiles (``*_tile``,
    ``*_words``, indexed by tile id), ``of_words[f]`` words drained to DRAM after it and
    ``of_reads[f]`` partial-sum words read back from DRAM before it. Capacities in words (whole
    SRAM), bandwidths in words/cycle. ``stall_reads`` = False is CALC mode (reads never stall,
    as in SCALE-Sim). Writes into ``out`` (float64[8]): stall cycles, initial fill cycles, final
    drain cycles, DRAM IFMAP reads, DRAM FILTER reads, DRAM OFMAP writes, DRAM OFMAP
    reads, end cycle of compute (incl. stalls).
    """
    nf = if_tile.shape[0]
    n_if = if_words.shape[0]
    n_fl = fl_words.shape[0]
    if_last = np.full(n_if, -1.0)  # cumulative words loaded when the tile was last loaded
    fl_last = np.full(n_fl, -1.0)
    if_cum = 0.0
    fl_cum = 0.0
    dram_if = 0.0
    dram_fl = 0.0
    dram_ow = 0.0
    dram_or = 0.0
    stalls = 0.0
    # time at which the DRAM read channel of each operand is free, and OFMAP drain state
    if_free = 0.0
    fl_free = 0.0
    drain_end_prev = 0.0  # drain end of fold f-1
    drain_end_prev2 = 0.0  # drain end of fold f-2
    start = 0.0  # absolute start time of the current fold (fold 0's fetch is issued at 0)
    fill = 0.0
    for f in range(nf):
        # the tiles of fold f are prefetched from the moment fold f-1 starts
        issue = start
        ready = issue
        ti = if_tile[f]
        w = if_words[ti]
        if not (f > 0 and ti == if_tile[f - 1]):
            if not (if_last[ti] >= 0 and if_cum - if_last[ti] + w <= if_cap):
                if_last[ti] = if_cum
                if_cum += w
                dram_if += w
                if_free = max(issue, if_free) + w / if_bw
                ready = max(ready, if_free)
        tf = fl_tile[f]
        w = fl_words[tf]
        if not (f > 0 and tf == fl_tile[f - 1]):
            if not (fl_last[tf] >= 0 and fl_cum - fl_last[tf] + w <= fl_cap):
                fl_last[tf] = fl_cum
                fl_cum += w
                dram_fl += w
                fl_free = max(issue, fl_free) + w / fl_bw
                ready = max(ready, fl_free)
        if of_reads[f] > 0:
            dram_or += of_reads[f]
            if_free = max(issue, if_free) + of_reads[f] / if_bw
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
        if of_words[f] > 0:
            dram_ow += of_words[f]
            drain_end_prev = max(end, drain_end_prev) + of_words[f] / of_bw
    end_all = start + fold_len
    out[0] = stalls
    out[1] = fill
    out[2] = max(0.0, drain_end_prev - end_all)
    out[3] = dram_if
    out[4] = dram_fl
    out[5] = dram_ow
    out[6] = dram_or
    out[7] = end_all - fill
