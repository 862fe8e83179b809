"""The records a format returns: ``describe(code)``'s ``Description`` and a block format's
``BlockCodes``.

Every family builds the same ``Description`` (so a lesson, a test or the explorer reads one code
of any format the same way): the bit fields as ``(name, bits, value)`` rows, the decoded value,
the special meaning of the code if it has one, and the one-line explanation that ``str()``
prints. Fields a family wants to expose beyond its bit fields (the tapered regime's ``k`` and
run length, the power-of-two ``scale``) are extra rows whose ``bits`` is ``''``::

    d = lognum.Posit(8, 2).describe(0b01011010)
    d["k"], d["exponent"], d.value, d.special      # 0, 3, 20.0, None
    d.field("regime")                              # Field(name='regime', bits='10', value=0)
    print(d)                                       # the one-line explanation
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

#: the record attributes ``Description[...]`` reads besides the field rows
RECORD_KEYS = ("format", "code", "pattern", "value", "special", "text")


class Field(NamedTuple):
    """One row of a description: a bit field (or a derived quantity, with ``bits == ''``)."""

    #: e.g. "sign", "regime", "exponent", "fraction", "mantissa", "integer"
    name: str
    #: the bits of that field as '0'/'1' text ('' for a field with no bits of its own)
    bits: str
    #: what the field means (int, Fraction, float, text, ...)
    value: Any


@dataclass(frozen=True)
class Description:
    """What one code of a format means, field by field (``Format.describe(code)``).

    ``format``: ``str(fmt)``; ``code``: the code; ``pattern``: its n-bit pattern as text;
    ``fields``: the rows in the order the bits appear (derived rows after them); ``value``: the
    decoded value (nan for NaN/NaR codes; equal to ``fmt.decode`` of the code); ``special``:
    "zero", "NaR", "NaN", "inf", "-inf", ... or None for an ordinary value; ``text``: the
    one-line explanation, which is also ``str()``.
    """

    format: str
    code: int
    pattern: str
    fields: tuple[Field, ...]
    value: float
    special: str | None
    text: str

    def __str__(self) -> str:
        return self.text

    def names(self) -> tuple[str, ...]:
        """The names of the field rows, in order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The row named ``name``; ValueError naming the rows if there is none."""
        for f in self.fields:
            if f.name == name:
                return f
        raise ValueError(f"name must be one of the fields {self.names()} of {self.format}")

    def __getitem__(self, name: str) -> Any:
        """A field's value by its name, or one of format/code/pattern/value/special/text."""
        for f in self.fields:
            if f.name == name:
                return f.value
        if name in RECORD_KEYS:
            return getattr(self, name)
        raise ValueError(
            f"name must be a field {self.names()} or one of {RECORD_KEYS}, got {name!r}"
        )

    def __contains__(self, name: object) -> bool:
        return name in RECORD_KEYS or any(f.name == name for f in self.fields)


class BlockCodes(NamedTuple):
    """What a block format's ``encode`` returns, and its ``decode`` accepts.

    ``codes``: the element codes, with x's shape (the format's ``code_dtype``).
    ``scales``: the shared scale codes, one per block (for MX and block floating point the E8M0
    byte of the block's power-of-two scale 2^(E-127), 255 = NaN block), with x's shape except
    ``ceil(len / block)`` along the blocked axis: ``scales[..., j, ...]`` (index j on that axis)
    scales the elements ``j*block .. (j+1)*block - 1`` of the same line.
    """

    codes: np.ndarray
    scales: np.ndarray
