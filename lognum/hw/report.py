"""CSV reports with SCALE-Sim 3.0.0's columns (no pandas).

``BANDWIDTH_REPORT.csv``: SRAM columns are accesses / Total Cycles. DRAM columns: with
``scalesim_compat=True`` SCALE-Sim's formula, words / (DRAM stop cycle - DRAM start cycle + 1)
of that operand (identical to SCALE-Sim in both bandwidth modes, where the counts and cycles
are SCALE-Sim's); by default words / Total Cycles (average over the layer's run time).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_reports", "COMPUTE_COLUMNS", "ACCESS_COLUMNS", "read_report"]

COMPUTE_COLUMNS = [
    "LayerID",
    "Total Cycles (incl. prefetch)",
    "Total Cycles",
    "Stall Cycles",
    "Overall Util %",
    "Mapping Efficiency %",
    "Compute Util %",
]
ACCESS_COLUMNS = [
    "LayerID",
    "SRAM IFMAP Start Cycle",
    "SRAM IFMAP Stop Cycle",
    "SRAM IFMAP Reads",
    "SRAM Filter Start Cycle",
    "SRAM Filter Stop Cycle",
    "SRAM Filter Reads",
    "SRAM OFMAP Start Cycle",
    "SRAM OFMAP Stop Cycle",
    "SRAM OFMAP Writes",
    "DRAM IFMAP Start Cycle",
    "DRAM IFMAP Stop Cycle",
    "DRAM IFMAP Reads",
    "DRAM Filter Start Cycle",
    "DRAM Filter Stop Cycle",
    "DRAM Filter Reads",
    "DRAM OFMAP Start Cycle",
    "DRAM OFMAP Stop Cycle",
    "DRAM OFMAP Writes",
]
BANDWIDTH_COLUMNS = [
    "LayerID",
    "Avg IFMAP SRAM BW",
    "Avg FILTER SRAM BW",
    "Avg OFMAP SRAM BW",
    "Avg IFMAP DRAM BW",
    "Avg FILTER DRAM BW",
    "Avg OFMAP DRAM BW",
]


def _line(vals) -> str:
    # SCALE-Sim writes "a, b, c,\n" (comma-space separated, trailing comma)
    return ", ".join(str(v) for v in vals) + ",\n"


def write_reports(result, outdir: str | Path) -> list[Path]:
    """Write the reports of a :class:`lognum.hw.sim.SimResult` to ``outdir/<run_name>/``."""
    d = Path(outdir) / result.config.run_name
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    p = d / "COMPUTE_REPORT.csv"
    with open(p, "w") as fh:
        fh.write(_line(COMPUTE_COLUMNS))
        for i, r in enumerate(result.layers):
            fh.write(
                _line(
                    [
                        i,
                        r.total_cycles_incl_prefetch,
                        r.total_cycles,
                        r.stall_cycles,
                        r.overall_util,
                        r.mapping_efficiency,
                        r.compute_util,
                    ]
                )
            )
    paths.append(p)
    p = d / "DETAILED_ACCESS_REPORT.csv"
    with open(p, "w") as fh:
        fh.write(_line(ACCESS_COLUMNS))
        for i, r in enumerate(result.layers):
            a = r.access_cycles
            row = [i]
            for key, cnt in (
                ("sram_ifmap", r.sram_ifmap_reads),
                ("sram_filter", r.sram_filter_reads),
                ("sram_ofmap", r.sram_ofmap_writes),
                ("dram_ifmap", r.dram_ifmap_reads),
                ("dram_filter", r.dram_filter_reads),
                ("dram_ofmap", r.dram_ofmap_writes),
            ):
                s, e = a.get(key, (0, 0))
                row += [float(s), float(e), cnt]
            fh.write(_line(row))
    paths.append(p)
    p = d / "BANDWIDTH_REPORT.csv"
    with open(p, "w") as fh:
        fh.write(_line(BANDWIDTH_COLUMNS))
        for i, r in enumerate(result.layers):
            t = max(r.total_cycles, 1)
            if result.scalesim_compat:
                # SCALE-Sim: DRAM words over the operand's own DRAM access window
                win = [
                    r.access_cycles.get(k, (0, 0))
                    for k in ("dram_ifmap", "dram_filter", "dram_ofmap")
                ]
                td = [max(e - s + 1, 1) for s, e in win]
            else:
                td = [t, t, t]
            fh.write(
                _line(
                    [
                        i,
                        r.sram_ifmap_reads / t,
                        r.sram_filter_reads / t,
                        r.sram_ofmap_writes / t,
                        r.dram_ifmap_reads / td[0],
                        r.dram_filter_reads / td[1],
                        r.dram_ofmap_writes / td[2],
                    ]
                )
            )
    paths.append(p)
    if any(r.energy for r in result.layers):
        keys = sorted({k for r in result.layers if r.energy for k in r.energy})
        p = d / "ENERGY_REPORT.csv"
        with open(p, "w") as fh:
            fh.write(
                _line(
                    ["LayerID", "Name"]
                    + [f"{k} (pJ)" for k in keys]
                    + ["Total (pJ)", "EDP (pJ*cycles)"]
                )
            )
            for i, r in enumerate(result.layers):
                e = r.energy or {}
                tot = sum(e.values())
                fh.write(
                    _line([i, r.name] + [e.get(k, 0.0) for k in keys] + [tot, tot * r.total_cycles])
                )
        paths.append(p)
    return paths


def read_report(path: str | Path) -> list[dict[str, str]]:
    """Read a SCALE-Sim (or lognum) report CSV into a list of ``{column: value}`` dicts."""
    with open(path) as fh:
        lines = [ln.strip() for ln in fh if ln.strip()]
    head = [h.strip() for h in lines[0].rstrip(",").split(",")]
    rows = []
    for ln in lines[1:]:
        vals = [v.strip() for v in ln.rstrip(",").split(",")]
        rows.append(dict(zip(head, vals, strict=False)))
    return rows
