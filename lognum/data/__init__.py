"""Small data files bundled with lognum (see README.md in this directory)."""

from __future__ import annotations

from importlib.resources import files

import numpy as np

#: Names of the layers in the MiniLM weight extract.
MINILM_LAYERS = (
    "layer0.query",
    "layer0.value",
    "layer0.attn_out",
    "layer0.ffn1",
    "layer0.ffn2",
    "layer2.ffn2",
    "layer5.ffn1",
    "layer5.ffn2",
)


def load_minilm_weights(stats: bool = False) -> dict[str, np.ndarray]:
    """The bundled extract of real all-MiniLM-L6-v2 weights (Apache-2.0): 4096 float32 weights
    per layer, keyed ``"layer0.ffn2"`` etc. (``MINILM_LAYERS``). With ``stats=True`` the
    full-layer statistics are included as ``"<layer>.full_stats"`` = [rows, cols, excess
    kurtosis, max|w|, std] of the whole tensor."""
    with (files("lognum") / "data" / "minilm_weights.npz").open("rb") as fh:
        z = np.load(fh)
        return {k: z[k] for k in z.files if stats or not k.endswith(".full_stats")}
