"""NumPy building blocks of the inference engine (float32, BLAS-friendly).

Every function is a plain array function; quantization is applied by the models through
:mod:`lognum.nn.quant` hooks (weights before the layer, input activations at the layer input).
Pitfall (measured): stacked ``matmul`` on non-contiguous views is slow, so
:func:`linear` reshapes to 2-D and :func:`attention` loops 2-D GEMMs over batch x heads.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import erf

_SQRT1_2 = 1.0 / np.sqrt(2.0)


def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """``y = x W^T + b`` for ``x`` of shape ``(..., in)`` and ``w`` of shape ``(out, in)``."""
    if x.shape[-1] != w.shape[1]:
        raise ValueError(f"x last dimension {x.shape[-1]} must equal w.shape[1] = {w.shape[1]}")
    lead = x.shape[:-1]
    y = np.ascontiguousarray(x).reshape(-1, x.shape[-1]) @ w.T
    if b is not None:
        y += b
    return y.reshape(*lead, w.shape[0])


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU ``0.5 x (1 + erf(x / sqrt 2))`` (BERT's ``gelu``)."""
    c = x.dtype.type(_SQRT1_2) if x.dtype.kind == "f" else _SQRT1_2
    return (0.5 * x * (1.0 + erf(x * c))).astype(x.dtype, copy=False)


def relu(x: np.ndarray) -> np.ndarray:
    """``max(x, 0)``."""
    return np.maximum(x, 0)


def layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Layer normalisation over the last axis (biased variance, as torch)."""
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(-1, keepdims=True)
    return (xc / np.sqrt(var + eps)) * gamma + beta


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Max-subtracted softmax."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, add_mask: np.ndarray | None, heads: int
) -> np.ndarray:
    """Multi-head scaled dot-product attention.

    ``q, k, v`` have shape ``(B, L, D)`` with ``D = heads * dh``; ``add_mask`` (``(B, L)``,
    added to the scores over the key axis, ``0`` or a large negative number) may be ``None``.
    Returns the concatenated heads, shape ``(B, L, D)``.
    """
    bsz, seq, dim = q.shape
    if dim % heads:
        raise ValueError(f"heads must divide the model dimension {dim}, got {heads}")
    dh = dim // heads
    scale = np.float32(1.0 / np.sqrt(dh))
    qh = np.ascontiguousarray(q.reshape(bsz, seq, heads, dh).transpose(0, 2, 1, 3))
    kt = np.ascontiguousarray(k.reshape(bsz, seq, heads, dh).transpose(0, 2, 3, 1))
    vh = np.ascontiguousarray(v.reshape(bsz, seq, heads, dh).transpose(0, 2, 1, 3))
    out = np.empty_like(qh)
    for bi in range(bsz):
        for h in range(heads):
            s = (qh[bi, h] @ kt[bi, h]) * scale
            if add_mask is not None:
                s += add_mask[bi][None, :]
            out[bi, h] = softmax(s) @ vh[bi, h]
    return out.transpose(0, 2, 1, 3).reshape(bsz, seq, dim)


def mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the tokens with ``mask == 1``; ``x`` is ``(B, L, D)``, ``mask`` ``(B, L)``."""
    m = mask.astype(x.dtype)[..., None]
    return (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)


def l2_normalize(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``x / max(||x||, 1e-12)`` along ``axis`` (torch ``F.normalize``)."""
    nrm = np.linalg.norm(x, axis=axis, keepdims=True)
    return x / np.maximum(nrm, 1e-12)


def conv2d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """2-D cross-correlation, NCHW input ``(B, C, H, W)``, weight ``(O, C, kh, kw)``."""
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x channels {x.shape[1]} must equal w.shape[1] = {w.shape[1]}")
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = w.shape[2], w.shape[3]
    win = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    bsz, c, ho, wo = win.shape[:4]
    cols = np.ascontiguousarray(win.transpose(0, 2, 3, 1, 4, 5)).reshape(bsz * ho * wo, -1)
    y = cols @ w.reshape(w.shape[0], -1).T
    if b is not None:
        y += b
    return np.ascontiguousarray(y.reshape(bsz, ho, wo, -1).transpose(0, 3, 1, 2))


def maxpool2d(x: np.ndarray, k: int = 2) -> np.ndarray:
    """Non-overlapping ``k x k`` max pooling (floor mode) of an NCHW tensor."""
    bsz, c, h, w = x.shape
    ho, wo = h // k, w // k
    return x[:, :, : ho * k, : wo * k].reshape(bsz, c, ho, k, wo, k).max(axis=(3, 5))


def avgpool2d(x: np.ndarray, k: int = 2) -> np.ndarray:
    """Non-overlapping ``k x k`` average pooling (floor mode) of an NCHW tensor."""
    bsz, c, h, w = x.shape
    ho, wo = h // k, w // k
    return x[:, :, : ho * k, : wo * k].reshape(bsz, c, ho, k, wo, k).mean(axis=(3, 5))
