"""Cycle-level PE / systolic-array simulator (``lognum.hw``).

A SCALE-Sim-compatible timing model of an R x C systolic array (dataflows ``os``, ``ws``,
``is``) with a real cycle-by-cycle simulation in Numba of operands moving through the PE
registers, a closed-form fast path tested against it, a double-buffered SRAM / DRAM bandwidth
model with stalls, number-format-aware PE arithmetic (functional mode), and an energy / area
model. See ``reference/SYSTOLIC.md`` for the SCALE-Sim formulas this module reproduces.

Nothing here compiles at import; kernels are built on first use (``cache=True``).
"""

from __future__ import annotations

from lognum.hw.config import ArrayConfig, read_scalesim_config
from lognum.hw.workload import Layer, conv, gemm, read_topology

__all__ = [
    "ArrayConfig",
    "Layer",
    "conv",
    "gemm",
    "read_scalesim_config",
    "read_topology",
    "simulate",
    "SimResult",
    "LayerResult",
    "closed_form",
    "EnergyTable",
    "default_energy_table",
]


def __getattr__(name: str):
    if name in ("simulate", "SimResult", "LayerResult"):
        from lognum.hw import sim as _sim

        return getattr(_sim, name)
    if name == "closed_form":
        from lognum.hw.closed_form import closed_form

        return closed_form
    if name in ("EnergyTable", "default_energy_table"):
        from lognum.hw import energy as _energy

        return getattr(_energy, name)
    raise AttributeError(f"module 'lognum.hw' has no attribute {name!r}")
