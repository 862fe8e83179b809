"""Numba kernel: cycle-by-cycle movement of operands through the PE registers of one fold.

Timing only (the functional kernel with values is :mod:`lognum.hw._functional_kernel`).
Dataflow code ``df``: 0 = os, 1 = ws, 2 = is. The schedule is the one of SCALE-Sim 3's demand
matrices (docs/simulator.md, "Dataflows"), written as register transfers:

- **os**: left port ``r`` injects slot ``t`` (IFMAP row ``r``, reduction index ``t``) at cycle
  ``t + r``; top port ``c`` injects slot ``t`` (FILTER column ``c``) at cycle ``t + c``. Each
  cycle the left operand register moves one PE right and the top one one PE down; a PE whose two
  registers hold the same slot does a MAC; a PE writes its output to the OFMAP SRAM in the cycle
  of its last MAC. The fold ends when slot ``T - 1`` has passed PE ``(R-1, C-1)``:
  ``T + R + C - 2`` cycles.
- **ws / is**: cycles ``0 .. R-1`` shift the stationary tile down from the top ports (the element
  for row ``r`` enters at cycle ``R - 1 - r``); then left port ``r`` injects slot ``t`` at cycle
  ``R + t + r``; left operands move right, partial sums move down; the partial sum of slot ``t``
  leaves the bottom of column ``c`` (OFMAP write) in the cycle of its last MAC. The fold ends
  when slot ``T - 1`` leaves column ``C - 1``: ``2R + C + T - 2`` cycles.

A partial fold (``ur < R`` used rows or ``uc < C`` used columns) streams bubbles through the
unused PEs and takes as many cycles as a full fold (as in SCALE-Sim, where the fold is padded).
Register contents are slot numbers (``-1`` = empty); validity of an element is ``r < ur`` and
``c < uc``.
"""

from __future__ import annotations

import numpy as np

from lognum._kernels.jit import jit

# ``counts`` of :func:`simulate_fold` (int64[N_COUNTS]): the entries it adds to
LEFT_READS = 0  # SRAM reads at the left edge: IFMAP (os, ws) or FILTER (is)
TOP_READS = 1  # SRAM reads at the top edge: FILTER (os, ws) or IFMAP (is)
OFMAP_WRITES = 2  # OFMAP SRAM writes
MACS = 3  # MACs of the used PEs
N_COUNTS = 4

# second axis of ``trace`` (int64[n, N_TRACE, R, C]) of :func:`simulate_fold`
TRACE_LEFT = 0  # slot in the left (streaming) register
TRACE_TOP = 1  # os: slot in the top register; ws / is: row of the stationary operand
TRACE_MAC = 2  # slot of the MAC performed (-1: none; ws / is: the partial sum's slot)
N_TRACE = 3


@jit
def simulate_fold(df, R, C, ur, uc, T, busy, counts, trace):
    """Simulate one fold cycle by cycle.

    ``trace`` (int64, shape ``(n, N_TRACE, R, C)``; ``n = 0`` to skip): for each cycle ``< n``,
    ``TRACE_LEFT``: the slot in each PE's left register, ``TRACE_TOP``: its top (os) /
    stationary (ws, is: row index) register, ``TRACE_MAC``: the slot of the MAC it performs
    (``-1``: none; ws/is: the partial sum's slot).

    Adds per-PE MAC counts to ``busy`` (int64 R x C) and returns the number of cycles. ``counts``
    (int64[N_COUNTS]) receives, added: ``counts[LEFT_READS]``, ``counts[TOP_READS]`` (SRAM
    reads at the left and top edges), ``counts[OFMAP_WRITES]``, ``counts[MACS]``. Left edge =
    IFMAP (os, ws) or FILTER (is); top edge = FILTER (os, ws) or IFMAP (is).
    """
    left = np.full((R, C), -1, np.int64)
    top = np.full((R, C), -1, np.int64)
    cyc = 0
    if df == 0:
        done = False
        while not done:
            # shift: left operands right, top operands down (far end first)
            for r in range(R):
                for c in range(C - 1, 0, -1):
                    left[r, c] = left[r, c - 1]
                t = cyc - r
                left[r, 0] = t if (t >= 0 and t < T) else -1
                if left[r, 0] >= 0 and r < ur:
                    counts[LEFT_READS] += 1
            for c in range(C):
                for r in range(R - 1, 0, -1):
                    top[r, c] = top[r - 1, c]
                t = cyc - c
                top[0, c] = t if (t >= 0 and t < T) else -1
                if top[0, c] >= 0 and c < uc:
                    counts[TOP_READS] += 1
            for r in range(ur):
                for c in range(uc):
                    t = left[r, c]
                    if t >= 0 and t == top[r, c]:
                        busy[r, c] += 1
                        counts[MACS] += 1
                        if t == T - 1:
                            counts[OFMAP_WRITES] += 1
            if cyc < trace.shape[0]:
                for r in range(R):
                    for c in range(C):
                        trace[cyc, TRACE_LEFT, r, c] = left[r, c]
                        trace[cyc, TRACE_TOP, r, c] = top[r, c]
                        v = left[r, c] == top[r, c] and left[r, c] >= 0 and r < ur and c < uc
                        trace[cyc, TRACE_MAC, r, c] = left[r, c] if v else -1
            if left[R - 1, C - 1] == T - 1 and top[R - 1, C - 1] == T - 1:
                done = True
            cyc += 1
        return cyc
    # ws / is: load the stationary tile (R cycles), then stream with partial sums moving down
    stat = np.full((R, C), -1, np.int64)
    for cyc in range(R):
        for c in range(C):
            for r in range(R - 1, 0, -1):
                stat[r, c] = stat[r - 1, c]
            row = R - 1 - cyc
            stat[0, c] = row
            if row < ur and c < uc:
                counts[TOP_READS] += 1
        if cyc < trace.shape[0]:
            for r in range(R):
                for c in range(C):
                    trace[cyc, TRACE_LEFT, r, c] = -1
                    trace[cyc, TRACE_TOP, r, c] = stat[r, c]
                    trace[cyc, TRACE_MAC, r, c] = -1
    cyc = R
    psum = np.full((R, C), -1, np.int64)  # slot of the partial sum held in each PE
    while True:
        for r in range(R):
            for c in range(C - 1, 0, -1):
                left[r, c] = left[r, c - 1]
            t = cyc - R - r
            left[r, 0] = t if (t >= 0 and t < T) else -1
            if left[r, 0] >= 0 and r < ur:
                counts[LEFT_READS] += 1
        # partial sums move down one PE (row 0 starts a fresh one)
        for c in range(C):
            for r in range(R - 1, 0, -1):
                psum[r, c] = psum[r - 1, c]
            psum[0, c] = -1
        for r in range(R):
            for c in range(C):
                t = left[r, c]
                if t >= 0:
                    psum[r, c] = t  # the psum from above carries the same slot
                    if r < ur and c < uc and stat[r, c] >= 0:
                        busy[r, c] += 1
                        counts[MACS] += 1
        if cyc < trace.shape[0]:
            for r in range(R):
                for c in range(C):
                    trace[cyc, TRACE_LEFT, r, c] = left[r, c]
                    trace[cyc, TRACE_TOP, r, c] = stat[r, c]
                    v = left[r, c] >= 0 and r < ur and c < uc
                    trace[cyc, TRACE_MAC, r, c] = left[r, c] if v else -1
        # the bottom row's partial sum leaves the array in the cycle of its last MAC
        done = False
        for c in range(C):
            t = psum[R - 1, c]
            if t >= 0:
                if c < uc:
                    counts[OFMAP_WRITES] += 1
                if t == T - 1 and c == C - 1:
                    done = True
            psum[R - 1, c] = -1
        cyc += 1
        if done:
            return cyc
