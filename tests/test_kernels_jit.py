"""The house decorators (``lognum._kernels.jit``): every compiled function uses one of them."""

import importlib
import pkgutil
import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import numba
import numpy as np
import pytest
from numba.core.registry import CPUDispatcher

import lognum
import lognum._kernels
from lognum._kernels import jit as house

ROOT = Path(lognum.__file__).parent
SCANNED = list(ROOT.rglob("*.py"))
RAW = re.compile(
    r"@(numba\.)?njit\b|@numba\.jit\b|\bnumba\.(n?jit|g?u?vectorize)\(|@(numba\.)?g?u?vectorize\b"
    r"|from numba import .*\b(n?jit|g?u?vectorize)\b|\bDUFunc\("
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


# ---------------------------------------------------------------------------------------------
# where= on the ufuncs of the house decorator (allow_masked_calls)


def _add(x, y):
    return x + y


def _raw_numba_ufunc():
    """A ufunc built by Numba directly (not through the house): Numba's output flags still set.
    (Tests are not scanned by the raw-decorator check; the package must not do this.)"""
    return numba.vectorize(["float64(float64, float64)"], identity=0)(_add)


def _out_flags(uf):
    raw = getattr(uf, "ufunc", uf)
    view = house._PyUFuncObject.from_address(id(raw))
    return [view.op_flags[i] for i in range(raw.nin, raw.nargs)]


def test_numba_sets_the_output_flags_and_the_house_clears_them():
    assert _out_flags(_raw_numba_ufunc()) == [house.NUMBA_OUTPUT_FLAGS]
    assert _out_flags(np.add) == [0]  # what NumPy's own ufuncs have
    uf = house.ufunc(["float64(float64, float64)"], identity=0)(_add)
    assert _out_flags(uf) == [0] and house.MASKED_CALLS
    assert not isinstance(uf, house.UnmaskedDUFunc)


def test_view_reads_the_ufunc_fields():
    uf = house.ufunc(["float32(float32, float32)", "float64(float64, float64)"])(_add)
    view = house._verified_view(uf.ufunc, uf.ufunc)
    assert view is not None
    assert (view.nin, view.nout, view.nargs, view.ntypes) == (2, 1, 3, 2)
    assert view.name == b"_add" and view.core_enabled == 0
    v = house._verified_view(np.matmul, np.matmul)  # a gufunc: refused
    assert v is None


def test_where_with_out_without_out_broadcast_reduce_and_overlap():
    f = house.ufunc(["float64(float64, float64)"], identity=0)(_add)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((6, 50)), rng.standard_normal((6, 50))
    m = rng.random((6, 50)) < 0.5
    out = np.full(a.shape, -7.0)
    assert f(a, b, out=out, where=m) is out
    assert np.array_equal(out[m], (a + b)[m]) and np.all(out[~m] == -7.0)
    r = f(a, b, where=m, out=None)
    assert np.array_equal(r[m], (a + b)[m])
    cols = np.arange(50) % 3 == 0
    out = np.full(a.shape, -7.0)
    f(a, b[0], out=out, where=cols)
    assert np.array_equal(out[:, cols], (a + b[0])[:, cols]) and np.all(out[:, ~cols] == -7.0)
    acc = 0.25
    for t in a[0][m[0]]:
        acc = acc + t
    assert f.reduce(a[0], where=m[0], initial=0.25) == acc
    seq = [sum(row[mr], 0.0) for row, mr in zip(a, m, strict=True)]  # left to right
    assert np.array_equal(f.reduce(a, axis=1, where=m), seq)
    assert np.array_equal(f.accumulate(a[0]), np.add.accumulate(a[0]))
    x = a.copy()
    f(x[:, 1:], x[:, :-1], out=x[:, :-1], where=m[:, 1:])  # overlapping, in place
    want = a.copy()
    want[:, :-1] = np.where(m[:, 1:], a[:, 1:] + a[:, :-1], a[:, :-1])
    assert np.array_equal(x, want)


def test_the_guard_refuses_what_does_not_verify(monkeypatch):
    monkeypatch.setattr(house, "MASKED_CALLS", True)
    raw = _raw_numba_ufunc()
    good = dict(nin=2, nout=1, nargs=3, ntypes=1, __name__="_add", signature=None)
    for bad in (
        dict(good, ntypes=2),
        dict(good, nin=1),
        dict(good, nargs=4),
        dict(good, __name__="other"),
        {k: v for k, v in good.items() if k != "ntypes"},
    ):
        assert not house.allow_masked_calls(raw, expected=SimpleNamespace(**bad)), bad
        assert _out_flags(raw) == [house.NUMBA_OUTPUT_FLAGS]  # nothing written
    assert not house.MASKED_CALLS
    assert not house.allow_masked_calls(SimpleNamespace(**good))  # not a ufunc: not read
    view = house._PyUFuncObject.from_address(id(raw.ufunc))
    view.op_flags[2] = 0x00010000  # READWRITE only: neither Numba's bits nor 0
    assert not house.allow_masked_calls(raw)
    assert _out_flags(raw) == [0x00010000]
    view.op_flags[2] = house.NUMBA_OUTPUT_FLAGS
    assert house.allow_masked_calls(raw, expected=SimpleNamespace(**good))
    assert _out_flags(raw) == [0]
    assert house.allow_masked_calls(raw)  # again: 0 is accepted, nothing changes
    a = np.arange(5.0)
    out = np.zeros(5)
    raw(a, a, out=out, where=a > 2)
    assert out.tolist() == [0, 0, 0, 6, 8]


def test_an_unverified_ufunc_raises_a_clear_error_for_where(monkeypatch):
    monkeypatch.setattr(house, "MASKED_CALLS", True)
    monkeypatch.setattr(house, "_verified_view", lambda uf, expected: None)
    f = house.ufunc(["float64(float64, float64)"], identity=0)(_add)
    assert isinstance(f, house.UnmaskedDUFunc) and not house.MASKED_CALLS
    assert _out_flags(f) == [house.NUMBA_OUTPUT_FLAGS]  # left as Numba set them
    a = np.arange(4.0)
    assert f(a, a).tolist() == [0, 2, 4, 6] and f.reduce(a) == 6
    assert f.accumulate(a).tolist() == [0, 1, 3, 6]
    m = a > 1
    with pytest.raises(ValueError, match="where= is not available"):
        f(a, a, out=np.zeros(4), where=m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="where= is not available"):
            f(a, a, where=m)
    assert f.reduce(a, where=m, initial=0.5) == 5.5  # NumPy's reduction: unaffected
    with pytest.raises(ValueError, match="where= is not available"):
        f.outer(a, a, where=m[:, None])
