"""Lesson 16 (bit-pattern explorer): expected answers from the formats themselves (not from
the explorer, whose logic is what the student uses)."""

from __future__ import annotations

import numpy as np

from lognum.teach.checks import exercise


@exercise(
    "16.1",
    "posit<8,2> code of the upper neighbour of 0.5",
    hint="0.5 is 0 01 11 000; add one in the last fraction bit.",
)
def _e1():
    from lognum.formats.posit import Posit

    p = Posit(8, 2)
    v = p.values()
    return int(p.encode(np.array([v[v > 0.5].min()]))[0])


@exercise(
    "16.2",
    "the bit flip of E4M3 1.0 giving the largest value",
    hint="1.0 = 0 0111 000; setting the top exponent bit gives 0 1111 000.",
)
def _e2():
    from lognum.formats.parse import parse

    f = parse("float8_e4m3fn")
    c = int(f.encode(np.array([1.0]))[0])
    vals = {b: float(f.decode(np.array([c ^ (1 << b)], dtype=np.uint8))[0]) for b in range(8)}
    b = max(vals, key=lambda k: vals[k] if np.isfinite(vals[k]) else -np.inf)
    return (b, vals[b])


@exercise(
    "16.3",
    "MXFP4 element 0b0111 with scale code 125 and its lower neighbour",
    hint="0b0111 = 6; scale 2^(125 - 127); the element below 6 is 4.",
)
def _e3():
    from lognum.formats.block import MX

    m = MX("fp4_e2m1", block=1)
    ev = m.element_values()
    s = 2.0 ** (125 - 127)
    return (float(ev.max() * s), float(ev[ev < ev.max()].max() * s))
