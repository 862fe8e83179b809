"""Exact arithmetic (DESIGN.md §2): ``dot`` and ``matmul`` with a quire (ALPS Algorithm 2) for
posit and GP, and log-domain multiply with exact linear accumulation for LP.

``matmul(A, B, fmt, accumulate="quire" | "float32" | "format", antilog_bits=None)``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["dot", "matmul"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from lognum.arith import quire

        return getattr(quire, name)
    raise AttributeError(f"module 'lognum.arith' has no attribute {name!r}")
