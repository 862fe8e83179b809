"""``Format`` machinery shared by every format (lognum/formats/base.py): the threaded split."""

from __future__ import annotations

import numpy as np
import pytest

import lognum as ln


@pytest.mark.parametrize(
    "f",
    [ln.Posit(8, 2), ln.LogPosit(8, 1, 5, 0.5), ln.Posit(16, 1), ln.parse("float8_e4m3fn")],
    ids=str,
)
@pytest.mark.parametrize("threads", [2, 3, 7])
def test_threads_give_the_single_thread_result(f, threads):
    """Chunks taken from a shared counter by the caller and the workers cover every element
    once: sizes around the chunking limits, both dtypes, fresh outputs and ``out=``."""
    rng = np.random.default_rng(threads)
    for size in (1 << 17, (1 << 19) + 7, 3 * (1 << 18) - 1):
        for dt in (np.float32, np.float64):
            x = (rng.standard_normal(size) * 4).astype(dt)
            want = f.quantize(x)
            assert np.array_equal(f.quantize(x, threads=threads), want, equal_nan=True)
            out = np.full_like(x, np.nan)
            f.quantize(x, out=out, threads=threads)
            assert np.array_equal(out, want, equal_nan=True)
            assert np.array_equal(f.encode(x, threads=threads), f.encode(x))


def test_threads_validation():
    with pytest.raises(ValueError, match="threads"):
        ln.Posit(8, 2).quantize(np.zeros(3), threads=0)
    with pytest.raises(ValueError, match="stochastic"):
        ln.Posit(8, 2).quantize(
            np.zeros(3), rounding="stochastic", rng=np.random.default_rng(0), threads=2
        )
