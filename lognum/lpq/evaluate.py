"""Downstream evaluation of a quantized all-MiniLM-L6-v2 (held-out data, never calibration).

Metrics (docs/lpq.md): mean cosine between quantized and FP32 embeddings of the 50 Lee
documents; Pearson r / Spearman rho of embedding cosine vs the human ratings of the 1,225 Lee
pairs; Spearman rho of
the cosine of the two words' embeddings (each word encoded as a one-word text) vs the human
ratings of WordSim-353 (353 pairs) and SimLex-999 (999 pairs); Pang-Lee polarity accuracy,
10-fold CV logistic regression on the embeddings (C = 10, folds from seed 0) and zero-shot
(cosine to the two prompts :data:`PROMPTS`).

:func:`evaluate_items` returns the per-item values behind every metric (per-document cosines,
pair cosines, per-sentence correctness) so that :mod:`lognum.lpq.stats` can bootstrap
confidence intervals and paired differences between configurations after the fact.

The Lee Pearson r moves between configurations of nearly equal fidelity by more than the
calibration loss can rank (``lognum.lpq.report.metric_agreement``); the numbers are in
``results/lpq/NOTES.md`` and docs/lpq_results.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from lognum.nn.metrics import logreg_cv_predictions
from lognum.nn.quant import QuantPlan

WORD_SETS = ("wordsim353", "simlex999")

PROMPTS = ("This is a negative movie review.", "This is a positive movie review.")

_EVAL: dict[str, Any] = {}


def _setup(model) -> dict[str, Any]:
    st = _EVAL.get(id(model))
    if st is None:
        from lognum.nn.data import load_lee, load_polarity, load_word_pairs

        docs, human = load_lee()
        texts, labels = load_polarity()
        st = {
            "lee_ids": model.tokenize(docs),
            "human": human,
            "pol_ids": model.tokenize(texts),
            "prompt_ids": model.tokenize(list(PROMPTS)),
            "labels": labels,
        }
        for ws in WORD_SETS:
            pairs, score = load_word_pairs(ws)
            words = sorted({w for p in pairs for w in p})
            idx = {w: i for i, w in enumerate(words)}
            st[ws] = {
                "ids": model.tokenize(words),
                "a": np.array([idx[a] for a, _ in pairs]),
                "b": np.array([idx[b] for _, b in pairs]),
                "human": score,
            }
        st["fp_lee"] = model.encode(ids=st["lee_ids"])
        st["fp_pol"] = model.encode(ids=st["pol_ids"])
        _EVAL[id(model)] = st
    return st


def average_weight_bits(model, plan: QuantPlan) -> float:
    """Average bits per weight over the linear layers, scale storage included
    (:func:`lognum.lpq.quantizers.storage_bits`; FP32 layers count 32)."""
    from lognum.lpq.quantizers import storage_bits

    names = model.linear_names
    sizes = np.array([model.n_params(n) for n in names], dtype=np.float64)
    bits = [storage_bits(plan.weights.get(n), model.weight_of(n).shape) for n in names]
    return float(np.sum(sizes * np.asarray(bits)) / np.sum(sizes))


def _row_cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.sum(a * b, axis=1) / np.maximum(den, 1e-30)


def evaluate_items(model, plan: QuantPlan, polarity: bool = True) -> dict[str, np.ndarray]:
    """Per-item values of every downstream metric under ``plan`` (float64 arrays):

    * ``lee_cos_fp`` (50): cosine of each Lee document's embedding to its FP32 embedding;
    * ``lee_pair_cos`` (1,225): embedding cosine of each Lee pair (``triu_indices(50, 1)``);
    * ``wordsim353_cos`` (353), ``simlex999_cos`` (999): cosine of each word pair;
    * ``pol_cos_fp``, ``pol_cv_correct``, ``pol_zs_correct`` (200 each, with ``polarity``):
      cosine to FP32, correctness of the 10-fold CV logistic regression and of zero-shot.
    """
    st = _setup(model)
    lee = model.encode(ids=st["lee_ids"], plan=plan)
    e = lee.astype(np.float64)
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    out = {
        "lee_cos_fp": _row_cos(lee, st["fp_lee"]),
        "lee_pair_cos": (e @ e.T)[np.triu_indices(len(e), 1)],
    }
    for ws in WORD_SETS:
        d = st[ws]
        w = model.encode(ids=d["ids"], plan=plan)
        out[f"{ws}_cos"] = _row_cos(w[d["a"]], w[d["b"]])
    if polarity:
        pol = model.encode(ids=st["pol_ids"], plan=plan)
        prm = model.encode(ids=st["prompt_ids"], plan=plan)
        lab = st["labels"]
        out["pol_cos_fp"] = _row_cos(pol, st["fp_pol"])
        out["pol_cv_correct"] = (logreg_cv_predictions(pol, lab) == lab).astype(np.float64)
        zs = np.argmax(pol @ prm.T, axis=1)
        out["pol_zs_correct"] = (zs == lab).astype(np.float64)
    return out


def human_ratings(model) -> dict[str, np.ndarray]:
    """The human ratings the item values are correlated with (Lee pairs, word sets)."""
    st = _setup(model)
    h = {"lee": st["human"][np.triu_indices(len(st["human"]), 1)]}
    for ws in WORD_SETS:
        h[ws] = st[ws]["human"]
    return h


def metrics_from_items(items: dict[str, np.ndarray], human: dict[str, np.ndarray]) -> dict:
    """The point metrics of :func:`evaluate_minilm` from :func:`evaluate_items` output."""
    from scipy import stats

    out = {
        "cos_lee": float(np.mean(items["lee_cos_fp"])),
        "lee_pearson": float(stats.pearsonr(items["lee_pair_cos"], human["lee"])[0]),
        "lee_spearman": float(stats.spearmanr(items["lee_pair_cos"], human["lee"])[0]),
    }
    for ws in WORD_SETS:
        out[f"{ws}_spearman"] = float(stats.spearmanr(items[f"{ws}_cos"], human[ws])[0])
    if "pol_cos_fp" in items:
        out["cos_polarity"] = float(np.mean(items["pol_cos_fp"]))
        out["polarity_cv_acc"] = float(np.mean(items["pol_cv_correct"]))
        out["polarity_zeroshot_acc"] = float(np.mean(items["pol_zs_correct"]))
    return out


def evaluate_minilm(
    model, plan: QuantPlan, polarity: bool = True, items_out: dict | None = None
) -> dict[str, float]:
    """All downstream metrics of ``model`` under ``plan`` (FP32 metrics for an empty plan);
    ``items_out`` (a dict) receives the per-item values (:func:`evaluate_items`)."""
    items = evaluate_items(model, plan, polarity)
    if items_out is not None:
        items_out.update(items)
    return {
        "avg_bits": average_weight_bits(model, plan),
        **metrics_from_items(items, human_ratings(model)),
    }


def items_path(results_dir: str | Path, name: str) -> Path:
    """Where the per-item values of a saved configuration live: ``results_dir/items/<slug>.npz``
    (``name``: a run's file stem, or ``baselines:<method label>``)."""
    slug = re.sub(r"[^A-Za-z0-9.=,+-]+", "_", name).strip("_")
    return Path(results_dir) / "items" / f"{slug}.npz"


def save_items(path: str | Path, items: dict[str, np.ndarray]) -> None:
    """Save per-item values (float32, compressed: about 10 kB per configuration)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{k: np.asarray(v, dtype=np.float32) for k, v in items.items()})


def load_items(path: str | Path) -> dict[str, np.ndarray]:
    with np.load(path) as z:
        return {k: z[k].astype(np.float64) for k in z.files}
