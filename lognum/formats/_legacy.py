"""TEMPORARY (issue 12 merge): the bridge for the four families not yet converted to the new
contract in this branch (floats, fixed, lns, block).

Delete this file, and the three lines that call it (``Format.__init_subclass__`` in base.py,
``registry._import`` in registry.py, the ``notation`` re-export in parse.py), once those
families register their notations with ``lognum.formats.registry`` and declare ``kind``,
``family`` and ``needs_fit`` themselves. Until then it (1) registers their old notation
factories and names with the registry, (2) sets ``kind``/``family``/``needs_fit`` on their
classes and (3) lets their positional calls of the base methods reach the keyword-only ones.
Each step is skipped where the family already does it itself.
"""

from __future__ import annotations

from typing import Any


# module -> [(pattern, factory name, example)]
_PATTERNS: dict[str, list[tuple[str, str, str]]] = {
    "lognum.formats.fixed": [
        (r"(u?)int(\d+)", "_parse_int", "int8"),
        (r"(u?)fixed<(\d+),([+-]?\d+)>", "_parse_fixed", "fixed<8,4>"),
        (r"int(\d+)_sym(?:metric)?", "_parse_sym", "int8_sym"),
        (r"(u?)int(\d+)_affine", "_parse_affine", "int8_affine"),
        (r"dfxp<(\d+)>", "_parse_dfxp", "dfxp<8>"),
    ],
    "lognum.formats.floats": [
        (r"minifloat<(\d+),(\d+)>", "_parse_minifloat", "minifloat<4,3>"),
        (r"sf<(\d+),(\d+)(?:,([+-]?\d+))?>", "_parse_sf", "SF<4,3>"),
        (r"(?:af|adaptivfloat)<(\d+),(\d+)>", "_parse_af", "AF<8,3>"),
    ],
    "lognum.formats.lns": [
        (r"lns<(\d+),(\d+)>", "_parse_lns", "LNS<8,3>"),
        (r"logquant<(\d+)(?:,([+-]?\d+))?>", "_parse_logquant", "logquant<4>"),
    ],
    "lognum.formats.block": [(r"bfp<(\d+),(\d+)>", "_parse_bfp", "bfp<8,32>")],
}
# module -> [(canonical name, factory name, aliases)]
_NAMES: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "lognum.formats.floats": [
        ("float16", "float16", ("fp16", "half", "binary16")),
        ("bfloat16", "bfloat16", ("bf16",)),
        ("float8_e4m3fn", "float8_e4m3fn", ("fp8_e4m3", "e4m3")),
        ("float8_e5m2", "float8_e5m2", ("fp8_e5m2", "e5m2")),
        ("float8_e4m3fnuz", "float8_e4m3fnuz", ("fp8_e4m3fnuz",)),
        ("float8_e5m2fnuz", "float8_e5m2fnuz", ("fp8_e5m2fnuz",)),
        ("float8_e4m3", "float8_e4m3", ()),
        ("float8_e3m4", "float8_e3m4", ()),
        ("float6_e2m3fn", "float6_e2m3fn", ("fp6_e2m3", "e2m3")),
        ("float6_e3m2fn", "float6_e3m2fn", ("fp6_e3m2", "e3m2")),
        ("float4_e2m1fn", "float4_e2m1fn", ("fp4", "fp4_e2m1", "e2m1")),
        ("float8_e8m0fnu", "float8_e8m0fnu", ("e8m0", "fp8_e8m0")),
    ],
    "lognum.formats.block": [
        ("mxfp8_e4m3", "mxfp8_e4m3", ("mxfp8",)),
        ("mxfp8_e5m2", "mxfp8_e5m2", ()),
        ("mxfp6_e2m3", "mxfp6_e2m3", ("mxfp6",)),
        ("mxfp6_e3m2", "mxfp6_e3m2", ()),
        ("mxfp4", "mxfp4", ("mxfp4_e2m1",)),
        ("mxint8", "mxint8", ()),
    ],
}
# (module, class) -> (family, kind, the parameter that is None while unfitted, or "")
_CLASSES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("lognum.formats.floats", "Minifloat"): ("float", "element", ""),
    ("lognum.formats.floats", "ScaledFloat"): ("float", "adaptive", "sc"),
    ("lognum.formats.floats", "AdaptivFloat"): ("float", "adaptive", "bias"),
    ("lognum.formats.fixed", "FixedPoint"): ("fixed", "element", ""),
    ("lognum.formats.fixed", "SymmetricInt"): ("fixed", "adaptive", "_needs_fit"),
    ("lognum.formats.fixed", "AffineInt"): ("fixed", "adaptive", "_needs_fit"),
    ("lognum.formats.fixed", "DynamicFixedPoint"): ("fixed", "adaptive", "_needs_fit"),
    ("lognum.formats.lns", "LNS"): ("lns", "element", ""),
    ("lognum.formats.lns", "LogQuant"): ("lns", "adaptive", "fsr"),
    ("lognum.formats.block", "MX"): ("block", "block", ""),
    ("lognum.formats.block", "BlockFloat"): ("block", "block", ""),
}


def notation(cls: Any) -> Any:
    """The old marker (``@notation(Minifloat)``) the unconverted families still apply."""

    def mark(fn: Any) -> Any:
        fn.format_class = cls
        return fn

    return mark


def register(module: str) -> None:
    """Register the old factories of ``module`` unless it registered notations itself."""
    import sys

    from lognum.formats import registry

    mod = sys.modules.get(module)
    if mod is None or module not in _PATTERNS and module not in _NAMES:
        return
    if any(nt.module == module for nt in registry._NOTATIONS) or module in set(
        registry._CANONICAL.values()
    ):
        return
    for pattern, fac, example in _PATTERNS.get(module, []):
        registry.notation(pattern, example=example)(getattr(mod, fac))
    for name, fac, aliases in _NAMES.get(module, []):
        registry.named(name, *aliases)(getattr(mod, fac))


def adapt(cls: type) -> None:
    """Declare kind/family/needs_fit on an unconverted class; bridge positional base calls."""
    spec = _CLASSES.get((cls.__module__, cls.__name__))
    if spec is None or "family" in cls.__dict__:
        return
    family, kind, param = spec
    cls.family = family  # type: ignore[attr-defined]
    cls.kind = kind  # type: ignore[attr-defined]
    if param == "_needs_fit":
        cls.needs_fit = property(lambda self: bool(self._needs_fit))  # type: ignore[attr-defined]
    elif param:
        cls.needs_fit = property(lambda self: getattr(self, param) is None)  # type: ignore[attr-defined]
    from lognum.formats.base import Format

    if "describe" in cls.__dict__:
        cls.describe = _describe_bridge(cls.__dict__["describe"])  # type: ignore[attr-defined]
    for base in cls.__mro__:
        if base.__name__ == "ElementMixin" and not getattr(base, "_legacy_bridged", False):
            base._legacy_bridged = True  # type: ignore[attr-defined]

            def quantize(self, x, rounding="nearest", rng=None, out=None, saturate=None, threads=1):  # type: ignore[no-untyped-def]
                return Format.quantize(
                    self._with_saturate(saturate),
                    x,
                    rounding=rounding,
                    rng=rng,
                    out=out,
                    threads=threads,
                )

            def encode(self, x, rounding="nearest", rng=None, saturate=None, threads=1):  # type: ignore[no-untyped-def]
                return Format.encode(
                    self._with_saturate(saturate), x, rounding=rounding, rng=rng, threads=threads
                )

            base.quantize = quantize  # type: ignore[attr-defined]
            base.encode = encode  # type: ignore[attr-defined]
    if cls.__name__ == "AdaptivFloat":
        orig_q = cls.__dict__["quantize"]

        def af_quantize(self, x, rounding="nearest", rng=None, out=None, saturate=None, threads=1):  # type: ignore[no-untyped-def]
            self._with_saturate(saturate)
            f = self.fit(x) if self.bias is None else self
            if not isinstance(f.bias, tuple):
                return Format.quantize(f, x, rounding=rounding, rng=rng, out=out, threads=threads)
            return orig_q(f, x, rounding, rng, out, None, threads)

        def af_encode(self, x, rounding="nearest", rng=None, saturate=None, threads=1):  # type: ignore[no-untyped-def]
            self._with_saturate(saturate)
            f = self.fit(x) if self.bias is None else self
            if isinstance(f.bias, tuple):
                raise ValueError("encode needs a per-tensor bias (axis=None)")
            return Format.encode(f, x, rounding=rounding, rng=rng, threads=threads)

        cls.quantize = af_quantize  # type: ignore[attr-defined]
        cls.encode = af_encode  # type: ignore[attr-defined]


_DEPTH = [0]


def _describe_bridge(orig: Any) -> Any:
    """``describe`` returning a Description (the old record inside, for nested calls)."""

    def describe(self: Any, code: int) -> Any:
        _DEPTH[0] += 1
        try:
            r = orig(self, code)
        finally:
            _DEPTH[0] -= 1
        return r if _DEPTH[0] else to_description(self, code, r)

    describe.__doc__ = orig.__doc__
    return describe


def to_description(fmt: Any, code: int, r: Any) -> Any:
    """An old describe record (FloatFields or a dict) as a Description."""
    import dataclasses
    import math

    from lognum.formats.record import RECORD_KEYS, Description, Field

    if dataclasses.is_dataclass(r):
        rows = (
            Field("sign", str(r.sign), r.sign),
            Field("exponent", r.exponent_bits, r.E),
            Field("mantissa", r.mantissa_bits, r.M),
            Field("kind", "", r.kind),
            Field("scale", "", r.scale),
        )
        return Description(r.format, r.code, r.pattern, rows, r.value, r.special, str(r))
    d = dict(r)
    n = fmt.nbits
    rows = tuple(Field(k, "", v) for k, v in d.items() if k not in RECORD_KEYS)
    value = float(d.get("value", math.nan))
    text = " ".join(f"{k} {v}" for k, v in d.items())
    return Description(
        str(fmt), int(code), format(int(code), f"0{n}b"), rows, value, d.get("special"), text
    )
