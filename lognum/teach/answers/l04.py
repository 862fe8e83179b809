"""Lesson 04 (shared scales): expected answers from lognum's MX and LNS formats."""

from __future__ import annotations

import numpy as np

from lognum.teach.checks import exercise


def _w():
    from lognum.data import load_minilm_weights

    return load_minilm_weights()["layer0.ffn1"].astype(np.float64)


@exercise(
    "04.1",
    "an MXFP8 E4M3 block by hand",
    hint="amax = 0.9: X = floor(log2 0.9) - 8 = -9; round each x/2^X to 3 mantissa bits.",
)
def _e1():
    from lognum.formats.block import MX

    m = MX("fp8_e4m3", block=4)
    x = np.array([0.9, -0.07, 0.31, 0.002])
    _, sc = m.encode(x)
    return (int(sc[0]) - 127, m.quantize(x).tolist())


@exercise(
    "04.2",
    "SQNR of MXFP4 with block 16 on layer-0 FFN1",
    rtol=1e-6,
    hint="per block: X = floor(log2 amax) - 2, P = clip(fp4(x / 2^X), -6, 6).",
)
def _e2():
    from lognum.formats.block import MX

    w = _w()
    q = MX("fp4_e2m1", block=16).quantize(w)
    return float(10 * np.log10(np.sum(w**2) / np.sum((w - q) ** 2)))


@exercise("04.3", "LNS<8,3> codes above max|w|", hint="decode all 256 codes; compare magnitudes.")
def _e3():
    from lognum.formats.parse import parse

    f = parse("LNS<8,3>")
    v = f.decode(np.arange(256, dtype=np.uint8))
    return int(np.sum(np.abs(v[np.isfinite(v)]) > np.abs(_w()).max()))
