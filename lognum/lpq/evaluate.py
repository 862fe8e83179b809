"""Downstream evaluation of a quantized all-MiniLM-L6-v2 (held-out data, never calibration).

Metrics (docs/lpq.md): mean cosine between quantized and FP32 embeddings of the 50 Lee
documents; Pearson r / Spearman rho of embedding cosine vs the human ratings of the 1,225 Lee
pairs; Pang-Lee polarity accuracy, 10-fold CV logistic regression on the embeddings (C = 10,
folds from seed 0) and zero-shot (cosine to the two prompts :data:`PROMPTS`).

How to read the Lee Pearson r of a quantized model: at 5.5-6 weight bits it moves by about
+-0.005 between configurations of nearly equal fidelity (``sf`` moved by +-1 in 4 layers), and
the calibration loss does not rank it (``lognum.lpq.report.metric_agreement`` over the 44
saved 5.5-6-bit configurations in ``results/lpq``: Spearman +0.22, against -0.94 for the mean
cosine); see tutorial 08.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lognum.nn.metrics import lee_correlation, logreg_cv_accuracy, mean_cosine, zero_shot_accuracy
from lognum.nn.quant import QuantPlan, bits_of

PROMPTS = ("This is a negative movie review.", "This is a positive movie review.")

_EVAL: dict[str, Any] = {}


def _setup(model) -> dict[str, Any]:
    st = _EVAL.get(id(model))
    if st is None:
        from lognum.nn.data import load_lee, load_polarity

        docs, human = load_lee()
        texts, labels = load_polarity()
        st = {
            "lee_ids": model.tokenize(docs),
            "human": human,
            "pol_ids": model.tokenize(texts),
            "prompt_ids": model.tokenize(list(PROMPTS)),
            "labels": labels,
        }
        st["fp_lee"] = model.encode(ids=st["lee_ids"])
        st["fp_pol"] = model.encode(ids=st["pol_ids"])
        _EVAL[id(model)] = st
    return st


def average_weight_bits(model, plan: QuantPlan) -> float:
    """Average bits per weight over the 36 linear layers (FP32 layers count 32)."""
    sizes = np.array([model.n_params(n) for n in model.linear_names], dtype=np.float64)
    bits = np.array([bits_of(plan.weights.get(n)) for n in model.linear_names], dtype=np.float64)
    return float(np.sum(sizes * bits) / np.sum(sizes))


def evaluate_minilm(model, plan: QuantPlan, polarity: bool = True) -> dict[str, float]:
    """All downstream metrics of ``model`` under ``plan`` (FP32 metrics for an empty plan)."""
    st = _setup(model)
    lee = model.encode(ids=st["lee_ids"], plan=plan)
    r, rho = lee_correlation(lee, st["human"])
    out = {
        "avg_bits": average_weight_bits(model, plan),
        "cos_lee": mean_cosine(lee, st["fp_lee"]),
        "lee_pearson": r,
        "lee_spearman": rho,
    }
    if polarity:
        pol = model.encode(ids=st["pol_ids"], plan=plan)
        prm = model.encode(ids=st["prompt_ids"], plan=plan)
        out["cos_polarity"] = mean_cosine(pol, st["fp_pol"])
        out["polarity_cv_acc"] = logreg_cv_accuracy(pol, st["labels"])
        out["polarity_zeroshot_acc"] = zero_shot_accuracy(pol, st["labels"], prm)
    return out
