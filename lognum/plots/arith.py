"""Rounding after every step vs the quire, on a real tensor.

``theory_arith_error`` plots, for a row of real MiniLM weights, the relative error of the
running dot product ``w · w`` (and of the running sum of ``w``) computed the way a posit datapath
without a quire does — every product and every partial sum correctly rounded to the format
(``fmt.mul``, ``fmt.add``: the sequential ``fmt.ufuncs.add.accumulate``) — against the quire,
which accumulates the exact products and rounds once (``lognum.arith.quire.dot``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

DEFAULT_SPECS = ("posit<8,2>", "posit<16,1>", "LP<8,1,5,0>")


def arith_error_curves(
    tensor: str = "layer0.ffn1", specs: tuple[str, ...] = DEFAULT_SPECS, n_terms: int = 2048
) -> dict[str, Any]:
    """The data of ``theory_arith_error``: for each format the checkpoints ``k``, the relative
    error of the sequential and of the quire dot product ``w[:k] · w[:k]`` and of the sums
    ``sum(w[:k])`` (error relative to ``sum(|w[:k]|)``), against exact references
    (``math.fsum`` of the exact products / values: correctly rounded binary64)."""
    from lognum.arith.quire import dot
    from lognum.data import load_minilm_weights
    from lognum.formats.parse import parse

    w_all = load_minilm_weights()
    if tensor not in w_all:
        raise ValueError(f"tensor must be one of {sorted(w_all)}, got {tensor!r}")
    w = np.asarray(w_all[tensor], dtype=np.float64)[:n_terms]
    ks = np.unique(np.geomspace(1, w.size, 24).astype(int))
    out: dict[str, Any] = {"tensor": tensor, "k": ks, "formats": {}}
    for spec in specs:
        fmt = parse(spec)
        q = fmt.quantize(w)
        prods = fmt.mul(q, q)  # each product rounded (no quire)
        seq_dot = _running(fmt, prods)
        seq_sum = _running(fmt, q)
        rows = {"seq_dot": [], "quire_dot": [], "seq_sum": [], "quire_sum": []}
        for k in ks:
            ref_dot = math.fsum(float(x) * float(x) for x in q[:k])  # exact-ish: q has few bits
            ref_sum = math.fsum(q[:k])
            scale = math.fsum(np.abs(q[:k]))
            rows["seq_dot"].append(abs(seq_dot[k - 1] - ref_dot) / ref_dot)
            rows["quire_dot"].append(abs(dot(q[:k], q[:k], fmt) - ref_dot) / ref_dot)
            rows["seq_sum"].append(abs(seq_sum[k - 1] - ref_sum) / scale)
            rows["quire_sum"].append(abs(dot(q[:k], np.ones(k), fmt) - ref_sum) / scale)
        out["formats"][spec] = {key: np.array(v) for key, v in rows.items()}
    return out


def _running(fmt: Any, x: np.ndarray) -> np.ndarray:
    """Sequential sums rounded after every step (what ``fmt.ufuncs.add.accumulate`` gives)."""
    acc = np.empty_like(x)
    c = fmt.encode(x)
    s = c[:1].copy()
    acc_c = np.empty_like(c)
    acc_c[0] = s[0]
    for i in range(1, c.size):
        s = fmt.add_codes(s, c[i : i + 1])
        acc_c[i] = s[0]
    acc[:] = fmt.decode(acc_c)
    return acc


def theory_arith_error(
    tensor: str = "layer0.ffn1", specs: tuple[str, ...] = DEFAULT_SPECS, n_terms: int = 2048
) -> Any:
    """Relative error of a long posit / LP dot product and sum of a real weight row, rounded
    after every step vs accumulated in the quire (one rounding). Returns a Figure."""
    from lognum.plots.style import (
        COLORS,
        LINESTYLES,
        MARKERS,
        current_size,
        fit_title,
        new_panels,
        use_style,
    )

    d = arith_error_curves(tensor, specs, n_terms)
    with use_style():
        fig, axes = new_panels(2, height=2.8, row_height=2.2, layout="constrained")
        for ax, kind, title in (
            (axes[0], "dot", r"running $w \cdot w$"),
            (axes[1], "sum", r"running $\sum w_i$"),
        ):
            for i, (spec, r) in enumerate(d["formats"].items()):
                col = COLORS[(i + 1) % len(COLORS)]
                ax.loglog(
                    d["k"],
                    _nz(r[f"seq_{kind}"]),
                    ls=LINESTYLES[0],
                    marker=MARKERS[i],
                    ms=3,
                    color=col,
                    label=f"{spec}, every step",
                )
                ax.loglog(
                    d["k"],
                    _nz(r[f"quire_{kind}"]),
                    ls=LINESTYLES[1],
                    marker=MARKERS[i],
                    ms=3,
                    mfc="none",
                    color=col,
                    label=f"{spec}, quire",
                )
            ax.set_xlabel("terms k")
            ax.set_title(title)
        axes[0].set_ylabel("relative error")
        axes[1].set_ylabel(r"error / $\sum |w_i|$")
        fig.legend(
            *axes[0].get_legend_handles_labels(),
            loc="outside lower center",
            ncols=3 if current_size() == "double" else 2,
            frameon=False,
        )
        fig.suptitle(
            fit_title(
                fig,
                f"MiniLM {d['tensor']}, first {d['k'][-1]} weights (exact results, error 0, "
                "not drawn)",
                key="figure.titlesize",
            )
        )
    return fig


def _nz(v: np.ndarray) -> np.ndarray:
    return np.where(v > 0, v, np.nan)
