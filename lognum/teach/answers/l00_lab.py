"""The graded lab (keys 00.N): expected answers, computed with lognum."""

from __future__ import annotations

import numpy as np

from lognum.teach.checks import exercise


def _w(key: str) -> np.ndarray:
    from lognum.data import load_minilm_weights

    return load_minilm_weights()[key].astype(np.float64)


@exercise(
    "00.1",
    "decode GP<8,1,3,-1> 0b01110110",
    hint="capped regime '111' (k = 2, no terminator), e = 0, f = 6/8, times 2^-1.",
)
def _e1():
    from lognum.formats.posit import GeneralizedPosit

    return float(GeneralizedPosit(8, 1, 3, -1).decode(np.array([0b01110110], dtype=np.uint8))[0])


@exercise(
    "00.2",
    "best 8-bit format for layer0.ffn2 with a per-tensor power-of-two scale",
    hint="compare the best SQNR over s for each of the four formats.",
)
def _e2():
    from lognum.formats.parse import parse

    w = _w("layer0.ffn2")
    best = {}
    for spec in ("int8_sym", "posit<8,2>", "float8_e4m3fn", "GP<8,1,4,0>"):
        f = parse(spec)
        vals = []
        for s in range(-10, 4):
            q = 2.0**s * f.quantize(w / 2.0**s)
            if np.all(np.isfinite(q)):
                vals.append(10 * np.log10(np.sum(w**2) / np.sum((w - q) ** 2)))
        best[spec] = max(vals)
    return max(best, key=best.get)


@exercise(
    "00.3",
    "posit<8,1> dot product rounded once",
    hint="quantize, sum exact products (Fraction), round once.",
)
def _e3():
    from lognum.arith import dot

    rng = np.random.default_rng(7)
    a, b = rng.standard_normal(200), rng.standard_normal(200)
    return float(dot(a, b, "posit<8,1>"))


@exercise(
    "00.4",
    "Algorithm 1 reading B on layer0.attn_out (n = 8, es = 1)",
    hint="kurtosis of the quantized weights for rs = 7, then 3..6, strict improvement.",
)
def _e4():
    from scipy.stats import kurtosis

    from lognum.formats.posit import GeneralizedPosit

    w = _w("layer0.attn_out")
    kw = kurtosis(w, fisher=True, bias=True)
    k = {
        i: kurtosis(GeneralizedPosit(8, 1, i, 0).quantize(w), fisher=True, bias=True)
        for i in range(3, 8)
    }
    rs, kd = 7, abs(kw - k[7])
    for i in range(3, 7):
        if abs(kw - k[i]) < kd:
            rs, kd = i, abs(kw - k[i])
    return rs


@exercise(
    "00.5",
    "MXFP6 E2M3 SQNR on layer5.ffn1",
    rtol=1e-6,
    hint="blocks of 32, X = floor(log2 amax) - 2, elements saturate at 7.5.",
)
def _e5():
    from lognum.formats.block import MX

    w = _w("layer5.ffn1")
    q = MX("fp6_e2m3", block=32).quantize(w)
    return float(10 * np.log10(np.sum(w**2) / np.sum((w - q) ** 2)))


@exercise(
    "00.6",
    "MAC energy (uJ) of a 3x3 convolution on LP8 PEs",
    rtol=1e-9,
    hint="MACs = 28*28*128 * (3*3*96); times the LP8 pJ per MAC; / 1e6.",
)
def _e6():
    import lognum.hw as hw
    from lognum.hw.energy import mac_cost

    macs = hw.conv(28, 28, 3, 3, 96, 128, padding=1).macs()
    return macs * sum(mac_cost("lp8").values()) / 1e6
