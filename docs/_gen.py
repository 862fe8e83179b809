"""Tables of the documentation computed from the code at build time (never typed by hand).

``write_all(folder)`` writes Markdown fragments the pages include:

* ``minifloats.md``: every named float — layout, bias, largest value, smallest normal and
  subnormal, number of normal binades, and the inf/NaN codes found by decoding every pattern;
* ``special_values.md``: what ``quantize`` returns for -0, NaN, ±inf, overflow and underflow,
  by running it on those inputs for one format of each element family;
* ``names.md``: the names :func:`lognum.formats.parse.parse` accepts;
* ``toplevel.md``: the names ``import lognum`` offers, with the module that defines each.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def _pow2(v: float) -> str:
    """``2^k`` when v is a power of two, else a short decimal (both when useful)."""
    if v == 0 or not math.isfinite(v):
        return str(v)
    m, e = math.frexp(v)
    if m == 0.5:
        return f"2^{e - 1}"
    return f"{v:.6g}"


def _both(v: float) -> str:
    p = _pow2(v)
    return f"{p} ({v:.6g})" if p.startswith("2^") else p


def _codes_rule(f, codes: list[int]) -> str:
    """Describe a set of codes of the minifloat f compactly."""
    if not codes:
        return "none"
    e, m, n = f.e, f.m, f.nbits
    signed = n == 1 + e + m
    allones_e = [c for c in range(1 << n) if ((c >> m) & ((1 << e) - 1)) == (1 << e) - 1]
    if signed and m > 0 and sorted(codes) == sorted(c for c in allones_e if c & ((1 << m) - 1)):
        return f"E = 1…1, M ≠ 0 ({len(codes)} codes)"
    if signed and sorted(codes) == sorted(c for c in allones_e if not c & ((1 << m) - 1)):
        return "E = 1…1, M = 0 (±inf)"
    if len(codes) <= 2:
        return ", ".join(f"`{c:0{n}b}`" for c in codes)
    return f"{len(codes)} codes"


def minifloat_table() -> str:
    from lognum.formats import floats

    head = (
        "| name | bits s/e/m | bias | max | min normal | min subnormal | normal binades "
        "| inf codes | NaN codes | overflow by default |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for name in floats.NAMED_FLOATS:
        f = getattr(floats, name)()
        n = f.nbits
        codes = np.arange(1 << n, dtype=np.uint16 if n > 8 else np.uint8)
        v = f.decode(codes)
        infs = [int(c) for c in codes[np.isinf(v)]]
        nans = [int(c) for c in codes[np.isnan(v)]]
        fin = np.abs(v[np.isfinite(v)])
        assert float(fin.max()) == f.maxpos
        sub = f.subnormals and f.m > 0
        minsub = _pow2(float(fin[fin > 0].min())) if sub else "–"
        binades = int(math.floor(math.log2(f.maxpos))) - int(math.log2(f.min_normal)) + 1
        s = 1 if f.signed else 0
        over = "±max (saturates)" if f.saturating else ("±inf" if infs else "NaN")
        rows.append(
            f"| `{name}` | {s}/{f.e}/{f.m} | {f.bias} | {_both(f.maxpos)} "
            f"| {_pow2(f.min_normal)} | {minsub} | {binades} "
            f"| {_codes_rule(f, infs)} | {_codes_rule(f, nans)} | {over} |"
        )
    return head + "\n".join(rows) + "\n"


SPECIAL_FORMATS = [
    "posit<8,2>",
    "GP<8,1,3,0>",
    "LP<8,1,5,0>",
    "float16",
    "bfloat16",
    "float8_e5m2",
    "float8_e4m3fn",
    "float8_e4m3fnuz",
    "float6_e2m3fn",
    "float4_e2m1fn",
    "float8_e8m0fnu",
    "int8",
    "fixed<8,4>",
    "lns<8,3>",
]


def _show(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if v == 0:
        return "−0" if math.copysign(1.0, v) < 0 else "0"
    if math.isinf(v):
        return "+inf" if v > 0 else "−inf"
    return _pow2(v) if abs(math.frexp(v)[0]) == 0.5 else f"{v:.6g}"


def special_values_table() -> str:
    import lognum as ln

    x = np.array([-0.0, np.nan, np.inf, -np.inf, 1e300, 1e-300])
    head = (
        "| format | −0 | NaN | +inf | −inf | 1e300 (default) | 1e300 (`saturate=True`) "
        "| 1e-300 |\n|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for spec in SPECIAL_FORMATS:
        f = ln.parse(spec)
        y = f.quantize(x)
        try:
            sat = _show(float(f.quantize(np.array([1e300]), saturate=True)[0]))
        except TypeError:
            sat = "(no option)"
        rows.append(
            f"| `{f}` | "
            + " | ".join(_show(float(v)) for v in y[:5])
            + f" | {sat} | {_show(float(y[5]))} |"
        )
    return head + "\n".join(rows) + "\n"


def names_table() -> str:
    from lognum.formats import registry

    pats = "\n".join(
        f"- `{nt.pattern}` (e.g. `{nt.example}`, {nt.module})" for nt in registry.notations()
    )
    names = ", ".join(f"`{n}`" for n in registry.names())
    return (
        f"Notations (regular expressions over the lower-cased text, spaces removed):\n\n"
        f"{pats}\n\nNames: {names}.\n"
    )


def toplevel_table() -> str:
    import lognum

    rows = ["| name | defined in |", "|---|---|"]
    for name, mod in sorted(lognum._LAZY.items()):
        obj = getattr(lognum, name)
        role = "class" if isinstance(obj, type) else "func"
        rows.append(f"| {{py:{role}}}`~{mod}.{name}` | `{mod}` |")
    rows += [f"| `lognum.{p}` | subpackage |" for p in lognum._SUBPACKAGES]
    return "\n".join(rows) + "\n"


#: documented first, in this order; any other public subpackage or module follows
API_ORDER = ("formats", "analysis", "arith", "nn", "lpq", "hw", "plots", "data", "cli")


def api_packages() -> list[str]:
    """Public subpackages and modules of lognum (new ones are documented automatically)."""
    import pkgutil

    import lognum

    found = [m.name for m in pkgutil.iter_modules(lognum.__path__) if not m.name.startswith("_")]
    return [p for p in API_ORDER if p in found] + sorted(set(found) - set(API_ORDER))


def _public_modules(pkg: str) -> list[str]:
    import importlib
    import pkgutil

    mod = importlib.import_module(pkg)
    names = [pkg]
    if not hasattr(mod, "__path__"):  # a plain module (lognum.cli)
        return names
    for info in pkgutil.iter_modules(mod.__path__):
        if info.name.startswith("_"):
            continue
        full = f"{pkg}.{info.name}"
        names += _public_modules(full) if info.ispkg else [full]
    return names


def _members(modname: str) -> list[tuple[str, str]]:
    """(name, canonical dotted path) of the public names of a module: its ``__all__``, or
    the public classes and functions defined in it."""
    import importlib
    import inspect

    mod = importlib.import_module(modname)
    out = []
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [
            n
            for n, o in vars(mod).items()
            if not n.startswith("_")
            and (inspect.isclass(o) or inspect.isfunction(o))
            and getattr(o, "__module__", None) == modname
        ]
    for n in names:
        o = getattr(mod, n)
        home = getattr(o, "__module__", modname) if (inspect.isclass(o) or callable(o)) else modname
        if not (inspect.isclass(o) or inspect.isfunction(o)):
            continue  # data (tables, constants): documented by automodule where commented
        out.append((n, f"{home}.{n}"))
    return out


def api_stubs(folder: Path) -> dict[str, str]:
    """One page per public module: a summary table of its names, then the docstrings. A
    package page lists the names it re-exports, linked to the module that defines them."""
    import importlib

    pages: dict[str, str] = {}
    for top in api_packages():
        for modname in _public_modules(f"lognum.{top}"):
            mod = importlib.import_module(modname)
            is_pkg = hasattr(mod, "__path__")
            title = f"``{modname}``"
            lines = [title, "=" * len(title), ""]
            members = _members(modname)
            if is_pkg:
                own = [n for n, full in members if full == f"{modname}.{n}"]
                opt = f"   :members: {', '.join(own)}" if own else "   :no-members:"
                lines += [f".. automodule:: {modname}", opt, ""]  # only its own names
                if members:
                    lines += [".. rubric:: Names", "", ".. list-table::", ""]
                    for n, full in members:
                        lines += [f"   * - :py:obj:`{n} <{full}>`", f"     - ``{full}``"]
                    lines.append("")
                subs = [
                    m
                    for m in _public_modules(modname)[1:]
                    if m.count(".") == modname.count(".") + 1
                ]
                if subs:
                    lines += [".. toctree::", "   :maxdepth: 1", ""] + [f"   {m}" for m in subs]
            else:
                if members:
                    lines += (
                        [
                            f".. currentmodule:: {modname}",
                            "",
                            ".. autosummary::",
                            "   :nosignatures:",
                            "",
                        ]
                        + [f"   {n}" for n, _ in members]
                        + [""]
                    )
                lines += [
                    f".. automodule:: {modname}",
                    "   :members:",
                    "   :show-inheritance:",
                    "   :member-order: bysource",
                    "",
                ]
            pages[modname] = "\n".join(lines) + "\n"
    return pages


def write_all(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name, fn in (
        ("minifloats", minifloat_table),
        ("special_values", special_values_table),
        ("names", names_table),
        ("toplevel", toplevel_table),
    ):
        text = fn()
        path = folder / f"{name}.md"
        if not path.exists() or path.read_text() != text:  # unchanged files keep their mtime
            path.write_text(text)
    toc = "```{toctree}\n:maxdepth: 1\n\n" + "".join(f"api/lognum.{p}\n" for p in api_packages())
    toc += "```\n"
    path = folder / "api_toc.md"
    if not path.exists() or path.read_text() != toc:
        path.write_text(toc)
    api = folder.parent / "api"
    api.mkdir(exist_ok=True)
    for modname, text in api_stubs(api).items():
        path = api / f"{modname}.rst"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


if __name__ == "__main__":
    for fn in (minifloat_table, special_values_table, names_table, toplevel_table):
        print(fn())
