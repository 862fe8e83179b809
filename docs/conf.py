"""Sphinx configuration of the lognum documentation.

Build (warnings are errors): ``python3 -m sphinx -W --keep-going -b html docs docs/_build/html``.
The build needs no network: the tutorials are executed locally by myst-nb, the tables of
format properties are generated from the code (``docs/_gen.py``), and the intersphinx
inventories are the small files shipped in ``docs/_inv/`` (``docs/_inv/make_inv.py``).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS))
# the notebook kernels import this checkout's lognum too (when it is not installed)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
)
# tutorials run as Jupyter runs them: no backend override (figures must come out as images)
os.environ.pop("MPLBACKEND", None)
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")

import _gen  # noqa: E402

import lognum  # noqa: E402

project = "lognum"
author = "lognum developers"
copyright = "lognum developers, MIT License"
version = release = lognum.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
]

# -- pages --------------------------------------------------------------------------------
# Tutorials live in ../tutorials (outside docs/): docs/tutorials is a link to that folder,
# made here when missing, so the notebooks are rendered where they are, run in their own
# folder as Jupyter runs them. Only the lessons NN_topic.ipynb become pages.
_TUT = DOCS / "tutorials"
if not _TUT.exists() and (ROOT / "tutorials").is_dir():
    try:
        _TUT.symlink_to(Path("..") / "tutorials", target_is_directory=True)
    except OSError:  # a file system without links: copy the lessons instead
        import shutil

        shutil.copytree(ROOT / "tutorials", _TUT)
exclude_patterns = [
    "_build",
    "_inv",
    "_generated",
    "**/.ipynb_checkpoints",
    "Thumbs.db",
    ".DS_Store",
]
if _TUT.is_dir():
    for p in sorted(_TUT.rglob("*")):
        rel = p.relative_to(DOCS).as_posix()
        lesson = p.parent == _TUT and p.suffix == ".ipynb" and p.name[:2].isdigit()
        if p.is_file() and not lesson and "__pycache__" not in rel:
            exclude_patterns.append(rel)
        elif p.is_dir() and p != _TUT:
            exclude_patterns.append(rel + "/**")

# Pages other parts of the project add when they exist; each is listed in the table of
# contents only if its file is present, so the build is clean with or without it.
OPTIONAL_PAGES = {
    "guides": ["arith", "codesign", "lpq_results"],
    "course": ["instructor", "gallery"],
}


def _optional_toctree(app, docname, source):
    """Replace ``<!-- optional:GROUP -->`` in a page by the optional pages that exist."""
    text = source[0]
    for group, names in OPTIONAL_PAGES.items():
        marker = f"<!-- optional:{group} -->"
        if marker in text:
            found = [n for n in names if (DOCS / f"{n}.md").is_file()]
            text = text.replace(marker, "\n".join(found))
    source[0] = text


root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
templates_path = ["_templates"]

# -- MyST / notebooks ---------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "attrs_inline"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("LOGNUM_DOCS_EXECUTE", "cache")
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 900
nb_execution_raise_on_error = True  # a notebook that raises fails the build
nb_execution_show_tb = True
nb_merge_streams = True

# -- API ----------------------------------------------------------------------------------
autosummary_generate = False  # the API pages are written by _gen.api_stubs
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
napoleon_google_docstring = False
napoleon_numpy_docstring = True

# -- cross-references without network -----------------------------------------------------
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", str(DOCS / "_inv" / "python.inv")),
    "numpy": ("https://numpy.org/doc/stable/", str(DOCS / "_inv" / "numpy.inv")),
    "scipy": ("https://docs.scipy.org/doc/scipy/", str(DOCS / "_inv" / "scipy.inv")),
    "matplotlib": ("https://matplotlib.org/stable/", str(DOCS / "_inv" / "matplotlib.inv")),
    "numba": ("https://numba.readthedocs.io/en/stable/", str(DOCS / "_inv" / "numba.inv")),
}

# -- HTML ---------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"lognum {release}"
html_static_path = []
html_theme_options = {
    "navigation_depth": 3,
    "show_toc_level": 2,
    "header_links_before_dropdown": 8,
}
html_show_sourcelink = False
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True


_LITERAL = re.compile(r"(``.+?``)")


def _plain_bars(app, what, name, obj, options, lines):
    """lognum's docstrings write absolute values as ``|x|``, which reStructuredText would read
    as a substitution reference: escape every bar outside literals and tables."""
    for i, line in enumerate(lines):
        if "|" not in line or line.lstrip().startswith(("|", "+-", "+=")):
            continue
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if p.startswith("``") else p.replace("|", r"\|") for p in parts)


def _check_figures(app, exception):
    """Every figure a tutorial shows must be an image, not the text ``<Figure size ...>``.

    Reported as an info line by default; ``LOGNUM_DOCS_STRICT_FIGURES=1`` makes it a warning,
    which fails a ``-W`` build."""
    if exception is not None:
        return
    import json

    from sphinx.util import logging

    log = logging.getLogger("lognum.docs")
    bad = []
    for nb in sorted((Path(app.outdir).parent / "jupyter_execute").rglob("*.ipynb")):
        for cell in json.loads(nb.read_text()).get("cells", []):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                text = "".join(data.get("text/plain", ""))
                if text.startswith("<Figure size") and "image/png" not in data:
                    bad.append(nb.stem)
    if bad:
        msg = f"{len(bad)} figure outputs without an image: " + ", ".join(sorted(set(bad)))
        if os.environ.get("LOGNUM_DOCS_STRICT_FIGURES") == "1":
            log.warning(msg)
        else:
            log.info(msg)


def setup(app):
    app.connect("build-finished", _check_figures)
    app.connect("autodoc-process-docstring", _plain_bars)
    app.connect("source-read", _optional_toctree)
    app.connect("builder-inited", lambda app: _gen.write_all(DOCS / "_generated"))
