"""The paper-notation parser and the catalogue of format names.

``parse("posit<8,2>")``, ``parse("GP<6,1,3,-1>")``, ``parse("LP<6,2,5,0>")`` (case-insensitive,
spaces allowed), and the named formats other families register in ``NAMED``/``PATTERNS``.
``parse(str(f)) == f`` for every format. Families are imported only when their notation is
parsed, so the parser costs nothing at ``import lognum``.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"

# (regex over the normalised text, "module:factory"); the factory gets the regex groups as
# strings. Families add their notations here.
PATTERNS: list[tuple[str, str]] = [
    (r"posit<(\d+),(\d+)>", "lognum.formats.posit:_parse_posit"),
    (r"posit(\d+)", "lognum.formats.posit:_parse_posit_n"),
    (rf"(?:gp|generalizedposit)<(\d+),(\d+),(\d+),({_NUM})>", "lognum.formats.posit:_parse_gp"),
    (rf"(?:lp|logposit)<(\d+),(\d+),(\d+),({_NUM})>", "lognum.formats.logposit:_parse_lp"),
]

# exact names (normalised: lower case, no spaces) -> "module:factory" (called with no argument)
NAMED: dict[str, str] = {}


def _normalise(spec: str) -> str:
    return re.sub(r"\s+", "", spec).lower()


def _load(target: str) -> Any:
    mod, _, name = target.partition(":")
    return getattr(importlib.import_module(mod), name)


def parse(spec: Any) -> Any:
    """A format object from its notation (a format object is returned unchanged).

    Raises ``ValueError`` naming the accepted notations when ``spec`` is not understood, and the
    family's ``ValueError`` when a parameter is out of range.
    """
    from lognum.formats.base import Format

    if isinstance(spec, Format):
        return spec
    if not isinstance(spec, str):
        raise ValueError(f"spec must be a format or its notation string, got {spec!r}")
    s = _normalise(spec)
    if s in NAMED:
        return _load(NAMED[s])()
    for pattern, target in PATTERNS:
        m = re.fullmatch(pattern, s)
        if m:
            return _load(target)(*m.groups())
    known = ", ".join(["posit<n,es>", "GP<n,es,rs,sc>", "LP<n,es,rs,sf>"] + sorted(NAMED)[:12])
    raise ValueError(f"unknown format notation {spec!r}; accepted: {known}, ...")
