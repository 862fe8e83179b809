"""Number formats: one module per family (docs/guide/index.md).

``catalog()`` lists one example of every registered notation and every named format
(``lognum.formats.registry``); ``lognum.formats.parse.parse`` reads them.
"""

from __future__ import annotations

__all__ = ["catalog"]


def catalog() -> tuple[str, ...]:
    """One example per registered notation and every canonical format name (no aliases);
    imports every family module."""
    from lognum.formats.registry import catalog as _catalog

    return _catalog()
