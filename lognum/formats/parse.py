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
    # teaching taxonomy (fixed.py, floats.py, lns.py, block.py)
    (r"(u?)int(\d+)", "lognum.formats.fixed:_parse_int"),
    (r"(u?)fixed<(\d+),([+-]?\d+)>", "lognum.formats.fixed:_parse_fixed"),
    (r"int(\d+)_sym(?:metric)?", "lognum.formats.fixed:_parse_sym"),
    (r"(u?)int(\d+)_affine", "lognum.formats.fixed:_parse_affine"),
    (r"dfxp<(\d+)>", "lognum.formats.fixed:_parse_dfxp"),
    (r"minifloat<(\d+),(\d+)>", "lognum.formats.floats:_parse_minifloat"),
    (r"sf<(\d+),(\d+)(?:,([+-]?\d+))?>", "lognum.formats.floats:_parse_sf"),
    (r"(?:af|adaptivfloat)<(\d+),(\d+)>", "lognum.formats.floats:_parse_af"),
    (r"lns<(\d+),(\d+)>", "lognum.formats.lns:_parse_lns"),
    (r"logquant<(\d+)(?:,([+-]?\d+))?>", "lognum.formats.lns:_parse_logquant"),
    (r"bfp<(\d+),(\d+)>", "lognum.formats.block:_parse_bfp"),
    # any of the above with non-default options: "float8_e4m3fn(saturate=true)", "af<6,3>(bias=9)"
    (r"(.+)\(([^()]*)\)", "lognum.formats.floats:_parse_with_options"),
]

# exact names (normalised: lower case, no spaces) -> "module:factory" (called with no argument)
NAMED: dict[str, str] = {
    **{name: f"lognum.formats.floats:{name}" for name in (
        "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
        "float8_e5m2fnuz", "float8_e4m3", "float8_e3m4", "float6_e2m3fn", "float6_e3m2fn",
        "float4_e2m1fn", "float8_e8m0fnu")},
    **{alias: f"lognum.formats.floats:{name}" for alias, name in (
        ("fp16", "float16"), ("half", "float16"), ("binary16", "float16"), ("bf16", "bfloat16"),
        ("fp8_e4m3", "float8_e4m3fn"), ("fp8_e5m2", "float8_e5m2"), ("e4m3", "float8_e4m3fn"),
        ("e5m2", "float8_e5m2"), ("fp8_e4m3fnuz", "float8_e4m3fnuz"),
        ("fp8_e5m2fnuz", "float8_e5m2fnuz"), ("fp6_e2m3", "float6_e2m3fn"),
        ("fp6_e3m2", "float6_e3m2fn"), ("e2m3", "float6_e2m3fn"), ("e3m2", "float6_e3m2fn"),
        ("fp4", "float4_e2m1fn"), ("fp4_e2m1", "float4_e2m1fn"), ("e2m1", "float4_e2m1fn"),
        ("e8m0", "float8_e8m0fnu"), ("fp8_e8m0", "float8_e8m0fnu"))},
    **{name: f"lognum.formats.block:{fac}" for name, fac in (
        ("mxfp8_e4m3", "mxfp8_e4m3"), ("mxfp8", "mxfp8_e4m3"), ("mxfp8_e5m2", "mxfp8_e5m2"),
        ("mxfp6_e2m3", "mxfp6_e2m3"), ("mxfp6", "mxfp6_e2m3"), ("mxfp6_e3m2", "mxfp6_e3m2"),
        ("mxfp4", "mxfp4"), ("mxfp4_e2m1", "mxfp4"), ("mxint8", "mxint8"))},
}


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
