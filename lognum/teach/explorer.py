"""Bit-pattern explorer: toggle the bits of one element of a posit, GP, LP, FP8 (any
minifloat) or MX format and read its fields, its value and its neighbours.

The logic (:func:`view`, :func:`toggle`, :func:`table`) is plain Python and tested without a
browser; :func:`explorer` builds an ipywidgets front end when ipywidgets is installed and falls
back to a static table otherwise. For an MX element the value is the element's value times the
block's E8M0 scale 2^(X − 127) (X is the 8-bit scale code; 255 is NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_BITS = 16  # neighbours come from enumerating every code


@dataclass(frozen=True)
class Field:
    """One field of a bit pattern: its name, its bits and what they mean."""

    name: str
    bits: str
    meaning: str


@dataclass(frozen=True)
class ElementView:
    """Everything the explorer shows for one code."""

    format: str
    code: int
    pattern: str
    fields: tuple[Field, ...]
    value: float
    below: float | None
    above: float | None
    special: str | None


def _resolve(fmt: Any) -> Any:
    from lognum.formats.parse import parse

    f = parse(fmt) if isinstance(fmt, str) else fmt
    fam = _family(f)
    if fam is None:
        raise ValueError(
            f"fmt must be a posit, GP, LP, minifloat (FP8, ...) or MX format, got {f!s}"
        )
    if _nbits(f) > MAX_BITS:
        raise ValueError(f"fmt must have at most {MAX_BITS} bits per element, got {_nbits(f)}")
    return f


def _family(f: Any) -> str | None:
    """What the explorer shows, from the format's declared ``family`` and ``kind``."""
    kind, family = getattr(f, "kind", None), getattr(f, "family", None)
    if family in ("gp", "lp"):
        return "tapered"
    if family == "float" and kind == "element":
        return "float"
    if kind == "block" and hasattr(f, "element_format"):
        return "mx"
    return None


def _nbits(f: Any) -> int:
    return int(f.nbits)


def _element(f: Any) -> Any:
    """The format whose codes are toggled: the MX element format, else the format itself."""
    return f.element_format if _family(f) == "mx" else f


def _decode_all(f: Any) -> np.ndarray:
    n = _nbits(f)
    if _family(f) == "mx":
        e = f.element_format
        if e is None:  # MXINT8: the element table as the format describes it
            return np.array([f.describe(c).value for c in range(1 << n)], dtype=np.float64)
        f = e
    return np.asarray(
        f.decode(np.arange(1 << n, dtype=np.uint64).astype(f.code_dtype)), dtype=np.float64
    )


def _check_code(f: Any, code: Any) -> int:
    n = _nbits(f)
    if isinstance(code, bool) or not isinstance(code, int | np.integer) or not 0 <= code < 1 << n:
        raise ValueError(f"code must be an integer in [0, 2^{n} - 1], got {code!r}")
    return int(code)


def _check_scale(scale: Any) -> int:
    if isinstance(scale, bool) or not isinstance(scale, int | np.integer) or not 0 <= scale <= 255:
        raise ValueError(f"scale must be an E8M0 code in [0, 255], got {scale!r}")
    return int(scale)


def toggle(fmt: Any, code: int, bit: int) -> int:
    """``code`` with bit ``bit`` flipped (bit 0 is the least significant, n − 1 the sign)."""
    f = _resolve(fmt)
    c = _check_code(f, code)
    n = _nbits(f)
    if isinstance(bit, bool) or not isinstance(bit, int | np.integer) or not 0 <= bit < n:
        raise ValueError(f"bit must be an integer in [0, {n - 1}], got {bit!r}")
    return c ^ (1 << int(bit))


def _fields(f: Any, c: int) -> tuple[tuple[Field, ...], str | None]:
    fam = _family(f)
    if fam == "mx" and f.element_format is None:
        s = format(c, "08b")
        q = c - 256 if c >= 128 else c
        v = f.describe(c).value
        return (Field("integer", s, f"two's complement {q}, element value {v:g}"),), None
    d = _element(f).describe(c)
    if d.special:
        return (Field("pattern", d.pattern, d.special),), d.special
    sign = d["sign"]
    if fam == "tapered":
        neg = " (fields read after two's-complement negation)" if sign else ""
        out = [
            Field("sign", str(sign), ("negative" if sign else "positive") + neg),
            Field("regime", d.field("regime").bits, f"run {d['run']}, k = {d['k']}"),
        ]
        if d.field("exponent").bits:
            out.append(Field("exponent", d.field("exponent").bits, f"e = {d['e']}"))
        if d.field("fraction").bits:
            kind = "log2 fraction" if f.family == "lp" else "fraction"
            out.append(Field(kind, d.field("fraction").bits, f"f = {d['f']}"))
        return tuple(out), None
    ebits, mbits, kind = d.field("exponent").bits, d.field("mantissa").bits, d["kind"]
    out = [
        Field("sign", str(sign), "negative" if sign else "positive"),
        Field("exponent", ebits, f"E = {d['exponent']}, scale 2^{d['scale']} ({kind})"),
    ]
    if mbits:
        lead = "1 + " if kind == "normal" else "0 + "
        out.append(Field("mantissa", mbits, f"{lead}{d['mantissa']}/{1 << len(mbits)}"))
    return tuple(out), None


def view(fmt: Any, code: int, scale: int = 127) -> ElementView:
    """The fields, value and value neighbours of ``code`` (for MX: times 2^(scale − 127)).

    ``below``/``above`` are the next smaller and larger finite values of the format (None at
    the ends; for a NaN/NaR code both are None).
    """
    f = _resolve(fmt)
    c = _check_code(f, code)
    x = _check_scale(scale)
    fam = _family(f)
    vals = _decode_all(f)
    mult = 1.0
    fields, special = _fields(f, c)
    if fam == "mx":
        if x == 255:
            special = "NaN (E8M0 scale code 255)"
            mult = math.nan
        else:
            mult = 2.0 ** (x - 127)
        fields = fields + (Field("block scale", format(x, "08b"), f"E8M0: 2^{x - 127}"),)
    v = float(vals[c]) * mult
    below = above = None
    if not math.isnan(v):
        fin = np.unique(vals[np.isfinite(vals)]) * mult
        lo, hi = fin[fin < v], fin[fin > v]
        below = float(lo[-1]) if lo.size else None
        above = float(hi[0]) if hi.size else None
    n = _nbits(f)
    return ElementView(str(f), c, format(c, f"0{n}b"), fields, v, below, above, special)


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.6g}"


def table(fmt: Any, codes: Any = None, scale: int = 127) -> str:
    """A Markdown table of ``codes`` (default: every code when n ≤ 6, else 16 spread codes)."""
    f = _resolve(fmt)
    n = _nbits(f)
    if codes is None:
        codes = (
            range(1 << n) if n <= 6 else sorted({int(c) for c in np.linspace(0, (1 << n) - 1, 16)})
        )
    rows = ["| code | bits | fields | value | below | above |", "|---|---|---|---|---|---|"]
    for c in codes:
        v = view(f, int(c), scale)
        fl = "; ".join(f"{fd.name} `{fd.bits}` ({fd.meaning})" for fd in v.fields)
        rows.append(
            f"| {v.code} | `{v.pattern}` | {fl} | {_num(v.value)} | {_num(v.below)} | "
            f"{_num(v.above)} |"
        )
    return "\n".join(rows)


def _have_widgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def explorer(fmt: Any, code: int = 0, scale: int = 127, widgets: bool | None = None) -> Any:
    """An interactive explorer of ``fmt``: one toggle button per bit (sign on the left), and
    for MX a slider for the block's scale code. Returns an ipywidgets box, or — when
    ipywidgets is missing or ``widgets=False`` — an ``IPython.display.Markdown`` static table
    of a few codes (plain Markdown text outside IPython)."""
    f = _resolve(fmt)
    c0 = _check_code(f, code)
    _check_scale(scale)
    use = _have_widgets() if widgets is None else bool(widgets)
    if not use:
        text = f"**{f}** (static table; install ipywidgets for the explorer)\n\n" + table(
            f, scale=scale
        )
        try:
            from IPython.display import Markdown
        except ImportError:  # pragma: no cover
            return text
        return Markdown(text)
    import ipywidgets as w

    n = _nbits(f)
    buttons = [
        w.ToggleButton(
            value=bool(c0 >> (n - 1 - i) & 1),
            description=str(n - 1 - i),
            layout=w.Layout(width="42px"),
        )
        for i in range(n)
    ]
    slider = (
        w.IntSlider(value=scale, min=0, max=255, description="scale X")
        if _family(f) == "mx"
        else None
    )
    out = w.HTML()

    def current() -> int:
        return sum(1 << (n - 1 - i) for i, b in enumerate(buttons) if b.value)

    def refresh(*_: Any) -> None:
        out.value = html(f, current(), slider.value if slider is not None else 127)

    for b in buttons:
        b.observe(refresh, "value")
    if slider is not None:
        slider.observe(refresh, "value")
    refresh()
    rows = [w.HBox(buttons)] + ([slider] if slider is not None else []) + [out]
    return w.VBox(rows)


def html(fmt: Any, code: int, scale: int = 127) -> str:
    """The explorer's read-out of one code as an HTML fragment."""
    v = view(fmt, code, scale)
    items = "".join(
        f"<li><b>{fd.name}</b> <code>{fd.bits}</code>: {fd.meaning}</li>" for fd in v.fields
    )
    return (
        f"<p><b>{v.format}</b> code {v.code} = <code>{v.pattern}</code></p><ul>{items}</ul>"
        f"<p>value <b>{_num(v.value)}</b>; neighbours {_num(v.below)} and "
        f"{_num(v.above)}</p>"
    )
