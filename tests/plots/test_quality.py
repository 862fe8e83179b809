"""Publication quality of every registered figure at both column sizes (lognum.plots.quality):
no overlapping text, fonts >= 6 pt, nothing outside the canvas, colour-blind safe palette with
greyscale-separable series, TrueType PDFs with deterministic bytes, a CSV of the data."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest

from lognum.plots import FIGURES
from lognum.plots.quality import pdf_problems, problems
from lognum.plots.style import new_figure, save, use_style

matplotlib.use("Agg")

CASES = [(n, s) for n in FIGURES for s in ("single", "double")]


def _pdf(fig) -> bytes:
    from lognum.plots.style import _PDF_META

    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(buf, format="pdf", metadata=_PDF_META)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "size"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_registered_figure_is_publication_ready(name, size, tmp_path):
    entry = FIGURES[name]
    assert entry.available(), f"{name} needs {entry.requires}"
    fig = entry(size=size)
    from lognum.plots.style import STYLES

    assert np.isclose(fig.get_figwidth(), STYLES["default"]["widths"][size])
    pdf = _pdf(fig)  # saved first, as `lognum figures` does
    assert not pdf_problems(pdf)
    if size == "double":  # deterministic: a second drawing gives the same bytes
        assert _pdf(entry(size=size)) == pdf
    found = problems(fig)
    assert not found, f"{name} at {size} column:\n  " + "\n  ".join(found)
    # the data beside it
    from lognum.plots.export import write_csv

    text = write_csv(fig, tmp_path / f"{name}.csv", entry).read_text()
    body = [ln for ln in text.splitlines() if not ln.startswith("#")]
    assert body[0] == "panel,series,x,y,z" and len(body) > 2
    assert f"# {name}: {entry.caption}" in text


def _bad_figure():
    with use_style():
        fig = new_figure("single")
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], color="#ff0000", label="red one")  # not in the palette
        ax.plot([0, 1], [1, 0], color="#0072B2", label="blue")
        ax.plot([0, 1], [0.5, 0.6], color="#D55E00", label="vermillion")  # same style as blue
        ax.text(0.5, 0.5, "overlapping words", fontsize=8)
        ax.text(0.52, 0.5, "on top of each other", fontsize=8)
        ax.text(0.1, 0.2, "tiny", fontsize=4)
        ax.text(1.6, 0.5, "off the page", fontsize=8)
        ax.legend(loc="center left")
    return fig


def test_quality_checks_catch_a_bad_figure():
    found = problems(_bad_figure())
    kinds = {p.split(":")[0] for p in found}
    assert {"overlap", "font", "canvas", "palette", "greyscale", "legend"} <= kinds, found
    assert any("'overlapping words'" in p and "'on top of each other'" in p for p in found)
    assert any("'tiny'" in p and "4.00 pt" in p for p in found)
    assert any("'red one'" in p for p in found if p.startswith("palette"))
    assert any("'blue'" in p and "'vermillion'" in p for p in found if p.startswith("grey"))


def test_quality_checks_pass_a_clean_figure():
    with use_style():
        fig = new_figure("single")
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], "-", label="a")
        ax.plot([0, 1], [1, 0], "--", label="b")
        ax.set_xlabel("x (s)")
        ax.set_ylabel("y (m)")
        ax.legend(loc="lower center")
    assert problems(fig) == []


def test_pdf_checks(tmp_path):
    with use_style():
        fig = new_figure("single")
        fig.add_subplot().set_title("t")
    (pdf,) = save(fig, tmp_path, "a", formats=("pdf",))
    assert pdf_problems(pdf.read_bytes()) == []
    with matplotlib.rc_context({"pdf.fonttype": 3}):
        buf = io.BytesIO()
        fig.savefig(buf, format="pdf")
    found = pdf_problems(buf.getvalue())
    assert any("Type 3" in p for p in found) and any("creation date" in p for p in found)
