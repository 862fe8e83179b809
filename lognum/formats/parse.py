"""The paper-notation parser: ``parse("posit<8,2>")``, ``parse("GP<6,1,3,-1>")``,
``parse("LP<6,2,5,0>")``, ``parse("bfloat16")``, ... (case-insensitive, spaces allowed).

What is accepted is what the families register in ``lognum.formats.registry`` next to their
classes (``lognum.formats.catalog()`` lists one example of each); ``parse(str(f)) == f`` for
every format. A family module is imported only when the notations registered so far do not
match, so the parser costs nothing at ``import lognum``.

Any notation may carry non-default options, once: ``"float8_e4m3fn(saturate=true)"``,
``"af<6,3>(bias=9)"``. The options reach the notation's factory as keywords together with its
parameters (so a format that only exists with its options, e.g.
``"minifloat<4,0>(special=fn)"``, parses, and defaults that depend on an option follow it);
for a named format they replace fields of the format the name gives. Option values are read
as the type of the dataclass field: text for ``str`` fields, else true/false/none, an integer,
a real number or a ``[a;b;...]`` tuple.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from lognum.formats import registry

# TEMPORARY (issue 12 merge): the old marker the unconverted families import from here
from lognum.formats._legacy import notation  # noqa: F401

_OPTIONS = r"(.+?)\(([^()]*)\)"


def parse(spec: Any) -> Any:
    """A format object from its notation (a format object is returned unchanged).

    Raises ``ValueError`` listing the registered notations' examples when ``spec`` is not
    understood, and the family's ``ValueError`` when a parameter is out of range.
    """
    from lognum.formats.base import Format

    if isinstance(spec, Format):
        return spec
    if not isinstance(spec, str):
        raise ValueError(f"spec must be a format or its notation string, got {spec!r}")
    s = registry.normalise(spec)
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
    hit = registry.lookup(s)
    if hit is None:
        known = ", ".join(registry.catalog())
        raise ValueError(f"unknown format notation {spec!r}; accepted (examples): {known}")
    factory, groups, is_name = hit
    return _with_options(factory, groups, is_name, opts)


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


def _with_options(factory: Any, groups: tuple, is_name: bool, opts: dict[str, str]) -> Any:
    """Call a notation's factory with the option fields as keywords (a named format's factory
    takes none: its options replace fields of the named format)."""
    if not opts:
        return factory(*groups)
    if is_name:
        f = factory()
        cls: Any = type(f)
    else:
        cls = registry.format_class(factory)
    if cls is None or not dataclasses.is_dataclass(cls):
        raise ValueError(f"the notation of {factory.__qualname__} takes no options, got {opts}")
    fields = {fl.name: fl for fl in dataclasses.fields(cls)}
    kw: dict[str, Any] = {}
    for k, v in opts.items():
        if k not in fields:
            raise ValueError(
                f"{k!r} is not a parameter of {cls.__name__}; parameters: {sorted(fields)}"
            )
        kw[k] = _opt_value(v, str(fields[k].type))
    if is_name:
        return dataclasses.replace(f, **kw)
    return factory(*groups, **kw)
