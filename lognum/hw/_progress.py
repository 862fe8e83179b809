"""A tiny stderr progress bar (no tqdm dependency)."""

from __future__ import annotations

import sys
import time


class Progress:
    """``with Progress(total, "sim") as p: ... p.update()`` — prints to stderr when enabled."""

    def __init__(self, total: int, label: str = "", enabled: bool = True, width: int = 30):
        self.total, self.label, self.width = max(int(total), 1), label, width
        self.enabled = enabled and total > 1
        self.n = 0
        self.t0 = time.perf_counter()

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def update(self, k: int = 1) -> None:
        self.n += k
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        frac = self.n / self.total
        bar = "#" * int(frac * self.width)
        dt = time.perf_counter() - self.t0
        sys.stderr.write(f"\r{self.label} [{bar:<{self.width}}] {self.n}/{self.total} {dt:6.1f}s")
        sys.stderr.flush()

    def __exit__(self, *exc) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()
