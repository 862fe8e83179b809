"""Exercise checker: ``check(key, answer)`` compares a student's answer with the expected one.

Each lesson's exercises live in ``lognum/teach/answers/lNN.py``; an exercise's expected answer
is computed there with lognum (or exactly, with fractions), independently of the way the
lesson's solution notebook computes it. Keys are ``"LL.N"``: lesson LL, "Exercise N".
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Exercise:
    """One exercise: its key (``"06.2"``), a one-line statement, how to compare, a hint."""

    key: str
    title: str
    expected: Callable[[], Any]
    rtol: float
    atol: float
    hint: str


_REGISTRY: dict[str, Exercise] = {}
_LOADED = False


def exercise(key: str, title: str, *, rtol: float = 1e-9, atol: float = 0.0, hint: str = ""):
    """Decorator registering the function computing the expected answer of exercise ``key``."""

    def deco(fn: Callable[[], Any]) -> Callable[[], Any]:
        if key in _REGISTRY:
            raise ValueError(f"exercise {key!r} is registered twice")
        _REGISTRY[key] = Exercise(key, title, fn, rtol, atol, hint)
        return fn

    return deco


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    from lognum.teach import answers

    for m in pkgutil.iter_modules(answers.__path__):
        importlib.import_module(f"lognum.teach.answers.{m.name}")
    _LOADED = True


def _get(key: str) -> Exercise:
    _load()
    if key not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"exercise must be one of {known}; got {key!r}")
    return _REGISTRY[key]


def exercises(lesson: int | None = None) -> list[Exercise]:
    """All registered exercises (of one lesson if ``lesson`` is given), sorted by key."""
    _load()
    ex = sorted(_REGISTRY.values(), key=lambda e: tuple(int(p) for p in e.key.split(".")))
    return [e for e in ex if lesson is None or int(e.key.split(".")[0]) == lesson]


def answer(key: str) -> Any:
    """The expected answer of exercise ``key`` (for instructors and the solution notebooks)."""
    return _get(key).expected()


def matches(got: Any, want: Any, rtol: float = 1e-9, atol: float = 0.0) -> bool:
    """Whether ``got`` equals ``want``: numbers and arrays within rtol/atol (NaN equals NaN),
    strings ignoring case and surrounding spaces, ints/bools/Fractions exactly, containers
    element by element, dicts key by key."""
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(want)
            and all(matches(got[k], want[k], rtol, atol) for k in want)
        )
    if isinstance(want, str):
        return isinstance(got, str) and got.strip().lower() == want.strip().lower()
    if isinstance(want, bool | np.bool_):
        return isinstance(got, bool | np.bool_) and bool(got) == bool(want)
    if isinstance(want, Fraction):
        try:
            return Fraction(got) == want
        except (TypeError, ValueError):
            return False
    if isinstance(want, int | np.integer):
        try:
            return float(got) == float(want) and float(got).is_integer()
        except (TypeError, ValueError):
            return False
    if isinstance(want, list | tuple) and not all(
        isinstance(w, int | float | np.number) and not isinstance(w, bool) for w in want
    ):
        return (
            isinstance(got, list | tuple)
            and len(got) == len(want)
            and all(matches(g, w, rtol, atol) for g, w in zip(got, want, strict=True))
        )
    try:
        g = np.asarray(got, dtype=np.float64)
        w = np.asarray(want, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if g.shape != w.shape:
        return False
    return bool(np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=True))


class Verdict:
    """The result of :func:`check`: true when the answer is right. It displays as nothing in
    a notebook (the verdict is already printed)."""

    def __init__(self, ok: bool) -> None:
        self.ok = bool(ok)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict({self.ok})"

    def _ipython_display_(self) -> None:
        pass


def check(key: str, got: Any, *, quiet: bool = False) -> Verdict:
    """Check the answer ``got`` to exercise ``key``; print a verdict (and a hint if wrong).

    Returns a :class:`Verdict`, true when the answer is right. Example: ``check("06.1", 0.203125)``.
    """
    ex = _get(key)
    ok = matches(got, ex.expected(), ex.rtol, ex.atol)
    if not quiet:
        if ok:
            print(f"Exercise {ex.key} ({ex.title}): correct.")
        elif got is None:
            print(f"Exercise {ex.key} ({ex.title}): no answer yet.")
        else:
            shown = got if not isinstance(got, np.ndarray) or got.size <= 8 else f"array{got.shape}"
            msg = f"Exercise {ex.key} ({ex.title}): not yet — your answer {shown!r} is wrong."
            if ex.hint:
                msg += f" Hint: {ex.hint}"
            print(msg)
    return Verdict(ok)


def db(x: float) -> float:
    """10·log10(x), used by several answers."""
    return 10.0 * math.log10(x)
