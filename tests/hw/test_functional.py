"""Functional mode: outputs computed through the PE arithmetic equal independent exact oracles
(Python integers / fractions.Fraction / decimal), for every PE type and dataflow."""

import math
import os
from decimal import Decimal, getcontext
from fractions import Fraction

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pytest

import lognum.hw as hw
from lognum.hw.functional import systolic_matmul
from lognum.hw.pe import PE_TYPES, pe_type

getcontext().prec = 60


def round_f32(x: Fraction) -> Fraction:
    """Round a Fraction to the nearest float32 (ties to even), exactly."""
    if x == 0:
        return Fraction(0)
    s = -1 if x < 0 else 1
    a = abs(x)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    e = max(e, -126)
    q = a * Fraction(2) ** (23 - e)  # significand in units of the last place
    n = math.floor(q)
    rem = q - n
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and n % 2 == 1):
        n += 1
    return s * Fraction(n) * Fraction(2) ** (e - 23)


def lut_oracle(u: int, F: int, alpha: int) -> int:
    """round(2^(u/2^F) * 2^alpha); no ties occur (irrational for u > 0, integer for u = 0)."""
    v = Decimal(2) ** (Decimal(u) / Decimal(2**F)) * Decimal(2**alpha)
    return int((v + Decimal("0.5")).to_integral_value(rounding="ROUND_FLOOR"))


def oracle(pe, A, B):
    M, K = A.shape
    N = B.shape[1]
    out = [[None] * N for _ in range(M)]
    for i in range(M):
        for j in range(N):
            if pe.kind == "int":
                v = sum(int(A[i, k]) * int(B[k, j]) for k in range(K))
                v = (v + 2**31) % 2**32 - 2**31
                out[i][j] = Fraction(v)
            elif pe.kind == "float":
                acc = Fraction(0)
                for k in range(K):
                    p = round_f32(Fraction(float(A[i, k])) * Fraction(float(B[k, j])))
                    acc = round_f32(acc + p)
                out[i][j] = acc
            elif pe.kind == "quire":
                out[i][j] = sum(
                    Fraction(float(A[i, k])) * Fraction(float(B[k, j])) for k in range(K)
                )
            else:
                F, al = pe.frac_bits, pe.alpha
                acc = Fraction(0)
                for k in range(K):
                    a, b = float(A[i, k]), float(B[k, j])
                    if a == 0 or b == 0:
                        continue
                    X = round(math.log2(abs(a)) * 2**F) + round(math.log2(abs(b)) * 2**F)
                    ip, frac = divmod(X, 2**F)
                    sgn = (1 if a > 0 else -1) * (1 if b > 0 else -1)
                    acc += sgn * Fraction(lut_oracle(frac, F, al)) * Fraction(2) ** (ip - al)
                out[i][j] = acc
    return out


PES = [
    "int8",
    "int4",
    "int4x2",
    "fp8",
    "fp8_e5m2",
    "bf16",
    "posit8",
    "posit16",
    "af8",
    "af8_4",
    "lp8",
    "lp4",
    "lp4x2",
]


@pytest.mark.parametrize("name", PES)
def test_functional_equals_exact_oracle(name):
    pe = pe_type(name)
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    M, K, N = 5, 7, 4
    A = pe.random((M, K), rng)
    B = pe.random((K, N), rng)
    if pe.kind in ("float", "quire"):  # spread magnitudes so rounding / alignment matter
        A = pe.quantize(A * np.exp2(rng.integers(-6, 6, A.shape)))
    ref = oracle(pe, A, B)
    for df in ("os", "ws", "is"):
        for R, C in ((2, 3), (3, 2)):
            out, cycles, busy = systolic_matmul(A, B, pe, R, C, df)
            lay = hw.simulate(
                hw.ArrayConfig(rows=R, cols=C, dataflow=df), hw.gemm(M, N, K), pe=pe, workers=1
            ).layers[0]
            assert cycles == lay.stall_free_cycles  # functional and timing schedules agree
            assert np.array_equal(busy, lay.busy)
            for i in range(M):
                for j in range(N):
                    assert out.exact(i, j) == ref[i][j], (df, R, C, i, j)
                    assert out.values[i, j] == float(ref[i][j])


def test_int32_accumulator_wraps():
    pe = pe_type("int8")
    A = np.full((1, 140000), 127.0)
    B = np.full((140000, 1), 127.0)
    out, _, _ = systolic_matmul(A, B, pe, 1, 1, "os")
    want = (140000 * 127 * 127 + 2**31) % 2**32 - 2**31
    assert out.values[0, 0] == want != 140000 * 127 * 127


def test_conv_im2col_equals_direct_convolution():
    pe = pe_type("int8")
    rng = np.random.default_rng(3)
    for stride, pad, dw in ((1, 1, False), (2, 0, False), (2, 1, True)):
        Bt, H, W, Cin, R, S, F = 2, 7, 6, 3, 3, 2, 4
        x = rng.integers(-20, 20, (Bt, H, W, Cin)).astype(np.float64)
        w = rng.integers(-20, 20, (R, S, Cin, F)).astype(np.float64)
        lay = hw.conv(H, W, R, S, Cin, F, stride=stride, padding=pad, batch=Bt, depthwise=dw)
        res = hw.simulate(
            hw.ArrayConfig(rows=3, cols=2, dataflow="ws"),
            lay,
            pe=pe,
            functional=True,
            operands=[(x, w)],
            workers=1,
        )
        E, Fo = lay.out_hw()
        got = res.layers[0].output.values
        # direct convolution with Python integers
        xp = np.zeros((Bt, H + 2 * pad, W + 2 * pad, Cin), np.int64)
        xp[:, pad : pad + H, pad : pad + W] = x
        for b in range(Bt):
            for e in range(E):
                for f in range(Fo):
                    m = (b * E + e) * Fo + f
                    for g in range(Cin if dw else 1):
                        for o in range(F):
                            chans = [g] if dw else range(Cin)
                            v = sum(
                                int(xp[b, e * stride + r, f * stride + s, c]) * int(w[r, s, c, o])
                                for r in range(R)
                                for s in range(S)
                                for c in chans
                            )
                            col = g * F + o if dw else o
                            assert got[m, col] == v


def test_functional_network_random_operands():
    net = [hw.gemm(6, 5, 9, name="a"), hw.conv(6, 6, 3, 3, 2, 3, padding=1, name="b")]
    r = hw.simulate(
        hw.ArrayConfig(rows=4, cols=4, dataflow="os"), net, pe="lp8", functional=True, workers=2
    )
    assert r.layers[0].output.values.shape == (6, 5)
    assert r.layers[1].output.values.shape == (36, 3)
    assert all(lay.energy["mac"] > 0 for lay in r.layers)


def test_pe_catalogue():
    assert set(PES) <= set(PE_TYPES)
    with pytest.raises(ValueError):
        pe_type("nope")
