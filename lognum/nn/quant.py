"""Quantization hooks: a per-layer plan of weight and input-activation quantizers.

A *quantizer* is any object with a ``quantize(x) -> ndarray`` method (every lognum format,
e.g. ``lognum.LogPosit(6, 2, 5, 3)``) or a plain callable ``x -> ndarray``; ``None`` means
full precision.  A :class:`QuantPlan` maps layer names to a weight quantizer and an
input-activation quantizer (separate formats per tensor) and memoises quantized weights, so
that a search which revisits a layer configuration does not quantize the weights again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

Quantizer = Any  # object with .quantize(x), or callable, or None


def apply_quantizer(q: Quantizer, x: np.ndarray) -> np.ndarray:
    """Apply ``q`` to ``x`` keeping the dtype of ``x`` (``None`` returns ``x`` unchanged)."""
    if q is None:
        return x
    y = q.quantize(x) if hasattr(q, "quantize") else q(x)
    return np.asarray(y, dtype=x.dtype)


@dataclass(frozen=True)
class PerTensorScaled:
    """Symmetric per-tensor scaling around a fixed format (the usual INT8/FP8 recipe).

    ``quantize(x) = s * fmt.quantize(x / s)`` with ``s = max|x| / fmt.maxpos``, so the largest
    magnitude of the tensor maps onto the largest representable value of ``fmt``.
    """

    fmt: Any

    def quantize(self, x: np.ndarray) -> np.ndarray:
        amax = float(np.max(np.abs(x))) if x.size else 0.0
        if amax == 0.0 or not np.isfinite(amax):
            return np.asarray(self.fmt.quantize(x), dtype=x.dtype)
        s = amax / float(self.fmt.maxpos)
        return (np.asarray(self.fmt.quantize(x / s), dtype=np.float64) * s).astype(x.dtype)

    @property
    def n(self) -> int:
        return int(self.fmt.n)

    def __str__(self) -> str:
        return f"{self.fmt}/tensor"


def bits_of(q: Quantizer, default: int = 32) -> int:
    """Bit width of a quantizer (its ``n`` attribute), ``default`` for full precision."""
    if q is None:
        return default
    n = getattr(q, "n", None)
    if n is None:
        raise ValueError(f"quantizer {q!r} has no bit width attribute 'n'")
    return int(n)


class QuantPlan:
    """Per-layer weight / input-activation quantizers with an LRU cache of quantized weights.

    ``weights`` and ``acts`` map layer names (e.g. ``encoder.layer.0.attention.self.query``)
    to quantizers; names not in a map stay in full precision.  ``cache_bytes`` bounds the
    memoised quantized weights (keyed by layer name and quantizer; only hashable quantizers
    are cached).
    """

    def __init__(
        self,
        weights: Mapping[str, Quantizer] | None = None,
        acts: Mapping[str, Quantizer] | None = None,
        cache: WeightCache | None = None,
    ) -> None:
        self.weights = dict(weights or {})
        self.acts = dict(acts or {})
        self.cache = cache

    def weight(self, name: str, w: np.ndarray) -> np.ndarray:
        q = self.weights.get(name)
        if q is None:
            return w
        if self.cache is None:
            return apply_quantizer(q, w)
        return self.cache.get(name, q, w)

    def act(self, name: str, x: np.ndarray) -> np.ndarray:
        return apply_quantizer(self.acts.get(name), x)


class WeightCache:
    """LRU memo of quantized weight tensors keyed by ``(layer name, quantizer)``."""

    def __init__(self, max_bytes: int = 512 * 2**20) -> None:
        self.max_bytes = int(max_bytes)
        self._d: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, name: str, q: Quantizer, w: np.ndarray) -> np.ndarray:
        try:
            key = (name, q)
            hash(key)
        except TypeError:
            return apply_quantizer(q, w)
        hit = self._d.get(key)
        if hit is not None:
            self._d.move_to_end(key)
            self.hits += 1
            return hit
        self.misses += 1
        y = apply_quantizer(q, w)
        y.setflags(write=False)
        self._d[key] = y
        self._bytes += y.nbytes
        while self._bytes > self.max_bytes and len(self._d) > 1:
            _, old = self._d.popitem(last=False)
            self._bytes -= old.nbytes
        return y


CallableQuantizer = Callable[[np.ndarray], np.ndarray]
