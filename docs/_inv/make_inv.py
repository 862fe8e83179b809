"""Write the small intersphinx inventories of docs/_inv/ (run after editing ENTRIES).

The documentation is built without network access, so Sphinx cannot download the
``objects.inv`` of Python, NumPy, SciPy, matplotlib and Numba. These files list only the names
lognum's pages and signatures link to, each with its page in that project's published docs.
Add a name here (and re-run ``python docs/_inv/make_inv.py``) when a page links a new one.
"""

from __future__ import annotations

import zlib
from pathlib import Path

# project -> [(name, domain:role, uri relative to the project's docs root)]
ENTRIES: dict[str, list[tuple[str, str, str]]] = {
    "python": [
        *[
            (t, "py:class", f"library/functions.html#{t}")
            for t in ("int", "float", "str", "bool", "dict", "list", "tuple", "object")
        ],
        ("typing.Any", "py:data", "library/typing.html#typing.Any"),
        ("pathlib.Path", "py:class", "library/pathlib.html#pathlib.Path"),
        ("fractions.Fraction", "py:class", "library/fractions.html#fractions.Fraction"),
        (
            "concurrent.futures.Executor",
            "py:class",
            "library/concurrent.futures.html#concurrent.futures.Executor",
        ),
        ("ValueError", "py:exception", "library/exceptions.html#ValueError"),
    ],
    "numpy": [
        ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#numpy.ndarray"),
        ("numpy.dtype", "py:class", "reference/generated/numpy.dtype.html#numpy.dtype"),
        ("numpy.ufunc", "py:class", "reference/generated/numpy.ufunc.html#numpy.ufunc"),
        (
            "numpy.random.Generator",
            "py:class",
            "reference/random/generator.html#numpy.random.Generator",
        ),
        ("numpy.typing.ArrayLike", "py:data", "reference/typing.html#numpy.typing.ArrayLike"),
        *[
            (f"numpy.{t}", "py:attribute", f"reference/arrays.scalars.html#numpy.{t}")
            for t in ("float32", "float64", "uint8", "uint16", "uint32", "uint64", "int64")
        ],
    ],
    "scipy": [
        *[
            (
                f"scipy.stats.{t}",
                "py:class" if t.startswith("rv_") else "py:function",
                f"reference/generated/scipy.stats.{t}.html#scipy.stats.{t}",
            )
            for t in ("rv_continuous", "kurtosis", "norm", "laplace")
        ],
        (
            "scipy.integrate.quad",
            "py:function",
            "reference/generated/scipy.integrate.quad.html#scipy.integrate.quad",
        ),
    ],
    "matplotlib": [
        (
            "matplotlib.figure.Figure",
            "py:class",
            "api/_as_gen/matplotlib.figure.Figure.html#matplotlib.figure.Figure",
        ),
        (
            "matplotlib.axes.Axes",
            "py:class",
            "api/_as_gen/matplotlib.axes.Axes.html#matplotlib.axes.Axes",
        ),
    ],
    "numba": [
        ("numba.jit", "py:function", "reference/jit-compilation.html#numba.jit"),
        ("numba.vectorize", "py:function", "reference/jit-compilation.html#numba.vectorize"),
    ],
}


def write(folder: Path) -> None:
    for project, rows in ENTRIES.items():
        head = (
            "# Sphinx inventory version 2\n"
            f"# Project: {project}\n# Version: \n"
            "# The remainder of this file is compressed using zlib.\n"
        )
        body = "".join(f"{name} {role} 1 {uri} -\n" for name, role, uri in rows)
        (folder / f"{project}.inv").write_bytes(head.encode() + zlib.compress(body.encode()))


if __name__ == "__main__":
    write(Path(__file__).resolve().parent)
