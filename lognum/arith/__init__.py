"""Exact arithmetic (docs/theory.md): ``dot`` and ``matmul`` with a quire (ALPS Algorithm 2) for
posit and GP, and log-domain multiply with exact linear accumulation for LP.

``matmul(A, B, fmt, accumulate="quire" | "float32" | "format", antilog_bits=None)``,
``dot(a, b, fmt, ...)`` and ``lp_multiply(x, y, fmt)`` (elementwise LP product, log domain).
"""

from __future__ import annotations

from typing import Any

__all__ = ["dot", "matmul", "lp_multiply"]


def __getattr__(name: str) -> Any:
    if name in ("dot", "matmul"):
        from lognum.arith import quire

        return getattr(quire, name)
    if name == "lp_multiply":
        from lognum.arith import logmul

        return logmul.lp_multiply
    raise AttributeError(f"module 'lognum.arith' has no attribute {name!r}")
