"""Concrete LPQ problems: all-MiniLM-L6-v2 on Lee background texts, and the tiny MNIST CNN."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lognum.lpq.fitness import Problem
from lognum.nn.quant import QuantPlan


@dataclass(frozen=True)
class MiniLMProblem(Problem):
    """all-MiniLM-L6-v2 (36 linear layers) calibrated on Lee *background* documents.

    Calibration: the first ``n_calib`` of the 300 ``lee_background.cor`` documents (disjoint
    from the 50 Lee evaluation documents), each truncated to exactly ``calib_len`` tokens so
    that the token-level block outputs flatten to vectors of equal length.  Local IRs: the six
    block outputs; global IR: the sentence embedding.  Blocks for regeneration: see
    :meth:`blocks`.

    ``act_sf_base`` (one value per linear layer, or empty): when activation formats are
    searched, the ``sf`` gene of an activation row is an *offset* added to this per-layer
    base -- the ``sf`` of the least-squared-error ``LP<8>`` of that layer's input activations
    on the calibration texts (:func:`calibrated_act_sf`), so that a random activation gene
    is scaled near that layer's range and the search moves it from there (on MiniLM the base
    is -1 for the FFN2 inputs, 1 or 2 for the attention-output and FFN1 inputs, 0 for Q/K/V).
    Empty (default): activation ``sf`` genes are absolute.
    """

    n_calib: int = 24
    calib_len: int = 48
    offset: int = 0
    act_sf_base: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "act_sf_base", tuple(float(v) for v in self.act_sf_base))
        if self.n_calib < 2:
            raise ValueError(f"n_calib must be >= 2 (the InfoNCE batch), got {self.n_calib}")
        if self.calib_len < 3:
            raise ValueError(f"calib_len must be >= 3 tokens, got {self.calib_len}")
        if self.offset < 0:
            raise ValueError(f"offset must be >= 0, got {self.offset}")

    def key(self) -> str:
        return f"minilm:{self.n_calib}:{self.calib_len}:{self.offset}"

    def _load(self):
        from lognum.nn.data import load_lee_background
        from lognum.nn.minilm import MiniLM

        m = MiniLM.load()
        ids = []
        for doc in load_lee_background()[self.offset :]:
            t = m.tokenizer.encode(doc, max_len=self.calib_len)
            if len(t) == self.calib_len:
                ids.append(t)
            if len(ids) == self.n_calib:
                break
        if len(ids) < self.n_calib:
            raise ValueError(f"n_calib must be <= {len(ids)} for calib_len={self.calib_len}")
        m._calib_ids = ids
        return m

    def _reps(self, model, plan: QuantPlan) -> list[np.ndarray]:
        emb, _, blocks = model.forward_ids(model._calib_ids, plan, capture=True)
        return [*blocks, emb]

    def plan_for(self, genome: np.ndarray, factory) -> QuantPlan:
        """As :meth:`Problem.plan_for`; activation ``sf`` genes are offsets from
        ``act_sf_base`` when it is set."""
        return super().plan_for(absolute_act_sf(genome, self.act_sf_base), factory)

    def blocks(self) -> list[list[int]]:
        """Regeneration blocks: the 6 transformer layers (6 linears each), the 6 layer types
        across depth (all Q, all K, ..., all FFN2) and the whole model (13 blocks)."""
        by_layer = [list(range(6 * i, 6 * i + 6)) for i in range(6)]
        by_type = [list(range(j, 36, 6)) for j in range(6)]
        return by_layer + by_type + [list(range(36))]


def absolute_act_sf(genome: np.ndarray, act_sf_base: tuple[float, ...]) -> np.ndarray:
    """``genome`` with the ``sf`` of its activation rows (rows ``L..2L-1``) moved by the
    per-layer ``act_sf_base`` (length ``L``); unchanged if the base is empty or the genome
    has weight rows only."""
    g = np.asarray(genome, dtype=np.float64)
    if not act_sf_base or len(g) == len(act_sf_base):
        return g
    L = len(act_sf_base)
    if len(g) != 2 * L:
        raise ValueError(f"genome must have {L} or {2 * L} rows for act_sf_base, got {len(g)}")
    g = g.copy()
    g[L:, 3] += np.asarray(act_sf_base, dtype=np.float64)
    return g


def calibrated_act_sf(problem: Problem, n: int = 8) -> tuple[float, ...]:
    """Per-layer base ``sf`` of the input activations: the ``sf`` of the ``LP<n,es,rs,sf>``
    with the least squared error on the layer's calibration-set inputs
    (:func:`lognum.lpq.quantizers.calibrate_lp`; calibration data only)."""
    from lognum.lpq.baselines import calibration_activations
    from lognum.lpq.quantizers import calibrate_lp

    acts = calibration_activations(problem)
    return tuple(float(calibrate_lp(acts[nm], n)[3]) for nm in problem.layer_names)


@dataclass(frozen=True)
class TinyCNNProblem(Problem):
    """The shipped tiny MNIST CNN calibrated on ``n_calib`` training images of MNIST-5k."""

    n_calib: int = 128

    def __post_init__(self) -> None:
        if not 2 <= self.n_calib <= 4000:
            raise ValueError(
                f"n_calib must be in [2, 4000] (the MNIST-5k training images), got {self.n_calib}"
            )

    def key(self) -> str:
        return f"tinycnn:{self.n_calib}"

    def _load(self):
        from lognum.nn.cnn import TinyCNN
        from lognum.nn.data import mnist_split

        m = TinyCNN.load()
        m._calib_x = mnist_split()["x_train"][: self.n_calib]
        return m

    def _reps(self, model, plan: QuantPlan) -> list[np.ndarray]:
        logits, blocks = model.forward(model._calib_x, plan, capture=True)
        return [*blocks, logits]


@dataclass(frozen=True)
class MagikaProblem(Problem):
    """magika ``standard_v3_3`` (3 weight layers) calibrated on ``n_calib`` package files.

    Calibration files are drawn from the pinned packages' files that are *not* in the test set
    of :func:`lognum.nn.magika.package_files` (same ``seed``).  Local IRs: the LayerNorm-0
    output and the max-pooled conv features; global IR: the logits.
    """

    n_calib: int = 32
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n_calib < 2:
            raise ValueError(f"n_calib must be >= 2 (the InfoNCE batch), got {self.n_calib}")

    def key(self) -> str:
        return f"magika:{self.n_calib}:{self.seed}"

    def _load(self):
        from lognum.nn.magika import Magika, package_files

        m = Magika.load()
        _, calib = package_files(m, seed=self.seed, n_calib=self.n_calib)
        m._calib_x = np.stack([m.tokens_of(p)[0] for p in calib])
        return m

    def _reps(self, model, plan: QuantPlan) -> list[np.ndarray]:
        logits, blocks = model.forward(model._calib_x, plan, capture=True)
        return [*blocks, logits]
