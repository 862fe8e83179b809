"""lognum: exact, Numba-accelerated posit-family number formats for DNN number-format research.

``import lognum`` is cheap: names are resolved on first use (PEP 562) and nothing is compiled
until a kernel runs. Formats (docs/getting_started.md)::

    import lognum as ln
    p = ln.Posit(8, 2); gp = ln.GeneralizedPosit(6, 1, rs=3, sc=-1); lp = ln.LogPosit(6, 2, 5, 0)
    f = ln.parse("LP<6,2,5,0>"); y = f.quantize(x); codes = f.encode(x); f.decode(codes)
"""

from __future__ import annotations

import importlib
import os
from typing import Any

# Numba may choose the 'omp' threading layer here, under which parallel ufuncs collapse
# (docs/performance.md); 'workqueue' behaves. Respect an explicit user choice.
os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Format": "lognum.formats.base",
    "Posit": "lognum.formats.posit",
    "GeneralizedPosit": "lognum.formats.posit",
    "LogPosit": "lognum.formats.logposit",
    "parse": "lognum.formats.parse",
    "catalog": "lognum.formats",
    "sqnr": "lognum.analysis.sqnr",
    "sqnr_curve": "lognum.analysis.sqnr",
    "Minifloat": "lognum.formats.floats",
    "ScaledFloat": "lognum.formats.floats",
    "AdaptivFloat": "lognum.formats.floats",
    "FixedPoint": "lognum.formats.fixed",
    "Integer": "lognum.formats.fixed",
    "SymmetricInt": "lognum.formats.fixed",
    "AffineInt": "lognum.formats.fixed",
    "DynamicFixedPoint": "lognum.formats.fixed",
    "LNS": "lognum.formats.lns",
    "LogQuant": "lognum.formats.lns",
    "MX": "lognum.formats.block",
    "BlockFloat": "lognum.formats.block",
}

#: subpackages reachable as attributes (``lognum.arith.matmul``) without a separate import
_SUBPACKAGES = ("analysis", "arith", "formats", "hw", "lpq", "nn", "plots", "data")

__all__ = sorted(_LAZY) + list(_SUBPACKAGES) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        value = importlib.import_module(f"lognum.{name}")
        globals()[name] = value
        return value
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'lognum' has no attribute {name!r}")
    value = getattr(importlib.import_module(mod), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
