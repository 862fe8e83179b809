"""A figure function's result, as the last value of a notebook cell, shows as a PNG picture
(no `%matplotlib inline`, no pyplot, no MPLBACKEND override): executed with nbclient as
Jupyter runs a notebook."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]


def test_figure_is_an_image_in_a_notebook(monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from lognum.plots.theory import fig_delta_gp\nfig_delta_gp()"),
        nbformat.v4.new_code_cell(
            "from lognum.plots import FIGURES\nFIGURES['alps_eq2_eq3_max_min'](size='single')"
        ),
        nbformat.v4.new_code_cell("import matplotlib\nmatplotlib.get_backend()"),
    ]
    env_path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", f"{ROOT}{os.pathsep}{env_path}" if env_path else str(ROOT))
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    for cell in nb.cells[:2]:
        (out,) = [o for o in cell.outputs if o.output_type == "execute_result"]
        png = base64.b64decode(out.data["image/png"])
        assert png.startswith(b"\x89PNG"), out.data.keys()
        assert out.metadata["image/png"]["width"] > 300
    # the kernel ran with Jupyter's own backend, not an override
    backend = nb.cells[2].outputs[0].data["text/plain"]
    assert "agg" not in backend.lower() or "inline" in backend.lower(), backend
