"""The arithmetic figure: a Figure, and its data says what the figure claims."""

from __future__ import annotations

import numpy as np
import pytest


def test_theory_arith_error_returns_figure_and_quire_wins():
    from matplotlib.figure import Figure

    from lognum.plots.arith import arith_error_curves, theory_arith_error

    fig = theory_arith_error(specs=("posit<8,2>",), n_terms=256)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    d = arith_error_curves(specs=("posit<16,1>",), n_terms=512)
    r = d["formats"]["posit<16,1>"]
    # one rounding (quire) is never worse than a rounding per step, and better at the end
    assert np.all(r["quire_dot"] <= r["seq_dot"] + 1e-15)
    assert r["quire_dot"][-1] < r["seq_dot"][-1]
    assert np.all(r["quire_dot"] <= 2.0**-11)  # half an ulp of posit<16,1> near 1..16
    with pytest.raises(ValueError, match="tensor must be one of"):
        arith_error_curves(tensor="nope")
