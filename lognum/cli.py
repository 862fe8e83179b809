"""The ``lognum`` command.

    lognum                       the main job: the posit family's key figures, then every figure
    lognum table                 just the table
    lognum figures [-o DIR]      render every figure into DIR (default: figures/)
    lognum sim -c CFG -t TOPO    the systolic-array simulator on SCALE-Sim inputs
    lognum lpq ...               the LPQ search (see ``lognum lpq --help``)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

FIGURE_GROUPS = ("family", "theory", "hw", "lpq")


def _render(group: str, outdir: Path) -> list[Path]:
    import importlib

    mod = importlib.import_module(f"lognum.plots.{group}")
    if group == "lpq":
        # saved LPQ runs live in the repository (results/lpq), not in an installed wheel
        local = Path.cwd() / "results" / "lpq"
        return list(mod.render_all(outdir, results_dir=local if local.is_dir() else None))
    return list(mod.render_all(outdir))


def figures_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="lognum figures",
                                 description="Render every figure as PDF and PNG.")
    ap.add_argument("-o", "--outdir", default="figures", help="output folder (default: figures)")
    ap.add_argument("--only", nargs="*", choices=FIGURE_GROUPS, help="render only these groups")
    args = ap.parse_args(argv)
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for g in args.only or FIGURE_GROUPS:
        t = time.perf_counter()
        paths = _render(g, out)
        written += paths
        print(f"figures: {g:<7} {len(paths):3d} files  {time.perf_counter() - t:6.1f} s",
              file=sys.stderr)
    print(f"wrote {len(written)} files into {out}/")
    return 0


def table_main(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="lognum table",
                            description="Key figures of the posit family.").parse_args(argv)
    from lognum.plots.family import family_table, format_table

    print(format_table(family_table()))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if not argv:
        table_main([])
        print()
        return figures_main([])
    cmd, rest = argv[0], argv[1:]
    if cmd == "table":
        return table_main(rest)
    if cmd == "figures":
        return figures_main(rest)
    if cmd == "sim":
        from lognum.hw.cli import sim_main

        return sim_main(rest)
    if cmd == "lpq":
        from lognum.lpq.cli import lpq_main

        return lpq_main(rest)
    print(f"lognum: unknown command {cmd!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
