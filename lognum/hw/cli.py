"""``lognum sim``: run the systolic-array simulator on SCALE-Sim config / topology files."""

from __future__ import annotations

import argparse
import sys

__all__ = ["sim_main"]


def sim_main(argv: list[str]) -> int:
    """Entry point of ``lognum sim -c config.cfg -t topology.csv [...]``; returns exit code."""
    ap = argparse.ArgumentParser(
        prog="lognum sim",
        description="Cycle-level systolic-array simulation (SCALE-Sim 3 compatible inputs and "
        "reports, plus PE arithmetic and energy).",
    )
    ap.add_argument("-c", "--config", required=True, help="SCALE-Sim .cfg file")
    ap.add_argument("-t", "--topology", required=True, help="SCALE-Sim topology CSV")
    ap.add_argument(
        "-i",
        "--input-type",
        choices=("conv", "gemm"),
        default="conv",
        help="topology rows: conv (default) or gemm (name, M, N, K)",
    )
    ap.add_argument("-p", "--outdir", default=".", help="write reports to OUTDIR/<run_name>/")
    ap.add_argument(
        "--scalesim-compat",
        action="store_true",
        help="reproduce SCALE-Sim 3.0.0's documented counting bugs and, in USER "
        "mode, its memory model (stalls, DRAM counts: identical reports)",
    )
    ap.add_argument(
        "--pe",
        default=None,
        help="PE type for energy/functional mode (int8, int4, fp8, bf16, posit8, "
        "lp8, lp4, lp4x2, ...)",
    )
    ap.add_argument(
        "--functional",
        action="store_true",
        help="compute outputs through the PE arithmetic (random operands)",
    )
    ap.add_argument("--exhaustive", action="store_true", help="simulate every fold")
    ap.add_argument("--fast", action="store_true", help="closed form instead of the cycle sim")
    ap.add_argument(
        "--energy-table",
        default=None,
        help="CSV of name,value rows overriding the built-in energy table",
    )
    ap.add_argument("-j", "--workers", type=int, default=None, help="threads (default: CPUs)")
    ap.add_argument(
        "--max-memory-gb",
        type=float,
        default=4.0,
        help="refuse layers whose simulation would need more memory (default 4)",
    )
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress bar / summary")
    args = ap.parse_args(argv)

    from lognum.hw.sim import simulate

    try:
        table = None
        if args.energy_table:  # lognum.hw.energy imports the formats: only when needed
            from lognum.hw.energy import EnergyTable

            table = EnergyTable.from_csv(args.energy_table)
        res = simulate(
            args.config,
            args.topology,
            input_type=args.input_type,
            scalesim_compat=args.scalesim_compat,
            exhaustive=args.exhaustive,
            pe=args.pe,
            functional=args.functional,
            workers=args.workers,
            fast=args.fast,
            energy_table=table,
            progress=None if not args.quiet else False,
            max_memory_gb=args.max_memory_gb,
        )
        paths = _write(res, args.outdir)
    except (ValueError, OSError) as exc:
        print(f"lognum sim: error: {one_line(exc)}", file=sys.stderr)
        return 2
    if not args.quiet:
        c = res.config
        print(
            f"{c.rows}x{c.cols} {c.dataflow} {c.bandwidth_mode}, {len(res.layers)} layers"
            f"{' (scalesim_compat)' if res.scalesim_compat else ''}"
        )
        print(
            f"{'layer':<16}{'cycles':>12}{'stalls':>10}{'util %':>9}"
            + (f"{'energy uJ':>12}" if res.pe else "")
        )
        for r in res.layers:
            e = f"{sum(r.energy.values()) / 1e6:12.3f}" if r.energy else ""
            print(
                f"{r.name[:15]:<16}{r.total_cycles:>12}{r.stall_cycles:>10}"
                f"{r.overall_util:>9.2f}{e}"
            )
        print(f"total cycles {res.total_cycles}; reports: {paths[0].parent}")
    return 0


def _write(res, outdir: str) -> list:
    """Write the reports; a bad ``-p`` (a file, a folder that cannot be written) is a
    ``ValueError`` naming it."""
    from pathlib import Path

    d = Path(outdir)
    if d.exists() and not d.is_dir():
        raise ValueError(f"-p/--outdir {outdir!r} is a file, not a folder")
    try:
        return res.write_csv(d)
    except OSError as exc:
        raise ValueError(
            f"-p/--outdir {outdir!r}: cannot write the reports ({exc.strerror or exc})"
        ) from None


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (newlines and runs of spaces collapsed)."""
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":
    raise SystemExit(sim_main(sys.argv[1:]))
