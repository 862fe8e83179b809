"""Lesson 10 (SQNR): expected answers from lognum.analysis (closed forms, exact integrals)."""

from __future__ import annotations

from lognum.teach.checks import exercise


@exercise(
    "10.1",
    "eq 8 with gamma = 1 for GP<8,1,3,0>",
    rtol=1e-9,
    hint="t = 4 > es = 1: Delta = 2^-(2*3 - 1 + 4) = 2^-9.",
)
def _e1():
    from lognum.analysis.sqnr import sqnr

    return float(sqnr("GP<8,1,3,0>"))


@exercise(
    "10.2",
    "SQNR of GP<8,2,1,0> on U[1,2)",
    rtol=1e-9,
    hint="4 fraction bits on [1, 2): noise 2^-8/12, signal 7/3.",
)
def _e2():
    from scipy import stats

    from lognum.analysis.sqnr import sqnr

    return float(sqnr("GP<8,2,1,0>", dist=stats.uniform(1, 1)))


@exercise(
    "10.3",
    "the gamma that calibrates eq 8 for GP<8,2,3,0> on N(0,1)",
    rtol=1e-6,
    hint="20 log10 gamma = 10.79 + 20 log10(1/Delta) - SQNR_exact.",
)
def _e3():
    from scipy import stats

    from lognum.analysis.sqnr import fit_gamma

    return float(fit_gamma("GP<8,2,3,0>", dist=stats.norm()))
