"""The house decorators (``lognum._kernels.jit``): every compiled function uses one of them."""

import importlib
import pkgutil
import re
from pathlib import Path

from numba.core.registry import CPUDispatcher

import lognum
import lognum._kernels
from lognum._kernels import jit as house

ROOT = Path(lognum.__file__).parent
SCANNED = list(ROOT.rglob("*.py"))
RAW = re.compile(
    r"@(numba\.)?njit\b|@numba\.jit\b|\bnumba\.(n?jit|vectorize)\(|from numba import .*\bn?jit\b"
)


def _spelling(dispatcher) -> tuple:
    return tuple(sorted(dispatcher.targetoptions.items())), type(dispatcher._cache).__name__


def test_no_raw_numba_decorators_outside_the_house_module():
    bad = []
    for path in SCANNED:
        if path == ROOT / "_kernels" / "jit.py":
            continue
        for i, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if RAW.search(code) and "``" not in code:
                bad.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not bad, "use lognum._kernels.jit:\n" + "\n".join(bad)


def test_every_kernel_uses_a_house_spelling():
    def f(x):
        return x

    allowed = {_spelling(d(f)) for d in (house.jit, house.jit_inline, house.jit_callee)}
    assert len(allowed) == 3
    modules = [f"lognum._kernels.{m.name}" for m in pkgutil.iter_modules(lognum._kernels.__path__)]
    modules.append("lognum.arith._quire_kernel")
    seen = 0
    for name in modules:
        mod = importlib.import_module(name)
        for attr, obj in vars(mod).items():
            if isinstance(obj, CPUDispatcher):
                seen += 1
                opts = dict(obj.targetoptions)
                assert opts.get("error_model") == "numpy", (name, attr)
                assert not opts.get("fastmath"), (name, attr)
                assert _spelling(obj) in allowed, (name, attr, opts)
    assert seen > 50


def test_house_spellings():
    def f(x):
        return x

    loop, inline, callee = house.jit(f), house.jit_inline(f), house.jit_callee(f)
    assert loop.targetoptions["nogil"] and type(loop._cache).__name__ == "FunctionCache"
    assert inline.targetoptions["inline"] == "always"
    assert type(inline._cache).__name__ == "NullCache"  # a cached helper cannot be inlined
    assert "inline" not in callee.targetoptions and "nogil" not in callee.targetoptions
    uf = house.ufunc()(lambda x: x + 1)
    assert uf.types == ["f->f", "d->d"]
