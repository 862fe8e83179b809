"""Figures of the theory (ALPS eqs 2, 3, 8, 9, 25, Fig. 4a; the LPQ poster's relative-accuracy
plot; Algorithm 1's kurtosis). Each function returns a matplotlib ``Figure`` drawn with
``lognum.plots.style``; they are registered by name in :data:`lognum.plots.FIGURES`."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from lognum.plots.style import (
    LINESTYLES,
    MARKERS,
    current_size,
    fit_title,
    label_points,
    new_figure,
    use_style,
)


def _legend(fig: Any, ax: Any, ncol: int = 1) -> Any:
    """The legend in the axes across a double column; under the axes in a single column."""
    if current_size(default="double" if fig.get_figwidth() > 5 else "single") == "single":
        return fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=ncol)
    return ax.legend(ncol=ncol)


def fig_gp_max_min(n: int = 8) -> Any:
    """log2 Max_GP and log2 Min_GP (ALPS eq 2, 3) against rs for es = 0, 1, 2, with the
    enumerated values as markers."""
    from lognum.analysis.closed_form import max_min
    from lognum.formats.posit import GeneralizedPosit

    with use_style():
        fig = new_figure("single")
        ax = fig.add_subplot()
        rs = np.arange(1, n)
        for es in (0, 1, 2):
            mm = np.array([max_min(GeneralizedPosit(n, es, int(r))) for r in rs])
            (line,) = ax.plot(rs, np.log2(mm[:, 0]), LINESTYLES[es], label=f"es={es}")
            ax.plot(rs, np.log2(mm[:, 1]), LINESTYLES[es], color=line.get_color())
            enum = np.array([GeneralizedPosit(n, es, int(r)).values()[[-1]] for r in rs])
            ax.plot(rs, np.log2(enum[:, 0]), "o", color=line.get_color(), mfc="none")
        ax.set_xlabel("rs (maximum regime run)")
        ax.set_ylabel(r"$\log_2$ Max (top), $\log_2$ Min (bottom)")
        ax.set_title(f"GP<{n},es,rs,0>: eq 2 / eq 3 (lines), enumeration (o)")
        ax.legend()
    return fig


def fig_delta_gp(n: int = 8, es: int = 2) -> Any:
    """Δ_GP by eq 9 (literal) and eq 25 against rs, with the enumerated minimum gap."""
    from lognum.analysis.closed_form import delta_gp, min_gap
    from lognum.formats.posit import GeneralizedPosit

    with use_style():
        fig = new_figure("single")
        ax = fig.add_subplot()
        rs = np.arange(1, n)
        ax.plot(
            rs,
            [math.log2(delta_gp(n, es, int(r), 0, "eq25")) for r in rs],
            "-",
            label="eq 25 (appendix)",
        )
        ax.plot(
            rs,
            [math.log2(delta_gp(n, es, int(r), 0, "eq9")) for r in rs],
            "--",
            label="eq 9 (body, literal)",
        )
        ax.plot(
            rs,
            [math.log2(min_gap(GeneralizedPosit(n, es, int(r)))) for r in rs],
            "o",
            mfc="none",
            label="min adjacent gap (enumeration)",
        )
        ax.set_xlabel("rs")
        ax.set_ylabel(r"$\log_2 \Delta_{GP}$")
        ax.set_title(f"GP<{n},{es},rs,0>: eq 9 vs eq 25")
        ax.legend()
    return fig


def sqnr_curve_formats() -> list[tuple[str, Any]]:
    """The 8-bit formats of the SQNR-vs-magnitude figure, with a float baseline."""
    from lognum.formats.parse import parse

    specs = ("posit<8,1>", "GP<8,1,3,0>", "GP<8,1,5,0>", "LP<8,1,7,0>", "float8_e4m3fn")
    return [(s, parse(s)) for s in specs]


@functools.lru_cache(maxsize=4)
def _sqnr_curves(step: float) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    from lognum.analysis.sqnr import sqnr_curve

    m = np.arange(-16.0, 16.0 + step / 2, step)
    return m, [(label, sqnr_curve(f, m)) for label, f in sqnr_curve_formats()]


def fig_sqnr_curves(step: float = 0.5) -> Any:
    """Exact SQNR of inputs at each magnitude (log-uniform, one binade wide) for 8-bit posit,
    GP, LP and float: the tapered-accuracy curves of ALPS Fig. 4a."""
    m, curves = _sqnr_curves(float(step))
    with use_style():
        fig = new_figure("double", 2.8)
        ax = fig.add_subplot()
        for i, (label, y) in enumerate(curves):
            ax.plot(m, y, ls=LINESTYLES[i % len(LINESTYLES)], label=label)
        ax.set_ylim(-5, None)
        ax.set_xlabel(r"input magnitude $\log_2|x|$")
        ax.set_ylabel("SQNR (dB)")
        ax.set_title(fit_title(fig, "SQNR vs magnitude, 8-bit formats (exact, by integration)"))
        _legend(fig, ax, ncol=2)
    return fig


def lpq_formats() -> list[tuple[str, Any]]:
    """The four formats of the LPQ poster's relative-accuracy plot."""
    from lognum.formats.parse import parse

    out = [(s, parse(s)) for s in ("LP<6,2,5,0>", "LP<6,2,2,0>")]
    out.append(("P<6,2,3,0> = GP<6,2,3,0>", parse("GP<6,2,3,0>")))
    out.append(("AF<6,3>", parse("AF<6,3>").fit(np.array([-1.0, 1.0]))))  # top binade at 2^0
    return out


def fig_relative_accuracy(step: float = 1.0 / 32) -> Any:
    """Decimal digits of relative precision against magnitude (LPQ poster motivation plot):
    −log10(gap / 2|x|), gap = spacing of the values around |x|."""
    from lognum.analysis.closed_form import decimal_digits

    m = np.arange(-18.0, 18.0, step)
    with use_style():
        fig = new_figure("double", 2.8)
        ax = fig.add_subplot()
        for (label, f), ls in zip(lpq_formats(), ("-", "--", ":", "-."), strict=False):
            ax.plot(m, decimal_digits(f, 2.0**m), ls, label=label, lw=1.0)
        ax.set_xlabel(r"magnitude $\log_2|x|$")
        ax.set_ylabel("decimal digits of precision")
        ax.set_title("Relative accuracy of 6-bit formats")
        _legend(fig, ax, ncol=2)
    return fig


def fig_kurtosis(n: int = 8, a: float | None = None) -> Any:
    """Algorithm 1's ingredients: excess kurtosis of GP<n,es,rs,0> values on [−a, a] against rs,
    and the kurtosis of the bundled MiniLM layer extracts (horizontal lines)."""
    from lognum.analysis.stats import excess_kurtosis, format_kurtosis
    from lognum.data import load_minilm_weights
    from lognum.formats.posit import GeneralizedPosit

    W = load_minilm_weights()
    amax = a if a is not None else 2.29
    with use_style():
        fig = new_figure("single", 2.8)
        ax = fig.add_subplot()
        rs = np.arange(1, n)
        for es in (0, 1, 2):
            ax.plot(
                rs,
                [format_kurtosis(GeneralizedPosit(n, es, int(r)), amax) for r in rs],
                ls=LINESTYLES[es],
                marker=MARKERS[es],
                mfc="none",
                label=f"GP<{n},{es},rs,0> on [-{amax}, {amax}]",
            )
        names = ("layer0.query", "layer0.ffn1", "layer5.ffn1")
        kw = [excess_kurtosis(W[name]) for name in names]
        for k in kw:
            ax.axhline(k, lw=0.6, ls=":", color="0.4")
        ax.set_xlim(0.5, n + 2.2)
        ax.set_xlabel("rs")
        ax.set_ylabel("excess kurtosis")
        ax.set_title("Kurtosis matching (ALPS Algorithm 1)")
        ax.legend(fontsize=6, loc="upper left")
        label_points(ax, [n + 2.2] * len(names), kw, list(names), pad_pt=1.0)
    return fig


def fig_posit_anatomy(n: int = 6, es: int = 2) -> Any:
    """posit<n,es>: log2 of every positive value against its code, with the decision boundary
    between neighbours marked where it is the geometric mean (regime/exponent bit cut) or the
    arithmetic mean (fraction bit cut) — lesson 06."""
    from lognum.analysis.sqnr import cells
    from lognum.formats.posit import Posit

    p = Posit(n, es)
    c = cells(p)
    pos = c.value > 0
    v, up = c.value[pos], c.upper[pos][:-1]
    geo = np.isclose(up, np.sqrt(v[:-1] * v[1:]), rtol=1e-12)
    codes = np.arange(1, v.size + 1)
    with use_style():
        fig = new_figure("single", 2.6)
        ax = fig.add_subplot()
        ax.plot(codes, np.log2(v), "o", label="values")
        ax.plot(codes[:-1][geo] + 0.5, np.log2(up[geo]), "x", label="tie = geometric mean")
        ax.plot(codes[:-1][~geo] + 0.5, np.log2(up[~geo]), "+", label="tie = arithmetic mean")
        ax.set_xlabel("code (positive patterns)")
        ax.set_ylabel(r"$\log_2$ value")
        ax.set_title(f"{p}: values and rounding boundaries")
        ax.legend()
    return fig


def fig_sqnr_models(n: int = 8, es: int = 1, sigma: float = 1.0) -> Any:
    """SQNR against rs for GP<n,es,rs,0> and Gaussian data: ALPS eq 8 (γ = 1, Δ of eq 25 and of
    eq 9) against the exact expected SQNR — lesson 10."""
    from scipy import stats

    from lognum.analysis.closed_form import sqnr_eq8
    from lognum.analysis.sqnr import sqnr
    from lognum.formats.posit import GeneralizedPosit

    rs = np.arange(1, n)
    d = stats.norm(scale=sigma)
    specs = [GeneralizedPosit(n, es, int(r)) for r in rs]
    with use_style():
        fig = new_figure("single", 2.6)
        ax = fig.add_subplot()
        ax.plot(rs, [sqnr_eq8(s) for s in specs], "-", label=r"eq 8, $\gamma$=1, $\Delta$ eq 25")
        ax.plot(
            rs,
            [sqnr_eq8(s, delta_eq="eq9") for s in specs],
            "--",
            label=r"eq 8, $\gamma$=1, $\Delta$ eq 9",
        )
        ax.plot(rs, [sqnr(s, dist=d) for s in specs], "o-", label=f"exact, N(0, {sigma:g}²)")
        ax.set_xlabel("rs")
        ax.set_ylabel("SQNR (dB)")
        ax.set_title(f"GP<{n},{es},rs,0>: model vs exact")
        ax.legend()
    return fig


@functools.lru_cache(maxsize=4)
def _quire_errors(spec: str, trials: int, seed: int) -> tuple[Any, np.ndarray, dict]:
    from fractions import Fraction

    from lognum.arith.quire import dot
    from lognum.formats.parse import parse

    f = parse(spec)
    rng = np.random.default_rng(seed)
    ks = np.array([2, 4, 8, 16, 32, 64, 128, 256])
    err = {m: [] for m in ("quire", "float32", "format")}
    for k in ks:
        acc = {m: 0.0 for m in err}
        for _ in range(trials):
            x, y = rng.standard_normal(int(k)), rng.standard_normal(int(k))
            qx, qy = f.quantize(x), f.quantize(y)
            ex = float(sum(Fraction(a) * Fraction(b) for a, b in zip(qx, qy, strict=True)))
            for m in err:
                acc[m] += abs(dot(x, y, f, m) - ex) / trials
        for m in err:
            err[m].append(acc[m])
    return f, ks, err


def fig_quire_error(spec: str = "posit<8,2>", trials: int = 20, seed: int = 0) -> Any:
    """Mean |result − exact| of dot products of N(0,1) vectors against their length, for the
    three accumulation modes of ``lognum.arith.dot`` — lesson 08."""
    f, ks, err = _quire_errors(spec, trials, seed)
    with use_style():
        fig = new_figure("single", 2.6)
        ax = fig.add_subplot()
        for (m, e), st in zip(reversed(err.items()), ("^-", "s-", "o--"), strict=True):
            ax.loglog(ks, e, st, base=2, label=m, mfc="none")
        ax.set_xlabel("dot-product length k")
        ax.set_ylabel("mean |result − exact|")
        ax.set_title(f"{f}: cost of rounding each add")
        ax.legend()
    return fig
