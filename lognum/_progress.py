"""The one progress bar of the package: a tiny stderr bar (no tqdm dependency).

with Progress(total, "label") as bar:      # or bar = Progress(...); ...; bar.close()
    for item in work:
        ...
        bar.update(1, note="best 0.123")
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class Progress:
    """``Progress(total, desc)``; ``update(k, note)`` advances by ``k``; ``close()`` ends the
    line. Writes nothing when ``enabled`` is false; redraws at most every 0.2 s."""

    def __init__(
        self,
        total: int,
        desc: str = "",
        enabled: bool = True,
        stream: TextIO | None = None,
        width: int = 24,
    ) -> None:
        self.total = max(int(total), 1)
        self.desc = desc
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.width = width
        self.done = 0
        self.note = ""
        self.t0 = time.perf_counter()
        self._last = 0.0

    def __enter__(self) -> Progress:
        self._draw(force=True)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def update(self, k: int = 1, note: str = "") -> None:
        self.done += k
        if note:
            self.note = note
        self._draw(force=self.done >= self.total)

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._last < 0.2):
            return
        self._last = now
        frac = min(self.done / self.total, 1.0)
        full = int(self.width * frac)
        el = now - self.t0
        eta = el / frac - el if frac > 0 else 0.0
        self.stream.write(
            f"\r{self.desc} [{'#' * full}{'-' * (self.width - full)}] "
            f"{self.done}/{self.total} {el:6.1f}s eta {eta:6.1f}s {self.note}"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
            self.enabled = False
