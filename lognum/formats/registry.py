"""The registry of format notations and names: what ``parse`` reads and ``catalog()`` lists.

Each family registers its notations next to its class, in its own module::

    @notation(r"posit<(\\d+),(\\d+)>", example="posit<8,2>")
    def _posit(n: str, es: str, **opts: Any) -> Posit: ...

    @named("float16", "fp16", "half", "binary16")
    def float16() -> Minifloat: ...

A notation's pattern is a regular expression over the normalised text (lower case, no
spaces); its factory receives the regex groups as strings and the notation's options
(``"af<6,3>(bias=9)"``) as keywords, converted to the type of the dataclass field of the class
the factory's return annotation names. A named format's factory takes no argument; options
given to a name replace fields of the format it returns.

``FAMILY_MODULES`` lists the family modules, most used first. ``parse`` tries the notations
registered so far and, on a miss, imports the next family module and tries again, so
``import lognum`` imports no family and ``parse("posit<8,2>")`` imports only posit.py.
"""

from __future__ import annotations

import importlib
import re
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: the family modules, most used first; ``parse`` imports them one at a time, only until a
#: registered notation matches (a new family adds its module here)
FAMILY_MODULES: tuple[str, ...] = (
    "lognum.formats.posit",
    "lognum.formats.logposit",
    "lognum.formats.floats",
    "lognum.formats.fixed",
    "lognum.formats.lns",
    "lognum.formats.block",
    "lognum.formats.codebook",
)

# TEMPORARY (issue 12 merge): the family module that may be missing from disk until the
# branch that adds it is merged; remove this once lognum/formats/codebook.py exists.
_OPTIONAL_MODULES = frozenset({"lognum.formats.codebook"})

#: a regex group for a real number in a notation (``LP<8,1,5,0.25>``, ``GP<6,1,3,-1>``)
REAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"


@dataclass(frozen=True)
class Notation:
    """One registered notation: its regex, the factory, one example it accepts."""

    pattern: str
    regex: re.Pattern[str]
    factory: Callable[..., Any]
    example: str
    module: str


_NOTATIONS: list[Notation] = []
_NAMED: dict[str, Callable[[], Any]] = {}  # normalised name or alias -> factory
_CANONICAL: dict[str, str] = {}  # canonical name (as registered) -> module
_LOADED: set[str] = set()


def normalise(spec: str) -> str:
    """The text patterns are matched against: lower case, whitespace removed."""
    return re.sub(r"\s+", "", spec).lower()


def _same(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    """The same factory (also after a module reload, which makes a new function object)."""
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def notation(pattern: str, *, example: str) -> Callable[[F], F]:
    """Register a paper notation: ``pattern`` is a regex over the normalised (lower-case, no
    spaces) text; the factory receives the regex groups as strings and the notation's options
    as keywords; ``example`` is one notation it accepts (it goes into ``catalog()``, and must
    match ``pattern``)."""
    rx = re.compile(pattern)
    if not rx.fullmatch(normalise(example)):
        raise ValueError(f"example {example!r} does not match its pattern {pattern!r}")

    def register(fn: F) -> F:
        entry = Notation(pattern, rx, fn, example, fn.__module__)
        for i, old in enumerate(_NOTATIONS):
            if old.pattern == pattern:
                if not _same(old.factory, fn):
                    raise ValueError(
                        f"pattern {pattern!r} is registered twice ({old.factory.__module__}."
                        f"{old.factory.__qualname__} and {fn.__module__}.{fn.__qualname__})"
                    )
                _NOTATIONS[i] = entry
                return fn
        _NOTATIONS.append(entry)
        return fn

    return register


def named(name: str, *aliases: str) -> Callable[[F], F]:
    """Register a zero-argument factory under ``name`` (the canonical name ``catalog()``
    lists) and ``aliases`` (accepted by ``parse``, not listed)."""

    def register(fn: F) -> F:
        for key in (name, *aliases):
            k = normalise(key)
            old = _NAMED.get(k)
            if old is not None and not _same(old, fn):
                raise ValueError(
                    f"name {key!r} is registered twice ({old.__module__}.{old.__qualname__} "
                    f"and {fn.__module__}.{fn.__qualname__})"
                )
            _NAMED[k] = fn
        _CANONICAL[name] = fn.__module__
        return fn

    return register


def _import(module: str) -> None:
    if module in _LOADED:
        return
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as e:
        if not (module in _OPTIONAL_MODULES and e.name == module):
            raise
    _LOADED.add(module)
    from lognum.formats import _legacy  # TEMPORARY (issue 12 merge), see _legacy.py

    _legacy.register(module)


def load_all() -> None:
    """Import every family module (``catalog()`` and the tests need them all)."""
    for m in FAMILY_MODULES:
        _import(m)


def match(s: str) -> tuple[Callable[..., Any], tuple[str, ...], bool] | None:
    """The factory for the normalised text ``s`` among what is registered so far: (factory,
    regex groups, whether it is a named format), or None."""
    fn = _NAMED.get(s)
    if fn is not None:
        return fn, (), True
    for nt in _NOTATIONS:
        m = nt.regex.fullmatch(s)
        if m:
            return nt.factory, m.groups(), False
    return None


def lookup(s: str) -> tuple[Callable[..., Any], tuple[str, ...], bool] | None:
    """``match`` that imports the family modules one by one (FAMILY_MODULES order) until one
    registers a notation or name matching ``s``; None if none does."""
    hit = match(s)
    for m in FAMILY_MODULES:
        if hit is not None:
            break
        if m not in _LOADED:
            # a module imported directly by the user has registered already
            if m in sys.modules:
                _LOADED.add(m)
                from lognum.formats import _legacy  # TEMPORARY (issue 12 merge)

                _legacy.register(m)
            else:
                _import(m)
            hit = match(s)
    return hit


def format_class(factory: Callable[..., Any]) -> type | None:
    """The class a factory's return annotation names (None if it names none)."""
    try:
        cls = typing.get_type_hints(factory).get("return")
    except Exception:  # noqa: BLE001 - an unresolvable annotation names no class
        return None
    return cls if isinstance(cls, type) else None


def _order(module: str) -> int:
    return FAMILY_MODULES.index(module) if module in FAMILY_MODULES else len(FAMILY_MODULES)


def notations() -> tuple[Notation, ...]:
    """Every registered notation (all family modules imported), by family then registration."""
    load_all()
    return tuple(sorted(_NOTATIONS, key=lambda nt: _order(nt.module)))


def names() -> tuple[str, ...]:
    """Every canonical name (no aliases), by family then registration."""
    load_all()
    return tuple(sorted(_CANONICAL, key=lambda k: _order(_CANONICAL[k])))


def examples() -> tuple[str, ...]:
    """One example per registered notation."""
    return tuple(nt.example for nt in notations())


def catalog() -> tuple[str, ...]:
    """One example per registered notation and every canonical name (no aliases): every entry
    parses, and the contract test (tests/formats/test_contract.py) runs over all of them."""
    return examples() + names()


def names_markdown() -> str:
    """The README's list of notations and names (tests/formats/test_contract.py checks that
    README.md holds exactly this text between its ``format-names`` markers)."""
    by_module: dict[str, list[str]] = {}
    for nt in notations():
        by_module.setdefault(nt.module, []).append(f"`{nt.example}`")
    for name in names():
        by_module.setdefault(_CANONICAL[name], []).append(f"`{name}`")
    lines = [
        f"- {m.rsplit('.', 1)[-1]}: " + ", ".join(v)
        for m, v in sorted(by_module.items(), key=lambda kv: _order(kv[0]))
    ]
    return "\n".join(lines)
