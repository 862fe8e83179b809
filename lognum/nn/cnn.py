"""A tiny LeNet-style CNN for MNIST in NumPy, with per-layer quantization hooks.

Architecture: conv3x3(1->8, pad 1) - ReLU - maxpool2 - conv3x3(8->16, pad 1) - ReLU - maxpool2
- FC(784->64) - ReLU - FC(64->10); 51,418 parameters.  Trained deterministically on real
MNIST-5k images by ``scripts/train_tiny_cnn.py`` (NumPy only, one BLAS thread); the weights
ship as ``lognum/nn/tiny_cnn_mnist.npz``.  A fast end-to-end test model for LPQ, not a stress
test (its weights are near-Gaussian).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lognum.nn import layers as L
from lognum.nn.quant import QuantPlan

WEIGHTS = Path(__file__).with_name("tiny_cnn_mnist.npz")


class TinyCNN:
    """NumPy forward pass of the tiny CNN; ``linear_names`` are its four quantizable layers."""

    linear_names = ("conv1", "conv2", "fc1", "fc2")
    block_names = ("block1", "block2", "fc1_out")

    def __init__(self, params: dict[str, np.ndarray]):
        self.W = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}

    @classmethod
    def load(cls, path: str | Path | None = None) -> TinyCNN:
        """Load the shipped weights (or an ``.npz`` with the same keys)."""
        with np.load(path or WEIGHTS) as z:
            return cls({k: z[k] for k in z.files})

    def weight_of(self, name: str) -> np.ndarray:
        return self.W[name + ".weight"]

    def n_params(self, name: str) -> int:
        return int(self.W[name + ".weight"].size)

    def forward(
        self, x: np.ndarray, plan: QuantPlan | None = None, capture: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Logits ``(B, 10)`` of images ``(B, 1, 28, 28)`` and (if ``capture``) block outputs."""
        plan = plan or QuantPlan()
        W = self.W
        blocks = []

        def conv(name, h):
            w = plan.weight(name, W[name + ".weight"])
            return L.conv2d(plan.act(name, h), w, W[name + ".bias"], padding=1)

        def fc(name, h):
            w = plan.weight(name, W[name + ".weight"])
            return L.linear(plan.act(name, h), w, W[name + ".bias"])

        h = L.maxpool2d(L.relu(conv("conv1", x.astype(np.float32, copy=False))))
        if capture:
            blocks.append(h)
        h = L.maxpool2d(L.relu(conv("conv2", h)))
        if capture:
            blocks.append(h)
        h = L.relu(fc("fc1", h.reshape(len(h), -1)))
        if capture:
            blocks.append(h)
        return fc("fc2", h), blocks

    def predict(self, x: np.ndarray, plan: QuantPlan | None = None, batch: int = 500) -> np.ndarray:
        """Predicted classes, in batches."""
        out = [self.forward(x[i : i + batch], plan)[0].argmax(1) for i in range(0, len(x), batch)]
        return np.concatenate(out)
