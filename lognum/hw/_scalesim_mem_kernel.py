"""Numba kernels: SCALE-Sim 3.0.0's USER-bandwidth memory system, replayed address by address.

Used by :func:`lognum.hw.sim.simulate` when ``scalesim_compat=True`` and
``bandwidth_mode == "USER"`` (and one MAC per PE per cycle). It is an independent
reimplementation of the behaviour of SCALE-Sim's ``memory/read_buffer.py``,
``memory/write_buffer.py`` and ``double_buffered_scratchpad_mem.service_memory_requests``
(SYSTOLIC.md §4.4, §4.7), written from reading that code; its quirks are reproduced on purpose:

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

Edge case differing from SCALE-Sim by construction: a demanded address that is in no set would
make SCALE-Sim loop forever; here it counts as a hit (it cannot happen for the three dataflows).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# read-buffer state vector layout (int64)
_ST, _A, _NS, _P, _NP, _BW, _LAST, _CNT = range(8)


@njit(inline="always")
def _ifmap_addr(m, k, g):
    """IFMAP address of im2col element (m, k); g = [H, W, Cin, S, stride, F, EF]."""
    H, W, Cin, S, stride, F, EF = g[0], g[1], g[2], g[3], g[4], g[5], g[6]
    b = m // EF
    p = m - b * EF
    e = p // F
    f = p - e * F
    sc = S * Cin
    cr = k // sc
    q = k - cr * sc
    cc = q // Cin
    ch = q - cc * Cin
    h = e * stride + cr
    w = f * stride + cc
    if h >= H or w >= W:
        return -1
    return ((b * H + h) * W + w) * Cin + ch


@njit(inline="always")
def _elem(op, major, first, second, g, K):
    """Address of operand ``op`` (0 IFMAP M x K, 1 FILTER K x N) at (first, second) when
    ``major`` else at (second, first)."""
    if major:
        i, j = first, second
    else:
        i, j = second, first
    if op == 0:
        return _ifmap_addr(i, j, g)
    return j * K + i


@njit(cache=True, nogil=True)
def prefetch_sequence(op, major, nblk, T1, W1, lim, rolled, g, K, out):
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
                out[idx] = -1 if x >= lim else _elem(op, major, x, t, g, K)
                idx += 1
    else:
        for row in range(Mp):
            a = row // T1
            t = row - a * T1
            for col in range(Np):
                x = a * W1 + col
                out[idx] = -1 if x >= lim else _elem(op, major, x, t, g, K)
                idx += 1
    return idx


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
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


@njit(inline="always")
def _hit(a, st, ptr, sets):
    A = st[_A]
    n = st[_NS]
    if A >= n:
        return True
    lo = ptr[a]
    hi = ptr[a + 1]
    if lo == hi:
        return True  # never prefetched (cannot happen); SCALE-Sim would not terminate
    s0 = st[_ST]
    e = s0 + A
    # first set >= s0
    l, h = lo, hi
    while l < h:
        mid = (l + h) >> 1
        if sets[mid] < s0:
            l = mid + 1
        else:
            h = mid
    if l < hi and sets[l] < min(e, n):
        return True
    if e > n and sets[lo] < e - n:
        return True
    return False


@njit(inline="always")
def _read(a, cycle, offset, st, ptr, sets):
    """Serve one demanded address; returns the row's new offset."""
    while not _hit(a, st, ptr, sets):
        st[_ST] = (st[_ST] + st[_P]) % st[_NS]
        st[_CNT] += st[_NP] * st[_BW]
        st[_LAST] += st[_NP] + 1
        p = st[_LAST] - (cycle + offset)
        offset += p
        if p > 0:
            offset += p
    return offset


@njit(inline="always")
def _drain(start, w, pidx, pfill):
    """Drain up to one drain-half of lines from the write buffer starting at ``start``;
    returns the cycle of the last line. ``w``: write-buffer state (see :func:`user_memory`)."""
    ds = w[3]
    end = min(ds + w[9], w[2])
    num = end - ds
    if num <= 0:
        return w[4]
    fill = w[10]
    pp = w[8]
    while pp < w[7] and pidx[pp] < end - 1:
        pp += 1
    if pp < w[7] and pidx[pp] == end - 1:
        fill = pfill[pp]
    w[8] = pp
    data = (num - 1) * w[10] + fill
    w[5] += data
    w[0] += data
    stop = start + num - 1
    if w[11] == 0:
        w[12] = start
        w[13] = stop
        w[11] = 1
    else:
        w[12] = min(w[12], start)
        w[13] = max(w[13], stop)
    w[3] = end
    return stop


@njit(cache=True, nogil=True)
def user_memory(
    df, R, C, M, N, K, g, if_ptr, if_sets, fl_ptr, fl_sets, if_st, fl_st,
    of_words, of_bw, out,
):  # fmt: skip
    """Replay the demand rows of all folds (column folds outer, row folds inner) against the
    two read buffers and the write buffer (module docstring).

    ``if_st`` / ``fl_st``: int64[8] read-buffer states (start set, A, sets, P, lines per new
    prefetch, bw, last prefetch cycle, DRAM words read; the caller sets the initial fill).
    ``of_words``: OFMAP SRAM words; ``of_bw``: drain bandwidth. Writes into ``out`` (int64[17]):
    stall cycles, total cycles (largest OFMAP service cycle), SRAM IFMAP/FILTER/OFMAP start and
    stop cycles (6), OFMAP DRAM start, stop, writes, last OFMAP service cycle, rows, and
    flags of which SRAM start/stop were seen (bit 0 IFMAP, 1 FILTER, 2 OFMAP).
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
    # write buffer state: free, line_idx, nlines, drain start line, drain end cycle, words
    # written to DRAM, active size, partial lines, partial pointer, lines per drain, bw,
    # seen, min cycle, max cycle
    w = np.zeros(14, np.int64)
    active = (of_words + 1) // 2
    drain_sz = of_words - active
    w[0] = of_words
    w[6] = active
    w[9] = (drain_sz + of_bw - 1) // of_bw
    w[10] = of_bw
    cap = 1024
    pidx = np.empty(cap, np.int64)
    pfill = np.empty(cap, np.int64)
    stalls = 0
    total = -(1 << 62)
    sram = np.zeros(6, np.int64)
    seen = 0
    last_of = 0
    row = 0
    for fc in range(cf):
        for fr in range(rf):
            for t in range(Lf):
                cycle = row + stalls
                row += 1
                # ---- IFMAP
                off = 1
                any_if = False
                if df == 0:
                    for r in range(R):
                        u = t - r
                        m = fr * R + r
                        if u >= 0 and u < K and m < M:
                            a = _ifmap_addr(m, u, g)
                            if a >= 0:
                                any_if = True
                                off = _read(a, cycle, off, if_st, if_ptr, if_sets)
                elif df == 1:
                    for r in range(R):
                        u = t - r - R
                        k = fr * R + r
                        if u >= 0 and u < M and k < K:
                            a = _ifmap_addr(u, k, g)
                            if a >= 0:
                                any_if = True
                                off = _read(a, cycle, off, if_st, if_ptr, if_sets)
                else:
                    if t < R:
                        k = fr * R + R - 1 - t
                        if k < K:
                            for c in range(C):
                                m = fc * C + c
                                if m < M:
                                    a = _ifmap_addr(m, k, g)
                                    if a >= 0:
                                        any_if = True
                                        off = _read(a, cycle, off, if_st, if_ptr, if_sets)
                if_out = cycle + off
                # ---- FILTER
                off = 1
                any_fl = False
                if df == 0:
                    for c in range(C):
                        u = t - c
                        n = fc * C + c
                        if u >= 0 and u < K and n < N:
                            any_fl = True
                            off = _read(n * K + u, cycle, off, fl_st, fl_ptr, fl_sets)
                elif df == 1:
                    if t < R:
                        k = fr * R + R - 1 - t
                        if k < K:
                            for c in range(C):
                                n = fc * C + c
                                if n < N:
                                    any_fl = True
                                    off = _read(n * K + k, cycle, off, fl_st, fl_ptr, fl_sets)
                else:
                    for r in range(R):
                        u = t - r - R
                        k = fr * R + r
                        if u >= 0 and u < N and k < K:
                            any_fl = True
                            off = _read(u * K + k, cycle, off, fl_st, fl_ptr, fl_sets)
                fl_out = cycle + off
                # ---- OFMAP: number of written elements in this row
                nw = 0
                if df == 0:
                    for c in range(C):
                        u = t - (K - 1) - c
                        if u >= 0 and u < R and fr * R + R - 1 - u < M and fc * C + c < N:
                            nw += 1
                else:
                    T = M if df == 1 else N
                    lim = N if df == 1 else M
                    for c in range(C):
                        u = t - c - (2 * R - 1)
                        if u >= 0 and u < T and fc * C + c < lim:
                            nw += 1
                cur = cycle
                for _ in range(nw):
                    w[1] += 1
                    w[0] -= 1
                    if w[1] == of_bw:
                        w[2] += 1
                        w[1] = 0
                    if cur < w[4]:
                        if w[0] <= 0:
                            cur = w[4]
                    elif w[0] < active:
                        if w[1] != 0:  # close the open partial line
                            if w[7] == cap:
                                cap *= 2
                                ni = np.empty(cap, np.int64)
                                nf = np.empty(cap, np.int64)
                                ni[: w[7]] = pidx[: w[7]]
                                nf[: w[7]] = pfill[: w[7]]
                                pidx = ni
                                pfill = nf
                            pidx[w[7]] = w[2]
                            pfill[w[7]] = w[1]
                            w[7] += 1
                            w[2] += 1
                            w[1] = 0
                        w[4] = _drain(cur, w, pidx, pfill)
                of_out = cur
                last_of = of_out
                if of_out > total:
                    total = of_out
                # ---- SRAM first / last service cycles
                if any_if:
                    if not seen & 1:
                        sram[0] = if_out
                        seen |= 1
                    sram[1] = if_out
                if any_fl:
                    if not seen & 2:
                        sram[2] = fl_out
                        seen |= 2
                    sram[3] = fl_out
                if nw > 0:
                    if not seen & 4:
                        sram[4] = of_out
                        seen |= 4
                    sram[5] = of_out
                s = max(if_out - cycle - 1, fl_out - cycle - 1, of_out - cycle)
                stalls += s
    # final drain of everything left in the write buffer
    if w[1] != 0:
        if w[7] == cap:
            cap *= 2
            ni = np.empty(cap, np.int64)
            nf = np.empty(cap, np.int64)
            ni[: w[7]] = pidx[: w[7]]
            nf[: w[7]] = pfill[: w[7]]
            pidx = ni
            pfill = nf
        pidx[w[7]] = w[2]
        pfill[w[7]] = w[1]
        w[7] += 1
        w[2] += 1
        w[1] = 0
    cyc = last_of
    while w[3] < w[2]:
        w[4] = _drain(cyc, w, pidx, pfill)
        cyc = w[4] + 1
    out[0] = stalls
    out[1] = total
    out[2:8] = sram
    out[8] = w[12]
    out[9] = w[13]
    out[10] = w[5]
    out[11] = last_of
    out[12] = row
    out[13] = seen
    out[14] = w[11]
