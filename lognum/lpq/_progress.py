"""A tiny stderr progress bar (no tqdm dependency)."""

from __future__ import annotations

import sys
import time


class Progress:
    """``Progress(total, desc)``; ``update(k, note)`` advances by ``k``; ``close()`` ends the line.

    Writes nothing when ``enabled`` is false; redraws at most every 0.2 s.
    """

    def __init__(self, total: int, desc: str = "", enabled: bool = True, stream=None) -> None:
        self.total = max(int(total), 1)
        self.desc = desc
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.note = ""
        self.t0 = time.perf_counter()
        self._last = 0.0

    def update(self, k: int = 1, note: str = "") -> None:
        self.done += k
        if note:
            self.note = note
        now = time.perf_counter()
        if self.enabled and (now - self._last > 0.2 or self.done >= self.total):
            self._last = now
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(24 * frac) + "-" * (24 - int(24 * frac))
            el = now - self.t0
            eta = el / frac - el if frac > 0 else 0.0
            self.stream.write(
                f"\r{self.desc} [{bar}] {self.done}/{self.total} {el:6.1f}s eta {eta:6.1f}s "
                f"{self.note}"
            )
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
