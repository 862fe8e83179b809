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
    """

    n_calib: int = 24
    calib_len: int = 48
    offset: int = 0

    def __post_init__(self) -> None:
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

    def blocks(self) -> list[list[int]]:
        """Regeneration blocks: the 6 transformer layers (6 linears each), the 6 layer types
        across depth (all Q, all K, ..., all FFN2) and the whole model (13 blocks)."""
        by_layer = [list(range(6 * i, 6 * i + 6)) for i in range(6)]
        by_type = [list(range(j, 36, 6)) for j in range(6)]
        return by_layer + by_type + [list(range(36))]


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
