"""Numba kernel: functional cycle-by-cycle simulation of a whole layer with operand values.

Same register-transfer schedule as :mod:`lognum.hw._array_kernel` (see its docstring), but the
registers carry operand payloads and the PEs compute. Payload of an operand: ``sig`` (int64),
``exp`` (int64) and ``fv`` (float64):

- kind 0 (int): ``sig`` = integer value; accumulator ``acc[..., 0]`` (int64, wrapped to int32
  at the end: two's-complement wrap-around commutes with addition, so this is exactly an int32
  accumulator);
- kind 1 (float): ``fv`` = value; product ``float32(fv_a * fv_b)``, accumulator
  ``float32(acc + p)`` (RNE);
- kind 2 (quire): value = ``sig * 2**exp``; the exact product is added to the limb accumulator;
- kind 3 (lp): ``sig`` = sign in {-1, 0, 1}, ``exp`` = fixed-point log ``X`` (``F`` fractional
  bits); product = ``sign * lut[frac] * 2**(int - alpha)`` (``lut``: the antilog table of
  ``2^F`` entries with ``alpha`` fraction bits).

Limb accumulators hold ``sum_i acc[i] * 2**(30 i + acc_lsb)`` (limbs not normalised; a limb is
carried into the next when its magnitude reaches 2^50, so no int64 overflow). In ws/is the
partial sum of K-fold ``i > 0`` is read back from the OFMAP buffer and enters the top of the
column, so every dataflow accumulates in the order ``k = 0, 1, ..., K-1``.

Parameters ``prm`` (int64[N_PRM]): ``prm[PRM_KIND]`` (``KIND_*``), ``prm[PRM_F]`` (``F``),
``prm[PRM_ALPHA]`` (``alpha``), ``prm[PRM_LSB]`` (the weight ``acc_lsb`` of the accumulator's
lowest bit).
"""

from __future__ import annotations

import numpy as np

from lognum._kernels.jit import jit

_BASE = 30
_LIM = 1 << 50

# ``prm`` of :func:`functional_layer`
PRM_KIND = 0
PRM_F = 1
PRM_ALPHA = 2
PRM_LSB = 3
N_PRM = 4

# PE kinds (``prm[PRM_KIND]``), by :attr:`lognum.hw.pe.PEType.kind`
KIND_INT = 0
KIND_FLOAT = 1
KIND_QUIRE = 2
KIND_LP = 3
KIND_CODE = {"int": KIND_INT, "float": KIND_FLOAT, "quire": KIND_QUIRE, "lp": KIND_LP}


@jit
def functional_layer(
    df, R, C, L, prm, lut, Xs, Xe, Xf, Ys, Ye, Yf, n_rows, n_cols, T, out, outf, busy
):
    """Run every fold of a layer. Operand matrices (payload arrays ``*s, *e, *f``):

    - ``X`` streams in from the left: shape ``(n_rows_stream, T*L)`` for os (``X = A``, row =
      spatial row ``m``), ``(Sr*L, T)`` for ws/is (``X[k, t]``).
    - ``Y`` from the top: os ``Y = B^T`` ``(N, K)``; ws ``Y = B`` ``(K, N)``, is ``Y = A^T``
      ``(K, M)`` (stationary).

    ``n_rows`` / ``n_cols`` = spatial rows Sr / columns Sc (in lanes units for ws/is rows).
    ``out`` (Sr_out x Sc_out x NL int64) and ``outf`` receive the results in (row, col) of
    the *output*: os ``(m, n)``, ws ``(t=m, c=n)``, is ``(c=m, t=n)`` — the caller transposes.
    Returns total cycles.
    """
    NL = out.shape[2]
    Kx = Xs.shape[1]
    rf = (n_rows + R - 1) // R
    cf = (n_cols + C - 1) // C
    ls = np.zeros((R, C, L), np.int64)  # left register payloads
    le = np.zeros((R, C, L), np.int64)
    lf = np.zeros((R, C, L), np.float64)
    lt = np.full((R, C), -1, np.int64)  # left register slot
    ts = np.zeros((R, C, L), np.int64)  # top / stationary payloads
    te = np.zeros((R, C, L), np.int64)
    tf = np.zeros((R, C, L), np.float64)
    tt = np.full((R, C), -1, np.int64)
    acc = np.zeros((R, C, NL), np.int64)
    accf = np.zeros((R, C, 1), np.float64)
    total = 0
    for j in range(cf):
        c0 = j * C
        uc = min(C, n_cols - c0)
        for i in range(rf):
            r0 = i * R
            ur = min(R, n_rows - r0)
            lt[:, :] = -1
            tt[:, :] = -1
            acc[:, :, :] = 0
            accf[:, :, :] = 0.0
            cyc = 0
            if df == 0:
                while True:
                    for r in range(R):
                        for c in range(C - 1, 0, -1):
                            lt[r, c] = lt[r, c - 1]
                            for q in range(L):
                                ls[r, c, q] = ls[r, c - 1, q]
                                le[r, c, q] = le[r, c - 1, q]
                                lf[r, c, q] = lf[r, c - 1, q]
                        t = cyc - r
                        lt[r, 0] = t if (t >= 0 and t < T) else -1
                        for q in range(L):
                            k = t * L + q
                            ok = lt[r, 0] >= 0 and r < ur and k < Kx
                            ls[r, 0, q] = Xs[r0 + r, k] if ok else 0
                            le[r, 0, q] = Xe[r0 + r, k] if ok else 0
                            lf[r, 0, q] = Xf[r0 + r, k] if ok else 0.0
                    for c in range(C):
                        for r in range(R - 1, 0, -1):
                            tt[r, c] = tt[r - 1, c]
                            for q in range(L):
                                ts[r, c, q] = ts[r - 1, c, q]
                                te[r, c, q] = te[r - 1, c, q]
                                tf[r, c, q] = tf[r - 1, c, q]
                        t = cyc - c
                        tt[0, c] = t if (t >= 0 and t < T) else -1
                        for q in range(L):
                            k = t * L + q
                            ok = tt[0, c] >= 0 and c < uc and k < Kx
                            ts[0, c, q] = Ys[c0 + c, k] if ok else 0
                            te[0, c, q] = Ye[c0 + c, k] if ok else 0
                            tf[0, c, q] = Yf[c0 + c, k] if ok else 0.0
                    for r in range(ur):
                        for c in range(uc):
                            t = lt[r, c]
                            if t >= 0 and t == tt[r, c]:
                                busy[r, c] += 1
                                for q in range(L):
                                    sa, ea, fa = ls[r, c, q], le[r, c, q], lf[r, c, q]
                                    sb, eb, fb = ts[r, c, q], te[r, c, q], tf[r, c, q]
                                    kind = prm[PRM_KIND]
                                    if kind == KIND_INT:
                                        acc[r, c, 0] += sa * sb
                                    elif kind == KIND_FLOAT:
                                        accf[r, c, 0] = np.float32(
                                            np.float32(accf[r, c, 0]) + np.float32(fa * fb)
                                        )
                                    elif sa != 0 and sb != 0:
                                        if kind == KIND_QUIRE:
                                            v = sa * sb
                                            sh = ea + eb - prm[PRM_LSB]
                                        else:
                                            F = prm[PRM_F]
                                            X = ea + eb
                                            ip = X >> F
                                            j = X - (ip << F)
                                            idx = j  # LUT index: the F-bit fraction
                                            v = sa * sb * lut[idx]
                                            sh = ip - prm[PRM_ALPHA] - prm[PRM_LSB]
                                        li = sh // _BASE
                                        acc[r, c, li] += v << (
                                            sh - li * _BASE
                                        )  # |v| < 2^31, shift < 30: below 2^61
                                        while li < NL - 1 and (
                                            acc[r, c, li] >= _LIM or acc[r, c, li] <= -_LIM
                                        ):
                                            carry = acc[r, c, li] >> _BASE
                                            acc[r, c, li] -= carry << _BASE
                                            acc[r, c, li + 1] += carry
                                            li += 1
                                if t == T - 1:  # last MAC: write the output
                                    for z in range(NL):
                                        out[r0 + r, c0 + c, z] = acc[r, c, z]
                                    outf[r0 + r, c0 + c] = accf[r, c, 0]
                    cyc += 1
                    if lt[R - 1, C - 1] == T - 1 and tt[R - 1, C - 1] == T - 1:
                        break
                total += cyc
                continue
            # ws / is: load the stationary tile from the top (R cycles)
            for cyc in range(R):
                for c in range(C):
                    for r in range(R - 1, 0, -1):
                        tt[r, c] = tt[r - 1, c]
                        for q in range(L):
                            ts[r, c, q] = ts[r - 1, c, q]
                            te[r, c, q] = te[r - 1, c, q]
                            tf[r, c, q] = tf[r - 1, c, q]
                    row = R - 1 - cyc
                    tt[0, c] = row
                    for q in range(L):
                        k = (r0 + row) * L + q
                        ok = row < ur and c < uc and k < Ys.shape[0]
                        ts[0, c, q] = Ys[k, c0 + c] if ok else 0
                        te[0, c, q] = Ye[k, c0 + c] if ok else 0
                        tf[0, c, q] = Yf[k, c0 + c] if ok else 0.0
            cyc = R
            pt = np.full((R, C), -1, np.int64)  # partial-sum slot per PE
            while True:
                for r in range(R):
                    for c in range(C - 1, 0, -1):
                        lt[r, c] = lt[r, c - 1]
                        for q in range(L):
                            ls[r, c, q] = ls[r, c - 1, q]
                            le[r, c, q] = le[r, c - 1, q]
                            lf[r, c, q] = lf[r, c - 1, q]
                    t = cyc - R - r
                    lt[r, 0] = t if (t >= 0 and t < T) else -1
                    for q in range(L):
                        k = (r0 + r) * L + q
                        ok = lt[r, 0] >= 0 and r < ur and k < Xs.shape[0]
                        ls[r, 0, q] = Xs[k, t] if ok else 0
                        le[r, 0, q] = Xe[k, t] if ok else 0
                        lf[r, 0, q] = Xf[k, t] if ok else 0.0
                # partial sums move down one PE
                for c in range(C):
                    for r in range(R - 1, 0, -1):
                        pt[r, c] = pt[r - 1, c]
                        for z in range(NL):
                            acc[r, c, z] = acc[r - 1, c, z]
                        accf[r, c, 0] = accf[r - 1, c, 0]
                    pt[0, c] = -1
                for r in range(R):
                    for c in range(C):
                        t = lt[r, c]
                        if t < 0:
                            continue
                        if r == 0:
                            # a new partial sum enters: previous K-fold's result (read back)
                            for z in range(NL):
                                acc[0, c, z] = out[t, c0 + c, z] if (i > 0 and c < uc) else 0
                            accf[0, c, 0] = outf[t, c0 + c] if (i > 0 and c < uc) else 0.0
                        pt[r, c] = t
                        if r < ur and c < uc:
                            busy[r, c] += 1
                            for q in range(L):
                                sa, ea, fa = ls[r, c, q], le[r, c, q], lf[r, c, q]
                                sb, eb, fb = ts[r, c, q], te[r, c, q], tf[r, c, q]
                                kind = prm[PRM_KIND]
                                if kind == KIND_INT:
                                    acc[r, c, 0] += sa * sb
                                elif kind == KIND_FLOAT:
                                    accf[r, c, 0] = np.float32(
                                        np.float32(accf[r, c, 0]) + np.float32(fa * fb)
                                    )
                                elif sa != 0 and sb != 0:
                                    if kind == KIND_QUIRE:
                                        v = sa * sb
                                        sh = ea + eb - prm[PRM_LSB]
                                    else:
                                        F = prm[PRM_F]
                                        X = ea + eb
                                        ip = X >> F
                                        j = X - (ip << F)
                                        idx = j  # LUT index: the F-bit fraction
                                        v = sa * sb * lut[idx]
                                        sh = ip - prm[PRM_ALPHA] - prm[PRM_LSB]
                                    li = sh // _BASE
                                    acc[r, c, li] += v << (
                                        sh - li * _BASE
                                    )  # |v| < 2^31, shift < 30: below 2^61
                                    while li < NL - 1 and (
                                        acc[r, c, li] >= _LIM or acc[r, c, li] <= -_LIM
                                    ):
                                        carry = acc[r, c, li] >> _BASE
                                        acc[r, c, li] -= carry << _BASE
                                        acc[r, c, li + 1] += carry
                                        li += 1
                done = False
                for c in range(C):
                    t = pt[R - 1, c]
                    if t >= 0:
                        if c < uc:
                            for z in range(NL):
                                out[t, c0 + c, z] = acc[R - 1, c, z]
                            outf[t, c0 + c] = accf[R - 1, c, 0]
                        if t == T - 1 and c == C - 1:
                            done = True
                    pt[R - 1, c] = -1
                cyc += 1
                if done:
                    break
            total += cyc
    return total
