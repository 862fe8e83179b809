"""LP multiply in the log domain (``lognum.arith.logmul``) against a by-hand oracle: the exact
sum of the two log2 magnitudes (dyadic rationals: float64 log2 snapped to 2^-20) rounded to the
nearest log2 of a positive value of the format, ties to the even code, saturating."""

from __future__ import annotations

import numpy as np
import pytest

import lognum as ln
from lognum.arith.logmul import lp_multiply


def _log2(x):
    # LP log2 magnitudes are multiples of 2^-G, G <= 16: snap float64 log2 to 2^-20 (exact)
    return np.rint(np.log2(np.abs(x)) * 2.0**20) / 2.0**20


def _oracle(fmt, a, b):
    v = fmt.values()
    pos = v[v > 0]  # codes 1 .. 2^(n-1) - 1, in order
    lg = _log2(pos)
    t = _log2(a) + _log2(b)
    i = np.clip(np.searchsorted(lg, t), 1, lg.size - 1)
    lo, hi = i - 1, i
    dlo, dhi = t - lg[lo], lg[hi] - t
    even_hi = (hi + 1) % 2 == 0
    j = np.where((dhi < dlo) | ((dhi == dlo) & even_hi), hi, lo)
    j = np.where(t <= lg[0], 0, np.where(t >= lg[-1], lg.size - 1, j))
    return np.sign(a) * np.sign(b) * pos[j]


@pytest.mark.parametrize("spec", ["LP<8,1,7,0>", "LP<6,2,5,1>", "LP<7,0,4,0>"])
def test_lp_multiply_every_pair_of_nonzero_values(spec):
    """Every pair of values; before the fix ~8 % of LP<8,1,7,0> products took a neighbour of
    the right value (the grid was built at the operands' resolution, merging format values)."""
    fmt = ln.parse(spec)
    v = fmt.values()
    v = v[v != 0]
    a, b = np.meshgrid(v, v)
    a, b = a.ravel(), b.ravel()
    np.testing.assert_array_equal(lp_multiply(a, b, fmt), _oracle(fmt, a, b))


def test_lp_multiply_worked_example():
    # 1.3 -> 2^0.375, 2.2 -> 2^1.125 in LP<8,1,7,0>; the product is 2^1.5 exactly
    assert lp_multiply(1.3, 2.2, "LP<8,1,7,0>") == pytest.approx(2**1.5, rel=0, abs=0)


@pytest.mark.parametrize("spec", ["LP<8,1,7,0>", "LP<6,2,5,1>", "LP<7,0,4,0>"])
@pytest.mark.parametrize("step", [1.0, 0.5, 0.25])
def test_lp_multiply_operands_on_a_coarser_grid_than_the_format(spec, step):
    """Operands whose logs are multiples of ``step`` while the format's grid is finer: the
    product must still round on the format's own grid (the bug merged its values)."""
    fmt = ln.parse(spec)
    v = fmt.values()
    lg = _log2(v[v > 0])
    c = v[v > 0][np.isclose(lg / step, np.rint(lg / step), rtol=0, atol=1e-12)]
    c = np.concatenate([c, -c])
    a, b = np.meshgrid(c, c)
    a, b = a.ravel(), b.ravel()
    np.testing.assert_array_equal(lp_multiply(a, b, fmt), _oracle(fmt, a, b))
