"""The ``lognum`` command.

    lognum                       the main job: the posit family's key figures, then every figure
    lognum table                 just the table
    lognum figures [NAME ...]    render figures (PDF, PNG, CSV) into figures/ (--help)
    lognum sim -c CFG -t TOPO    the systolic-array simulator on SCALE-Sim inputs
    lognum lpq ...               the LPQ search (see ``lognum lpq --help``)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

FIGURE_GROUPS = ("family", "theory", "alps", "hw", "lpq")


def _render(names: list[str] | None, outdir: Path, size: str | None, style: str) -> list[Path]:
    from lognum.plots import render

    return render(names, outdir, size=size, style=style)


def figures_main(argv: list[str]) -> int:
    """``lognum figures [NAME ...] [-o DIR] [--size single|double] [--style ...]``."""

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str):  # one line, exit 2 (no usage block)
            self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")

    ap = _Parser(
        prog="lognum figures",
        description="Render figures (all, or the NAMEs given) as PDF, PNG and CSV (the plotted "
        "data). `lognum figures --list` names them.",
    )
    ap.add_argument("names", nargs="*", metavar="NAME", help="figures to render (default: all)")
    ap.add_argument("-o", "--outdir", default="figures", help="output folder (default: figures)")
    ap.add_argument("--size", choices=("single", "double"), default=None,
                    help="column width for every figure (default: each figure's own)")
    ap.add_argument("--style", choices=("default", "ieee", "acm"), default="default",
                    help="journal preset: fonts and column widths (default: default)")
    ap.add_argument("--only", nargs="*", choices=FIGURE_GROUPS, metavar="GROUP",
                    help=f"render only the figures of these modules ({', '.join(FIGURE_GROUPS)})")
    ap.add_argument("--list", action="store_true", help="list the figures and exit")
    args = ap.parse_args(argv)
    from lognum.plots import FIGURES

    if args.list:
        for e in FIGURES.values():
            print(f"{e.name:<30} {e.caption}")
        return 0
    bad = FIGURES.unknown(args.names)
    if bad:
        print(f"lognum figures: unknown figure {', '.join(map(repr, bad))} "
              "(`lognum figures --list` names them)", file=sys.stderr)
        return 2
    names = list(args.names) or None
    if args.only:
        pool = names or [n for n, e in FIGURES.items() if e.available()]
        names = [n for n in pool if FIGURES[n].group in args.only]
    missing = [n for n in names or [] if not FIGURES[n].available()]
    if missing:
        print(f"lognum figures: {missing[0]!r} needs {FIGURES[missing[0]].requires}, which is "
              "not in this directory or the source tree", file=sys.stderr)
        return 2
    out = Path(args.outdir)
    if out.exists() and not out.is_dir():
        print(f"lognum figures: -o {out} exists and is not a directory", file=sys.stderr)
        return 2
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".lognum-write-test"
        probe.touch()
        probe.unlink()
    except OSError as e:
        print(f"lognum figures: cannot write into {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    t = time.perf_counter()
    written = _render(names, out, args.size, args.style) if names != [] else []
    print(f"wrote {len(written)} files into {out}/ in {time.perf_counter() - t:.1f} s")
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
