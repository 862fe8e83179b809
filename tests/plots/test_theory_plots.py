"""Theory figures (lognum.plots.theory) and the shared style (lognum.plots.style)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from lognum.plots import style, theory


def test_delta_figure_plots_the_equations():
    from lognum.analysis.closed_form import delta_gp

    fig = theory.fig_delta_gp(8, 2)
    assert isinstance(fig, Figure)
    lines = fig.axes[0].get_lines()
    rs = lines[0].get_xdata()
    assert list(lines[0].get_ydata()) == [math.log2(delta_gp(8, 2, int(r))) for r in rs]
    assert list(lines[1].get_ydata()) == [math.log2(delta_gp(8, 2, int(r), 0, "eq9")) for r in rs]
    # enumeration markers coincide with eq 25 (the erratum's point)
    np.testing.assert_array_equal(lines[2].get_ydata(), lines[0].get_ydata())


def test_save_is_deterministic_and_uses_truetype(tmp_path):
    def make():
        with style.use_style():
            fig = style.new_figure()
            ax = fig.add_subplot()
            ax.plot([0, 1, 2], [1, 0, 2], label=r"$\Delta$")
            ax.legend()
        return fig

    a = style.save(make(), tmp_path / "a", "fig")
    b = style.save(make(), tmp_path / "b", "fig")
    assert [p.suffix for p in a] == [".pdf", ".png"]
    for p, q in zip(a, b, strict=True):
        assert p.read_bytes() == q.read_bytes()
    pdf = a[0].read_bytes()
    assert b"FontFile2" in pdf and b"Type3" not in pdf and b"CreationDate" not in pdf


def test_posit_anatomy_marks_ties_from_the_wider_posit():
    """Oracle: the tie points of posit<6,2> are the 7-bit GP<7,2,5,0> values at odd codes."""
    from lognum.formats.posit import GeneralizedPosit, Posit

    fig = theory.fig_posit_anatomy(6, 2)
    _, geo, ari = fig.axes[0].get_lines()[:3]
    codes = np.arange(1, 31, dtype=np.uint64)
    v = Posit(6, 2).decode(np.arange(1, 32, dtype=np.uint64))
    ties = GeneralizedPosit(7, 2, 5, 0).decode(2 * codes + 1)
    is_geo = np.isclose(ties, np.sqrt(v[:-1] * v[1:]), rtol=1e-12)
    np.testing.assert_allclose(geo.get_ydata(), np.log2(ties[is_geo]))
    np.testing.assert_allclose(ari.get_ydata(), np.log2(ties[~is_geo]))
    assert 0 < is_geo.sum() < 30
