"""Cycle-level PE / systolic-array simulator (``lognum.hw``).

A SCALE-Sim-compatible timing model of an R x C systolic array (dataflows ``os``, ``ws``,
``is``) with a real cycle-by-cycle simulation in Numba of operands moving through the PE
registers, a closed-form fast path tested against it, a double-buffered SRAM / DRAM bandwidth
model with stalls, number-format-aware PE arithmetic (functional mode), and an energy / area
model. docs/simulator.md describes the SCALE-Sim behaviour this module reproduces.

Nothing here compiles at import; kernels are built on first use (``cache=True``).

Quick start::

    import lognum.hw as hw
    res = hw.simulate("scale.cfg", "Resnet18.csv")              # SCALE-Sim files as they are
    res = hw.simulate(hw.ArrayConfig(rows=32, cols=32, dataflow="ws"),
                      [hw.conv(56, 56, 3, 3, 64, 64, padding=1)], pe="lp8")
    res.layers[0].total_cycles, res.layers[0].energy, res.summary()
    res.write_csv("out")                                          # COMPUTE_REPORT.csv, ...

Differences to SCALE-Sim 3.0.0 and the ``scalesim_compat=True`` mode are listed in
:mod:`lognum.hw.sim`.
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
    "trace_fold",
    "compare_pes",
    "closed_form",
    "PEType",
    "pe_type",
    "PE_TYPES",
    "EnergyTable",
    "default_energy_table",
    "mac_cost",
    "array_area_mm2",
    "systolic_matmul",
    "im2col",
]


def __getattr__(name: str):
    if name in ("simulate", "SimResult", "LayerResult", "trace_fold", "compare_pes"):
        from lognum.hw import sim as _sim

        return getattr(_sim, name)
    if name in ("PEType", "pe_type", "PE_TYPES"):
        from lognum.hw import pe as _pe

        return getattr(_pe, name)
    if name in ("systolic_matmul", "im2col"):
        from lognum.hw import functional as _f

        return getattr(_f, name)
    if name == "closed_form":
        from lognum.hw.closed_form import closed_form

        return closed_form
    if name in ("EnergyTable", "default_energy_table", "mac_cost", "array_area_mm2"):
        from lognum.hw import energy as _energy

        return getattr(_energy, name)
    raise AttributeError(f"module 'lognum.hw' has no attribute {name!r}")
