"""The package's promises: cheap import, the main job's table and figure, the figures CLI."""

from __future__ import annotations

import subprocess
import sys

import numpy as np


def test_import_is_cheap_and_compiles_nothing():
    code = ("import time, sys; t = time.perf_counter(); import lognum; "
            "dt = time.perf_counter() - t; "
            "assert 'numba' not in sys.modules and 'numpy' not in sys.modules, 'heavy import'; "
            "print(dt)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout) < 1.0


def test_table_has_the_key_figures():
    import io
    from contextlib import redirect_stdout

    from lognum.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["table"]) == 0
    text = buf.getvalue()
    assert "posit<8,2>" in text and "LP<6,2,5,0>" in text and "GP<8,1,3,0>" in text
    row = next(line for line in text.splitlines() if line.startswith("posit<8,2>"))
    # maxpos 2^24, minpos 2^-24, 14.45 decades, 255 values (FORMATS.md §1.4)
    assert "1.67772e+07" in row and "5.96046e-08" in row and "14.45" in row and "255" in row


def test_family_figure_written_deterministically(tmp_path):
    from lognum.cli import main

    assert main(["figures", "--only", "family", "-o", str(tmp_path)]) == 0
    pdf = (tmp_path / "family_values.pdf").read_bytes()
    png = tmp_path / "family_values.png"
    assert pdf.startswith(b"%PDF") and png.stat().st_size > 1000
    assert main(["figures", "--only", "family", "-o", str(tmp_path / "b")]) == 0
    assert (tmp_path / "b" / "family_values.pdf").read_bytes() == pdf
    import matplotlib.image as mpimg

    img = mpimg.imread(png)
    assert img.ndim == 3 and np.unique(img.reshape(-1, img.shape[-1]), axis=0).shape[0] > 3


def test_unknown_command_fails():
    from lognum.cli import main

    assert main(["frobnicate"]) == 2
