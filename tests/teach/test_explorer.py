"""The bit-pattern explorer's logic, without a browser: values against an independent by-hand
decoder (exact fractions), neighbours against sorted enumeration, toggling, the static
fallback and the ipywidgets front end driven programmatically."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import lognum as ln
from lognum.teach import explorer as E


def posit_by_hand(code: int, n: int, es: int) -> float:
    """Decode posit<n,es> from the bit string (the lesson's by-hand rule)."""
    if code == 0:
        return 0.0
    if code == 1 << (n - 1):
        return math.nan
    s = code >> (n - 1)
    mag = (-code) % (1 << n) if s else code
    bits = format(mag, f"0{n}b")[1:]
    r = len(bits) - len(bits.lstrip(bits[0]))
    k = r - 1 if bits[0] == "1" else -r
    rest = bits[r + 1 :]
    eb, fb = rest[:es], rest[es:]
    e = (int(eb, 2) << (es - len(eb))) if eb else 0
    f = Fraction(int(fb, 2), 1 << len(fb)) if fb else Fraction(0)
    return float((-1) ** s * (1 + f) * Fraction(2) ** (k * 2**es + e))


def e4m3_by_hand(code: int) -> float:
    s, E, M = code >> 7, (code >> 3) & 15, code & 7
    if E == 15 and M == 7:
        return math.nan
    v = (M / 8) * 2.0**-6 if E == 0 else (1 + M / 8) * 2.0 ** (E - 7)
    return -v if s else v


@pytest.mark.parametrize("n,es", [(5, 0), (6, 2), (8, 1)])
def test_posit_values_and_neighbours_by_hand(n, es):
    hand = np.array([posit_by_hand(c, n, es) for c in range(1 << n)])
    fin = np.sort(hand[np.isfinite(hand)])
    for c in range(1 << n):
        v = E.view(f"posit<{n},{es}>", c)
        if math.isnan(hand[c]):
            assert math.isnan(v.value) and v.special and v.below is None and v.above is None
            continue
        assert v.value == hand[c]
        i = int(np.searchsorted(fin, hand[c]))
        assert v.below == (fin[i - 1] if i > 0 else None)
        assert v.above == (fin[i + 1] if i + 1 < fin.size else None)
        assert v.pattern == format(c, f"0{n}b")
        if c == 0:
            assert v.special == "zero"
            continue
        # the field bits, concatenated after the sign, are the (negated) pattern
        mag = (-c) % (1 << n) if c >> (n - 1) else c
        body = "".join(fd.bits for fd in v.fields[1:])
        assert format(mag, f"0{n}b")[1:].startswith(body) and v.fields[0].name == "sign"


def test_fp8_e4m3_all_codes_by_hand():
    for c in range(256):
        v = E.view("float8_e4m3fn", c)
        h = e4m3_by_hand(c)
        assert (math.isnan(v.value) and math.isnan(h)) or v.value == h
    v = E.view("float8_e4m3fn", 0b00000101)
    assert [f.name for f in v.fields] == ["sign", "exponent", "mantissa"]
    assert "subnormal" in v.fields[1].meaning and v.value == 5 / 8 * 2.0**-6
    assert E.view("float8_e4m3fn", 0x7E).above is None  # 448 is the largest


def test_mx_element_times_e8m0_scale():
    # fp4 e2m1 element 0b0101 = 3.0 (E=2 -> 2^1, M=1 -> 1.5); scale code 130 -> 2^3
    v = E.view("mxfp4", 0b0101, scale=130)
    assert v.value == 3.0 * 8 and v.below == 2.0 * 8 and v.above == 4.0 * 8
    assert v.fields[-1].name == "block scale" and v.fields[-1].bits == "10000010"
    assert math.isnan(E.view("mxfp4", 1, scale=255).value)
    # MXINT8: two's complement / 64
    assert E.view("mxint8", 0b11111111).value == -1 / 64
    assert E.view("mxint8", 0x40, scale=127).value == 1.0


def test_gp_and_lp_fields():
    v = E.view("LP<6,2,5,0>", 0b010110)
    assert [f.name for f in v.fields] == ["sign", "regime", "exponent", "log2 fraction"]
    # regime '10' k=0, exponent '11' e=3, log fraction '0': 2^3
    assert v.value == 8.0
    g = E.view("GP<6,1,3,-1>", 0b000101)  # regime 001 (k=-2), e=0, f=1/2, times 2^-1
    assert g.value == 1.5 * 2.0**-4 * 2.0**-1


def test_toggle():
    assert E.toggle("posit<8,2>", 0, 7) == 128
    assert E.toggle("posit<8,2>", 0b01000000, 6) == 0
    c = 0b0110
    for b in range(4):
        assert E.toggle("mxfp4", E.toggle("mxfp4", c, b), b) == c


@pytest.mark.parametrize(
    "bad",
    [
        dict(fmt="int8", code=0),
        dict(fmt="posit<32,2>", code=0),
        dict(fmt="posit<8,2>", code=256),
        dict(fmt="posit<8,2>", code=-1),
        dict(fmt="posit<8,2>", code=1.5),
        dict(fmt="mxfp4", code=0, scale=256),
    ],
)
def test_user_errors_name_the_parameter(bad):
    with pytest.raises(ValueError, match=r"fmt|code|scale"):
        E.view(**bad)


def test_toggle_bad_bit():
    with pytest.raises(ValueError, match="bit must be"):
        E.toggle("posit<8,2>", 0, 8)


def test_static_table_lists_every_code_of_a_small_format():
    t = E.table("posit<5,1>")
    lines = t.splitlines()
    assert len(lines) == 2 + 32
    assert "| 8 | `01000` |" in t and "| 1 |" in lines[3]
    md = E.explorer("posit<5,1>", widgets=False)
    text = getattr(md, "data", md)
    assert "static table" in text and "`10000`" in text


def test_widgets_front_end_updates_on_toggle():
    import ipywidgets  # noqa: F401 - a test extra; without it the explorer has no widgets to drive

    box = E.explorer("posit<6,2>", code=0b010000)
    buttons = box.children[0].children
    out = box.children[-1]
    assert len(buttons) == 6 and "value <b>1</b>" in out.value
    buttons[5].value = True  # the least significant bit: 0b010001
    assert "code 17" in out.value and f"{posit_by_hand(17, 6, 2):.6g}" in out.value
    mx = E.explorer("mxfp4", code=0b0010)
    slider = mx.children[1]
    slider.value = 128
    assert "value <b>2</b>" in mx.children[-1].value  # 1.0 x 2^1
    assert ln.parse("mxfp4").element_values().max() == 6.0
