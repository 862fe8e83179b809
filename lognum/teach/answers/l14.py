"""Lesson 14 (hardware): expected answers from lognum.hw (closed forms and the simulator)."""

from __future__ import annotations

from lognum.teach.checks import exercise


@exercise("14.1", "length of an os fold on 8x8 with T = 20", hint="T + R + C - 2.")
def _e1():
    from lognum.hw.sim import trace_fold

    return int(trace_fold("os", 8, 8, 20).cycles)


@exercise(
    "14.2",
    "MACs of a 3x3 convolution, 14x14x128 input, 256 filters",
    hint="outputs (14 x 14 x 256) times the reduction length 3 x 3 x 128.",
)
def _e2():
    import lognum.hw as hw

    return int(hw.conv(14, 14, 3, 3, 128, 256, padding=1).macs())


@exercise(
    "14.3", "bit-fusion partial products of 229 x 58", hint="229 = 14*16 + 5, 58 = 3*16 + 10."
)
def _e3():
    a, b = 229, 58
    return ((a >> 4) * (b >> 4), (a >> 4) * (b & 15), (a & 15) * (b >> 4), (a & 15) * (b & 15))
