"""LPQ fitness: global-local contrastive loss + lambda x compression loss.

**Reconstruction.** The LPQ paper (DAC 2024, arXiv 2403.05465) was available to us only as its
poster and abstract (docs/lpq.md).  They state the ingredients -- a "global-local
contrastive loss" that "minimiz[es] representational divergence of intermediate layers"
(figure labels: "Concatenate IR", "Maximize inner product" between a quantized representation
and the corresponding FP one, "Minimize inner product" with the others in the "Batch") and "a
compression loss that drives the optimization to identify lower bit widths" -- but no formula,
temperature or weights.  This module implements this reconstruction (docs/lpq.md):

    L_F  = L_GL + lam * L_C
    L_GL = w_g * NCE(z_q[out], z_fp[out]) + w_l * mean_{l in blocks} NCE(z_q[l], z_fp[l])
    NCE(a, b) = (1/B) sum_i -log( exp(<a_i, b_i>/tau) / sum_j exp(<a_i, b_j>/tau) )
    L_C  = sum_l n_l |theta_l| / sum_l n_max |theta_l|

``z`` are the flattened intermediate representations of the same calibration inputs through
the quantized and the FP32 model (local = block outputs, global = the model output), centred by
the FP32 batch mean of that representation and L2-normalised; the other inputs of the batch are
the negatives (InfoNCE, as in CPT-V, Frumkin et al., arXiv 2211.09643).

Centring (``center=True``, default) is this reconstruction's choice: BERT hidden states share
a large common component, and an uncentred InfoNCE would also reward a quantization that
shrinks it.  Activation formats, when searched, count in ``L_C`` with the same per-layer
weight ``|theta_l|``.

Defaults ``tau = 0.3``, ``lam = 0.3``, ``w_g = w_l = 1`` (chosen, not from the paper): the
sensitivity of one InfoNCE row to its positive similarity is ``(1 - p_ii) / tau``, so a small
``tau`` flattens the loss for lightly quantized models; one average bit less costs ``lam / 8``
in ``L_C``, so ``lam`` sets the word size below which a bit is not worth taking.  The
measurements behind these choices (and behind centring) are in ``results/lpq/NOTES.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lognum.nn.quant import QuantPlan, WeightCache

DISTILL = ("contrastive", "mse", "cosine")


@dataclass(frozen=True)
class FitnessConfig:
    """Constants of the reconstructed fitness (none is given by the LPQ poster)."""

    tau: float = 0.3
    lam: float = 0.3
    w_global: float = 1.0
    w_local: float = 1.0
    center: bool = True
    distill: str = "contrastive"

    def __post_init__(self) -> None:
        if self.distill not in DISTILL:
            raise ValueError(f"distill must be one of {DISTILL}, got {self.distill!r}")
        if not self.tau > 0:
            raise ValueError(f"tau must be > 0, got {self.tau}")
        for nm in ("lam", "w_global", "w_local"):
            if not getattr(self, nm) >= 0:
                raise ValueError(f"{nm} must be >= 0, got {getattr(self, nm)}")


def l2n(z: np.ndarray) -> np.ndarray:
    """Flatten per sample and L2-normalise (float64)."""
    z = np.asarray(z, dtype=np.float64).reshape(len(z), -1)
    return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-30)


def info_nce(zq: np.ndarray, zfp: np.ndarray, tau: float) -> float:
    """InfoNCE of quantized vs FP representations: positives on the diagonal (same input).

    Both inputs must already be L2-normalised ``(B, d)`` arrays.
    """
    logits = (zq @ zfp.T) / tau
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(lse - np.diag(logits)))


def compression_loss(genome: np.ndarray, sizes: np.ndarray, n_max: int) -> float:
    """``L_C = sum_l n_l |theta_l| / sum_l n_max |theta_l|`` over all genome rows."""
    sizes = np.asarray(sizes, dtype=np.float64)
    reps = len(genome) // len(sizes)
    w = np.tile(sizes, reps)
    return float(np.sum(genome[:, 0] * w) / (n_max * np.sum(w)))


def distill_term(a: np.ndarray, b: np.ndarray, kind: str) -> float:
    """A non-contrastive distillation term of one representation (ablations of the fitness):
    ``"mse"``: ``||a - b||^2 / ||b||^2`` over the whole batch (relative squared error);
    ``"cosine"``: ``1 - mean_i cos(a_i, b_i)`` (per-sample cosine, uncentred).  ``a`` and ``b``
    are flattened ``(B, d)`` float64 arrays (quantized, FP32)."""
    if kind == "mse":
        return float(np.sum((a - b) ** 2) / max(float(np.sum(b**2)), 1e-300))
    if kind == "cosine":
        na = np.maximum(np.linalg.norm(a, axis=1), 1e-300)
        nb = np.maximum(np.linalg.norm(b, axis=1), 1e-300)
        return float(1.0 - np.mean(np.sum(a * b, axis=1) / (na * nb)))
    raise ValueError(f"kind must be 'mse' or 'cosine', got {kind!r}")


def contrastive_terms(
    reps_q: list[np.ndarray], reps_fp: list[np.ndarray], cfg: FitnessConfig
) -> tuple[float, float]:
    """``(local, global)`` distillation terms; the last representation is the global one.

    ``reps_fp`` are the raw FP32 representations (any shape with the batch first); both sides
    are flattened.  Default (``cfg.distill == "contrastive"``): InfoNCE of the representations
    centred by the FP32 batch mean if ``cfg.center`` and L2-normalised.  ``"mse"`` / ``"cosine"``
    replace every InfoNCE term by :func:`distill_term` (no centring; the fitness ablations).
    """
    terms = []
    for a, b in zip(reps_q, reps_fp, strict=True):
        a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
        b = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
        if cfg.distill != "contrastive":
            terms.append(distill_term(a, b, cfg.distill))
            continue
        if cfg.center:
            mu = b.mean(axis=0)
            a, b = a - mu, b - mu
        terms.append(info_nce(l2n(a), l2n(b), cfg.tau))
    loc = terms[:-1]
    return (float(np.mean(loc)) if loc else 0.0), terms[-1]


# ----------------------------------------------------------------------------------------
# Problems: a model + calibration data, set up lazily once per process (cached by key)
# ----------------------------------------------------------------------------------------

_STATE: dict[str, dict[str, Any]] = {}


class Problem:
    """Base of a quantization problem; subclasses define ``key``, ``_load`` and ``_reps``.

    Instances are small and picklable; the model, the FP32 reference representations and the
    quantized-weight cache live in a per-process cache (so process-pool workers and dask
    workers load the model once).
    """

    def key(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _load(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _reps(self, model: Any, plan: QuantPlan) -> list[np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        k = self.key()
        st = _STATE.get(k)
        if st is None:
            from lognum.nn._blas import pin_blas_threads

            pin_blas_threads(1)
            model = self._load()
            fp = [np.asarray(r, dtype=np.float64) for r in self._reps(model, QuantPlan())]
            names = list(model.linear_names)
            st = {
                "model": model,
                "fp": fp,
                "names": names,
                "sizes": np.array([model.n_params(n) for n in names], dtype=np.int64),
                "cache": WeightCache(),
            }
            _STATE[k] = st
        return st

    @property
    def layer_names(self) -> list[str]:
        return self.state()["names"]

    @property
    def layer_sizes(self) -> np.ndarray:
        return self.state()["sizes"]

    def blocks(self) -> list[list[int]]:
        """Groups of layer indices that the GA regenerates together (default: each layer, and
        all layers together)."""
        n = len(self.layer_names)
        return [[i] for i in range(n)] + [list(range(n))]

    def plan_for(self, genome: np.ndarray, factory) -> QuantPlan:
        """The :class:`QuantPlan` of a genome (``factory(n, es, rs, sf)`` makes a format)."""
        st = self.state()
        names = st["names"]
        L = len(names)
        w = {nm: factory(*genome[i]) for i, nm in enumerate(names)}
        a = {nm: factory(*genome[L + i]) for i, nm in enumerate(names)} if len(genome) > L else {}
        return QuantPlan(w, a, cache=st["cache"])

    def loss_terms(self, plan: QuantPlan, cfg: FitnessConfig) -> tuple[float, float]:
        st = self.state()
        return contrastive_terms(self._reps(st["model"], plan), st["fp"], cfg)


def logposit_format(n: float, es: float, rs: float, sf: float):
    """Default gene -> format factory: ``LogPosit(n, es, rs=rs, sf=sf)``."""
    from lognum.formats.logposit import LogPosit

    sfv = float(sf)
    return LogPosit(int(n), int(es), rs=int(rs), sf=int(sfv) if sfv.is_integer() else sfv)


def evaluate_genome(
    problem: Problem, genome: np.ndarray, cfg: FitnessConfig, n_max: int, factory=logposit_format
) -> tuple[float, dict]:
    """Fitness ``L_F`` and its terms for one genome (runs in whatever process calls it)."""
    plan = problem.plan_for(genome, factory)
    loc, glob = problem.loss_terms(plan, cfg)
    lc = compression_loss(genome, problem.layer_sizes, n_max)
    lgl = cfg.w_local * loc + cfg.w_global * glob
    f = lgl + cfg.lam * lc
    return f, {"local": loc, "global": glob, "L_GL": lgl, "L_C": lc}


def _evaluate_task(args) -> tuple[float, dict]:
    """Picklable entry point for executors: ``args = (problem, genome, cfg, n_max, factory)``."""
    return evaluate_genome(*args)
