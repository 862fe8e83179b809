"""Evaluation metrics on embeddings (NumPy / SciPy only, no scikit-learn)."""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Mean row-wise cosine similarity of two embedding matrices of the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    num = np.sum(a.astype(np.float64) * b, axis=1)
    den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return float(np.mean(num / np.maximum(den, 1e-30)))


def lee_correlation(emb: np.ndarray, human: np.ndarray) -> tuple[float, float]:
    """Pearson r and Spearman rho between embedding cosines and human ratings (upper pairs)."""
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    cos = e @ e.T
    iu = np.triu_indices(len(e), 1)
    return (
        float(stats.pearsonr(cos[iu], human[iu])[0]),
        float(stats.spearmanr(cos[iu], human[iu])[0]),
    )


def _fit_logreg(x: np.ndarray, y: np.ndarray, c: float, iters: int = 200) -> np.ndarray:
    """L2-regularised logistic regression (sklearn's objective, C = 1/lambda) by L-BFGS."""
    from scipy.optimize import minimize

    xb = np.hstack([x, np.ones((len(x), 1))]).astype(np.float64)
    ys = 2.0 * y - 1.0

    def f(w):
        z = ys * (xb @ w)
        loss = np.sum(np.logaddexp(0.0, -z)) * c + 0.5 * w[:-1] @ w[:-1]
        g = -(xb.T @ (ys * (1.0 / (1.0 + np.exp(z))))) * c
        g[:-1] += w[:-1]
        return loss, g

    res = minimize(
        f, np.zeros(xb.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": iters}
    )
    return res.x


def logreg_cv_predictions(
    emb: np.ndarray, labels: np.ndarray, folds: int = 10, c: float = 10.0, seed: int = 0
) -> np.ndarray:
    """Held-out predictions (0/1) of ``folds``-fold cross-validated logistic regression.

    Folds are stratified and shuffled with ``seed`` (same folds for every embedding); each
    sample is predicted by the model fitted on the other folds.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(labels), dtype=np.int64)
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        fold_of[idx] = np.arange(len(idx)) % folds
    pred = np.empty(len(labels), dtype=np.int64)
    for k in range(folds):
        te = fold_of == k
        w = _fit_logreg(emb[~te], labels[~te], c)
        pred[te] = (np.hstack([emb[te], np.ones((te.sum(), 1))]) @ w) > 0
    return pred


def logreg_cv_accuracy(
    emb: np.ndarray, labels: np.ndarray, folds: int = 10, c: float = 10.0, seed: int = 0
) -> float:
    """``folds``-fold cross-validated accuracy of logistic regression on the embeddings
    (:func:`logreg_cv_predictions`)."""
    pred = logreg_cv_predictions(emb, labels, folds, c, seed)
    return float(np.mean(pred == np.asarray(labels)))


def zero_shot_accuracy(emb: np.ndarray, labels: np.ndarray, prompts: np.ndarray) -> float:
    """Accuracy of assigning each embedding the label of its most cosine-similar prompt."""
    pred = np.argmax(emb @ prompts.T, axis=1)
    return float(np.mean(pred == labels))
