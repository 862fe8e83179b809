"""Closed-form fast path: fold mapping, stall-free cycles, utilisation and SRAM counts.

Formulas of SCALE-Sim 3.0.0 (docs/simulator.md), checked in the tests against the
cycle-by-cycle register simulation of :mod:`lognum.hw._array_kernel` and against golden
SCALE-Sim reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "mapping",
    "fold_classes",
    "fold_length",
    "fold_counts",
    "closed_form",
    "ClosedForm",
    "DF_CODE",
]

DF_CODE = {"os": 0, "ws": 1, "is": 2}


def mapping(dataflow: str, M: int, N: int, K: int, lanes: int = 1) -> tuple[int, int, int]:
    """Spatial rows, spatial columns and temporal length ``(Sr, Sc, T)`` (docs/simulator.md).

    ``lanes`` > 1 models a bit-fusion PE doing ``lanes`` products per cycle along the
    reduction axis: ``K`` is replaced by ``ceil(K / lanes)``.
    """
    Kl = -(-K // lanes)
    if dataflow == "os":
        return M, N, Kl
    if dataflow == "ws":
        return Kl, N, M
    if dataflow == "is":
        return Kl, M, N
    raise ValueError(f"dataflow must be 'os', 'ws' or 'is', got {dataflow!r}")


def fold_length(dataflow: str, R: int, C: int, T: int) -> int:
    """Cycles of one fold: ``T + R + C - 2`` (os), ``2R + C + T - 2`` (ws, is)."""
    return T + R + C - 2 if dataflow == "os" else 2 * R + C + T - 2


def fold_classes(Sr: int, Sc: int, R: int, C: int) -> list[tuple[int, int, int]]:
    """Distinct fold shapes ``(used_rows, used_cols, count)``; full folds first."""
    rf, cf = -(-Sr // R), -(-Sc // C)
    lr, lc = Sr - (rf - 1) * R, Sc - (cf - 1) * C
    rows = [(R, rf - 1), (lr, 1)] if lr != R else [(R, rf)]
    cols = [(C, cf - 1), (lc, 1)] if lc != C else [(C, cf)]
    return [(ur, uc, nr * nc) for ur, nr in rows for uc, nc in cols if nr * nc > 0]


def fold_counts(dataflow: str, R: int, C: int, ur: int, uc: int, T: int) -> tuple[int, ...]:
    """What the register-level simulation of one fold counts, in closed form.

    Returns ``(cycles, left_reads, top_reads, ofmap_writes, macs)``, the return value and the
    ``counts`` of :func:`lognum.hw._array_kernel.simulate_fold` for a fold with ``ur`` of ``R``
    rows and ``uc`` of ``C`` columns used and temporal length ``T``; each used PE does ``T``
    MACs (its ``busy`` count), the unused ones none. Read off the register schedule described
    in :mod:`lognum.hw._array_kernel`:

    - os: left port ``r`` injects slots ``0 .. T-1`` (``ur T`` reads of the used rows), top
      port ``c`` likewise (``uc T``); each used PE writes its output once (``ur uc``); the last
      slot leaves PE ``(R-1, C-1)`` at cycle ``T - 1 + R - 1 + C - 1``.
    - ws / is: the stationary tile is read once from the top (``ur uc``), left port ``r``
      injects ``T`` slots (``ur T``); every slot's partial sum leaves the bottom of each used
      column once (``uc T`` writes, whatever ``ur``); the last one leaves column ``C - 1`` at
      cycle ``R + (T - 1) + (R - 1) + (C - 1)``.

    Tested equal to the register-level simulation on random fold shapes
    (``tests/hw/test_fastpath.py``); :func:`lognum.hw.sim.simulate` uses it unless
    ``register_level`` or ``exhaustive`` is set.
    """
    if not (1 <= ur <= R and 1 <= uc <= C and T >= 1):
        raise ValueError(f"need 1 <= ur <= R, 1 <= uc <= C, T >= 1; got {ur}, {uc}, {T}")
    cycles = fold_length(dataflow, R, C, T)
    if dataflow == "os":
        return cycles, ur * T, uc * T, ur * uc, ur * uc * T
    return cycles, ur * T, ur * uc, uc * T, ur * uc * T


@dataclass(frozen=True)
class ClosedForm:
    """Counts of one GEMM on one array (no DRAM)."""

    Sr: int
    Sc: int
    T: int
    row_folds: int
    col_folds: int
    fold_cycles: int
    stall_free_cycles: int
    macs: int
    sram_ifmap_reads: int
    sram_filter_reads: int
    sram_ofmap_writes: int
    sram_ofmap_reads: int
    mapping_efficiency: float
    compute_util: float

    @property
    def folds(self) -> int:
        return self.row_folds * self.col_folds


def closed_form(
    dataflow: str,
    M: int,
    N: int,
    K: int,
    R: int,
    C: int,
    scalesim_compat: bool = False,
    lanes: int = 1,
) -> ClosedForm:
    """Closed form for one GEMM ``M x K @ K x N`` on an ``R x C`` array.

    Stall-free cycles ``L``: os ``ceil(M/R) ceil(N/C) (K+R+C-2)``, ws
    ``ceil(K/R) ceil(N/C) (2R+C+M-2)``, is ``ceil(K/R) ceil(M/C) (2R+C+N-2)``.
    SRAM counts: ``scalesim_compat`` adds SCALE-Sim's os OFMAP overcount
    ``folds * (R + C)``. ``sram_ofmap_reads`` is the partial-sum read-back of ws/is K-folds
    (``(ceil(K/R) - 1) M N``), which SCALE-Sim does not count (0 in compat mode).
    Mapping efficiency and compute utilisation are SCALE-Sim's, including its fold
    length ``2R + 2C + T - 3`` for ws/is compute utilisation in compat mode; the default uses
    the real fold length.
    """
    Sr, Sc, T = mapping(dataflow, M, N, K, lanes)
    rf, cf = -(-Sr // R), -(-Sc // C)
    flen = fold_length(dataflow, R, C, T)
    folds = rf * cf
    cf_len = flen if (dataflow == "os" or not scalesim_compat) else 2 * R + 2 * C + T - 3
    if scalesim_compat:
        # SCALE-Sim's float arithmetic: per-fold ratios summed in fold order (column folds
        # outer), then mean * 100 -- bit-identical report values
        ur = np.minimum(R, Sr - R * np.arange(rf))
        uc = np.minimum(C, Sc - C * np.arange(cf))
        used = (uc[:, None] * ur[None, :]).ravel()
        me = np.cumsum(used / (R * C))[-1] / folds * 100
        cu_ = np.cumsum(used * T / (R * C * cf_len))[-1] / folds * 100
    else:
        map_eff = 0.0
        cu = 0.0
        for ur, uc, cnt in fold_classes(Sr, Sc, R, C):
            map_eff += cnt * ur * uc / (R * C)
            cu += cnt * ur * uc * T / (R * C * cf_len)
        me = 100.0 * map_eff / folds
        cu_ = 100.0 * cu / folds
    Kl = -(-K // lanes)
    if dataflow == "os":
        ifr, flr, ofw = cf * M * Kl, rf * Kl * N, M * N
        if scalesim_compat:
            ofw += folds * (R + C)
    elif dataflow == "ws":
        ifr, flr, ofw = cf * M * Kl, Kl * N, rf * M * N
    else:
        ifr, flr, ofw = M * Kl, cf * Kl * N, rf * M * N
    psr = 0 if (dataflow == "os" or scalesim_compat) else (rf - 1) * M * N
    return ClosedForm(
        Sr=Sr,
        Sc=Sc,
        T=T,
        row_folds=rf,
        col_folds=cf,
        fold_cycles=flen,
        stall_free_cycles=folds * flen,
        macs=M * N * K,
        sram_ifmap_reads=ifr * lanes,
        sram_filter_reads=flr * lanes,
        sram_ofmap_writes=ofw,
        sram_ofmap_reads=psr,
        mapping_efficiency=float(me),
        compute_util=float(cu_),
    )


def overall_util(macs: int, total_cycles: int, R: int, C: int) -> float:
    """SCALE-Sim's Overall Util % = 100 MACs / (Total Cycles R C)."""
    return 100.0 * macs / (max(total_cycles, 1) * R * C)
