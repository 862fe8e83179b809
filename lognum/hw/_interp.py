"""The SCALE-Sim replay kernels run by the Python interpreter, for small workloads.

A ``lognum sim`` process on a tiny layer spends almost all of its time getting Numba ready, not
simulating: importing Numba costs about 0.27 s of CPU and loading the first kernel from the
disk cache another 0.4 s (Numba initialises its whole typing and lowering registry on the first
dispatcher it loads), against about 0.05 s to replay a 64 x 64 x 64 GEMM on an 8 x 8 array
interpreted (docs/performance.md, "Simulator"). So :func:`lognum.hw.sim.simulate`, in SCALE-Sim
compat mode, replays small workloads with the functions of this module when Numba is not
loaded yet (``lognum.hw.sim.INTERPRET_WORK``).

They are not a second implementation: :func:`module` executes the source file of
:mod:`lognum.hw._scalesim_mem_kernel` itself, unchanged except that its two house decorators
(``jit``, ``jit_inline`` of :mod:`lognum._kernels.jit`) are replaced by the identity, so Numba
is not imported. Every value in the kernels is an integer well inside int64, where CPython's
integers and NumPy's int64 give the same results (``//`` and ``%`` round to -inf in both), so
the reports are the same byte for byte (``tests/hw/test_fastpath.py`` compares both on random
layers).
"""

from __future__ import annotations

import types
from pathlib import Path

__all__ = ["module"]

_IMPORT = "from lognum._kernels.jit import jit, jit_inline"
_MODULE: types.ModuleType | None = None


def module() -> types.ModuleType:
    """The interpreted twin of :mod:`lognum.hw._scalesim_mem_kernel` (built once)."""
    global _MODULE
    if _MODULE is None:
        path = Path(__file__).with_name("_scalesim_mem_kernel.py")
        src = path.read_text(encoding="utf-8")
        if src.count(_IMPORT) != 1:  # the kernel module's imports changed: fail loudly
            raise RuntimeError(f"{path.name}: expected one line {_IMPORT!r}")
        src = src.replace(_IMPORT, "jit = jit_inline = lambda f: f  # interpreted (_interp.py)")
        mod = types.ModuleType("lognum.hw._scalesim_mem_kernel_interpreted")
        mod.__file__ = str(path)
        exec(compile(src, str(path), "exec"), mod.__dict__)  # noqa: S102 (our own source)
        _MODULE = mod
    return _MODULE
