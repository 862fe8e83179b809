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
]
# any of the above may carry non-default options, once: "float8_e4m3fn(saturate=true)",
# "af<6,3>(bias=9)"; the options reach the constructor together with the notation's
# parameters (so a format that only exists with its options, e.g.
# "minifloat<4,0>(special=fn)", parses, and defaults that depend on an option follow it)
_OPTIONS = r"(.+?)\(([^()]*)\)"

# exact names (normalised: lower case, no spaces) -> "module:factory" (called with no argument)
NAMED: dict[str, str] = {
    **{
        name: f"lognum.formats.floats:{name}"
        for name in (
            "float16",
            "bfloat16",
            "float8_e4m3fn",
            "float8_e5m2",
            "float8_e4m3fnuz",
            "float8_e5m2fnuz",
            "float8_e4m3",
            "float8_e3m4",
            "float6_e2m3fn",
            "float6_e3m2fn",
            "float4_e2m1fn",
            "float8_e8m0fnu",
        )
    },
    **{
        alias: f"lognum.formats.floats:{name}"
        for alias, name in (
            ("fp16", "float16"),
            ("half", "float16"),
            ("binary16", "float16"),
            ("bf16", "bfloat16"),
            ("fp8_e4m3", "float8_e4m3fn"),
            ("fp8_e5m2", "float8_e5m2"),
            ("e4m3", "float8_e4m3fn"),
            ("e5m2", "float8_e5m2"),
            ("fp8_e4m3fnuz", "float8_e4m3fnuz"),
            ("fp8_e5m2fnuz", "float8_e5m2fnuz"),
            ("fp6_e2m3", "float6_e2m3fn"),
            ("fp6_e3m2", "float6_e3m2fn"),
            ("e2m3", "float6_e2m3fn"),
            ("e3m2", "float6_e3m2fn"),
            ("fp4", "float4_e2m1fn"),
            ("fp4_e2m1", "float4_e2m1fn"),
            ("e2m1", "float4_e2m1fn"),
            ("e8m0", "float8_e8m0fnu"),
            ("fp8_e8m0", "float8_e8m0fnu"),
        )
    },
    **{
        name: f"lognum.formats.block:{fac}"
        for name, fac in (
            ("mxfp8_e4m3", "mxfp8_e4m3"),
            ("mxfp8", "mxfp8_e4m3"),
            ("mxfp8_e5m2", "mxfp8_e5m2"),
            ("mxfp6_e2m3", "mxfp6_e2m3"),
            ("mxfp6", "mxfp6_e2m3"),
            ("mxfp6_e3m2", "mxfp6_e3m2"),
            ("mxfp4", "mxfp4"),
            ("mxfp4_e2m1", "mxfp4"),
            ("mxint8", "mxint8"),
        )
    },
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
    opts: dict[str, str] = {}
    m = re.fullmatch(_OPTIONS, s)
    if m:
        s, text = m.groups()
        for item in filter(None, text.split(",")):
            k, sep, v = item.partition("=")
            if not sep or not k:
                raise ValueError(f"option {item!r} of {spec!r} must be key=value")
            if k in opts:
                raise ValueError(f"option {k!r} is given twice in {spec!r}")
            opts[k] = v
    if s in NAMED:
        return _with_options(_load(NAMED[s]), (), opts)
    for pattern, target in PATTERNS:
        m = re.fullmatch(pattern, s)
        if m:
            return _with_options(_load(target), m.groups(), opts)
    known = ", ".join(["posit<n,es>", "GP<n,es,rs,sc>", "LP<n,es,rs,sf>"] + sorted(NAMED)[:12])
    raise ValueError(f"unknown format notation {spec!r}; accepted: {known}, ...")


def _opt_value(s: str, annotation: str) -> Any:
    """An option's text as the field's value: text for str fields, else bool/None/int/float or
    a ``[a;b;...]`` tuple."""
    if annotation.strip() == "str":
        return s
    if s.startswith("[") and s.endswith("]"):
        return tuple(_opt_value(v, "") for v in s[1:-1].split(";") if v)
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s)
    except ValueError:
        return s


def _with_options(factory: Any, groups: tuple, opts: dict[str, str]) -> Any:
    """Call a notation's factory with the option fields as keywords (factories of named
    formats take none: their options replace fields of the named format)."""
    import dataclasses

    if not opts:
        return factory(*groups)
    cls = getattr(factory, "format_class", None)
    if cls is None:  # a named format: build it, then replace fields
        f = factory(*groups)
        cls = type(f)
    fields = {fl.name: fl for fl in dataclasses.fields(cls)}
    kw: dict[str, Any] = {}
    for k, v in opts.items():
        if k not in fields:
            raise ValueError(
                f"{k!r} is not a parameter of {cls.__name__}; parameters: {sorted(fields)}"
            )
        kw[k] = _opt_value(v, str(fields[k].type))
    if getattr(factory, "format_class", None) is None:
        return dataclasses.replace(f, **kw)
    return factory(*groups, **kw)


def notation(cls: Any) -> Any:
    """Mark a notation factory as building ``cls`` (its options are passed as keywords)."""

    def mark(fn: Any) -> Any:
        fn.format_class = cls
        return fn

    return mark
