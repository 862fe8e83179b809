"""The ``lognum`` command.

lognum                       the main job: the posit family's key figures, then every figure
lognum table                 just the table
lognum figures [NAME ...]    render figures (PDF, PNG, CSV) into figures/ (--help)
lognum sim -c CFG -t TOPO    the systolic-array simulator on SCALE-Sim inputs
lognum hw model|codesign     a model on an accelerator; the co-design table
lognum lpq ...               the LPQ search (see ``lognum lpq --help``)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

FIGURE_GROUPS = ("family", "theory", "alps", "hw", "lpq")


def _render(names: list[str] | None, outdir: Path, size: str | None, style: str) -> list[Path]:
    from lognum.plots import render

    return render(names, outdir, size=size, style=style)


def figures_main(argv: list[str]) -> int:
    """``lognum figures [NAME ...] [-o DIR] [--size single|double] [--style ...]``."""
    ap = argparse.ArgumentParser(
        prog="lognum figures",
        description="Render figures (all, or the NAMEs given) as PDF, PNG and CSV (the plotted "
        "data). `lognum figures --list` names them.",
    )
    ap.add_argument("names", nargs="*", metavar="NAME", help="figures to render (default: all)")
    ap.add_argument("-o", "--outdir", default="figures", help="output folder (default: figures)")
    ap.add_argument(
        "--size",
        choices=("single", "double"),
        default=None,
        help="column width for every figure (default: each figure's own)",
    )
    ap.add_argument(
        "--style",
        choices=("default", "ieee", "acm"),
        default="default",
        help="journal preset: fonts and column widths (default: default)",
    )
    ap.add_argument(
        "--only",
        nargs="*",
        choices=FIGURE_GROUPS,
        metavar="GROUP",
        help=f"render only the figures of these modules ({', '.join(FIGURE_GROUPS)})",
    )
    ap.add_argument("--list", action="store_true", help="list the figures and exit")
    args = ap.parse_args(argv)
    from lognum.plots import FIGURES

    if args.list:
        for e in FIGURES.values():
            print(f"{e.name:<30} {e.caption}")
        return 0
    bad = FIGURES.unknown(args.names)
    if bad:
        print(
            f"lognum figures: error: unknown figure {', '.join(map(repr, bad))} "
            "(`lognum figures --list` names them)",
            file=sys.stderr,
        )
        return 2
    names = list(args.names) or None
    if args.only:
        pool = names or [n for n, e in FIGURES.items() if e.available()]
        names = [n for n in pool if FIGURES[n].group in args.only]
    missing = [n for n in names or [] if not FIGURES[n].available()]
    if missing:
        print(
            f"lognum figures: error: {missing[0]!r} needs {FIGURES[missing[0]].requires}, which is "
            "not in this directory or the source tree",
            file=sys.stderr,
        )
        return 2
    out = Path(args.outdir)
    if out.exists() and not out.is_dir():
        print(f"lognum figures: error: -o {out} exists and is not a directory", file=sys.stderr)
        return 2
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".lognum-write-test"
        probe.touch()
        probe.unlink()
    except OSError as e:
        print(f"lognum figures: error: cannot write into {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    t = time.perf_counter()
    written = _render(names, out, args.size, args.style) if names != [] else []
    print(f"wrote {len(written)} files into {out}/ in {time.perf_counter() - t:.1f} s")
    return 0


def table_main(argv: list[str]) -> int:
    argparse.ArgumentParser(
        prog="lognum table", description="Key figures of the posit family."
    ).parse_args(argv)
    from lognum.plots.family import family_table, format_table

    print(format_table(family_table()))
    return 0


COMMANDS = ("table", "figures", "sim", "hw", "lpq")


def _dispatch(cmd: str, rest: list[str]) -> int:
    if cmd == "table":
        return table_main(rest)
    if cmd == "figures":
        return figures_main(rest)
    if cmd == "sim":
        from lognum.hw.cli import sim_main

        return sim_main(rest)
    if cmd == "hw":
        from lognum.hw.hw_cli import hw_main

        return hw_main(rest)
    from lognum.lpq.cli import lpq_main

    return lpq_main(rest)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@contextlib.contextmanager
def _one_line_argparse():
    """Argument errors of every subcommand's parser as one line (``prog: error: ...``, exit 2)
    instead of the usage block; ``--help`` is unchanged."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")

    saved = argparse.ArgumentParser.error
    argparse.ArgumentParser.error = error  # type: ignore[method-assign]
    try:
        yield
    finally:
        argparse.ArgumentParser.error = saved  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    """The ``lognum`` command; returns the exit code.

    A user's mistake in any subcommand (a bad option, a ``ValueError`` from validating it, a
    file that cannot be read or written) prints one line ``lognum <cmd>: error: ...`` on stderr
    and returns 2. Other exceptions are bugs and keep their traceback; ``LOGNUM_DEBUG=1``
    shows the traceback of user errors too.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if not argv:
        cmd, rest = "", []
    else:
        cmd, rest = argv[0], argv[1:]
        if cmd not in COMMANDS:
            print(
                f"lognum: error: unknown command {cmd!r} (commands: {', '.join(COMMANDS)}; "
                "see lognum --help)",
                file=sys.stderr,
            )
            return 2
    debug = os.environ.get("LOGNUM_DEBUG", "") not in ("", "0")
    try:
        with _one_line_argparse():
            if not cmd:
                table_main([])
                print()
                return figures_main([])
            return _dispatch(cmd, rest)
    except (ValueError, OSError) as exc:
        if debug:
            raise
        prog = f"lognum {cmd}" if cmd else "lognum"
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
