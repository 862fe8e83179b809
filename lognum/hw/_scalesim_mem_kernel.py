"""Numba kernels: SCALE-Sim 3.0.0's memory system (USER and CALC bandwidth modes), replayed
address by address.

Used by :func:`lognum.hw.sim.simulate` when ``scalesim_compat=True`` (and one MAC per PE per
cycle). It is an independent reimplementation of the behaviour of SCALE-Sim's
``memory/read_buffer.py`` (USER), ``memory/read_buffer_estimate_bw.py`` (CALC),
``memory/write_buffer.py`` and ``double_buffered_scratchpad_mem.service_memory_requests``
(docs/simulator.md), written from reading that code; its quirks are reproduced on purpose.
USER mode first (the CALC read buffer is described at the end):

**Addresses.** Operands are identified by SCALE-Sim's im2col addresses without the offsets
(``operand_matrix.py``): IFMAP ``((b H + h) W + w) Cin + c`` (``-1`` when the window leaves the
input, SCALE-Sim's ``ceil`` output size), FILTER ``n K + k``; OFMAP addresses are not needed (the
write buffer only counts). A GEMM is the convolution ``H = M``, ``W = S = K``, ``Cin = 1``.

**Prefetch order.** Per operand, the operand matrix cut into folds and stacked
(os: IFMAP row folds and FILTER column folds; ws: IFMAP row folds of the reduction, FILTER
column folds; is: IFMAP column folds, FILTER row folds), each fold padded with ``-1`` to the
array width, then read either along anti-diagonals (os both, ws IFMAP, is FILTER) or row by row
(ws FILTER, is IFMAP). This sequence is cut into DRAM lines of ``bw`` words (the USER
bandwidth of the operand; the last line padded) and, skipping ``-1``, into 100-ish *sets* of
``ceil(SRAM words / 100)`` addresses (the last set partial, possibly empty).

**Read buffer (IFMAP, FILTER).** Half the SRAM (``ceil(words/2)``) is active, the rest
prefetch. The active window is ``A = min(ceil(active/set), sets)`` consecutive sets (circular),
starting at set 0; ``P = min(ceil(prefetch/set), sets - A)``. Before cycle 0,
``nA = min(ceil(active/bw), lines)`` DRAM lines arrive at cycles ``-nA .. -1``. Each demanded
address (row by row, port by port) that is in none of the window's sets triggers a *new
prefetch*, repeated until it hits: the window moves by ``P`` sets, ``ceil(prefetch/bw)`` lines
are counted (``x bw`` words, padding included) and requested back to back after the previous
prefetch (``last += lines + 1``, DRAM read latency 1), *not* at the current cycle; then with
``p = last - (cycle + offset)`` the row's offset (start 1 = hit latency) grows by ``p`` and, if
``p > 0``, by ``p`` again (SCALE-Sim#130: positive stalls count twice, negative ones shorten
the offset). The row is served at ``cycle + offset``.

**Write buffer (OFMAP).** Each written element fills DRAM lines of ``bw`` (= ``Bandwidth``)
words; when the free space falls below the active half, the open partial line is closed and a
drain of ``ceil(drain half / bw)`` lines starts at the current cycle (one line per cycle, write
latency 0), freeing the line words (only the last drained line's padding is subtracted, so a
closed partial line in the middle of a drain counts as full). While a drain runs and the
buffer is full, the row waits for the drain end. After the last row, everything left drains
from the last row's service cycle on.

**Stalls and reports.** Row ``i`` is requested at ``i + stalls``; its stall is
``max(ifmap - cycle - 1, filter - cycle - 1, ofmap - cycle)`` (never negative, as the OFMAP
term is >= 0). Total Cycles = the largest OFMAP service cycle; Total Cycles (incl. prefetch) =
last OFMAP drain cycle - first IFMAP/FILTER DRAM cycle; DRAM start/stop cycles are the first and
last DRAM line cycles of each operand; SRAM start/stop cycles are the service cycles of the
first and last demand rows with an address.

Not modelled (SCALE-Sim options outside this path): custom SRAM layouts with bank conflicts
(``IfmapCustomLayout`` / ``FilterCustomLayout: True``), Ramulator latency traces
(``UseRamulatorTrace: True``) and sparsity; :func:`lognum.hw.config.read_scalesim_config`
ignores the first two and rejects sparsity. Edge cases differing by construction: a demanded
address in no set would make SCALE-Sim loop forever (here it counts as a hit; it cannot happen
for the three dataflows), and SRAMs below 2 words, which SCALE-Sim cannot advance through, are
rejected by the caller.

**CALC mode** (``user_memory(..., calc=True)``): the read buffers are SCALE-Sim's estimate
buffers and the write buffer above drains at ``cols`` words/cycle. No prefetch matrices: each
demanded address (row by row, port by port) that is neither in a *closed* set of the active
window nor in the open set joins the open set; a set closes at ``floor(SRAM words / 100)``
addresses. When the closed set completes the 50-set window, the window's prefetch is logged
in the DRAM trace and the window moves on by 50 sets, evicting those just fetched (the new
window starts empty, so only reuse since the last closure hits). The first logged prefetch
covers ``ceil(50 set / 10)`` cycles ending at (first demand cycle - 2); each later one covers
the cycles from the end of the previous one to the cycle of the previous closure (bandwidth =
``ceil(words / cycles)``, so the trace has one row per cycle), all shifted by the DRAM latency
of 1. After the last row the remaining sets are prefetched the same way (or, if no window ever
closed, all of them at 10 words/cycle ending at cycle -2). DRAM reads = addresses put in
sets; DRAM start/stop = first/last trace row; reads are served at the hit latency (no
stalls). State: :func:`calc_state`, :func:`_est_access`, :func:`_est_complete`.

The reports this replay gives equal SCALE-Sim 3.0.0's byte for byte on the committed fixtures
(``tests/hw/test_user_compat.py``, ``tests/hw/test_compat.py``).
"""

from __future__ import annotations

import numpy as np

from lognum._kernels.jit import jit, jit_inline


@jit_inline
def _ifmap_addr(m, k, g, hwc):
    """IFMAP address of im2col element (m, k), or -1 outside the input ``hwc = [H, W, Cin, ...]``.

    ``g`` (int64, 6 x max(M, K)) holds the decomposition precomputed by the caller, so there
    is no division here: rows 0-2 per output pixel ``m``: ``b H`` (image offset),
    ``e stride`` (top row), ``f stride`` (left column); rows 3-5 per window index ``k``:
    filter row, filter column, channel."""
    h = g[1, m] + g[3, k]
    w = g[2, m] + g[4, k]
    if h >= hwc[0] or w >= hwc[1]:
        return -1
    return ((g[0, m] + h) * hwc[1] + w) * hwc[2] + g[5, k]


@jit_inline
def _elem(op, major, first, second, g, hwc, K):
    """Address of operand ``op`` (0 IFMAP M x K, 1 FILTER K x N) at (first, second) when
    ``major`` else at (second, first)."""
    if major:
        i, j = first, second
    else:
        i, j = second, first
    if op == 0:
        return _ifmap_addr(i, j, g, hwc)
    return j * K + i


@jit
def prefetch_sequence(op, major, nblk, T1, W1, lim, rolled, g, hwc, K, out):
    """Fill ``out`` (int64, ``nblk*T1*W1``) with the prefetch order of one operand.

    The stacked matrix has ``nblk`` blocks of ``T1`` rows and ``W1`` columns; element
    (a T1 + t, j) is the operand at fold index ``a W1 + j`` (``-1`` past ``lim``) and temporal
    index ``t``. ``rolled``: read along anti-diagonals (bottom-left to top-right), else row by
    row."""
    Mp = nblk * T1
    Np = W1
    idx = 0
    if rolled:
        for d in range(Mp + Np):
            rmax = min(d, Mp - 1)
            rmin = max(0, d - Np + 1)
            for row in range(rmax, rmin - 1, -1):
                col = d - row
                a = row // T1
                t = row - a * T1
                x = a * W1 + col
                out[idx] = -1 if x >= lim else _elem(op, major, x, t, g, hwc, K)
                idx += 1
    else:
        for row in range(Mp):
            a = row // T1
            t = row - a * T1
            for col in range(Np):
                x = a * W1 + col
                out[idx] = -1 if x >= lim else _elem(op, major, x, t, g, hwc, K)
                idx += 1
    return idx


@jit
def build_sets(seq, eps, space, ptr, last):
    """Count, per address, the distinct sets holding it (sets of ``eps`` valid entries in
    order). ``ptr`` (int64, space + 1) receives the CSR row pointers; ``last`` (int64, space)
    is scratch. Returns the number of valid entries."""
    ptr[:] = 0
    last[:] = -1
    v = 0
    for i in range(seq.shape[0]):
        a = seq[i]
        if a >= 0:
            s = v // eps
            if last[a] != s:
                last[a] = s
                ptr[a + 1] += 1
            v += 1
    for a in range(space):
        ptr[a + 1] += ptr[a]
    return v


@jit
def fill_sets(seq, eps, ptr, last, pos, sets):
    """Second pass of :func:`build_sets`: ``sets[ptr[a]:ptr[a+1]]`` = sorted sets of ``a``."""
    last[:] = -1
    pos[:] = ptr[:-1]
    v = 0
    for i in range(seq.shape[0]):
        a = seq[i]
        if a >= 0:
            s = v // eps
            if last[a] != s:
                last[a] = s
                sets[pos[a]] = s
                pos[a] += 1
            v += 1


@jit_inline
def _hit(a, s0, A, n, ptr, sets):
    """Is address ``a`` in one of the ``A`` sets of the circular window starting at set
    ``s0`` (of ``n``)? ``sets[ptr[a]:ptr[a+1]]``: the sorted sets holding ``a``."""
    if A >= n:
        return True
    lo = ptr[a]
    hi = ptr[a + 1]
    if lo == hi:
        return True  # never prefetched (cannot happen); SCALE-Sim would not terminate
    e = s0 + A
    l, h = lo, hi
    while l < h:  # first set >= s0
        mid = (l + h) >> 1
        if sets[mid] < s0:
            l = mid + 1
        else:
            h = mid
    if l < hi and sets[l] < min(e, n):
        return True
    return e > n and sets[lo] < e - n


@jit_inline
def _drain(start, ds, nlines, per_drain, bw, pidx, pfill, npart, pp):
    """One drain of the write buffer from cycle ``start``: up to ``per_drain`` lines from line
    ``ds``, one per cycle. Returns (last cycle, new ds, words, partial-line pointer, lines)."""
    end = min(ds + per_drain, nlines)
    num = end - ds
    fill = bw
    while pp < npart and pidx[pp] < end - 1:
        pp += 1
    if pp < npart and pidx[pp] == end - 1:
        fill = pfill[pp]  # only the last line's padding is not counted
    return start + num - 1, end, (num - 1) * bw + fill, pp, num


# ---- CALC mode: SCALE-Sim's estimate read buffer (``memory/read_buffer_estimate_bw.py``)

# state layout (int64 array of N_EST entries)
EST_SET = 0  # addresses per set: floor(SRAM words / 100)
EST_CUR = 1  # id of the open set
EST_ELEMS = 2  # addresses in the open set
EST_RS = 3  # first set of the active window
EST_NA = 4  # sets in the active window (50)
EST_NP = 5  # sets per prefetch / eviction (50)
EST_DONE = 6  # the active window's fill has been issued
EST_LSTART = 7  # last prefetch window: first cycle
EST_LEND = 8  # last prefetch window: last cycle
EST_FIRST = 9  # cycle of the first demand row with an address
EST_FIRST_SEEN = 10
EST_DSTART = 11  # first DRAM trace cycle
EST_DSTOP = 12  # last DRAM trace cycle
EST_DSEEN = 13
EST_COUNT = 14  # DRAM reads (addresses prefetched)
EST_BW0 = 15  # bandwidth of the first fill (10 words/cycle)
EST_ERR = 16  # a prefetch window of <= 0 cycles: SCALE-Sim fails (division by zero / reshape)
N_EST = 17


def calc_state(words):
    """Initial estimate-buffer state for an SRAM of ``words`` words (>= 100)."""
    st = np.zeros(N_EST, np.int64)
    st[EST_SET] = words // 100
    st[EST_NA] = 50
    st[EST_NP] = 50
    st[EST_LSTART] = -2
    st[EST_LEND] = -1
    st[EST_BW0] = 10
    return st


@jit_inline
def _est_rows(st, start, stop):
    """One prefetch recorded in the DRAM trace: rows ``start .. stop`` (already shifted by the
    DRAM latency of 1)."""
    if stop < start:
        st[EST_ERR] = 1
        return
    if st[EST_DSEEN] == 0:
        st[EST_DSEEN] = 1
        st[EST_DSTART] = start
    st[EST_DSTOP] = stop


@jit_inline
def _est_access(a, cycle, st, last):
    """One demanded address ``a`` at ``cycle`` in an estimate read buffer.

    ``last[a]``: the latest set ``a`` was put in. SCALE-Sim checks only the *closed* sets of
    the active window (a hit), then the open set; otherwise ``a`` joins the open set. When
    the set closed fills the window, the window's prefetch is issued: the first one (the
    active half) at 10 words/cycle ending 2 cycles before the first demand, the later ones
    spread over the cycles between the two previous window closures (bandwidth rounded up,
    so the trace has exactly that many rows); then the oldest 50 sets are evicted, so the
    new window starts empty (its sets fill with the addresses that now miss)."""
    s = last[a]
    cur = st[EST_CUR]
    if s == cur:
        return
    rs = st[EST_RS]
    if s >= rs and s < min(cur, rs + st[EST_NA]):
        return
    last[a] = cur
    st[EST_COUNT] += 1
    st[EST_ELEMS] += 1
    if st[EST_ELEMS] == st[EST_SET]:
        st[EST_ELEMS] = 0
        cur += 1
        st[EST_CUR] = cur
        if cur == rs + st[EST_NA]:
            if st[EST_DONE] == 0:
                st[EST_LEND] = st[EST_FIRST] - 2  # first demand - 1 - DRAM latency
                cn = (st[EST_NP] * st[EST_SET] + st[EST_BW0] - 1) // st[EST_BW0]
                st[EST_LSTART] = st[EST_LEND] - cn + 1
                st[EST_DONE] = 1
            _est_rows(st, st[EST_LSTART] + 1, st[EST_LEND] + 1)
            st[EST_RS] = rs + st[EST_NP]
            st[EST_LSTART] = st[EST_LEND] + 1
            st[EST_LEND] = cycle


@jit_inline
def _est_complete(st):
    """SCALE-Sim's ``complete_all_prefetches``: the open set (if not empty) is prefetched
    with the sets since the last window; without any earlier window, everything at 10
    words/cycle ending at cycle -2, else over the cycles of the last window."""
    if st[EST_ELEMS] == 0:
        st[EST_CUR] -= 1
    if st[EST_DONE] == 0:
        st[EST_LEND] = -2
        cn = ((st[EST_CUR] + 1) * st[EST_SET] + st[EST_BW0] - 1) // st[EST_BW0]
        st[EST_LSTART] = st[EST_LEND] - cn + 1
        st[EST_DONE] = 1
    _est_rows(st, st[EST_LSTART] + 1, st[EST_LEND] + 1)


# ---- USER mode: state of a read buffer (int64[N_RB]), set by the caller after the initial
# fill and updated by :func:`user_memory`
RB_START = 0  # first set of the active window
RB_WINDOW = 1  # sets in the active window (A)
RB_SETS = 2  # sets in all
RB_SHIFT = 3  # sets the window moves per new prefetch (P)
RB_LINES = 4  # DRAM lines per new prefetch
RB_BW = 5  # words per DRAM line (the operand's bandwidth)
RB_LAST = 6  # cycle of the last DRAM line requested
RB_WORDS = 7  # DRAM words read (padding included)
N_RB = 8

# ---- what :func:`user_memory` writes into ``out`` (int64[N_OUT]), both modes
OUT_STALLS = 0  # stall cycles
OUT_TOTAL = 1  # total cycles: the largest OFMAP service cycle
OUT_SRAM_IFMAP_START = 2  # service cycles of the first and last demand rows with an address
OUT_SRAM_IFMAP_STOP = 3
OUT_SRAM_FILTER_START = 4
OUT_SRAM_FILTER_STOP = 5
OUT_SRAM_OFMAP_START = 6
OUT_SRAM_OFMAP_STOP = 7
OUT_DRAM_OFMAP_START = 8  # first and last cycle of the OFMAP drains
OUT_DRAM_OFMAP_STOP = 9
OUT_DRAM_OFMAP_WRITES = 10  # words drained to DRAM
OUT_LAST_OFMAP = 11  # OFMAP service cycle of the last row
OUT_ROWS = 12  # demand rows replayed
OUT_SEEN = 13  # which SRAM start/stop were seen: bit 0 IFMAP, 1 FILTER, 2 OFMAP
OUT_OFMAP_WRITTEN = 14  # 1 if the OFMAP was written to DRAM
OUT_DRAINS = 15  # OFMAP drains
N_OUT = 16


@jit
def user_memory(
    df,
    R,
    C,
    M,
    N,
    K,
    g,
    hwc,
    if_ptr,
    if_sets,
    fl_ptr,
    fl_sets,
    if_st,
    fl_st,
    of_words,
    of_bw,
    out,
    calc,
    if_last,
    fl_last,
):
    """Replay the demand rows of all folds (column folds outer, row folds inner) against the
    two read buffers and the write buffer (module docstring).

    ``g``, ``hwc``: IFMAP geometry (:func:`_ifmap_addr`). ``*_ptr``, ``*_sets``: sets holding
    each address (:func:`build_sets`, :func:`fill_sets`). ``if_st`` / ``fl_st``: int64[N_RB]
    read-buffer states (``RB_*`` above), set by the caller after the initial fill and updated
    here. ``of_words``: OFMAP SRAM words; ``of_bw``: drain bandwidth. Writes into ``out``
    (int64[N_OUT]) the ``OUT_*`` entries above.

    ``calc``: CALC mode instead; the read buffers are SCALE-Sim's estimate buffers
    (:func:`_est_access`): ``if_st`` / ``fl_st`` are their int64[N_EST] states
    (:func:`calc_state`), ``if_last`` / ``fl_last`` int64 scratch of one entry per address
    filled with -1, ``*_ptr`` / ``*_sets`` unused. Reads never stall; after the last row the
    estimate buffers run their final prefetch (:func:`_est_complete`).
    """
    if df == 0:
        rf = (M + R - 1) // R
        cf = (N + C - 1) // C
        Lf = K + R + C - 2
    elif df == 1:
        rf = (K + R - 1) // R
        cf = (N + C - 1) // C
        Lf = 2 * R + C + M - 2
    else:
        rf = (K + R - 1) // R
        cf = (M + C - 1) // C
        Lf = 2 * R + C + N - 2
    # read buffers: window start, window sets, sets, shift, lines/prefetch, bw, last, words
    i_s0, i_A, i_n, i_P = if_st[RB_START], if_st[RB_WINDOW], if_st[RB_SETS], if_st[RB_SHIFT]
    i_nP, i_bw, i_last, i_cnt = if_st[RB_LINES], if_st[RB_BW], if_st[RB_LAST], if_st[RB_WORDS]
    f_s0, f_A, f_n, f_P = fl_st[RB_START], fl_st[RB_WINDOW], fl_st[RB_SETS], fl_st[RB_SHIFT]
    f_nP, f_bw, f_last, f_cnt = fl_st[RB_LINES], fl_st[RB_BW], fl_st[RB_LAST], fl_st[RB_WORDS]
    # write buffer: free words, words in the open line, closed lines, first undrained line,
    # drain end cycle, words drained, closed partial lines (line index, fill) not yet passed
    active = (of_words + 1) // 2
    per_drain = (of_words - active + of_bw - 1) // of_bw
    free = of_words
    line_w = 0
    nlines = 0
    ds = 0
    drain_end = 0
    w_cnt = 0
    w_seen = 0
    w_min = 0
    w_max = 0
    drains = 0
    cap = 1024
    pidx = np.empty(cap, np.int64)
    pfill = np.empty(cap, np.int64)
    npart = 0
    pp = 0
    ibuf = np.empty(max(R, C), np.int64)
    fbuf = np.empty(max(R, C), np.int64)
    stalls = 0
    total = -(1 << 62)
    s_if0 = s_if1 = s_fl0 = s_fl1 = s_of0 = s_of1 = 0
    seen = 0
    last_of = 0
    row = 0
    for fc in range(cf):
        for fr in range(rf):
            for t in range(Lf):
                cycle = row + stalls
                row += 1
                # ---- IFMAP: the row's addresses in port order, then served one by one
                ni = 0
                # (each port loop runs over the ports with an element in this row only, in
                # port order: the skew makes the others idle)
                if df == 0:  # port r: element (m, u) = (fr R + r, t - r)
                    for r in range(max(0, t - K + 1), min(R, t + 1, M - fr * R)):
                        a = _ifmap_addr(fr * R + r, t - r, g, hwc)
                        if a >= 0:
                            ibuf[ni] = a
                            ni += 1
                elif df == 1:  # port r: element (m, k) = (t - r - R, fr R + r)
                    for r in range(max(0, t - R - M + 1), min(R, t - R + 1, K - fr * R)):
                        a = _ifmap_addr(t - r - R, fr * R + r, g, hwc)
                        if a >= 0:
                            ibuf[ni] = a
                            ni += 1
                elif t < R:
                    k = fr * R + R - 1 - t
                    if k < K:
                        for c in range(min(C, M - fc * C)):
                            a = _ifmap_addr(fc * C + c, k, g, hwc)
                            if a >= 0:
                                ibuf[ni] = a
                                ni += 1
                off = 1
                if calc:
                    if ni > 0 and if_st[EST_FIRST_SEEN] == 0:
                        if_st[EST_FIRST_SEEN] = 1
                        if_st[EST_FIRST] = cycle
                    for j in range(ni):
                        _est_access(ibuf[j], cycle, if_st, if_last)
                    ni_loop = 0
                else:
                    ni_loop = ni
                for j in range(ni_loop):
                    # new prefetches until the address is in the active window (written out
                    # here: a tuple-returning helper measured ~3x slower)
                    while not _hit(ibuf[j], i_s0, i_A, i_n, if_ptr, if_sets):
                        i_s0 = (i_s0 + i_P) % i_n
                        i_cnt += i_nP * i_bw
                        i_last += i_nP + 1
                        p = i_last - (cycle + off)
                        off += p
                        if p > 0:
                            off += p  # SCALE-Sim#130: a positive stall is added twice
                if_out = cycle + off
                # ---- FILTER
                nf = 0
                if df == 0:  # port c: element (n, u) = (fc C + c, t - c)
                    for c in range(max(0, t - K + 1), min(C, t + 1, N - fc * C)):
                        fbuf[nf] = (fc * C + c) * K + t - c
                        nf += 1
                elif df == 1:
                    if t < R:
                        k = fr * R + R - 1 - t
                        if k < K:
                            for c in range(min(C, N - fc * C)):
                                fbuf[nf] = (fc * C + c) * K + k
                                nf += 1
                else:  # port r: element (n, k) = (t - r - R, fr R + r)
                    for r in range(max(0, t - R - N + 1), min(R, t - R + 1, K - fr * R)):
                        fbuf[nf] = (t - r - R) * K + fr * R + r
                        nf += 1
                off = 1
                if calc:
                    if nf > 0 and fl_st[EST_FIRST_SEEN] == 0:
                        fl_st[EST_FIRST_SEEN] = 1
                        fl_st[EST_FIRST] = cycle
                    for j in range(nf):
                        _est_access(fbuf[j], cycle, fl_st, fl_last)
                    nf_loop = 0
                else:
                    nf_loop = nf
                for j in range(nf_loop):
                    while not _hit(fbuf[j], f_s0, f_A, f_n, fl_ptr, fl_sets):
                        f_s0 = (f_s0 + f_P) % f_n
                        f_cnt += f_nP * f_bw
                        f_last += f_nP + 1
                        p = f_last - (cycle + off)
                        off += p
                        if p > 0:
                            off += p
                fl_out = cycle + off
                # ---- OFMAP: elements written in this row (addresses do not matter)
                # (the columns c with an element, counted in closed form: os column c writes
                # row u = t - (K - 1) - c of the fold, 0 <= u < R, if fr R + R - 1 - u < M;
                # ws / is column c writes slot u = t - c - (2R - 1), 0 <= u < T)
                if df == 0:
                    u0 = t - (K - 1)
                    lo = max(0, u0 - R + 1)
                    hi = min(C, u0 + 1, u0 - fr * R - R + 1 + M, N - fc * C)
                else:
                    T = M if df == 1 else N
                    lim = N if df == 1 else M
                    u0 = t - (2 * R - 1)
                    lo = max(0, u0 - T + 1)
                    hi = min(C, u0 + 1, lim - fc * C)
                nw = max(0, hi - lo)
                cur = cycle
                for _ in range(nw):
                    line_w += 1
                    free -= 1
                    if line_w == of_bw:
                        nlines += 1
                        line_w = 0
                    if cur < drain_end:
                        if free <= 0:
                            cur = drain_end  # buffer full while draining: wait
                    elif free < active:
                        if line_w != 0:  # close the open partial line
                            if npart == cap:
                                cap *= 2
                                pidx = _grow(pidx, cap)
                                pfill = _grow(pfill, cap)
                            pidx[npart] = nlines
                            pfill[npart] = line_w
                            npart += 1
                            nlines += 1
                            line_w = 0
                        if ds < nlines:
                            stop, ds, words, pp, num = _drain(
                                cur, ds, nlines, per_drain, of_bw, pidx, pfill, npart, pp
                            )
                            drains += 1
                            w_cnt += words
                            free += words
                            if w_seen == 0:
                                w_min, w_max, w_seen = cur, stop, 1
                            else:
                                w_min = min(w_min, cur)
                                w_max = max(w_max, stop)
                            drain_end = stop
                of_out = cur
                last_of = of_out
                if of_out > total:
                    total = of_out
                # ---- SRAM first / last service cycles
                if ni > 0:
                    if not seen & 1:
                        s_if0 = if_out
                        seen |= 1
                    s_if1 = if_out
                if nf > 0:
                    if not seen & 2:
                        s_fl0 = fl_out
                        seen |= 2
                    s_fl1 = fl_out
                if nw > 0:
                    if not seen & 4:
                        s_of0 = of_out
                        seen |= 4
                    s_of1 = of_out
                stalls += max(if_out - cycle - 1, fl_out - cycle - 1, of_out - cycle)
    # after the last row everything left in the write buffer drains
    if line_w != 0:
        if npart == cap:
            cap *= 2
            pidx = _grow(pidx, cap)
            pfill = _grow(pfill, cap)
        pidx[npart] = nlines
        pfill[npart] = line_w
        npart += 1
        nlines += 1
    cyc = last_of
    while ds < nlines:
        stop, ds, words, pp, num = _drain(cyc, ds, nlines, per_drain, of_bw, pidx, pfill, npart, pp)
        drains += 1
        w_cnt += words
        if w_seen == 0:
            w_min, w_max, w_seen = cyc, stop, 1
        else:
            w_min = min(w_min, cyc)
            w_max = max(w_max, stop)
        cyc = stop + 1
    if calc:
        _est_complete(if_st)
        _est_complete(fl_st)
    else:
        if_st[RB_START], if_st[RB_LAST], if_st[RB_WORDS] = i_s0, i_last, i_cnt
        fl_st[RB_START], fl_st[RB_LAST], fl_st[RB_WORDS] = f_s0, f_last, f_cnt
    out[OUT_STALLS] = stalls
    out[OUT_TOTAL] = total
    out[OUT_SRAM_IFMAP_START], out[OUT_SRAM_IFMAP_STOP] = s_if0, s_if1
    out[OUT_SRAM_FILTER_START], out[OUT_SRAM_FILTER_STOP] = s_fl0, s_fl1
    out[OUT_SRAM_OFMAP_START], out[OUT_SRAM_OFMAP_STOP] = s_of0, s_of1
    out[OUT_DRAM_OFMAP_START] = w_min
    out[OUT_DRAM_OFMAP_STOP] = w_max
    out[OUT_DRAM_OFMAP_WRITES] = w_cnt
    out[OUT_LAST_OFMAP] = last_of
    out[OUT_ROWS] = row
    out[OUT_SEEN] = seen
    out[OUT_OFMAP_WRITTEN] = w_seen
    out[OUT_DRAINS] = drains


@jit_inline
def _grow(x, cap):
    y = np.empty(cap, np.int64)
    y[: x.shape[0]] = x
    return y
