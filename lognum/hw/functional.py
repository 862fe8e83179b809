"""Functional mode: the layer's output computed through the PE arithmetic, cycle by cycle.

:func:`run_functional` builds the im2col operand matrices, decodes them into the payloads the
PE kernel takes (:mod:`lognum.hw.pe`), runs :func:`lognum.hw._functional_kernel.functional_layer`
(the same register-transfer schedule as the timing kernel, with values) and converts the
accumulators to the output:

- ``int``: int32 values (two's-complement wrap-around);
- ``float``: float32 values (FP32 accumulation in ``k`` order);
- ``quire`` / ``lp``: the exact accumulator, also as the nearest float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from lognum.hw.closed_form import DF_CODE, mapping
from lognum.hw.pe import PEType, antilog_lut, decode_sig_exp, lp_log_fixed

__all__ = ["im2col", "run_functional", "FunctionalOutput", "systolic_matmul"]


def im2col(
    x: np.ndarray,
    R: int,
    S: int,
    stride: int = 1,
    padding: int = 0,
    compat_out: tuple[int, int] | None = None,
) -> np.ndarray:
    """im2col of an NHWC tensor: rows ``(b, e, f)``, columns ``k = (r S + s) C + c``.

    Out-of-range window elements (padding, or SCALE-Sim's extra edge windows when
    ``compat_out`` gives a larger output size) are zero.
    """
    x = np.asarray(x)
    B, H, W, Cin = x.shape
    if compat_out is None:
        E = (H + 2 * padding - R) // stride + 1
        F = (W + 2 * padding - S) // stride + 1
    else:
        E, F = compat_out
    pad_h = max(0, (E - 1) * stride + R - H - padding)
    pad_w = max(0, (F - 1) * stride + S - W - padding)
    xp = np.zeros((B, H + padding + pad_h, W + padding + pad_w, Cin), x.dtype)
    xp[:, padding : padding + H, padding : padding + W, :] = x
    cols = np.empty((B, E, F, R, S, Cin), x.dtype)
    for r in range(R):
        for s in range(S):
            cols[:, :, :, r, s, :] = xp[
                :, r : r + stride * E : stride, s : s + stride * F : stride, :
            ]
    return cols.reshape(B * E * F, R * S * Cin)


@dataclass
class FunctionalOutput:
    """Output of a functional run: ``values`` (M x N float64) and, for exact accumulators,
    the limbs (``M x N x NL`` int64, value ``sum limbs[i] 2^(30 i + lsb)``)."""

    values: np.ndarray
    limbs: np.ndarray | None = None
    lsb: int = 0

    def round_to_odd(self) -> np.ndarray:
        """The exact accumulator rounded to float64 with round-to-odd (53 bits): rounding this
        to any format of at most 51 significant bits equals rounding the exact value once."""
        if self.limbs is None:
            return self.values.copy()
        out = np.empty(self.values.shape)
        flat = out.ravel()
        lim = self.limbs.reshape(-1, self.limbs.shape[-1])
        for i in range(lim.shape[0]):
            v = sum(int(x) << (30 * z) for z, x in enumerate(lim[i]))
            a = abs(v)
            b = a.bit_length()
            if b > 53:
                sh = b - 53
                q = a >> sh
                if a - (q << sh):
                    q |= 1
                flat[i] = math.ldexp(q if v > 0 else -q, sh + self.lsb)
            else:
                flat[i] = math.ldexp(v, self.lsb)
        return out

    def to_format(self, fmt) -> np.ndarray:
        """Round the outputs once to a lognum format (``fmt``: object or notation string), as a
        posit PE reads its quire out: exact value -> round-to-odd float64 -> ``fmt.quantize``."""
        from lognum.formats.parse import parse

        return np.asarray(parse(fmt).quantize(self.round_to_odd()), np.float64)

    def exact(self, i: int, j: int) -> Fraction:
        """Exact value of output ``(i, j)`` (quire / lp PEs)."""
        if self.limbs is None:
            return Fraction(float(self.values[i, j]))
        v = sum(int(x) << (30 * z) for z, x in enumerate(self.limbs[i, j]))
        return Fraction(v) * Fraction(2) ** self.lsb


def _payload(pe: PEType, v: np.ndarray):
    v = np.ascontiguousarray(v, np.float64)
    z = np.zeros(v.shape, np.int64)
    if pe.kind == "int":
        if np.any(v != np.rint(v)):
            raise ValueError("operands: int PE needs integer values")
        s, e = v.astype(np.int64), z
    elif pe.kind == "float":
        s, e = z, z
    elif pe.kind == "quire":
        s, e = decode_sig_exp(v)
    else:
        s, e = lp_log_fixed(v, pe.frac_bits)
    c = np.ascontiguousarray
    return c(s, np.int64), c(e, np.int64), v  # one layout: one compiled kernel


def systolic_matmul(
    A: np.ndarray, B: np.ndarray, pe: PEType, R: int, C: int, dataflow: str = "os"
) -> tuple[FunctionalOutput, int, np.ndarray]:
    """``A @ B`` (A: M x K, B: K x N, values of the PE's format) on an R x C array, cycle by
    cycle through the PE arithmetic. Returns the output, the cycles and per-PE MAC cycles."""
    from lognum.hw import _functional_kernel as fk

    A = np.asarray(A, np.float64)
    B = np.asarray(B, np.float64)
    M, K = A.shape
    K2, N = B.shape
    if K2 != K:
        raise ValueError(f"A is {M}x{K} but B is {K2}x{N}")
    L = pe.lanes
    Sr, Sc, T = mapping(dataflow, M, N, K, L)
    As, Ae, Af = _payload(pe, A)
    Bs, Be, Bf = _payload(pe, B)
    lut = np.ones(1, np.int64)
    lsb, NL = 0, 1
    if pe.kind == "quire":
        nzA, nzB = As != 0, Bs != 0
        if nzA.any() and nzB.any():
            lsb = int(Ae[nzA].min() + Be[nzB].min())
            top_a = int((Ae + np.ceil(np.log2(np.abs(As) + 1))).max())
            top_b = int((Be + np.ceil(np.log2(np.abs(Bs) + 1))).max())
            NL = (top_a + top_b - lsb + int(np.ceil(np.log2(K + 1))) + 2) // 30 + 3
    elif pe.kind == "lp":
        lut = antilog_lut(pe.frac_bits, pe.alpha)
        nzA, nzB = As != 0, Bs != 0
        if nzA.any() and nzB.any():
            F = pe.frac_bits
            ipmin = (int(Ae[nzA].min()) + int(Be[nzB].min())) >> F
            ipmax = (int(Ae[nzA].max()) + int(Be[nzB].max())) >> F
            lsb = ipmin - pe.alpha
            NL = (ipmax + 2 - lsb + int(np.ceil(np.log2(K + 1))) + 2) // 30 + 3
    prm = np.zeros(fk.N_PRM, np.int64)
    prm[fk.PRM_KIND] = fk.KIND_CODE[pe.kind]
    prm[fk.PRM_F], prm[fk.PRM_ALPHA], prm[fk.PRM_LSB] = pe.frac_bits, pe.alpha, lsb
    df = DF_CODE[dataflow]
    if df == 0:
        X = (As, Ae, Af)
        Y = (np.ascontiguousarray(Bs.T), np.ascontiguousarray(Be.T), np.ascontiguousarray(Bf.T))
        out_shape = (M, N)
    elif df == 1:
        X = tuple(np.ascontiguousarray(a.T) for a in (As, Ae, Af))
        Y = (Bs, Be, Bf)
        out_shape = (M, N)
    else:
        X = (Bs, Be, Bf)
        Y = tuple(np.ascontiguousarray(a.T) for a in (As, Ae, Af))
        out_shape = (N, M)
    out = np.zeros(out_shape + (NL,), np.int64)
    outf = np.zeros(out_shape, np.float64)
    busy = np.zeros((R, C), np.int64)
    (Xs, Xe, Xf), (Ys, Ye, Yf) = X, Y
    cycles = fk.functional_layer(
        df=df,
        R=R,
        C=C,
        L=L,
        prm=prm,
        lut=lut,
        Xs=Xs,
        Xe=Xe,
        Xf=Xf,
        Ys=Ys,
        Ye=Ye,
        Yf=Yf,
        n_rows=Sr,
        n_cols=Sc,
        T=T,
        out=out,
        outf=outf,
        busy=busy,
    )
    if df == 2:
        out = np.ascontiguousarray(out.transpose(1, 0, 2))
        outf = np.ascontiguousarray(outf.T)
    if pe.kind == "int":
        v = out[..., 0]
        bits = pe.acc_bits
        v = ((v + (1 << (bits - 1))) % (1 << bits)) - (1 << (bits - 1))
        return FunctionalOutput(v.astype(np.float64)), int(cycles), busy
    if pe.kind == "float":
        return FunctionalOutput(outf), int(cycles), busy
    vals = np.empty((M, N), np.float64)
    obj = np.zeros((M, N), object)
    for z in range(NL):
        obj = obj + (out[..., z].astype(object) << (30 * z))
    flat = obj.ravel()
    vals.ravel()[:] = [np.ldexp(float(x), lsb) if x else 0.0 for x in flat]
    return FunctionalOutput(vals, out, lsb), int(cycles), busy


def run_functional(layer, cfg, pe: PEType, operands, rng, scalesim_compat: bool):
    """Functional run of one :class:`~lognum.hw.workload.Layer` (see module docstring).

    ``operands``: ``(A, B)`` GEMM matrices (``M x K``, ``K x N``) or, for a convolution,
    ``(x, w)`` with ``x`` NHWC ``(batch, H, W, C)`` and ``w`` ``(R, S, C, filters)``
    (depthwise: ``(R, S, C, filters)`` with ``filters`` per channel). Values must already be
    in the PE's format (see :meth:`PEType.quantize`); ``None`` draws random quantized data.
    Returns a :class:`FunctionalOutput` with the ``M x N`` output (depthwise: groups stacked
    along N).
    """
    R, C, df = cfg.rows, cfg.cols, cfg.dataflow
    M, N, K = layer.gemm_shape(scalesim_compat)
    if layer.kind == "gemm":
        if operands is None:
            operands = (pe.random((M, K), rng), pe.random((K, N), rng))
        return systolic_matmul(operands[0], operands[1], pe, R, C, df)[0]
    if operands is None:
        x = pe.random((layer.batch, layer.H, layer.W, layer.C), rng)
        w = pe.random(
            (layer.R, layer.S, 1 if layer.depthwise else layer.C, layer.filters)
            if not layer.depthwise
            else (layer.R, layer.S, layer.C, layer.filters),
            rng,
        )
    else:
        x, w = operands
        if np.ndim(x) == 2:
            return systolic_matmul(x, w, pe, R, C, df)[0]
    co = layer.out_hw(scalesim_compat) if scalesim_compat else None
    if not layer.depthwise:
        A = im2col(x, layer.R, layer.S, layer.stride, layer.padding, co)
        Bm = np.asarray(w).reshape(layer.R * layer.S * layer.C, layer.filters)
        return systolic_matmul(A, Bm, pe, R, C, df)[0]
    outs = []
    for g in range(layer.C):
        A = im2col(x[..., g : g + 1], layer.R, layer.S, layer.stride, layer.padding, co)
        Bm = np.asarray(w)[:, :, g, :].reshape(layer.R * layer.S, layer.filters)
        outs.append(systolic_matmul(A, Bm, pe, R, C, df)[0])
    vals = np.concatenate([o.values for o in outs], axis=1)
    return FunctionalOutput(vals)
