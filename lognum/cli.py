"""The ``lognum`` command.

    lognum                       the main job: the posit family's key figures, then every figure
    lognum table                 just the table
    lognum figures [-o DIR]      render every figure into DIR (default: figures/)
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
            print(f"lognum: error: unknown command {cmd!r} (commands: {', '.join(COMMANDS)}; "
                  "see lognum --help)", file=sys.stderr)  # fmt: skip
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
