"""The format contract (lognum/formats/base.py) over every entry of ``lognum.formats.catalog()``.

One parametrized test module in the style of ml_dtypes' type tests: a family that registers a
notation is checked here without writing a test of its own. What is checked is what base.py
promises: keyword-only signatures, shapes and dtypes kept (0-d, empty, 3-d, float32 and
float64), ``out=``, ``threads=2`` equal to ``threads=1``, encode/decode consistent with
quantize, the describe record, ``parse(str(f)) == f``, ``kind``/``family``, ``fit`` and
``needs_fit``, the ufunc, ``values()`` and ``maxpos``/``minpos``.
"""

from __future__ import annotations

import inspect
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lognum.formats import catalog
from lognum.formats import registry as reg
from lognum.formats.base import FAMILIES, KINDS, Format
from lognum.formats.parse import parse
from lognum.formats.record import BlockCodes, Description

CATALOG = catalog()
ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"out": None, "threads": 1, "rounding": "nearest", "rng": None, "saturate": None}


def _data(n: int, dtype: type = np.float64, seed: int = 0) -> np.ndarray:
    """Normal data with a spread of magnitudes, zeros and signs (finite)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * np.exp2(rng.integers(-4, 5, n))
    x[::97] = 0.0
    return x.astype(dtype)


def _fitted(f: Format) -> Format:
    return f.fit(_data(4096)) if f.needs_fit else f


def _eq(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


@pytest.fixture(params=CATALOG)
def fmt(request: pytest.FixtureRequest) -> Format:
    return parse(request.param)


def test_catalog_is_complete_and_unambiguous() -> None:
    assert len(CATALOG) == len(set(CATALOG))
    assert {"posit<8,2>", "GP<6,1,3,-1>", "LP<6,2,5,0>"} <= set(CATALOG)
    for s in CATALOG:  # every entry matches exactly one registered notation or name
        t = reg.normalise(s)
        hits = [nt.pattern for nt in reg.notations() if nt.regex.fullmatch(t)]
        hits += [t] if t in reg._NAMED else []
        assert len(hits) == 1, (s, hits)


def test_kind_and_family(fmt: Format) -> None:
    assert fmt.kind in KINDS and fmt.family in FAMILIES
    assert isinstance(fmt.needs_fit, bool)
    assert not fmt.needs_fit or fmt.kind == "adaptive"


@pytest.mark.parametrize("method", ["quantize", "encode"])
def test_keyword_only_signatures(fmt: Format, method: str) -> None:
    params = list(inspect.signature(getattr(fmt, method)).parameters.values())
    assert params[0].name == "x" and params[0].kind in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )
    rest = {p.name: p for p in params[1:]}
    assert set(rest) == set(KEYWORDS), f"{fmt}.{method}: {list(rest)}"
    for name, default in KEYWORDS.items():
        assert rest[name].kind is inspect.Parameter.KEYWORD_ONLY, (fmt, method, name)
        assert rest[name].default == default, (fmt, method, name)


def test_decode_fit_describe_signatures(fmt: Format) -> None:
    params = list(inspect.signature(fmt.decode).parameters.values())
    assert params[0].name == "codes"
    rest = {p.name: p for p in params[1:]}
    allowed = {"out", "scales"} if fmt.kind == "block" else {"out"}
    assert "out" in rest and set(rest) <= allowed, f"{fmt}.decode: {list(rest)}"
    for p in rest.values():
        assert p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None
    for method in ("fit", "describe"):
        assert len(inspect.signature(getattr(fmt, method)).parameters) == 1, (fmt, method)


def test_parse_str_roundtrip(fmt: Format) -> None:
    assert parse(str(fmt)) == fmt
    g = _fitted(fmt)
    assert parse(str(g)) == g


def test_fit_returns_a_format(fmt: Format) -> None:
    g = fmt.fit(_data(1000))
    assert isinstance(g, Format) and not g.needs_fit and g.kind == fmt.kind
    if fmt.kind != "adaptive":
        assert g is fmt


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_and_dtypes_kept(fmt: Format, dtype: type) -> None:
    for shape in [(), (0,), (2, 0, 3), (2, 3, 5)]:
        x = _data(math.prod(shape), dtype).reshape(shape)
        q = fmt.quantize(x)
        assert isinstance(q, np.ndarray) and q.shape == shape and q.dtype == dtype, (fmt, shape)
        c = fmt.encode(x)
        codes = c.codes if fmt.kind == "block" else c
        assert codes.shape == shape, (fmt, shape)
    s = fmt.quantize(dtype(0.3))
    assert np.ndim(s) == 0 and np.asarray(s).dtype == dtype
    assert fmt.quantize(np.arange(5, dtype=np.int32)).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_is_returned_and_filled(fmt: Format, dtype: type) -> None:
    g = _fitted(fmt)
    x = _data(2 * 3 * 7, dtype).reshape(2, 3, 7)
    out = np.full_like(x, 7.0)
    assert g.quantize(x, out=out) is out and _eq(out, g.quantize(x))
    with pytest.raises(ValueError, match="out"):
        g.quantize(x, out=np.empty((3, 2, 7), dtype))
    if g.kind == "block":
        return
    codes = np.zeros(x.shape, g.code_dtype)
    assert g.encode(x, out=codes) is codes and _eq(codes, g.encode(x))
    vals = np.empty(x.shape, np.float64)
    assert g.decode(codes, out=vals) is vals and _eq(vals, g.decode(codes))


def test_two_threads_equal_one(fmt: Format) -> None:
    g = _fitted(fmt)
    for dtype in (np.float32, np.float64):
        x = _data(1 << 19, dtype, seed=3)
        assert _eq(g.quantize(x, threads=2), g.quantize(x, threads=1)), (fmt, dtype)
        e1, e2 = g.encode(x, threads=1), g.encode(x, threads=2)
        if g.kind == "block":
            assert _eq(e1.codes, e2.codes) and _eq(e1.scales, e2.scales)
        else:
            assert _eq(e1, e2), (fmt, dtype)
    with pytest.raises(ValueError, match="threads"):
        g.quantize(x, threads=0)


def test_encode_decode_agree_with_quantize(fmt: Format) -> None:
    g = _fitted(fmt)
    x = _data(5000)
    x[:4] = [g.maxpos * 4, -g.maxpos * 4, g.minpos / 4, -g.minpos]
    q = g.quantize(x)
    c = g.encode(x)
    if g.kind == "block":
        assert isinstance(c, BlockCodes)
        assert _eq(g.decode(c), q) and _eq(g.decode(c.codes, scales=c.scales), q)
    else:
        assert isinstance(c, np.ndarray) and c.dtype == g.code_dtype
        assert _eq(g.decode(c), q)


def test_describe_record(fmt: Format) -> None:
    g = _fitted(fmt)
    n = g.nbits
    for code in sorted({0, 1, 2, 1 << (n - 1), (1 << n) - 1, (1 << n) // 3}):
        d = g.describe(code)
        assert isinstance(d, Description), (fmt, code, type(d))
        assert d.code == code and d.format == str(g) and len(d.pattern) == n
        assert d.pattern == format(code, f"0{n}b")
        assert str(d) == d.text and d.text and "\n" not in d.text
        assert d["value"] is d.value or d["value"] == d.value
        for row in d.fields:
            assert set(row.bits) <= {"0", "1"} and d[row.name] == row.value
        if g.kind != "block":
            v = float(g.decode(np.array([code], dtype=np.uint64))[0])
            assert (math.isnan(v) and math.isnan(d.value)) or d.value == v, (fmt, code)
    with pytest.raises(ValueError, match="code"):
        g.describe(1 << n)


def test_ufunc(fmt: Format) -> None:
    if fmt.kind == "block":
        with pytest.raises(ValueError, match="elementwise"):
            _ = fmt.ufunc
        return
    if fmt.needs_fit:
        with pytest.raises(ValueError, match=r"fit\("):
            _ = fmt.ufunc
    g = _fitted(fmt)
    uf = g.ufunc
    # a NumPy ufunc, or Numba's dynamic ufunc around one (what numba.vectorize returns; it
    # can also be called from @njit code)
    assert isinstance(uf, np.ufunc) or isinstance(getattr(uf, "ufunc", None), np.ufunc)
    for dtype in (np.float32, np.float64):
        x = _data(3000, dtype, seed=5).reshape(30, 100)
        assert _eq(uf(x), g.quantize(x)), (fmt, dtype)
        out = np.empty_like(x)
        assert uf(x, out=out) is out and _eq(out, g.quantize(x))


def test_values_and_range(fmt: Format) -> None:
    g = _fitted(fmt)
    assert 0 < g.minpos <= g.maxpos < math.inf
    info = g.info()
    assert info["format"] == str(g) and info["kind"] == g.kind and info["family"] == g.family
    if g.kind == "block" or g.nbits > 16:
        return
    v = g.values()
    assert v.dtype == np.float64 and np.all(np.isfinite(v)) and np.all(np.diff(v) > 0)
    pos = v[v > 0]
    assert g.maxpos == pos.max() and g.minpos == pos.min()


def test_readme_lists_the_registry() -> None:
    """README.md's list of notations and names is ``registry.names_markdown()``."""
    text = (ROOT / "README.md").read_text()
    m = re.search(r"<!-- format-names -->\n(.*?)\n<!-- /format-names -->", text, re.S)
    assert m, "README.md has no <!-- format-names --> block"
    assert m.group(1) == reg.names_markdown(), (
        "README.md's list of formats is stale; replace the block with:\n" + reg.names_markdown()
    )


def test_parse_imports_families_only_when_needed() -> None:
    code = (
        "import sys, lognum\n"
        "fam = lambda: sorted(m for m in sys.modules if m in {mods!r})\n"
        "print(fam())\n"
        "lognum.parse('posit<8,2>'); print(fam())\n"
        "lognum.parse('LP<6,2,5,0>'); print(fam())\n"
    ).format(mods=set(reg.FAMILY_MODULES))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split("\n")
    assert out[:3] == [
        "[]",
        "['lognum.formats.posit']",
        "['lognum.formats.logposit', 'lognum.formats.posit']",
    ]


def test_unknown_notation_lists_the_examples() -> None:
    with pytest.raises(ValueError, match="unknown format notation") as e:
        parse("posit<8>")
    for s in ("posit<8,2>", "GP<6,1,3,-1>", "LP<6,2,5,0>"):
        assert s in str(e.value)


def test_registration_checks() -> None:
    with pytest.raises(ValueError, match="does not match"):
        reg.notation(r"foo<(\d+)>", example="bar<1>")
    with pytest.raises(ValueError, match="registered twice"):

        @reg.notation(r"posit<(\d+),(\d+)>", example="posit<8,2>")
        def _other(n: str, es: str) -> None:  # pragma: no cover - never called
            return None
