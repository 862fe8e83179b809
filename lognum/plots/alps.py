"""Figures reproducing the ALPS paper (Langroudi et al., CVPRW 2021) with the data we have.

* :func:`fig_compander` -- Fig. 1 / eqs 5-6: generalized-posit quantization seen as a compander
  (a sinh^-1 compressor, a uniform fixed-point quantizer, a sinh expander);
* :func:`fig_misclassification` -- Fig. 4b / eq 12: decisions changed by quantization against
  the bit width, measured and bounded;
* :func:`fig_accuracy_vs_bits` -- the shape of Tables 2-3: accuracy of GP, posit and scaled
  float against the bit width;
* :func:`fig_edp` -- Fig. 5: energy-delay product of posit, GP and float PEs by bit width and es.

The paper's ImageNet / CIFAR-10 networks are not available offline: Figs. 4b and Tables 2-3
use the shipped tiny CNN on MNIST-5k (:mod:`lognum.nn.cnn`, 1000 held-out test images), and
Fig. 5 uses lognum's systolic-array simulator and its 45 nm energy table (:mod:`lognum.hw`)
instead of the paper's 32 nm synthesis. Each study is computed once per process (cached).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from lognum.plots.style import (
    COLORS,
    LINESTYLES,
    MARKERS,
    fit_title,
    new_figure,
    new_panels,
    use_style,
)

__all__ = [
    "compander_fit",
    "cnn_study",
    "edp_study",
    "fig_compander",
    "fig_misclassification",
    "fig_accuracy_vs_bits",
    "fig_edp",
]

#: Bit widths of the CNN study and of the EDP study.
CNN_BITS = (4, 5, 6, 7, 8)
EDP_BITS = (5, 6, 7, 8)


# ---------------------------------------------------------------------------------- Fig. 1
def compander_fit(spec: str = "GP<8,1,3,0>") -> dict[str, Any]:
    """The compander that best imitates ``spec`` (ALPS eqs 5-6, appendix eqs 18-19).

    Compressed domain: a code k of the format read as a fraction y = k / 2^(n-1) in (-1, 1).
    Compressor y = γ⁻¹ sinh⁻¹(θ x) (eq 5 with α = γ⁻¹, β = θ), fitted by least squares to the
    format's positive values (θ on a grid of 2^(j/64), γ⁻¹ in closed form; the paper gives no
    numbers); a uniform quantizer of step Δ = 2^-(n-1) (one code); expander
    x' = θ⁻¹ sinh(γ y') (eq 6; printed there with sinh⁻¹, a typo: Fig. 1 and eq 19 use sinh).
    Returns the values, codes and the fitted ``inv_gamma``, ``theta``, ``delta``."""
    from lognum.formats.parse import parse

    f = parse(spec)
    v = f.values()
    v = v[v > 0]
    codes = np.arange(1, v.size + 1, dtype=np.float64)  # positive codes in order
    n = int(f.n)
    y = codes / 2 ** (n - 1)
    best = None
    for j in range(-6 * 64, 16 * 64 + 1):
        th = 2.0 ** (j / 64)
        a = np.arcsinh(th * v)
        ig = float(a @ y / (a @ a))
        err = float(np.sum((y - ig * a) ** 2))
        if best is None or err < best[0]:
            best = (err, ig, th)
    _, ig, th = best
    return {
        "format": str(f),
        "n": n,
        "values": v,
        "codes": codes,
        "y": y,
        "inv_gamma": ig,
        "theta": th,
        "delta": 2.0 ** -(n - 1),
    }


def fig_compander(spec: str = "GP<8,1,3,0>") -> Any:
    """ALPS Fig. 1: compressor (eq 5), uniform quantizer, expander (eq 6) for ``spec``, with the
    format's own codes and values as markers (fit of :func:`compander_fit`)."""
    c = compander_fit(spec)
    v, y, ig, th, d, n = c["values"], c["y"], c["inv_gamma"], c["theta"], c["delta"], c["n"]
    with use_style():
        fig, (a0, a1, a2) = new_panels(3, height=2.5, row_height=1.55, layout="constrained")
        xs = np.geomspace(v[0] / 2, v[-1] * 2, 400)
        a0.plot(v, y, "o", ms=2.2, mfc="none", color=COLORS[1], label=f"{c['format']} codes")
        a0.plot(
            xs,
            ig * np.arcsinh(th * xs),
            "-",
            color=COLORS[0],
            lw=0.9,
            label=r"$\gamma^{-1}\sinh^{-1}(\theta x)$",
        )
        a0.set_xscale("log", base=2)
        a0.set_xlabel("input x")
        a0.set_ylabel("code / $2^{n-1}$")
        a0.set_title("compressor (eq 5)", loc="left")
        a0.legend(loc="upper left")
        yy = np.linspace(0, 12 * d, 600)
        a1.plot(
            yy / d,
            d * np.round(yy / d) / d,
            "-",
            color=COLORS[2],
            lw=1.0,
            label=r"$\Delta\,\mathrm{round}(y/\Delta)$",
        )
        a1.plot(yy / d, yy / d, ":", color=COLORS[0], lw=0.8, label="y")
        a1.set_xlabel(r"compressed input $y/\Delta$")
        a1.set_ylabel(r"$y'/\Delta$")
        a1.set_title(rf"uniform quantizer, $\Delta = 2^{{-{n - 1}}}$", loc="left")
        a1.legend(loc="upper left")
        k = c["codes"]
        a2.plot(k, np.log2(v), "o", ms=2.2, mfc="none", color=COLORS[1], label="GP values")
        a2.plot(
            k,
            np.log2(np.sinh(k * d / ig) / th),
            "-",
            color=COLORS[0],
            lw=0.9,
            label=r"$\theta^{-1}\sinh(\gamma y')$",
        )
        a2.set_xlabel("code k (y' = k Δ)")
        a2.set_ylabel(r"$\log_2 x'$")
        a2.set_title("expander (eq 6)", loc="left")
        a2.legend(loc="upper left")
        fig.suptitle(
            fit_title(
                fig,
                key="figure.titlesize",
                text=f"{c['format']} as a compander (ALPS Fig. 1): "
                rf"$\gamma^{{-1}}$ = {ig:.3g}, $\theta$ = {th:.3g} (least squares)",
            )
        )
    return fig


# ---------------------------------------------------------- Fig. 4b and Tables 2-3 (tiny CNN)
class _Record:
    """An activation 'quantizer' that keeps what it sees (or adds Gaussian noise)."""

    def __init__(self, sigma: float = 0.0, seed: Any = 0) -> None:
        self.seen: list[np.ndarray] = []
        self.sigma = sigma
        self.rng = np.random.default_rng(seed)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.sigma:
            return x + (self.rng.standard_normal(x.shape) * self.sigma).astype(x.dtype)
        self.seen.append(np.array(x))
        return x


def _margin_terms(z: np.ndarray, zq: np.ndarray, yhat: np.ndarray) -> np.ndarray:
    """Per image Σ_{i≠ŷ} (δm_i)² / m_i², margins m_i = z_ŷ − z_i of the FP32 logits z."""
    idx = np.arange(len(z))
    m = z[idx, yhat][:, None] - z
    dm = (zq[idx, yhat][:, None] - zq) - m
    m[idx, yhat] = np.inf
    return np.sum(dm**2 / m**2, axis=1)


@functools.lru_cache(maxsize=2)
def cnn_study(n_calib: int = 256, draws: int = 2, seed: int = 0) -> dict[str, Any]:
    """Quantize the tiny MNIST CNN's weights and input activations at each bit width of
    ``CNN_BITS`` with three per-layer schemes and measure it on the 1000 test images:

    - ``GP``: ALPS — Algorithm 1 (corrected variant) on a reference layer drawn with
      ``default_rng(seed)``, then eqs 13-16 (``alps_layerwise``, literal activation reference)
      with the gains below: ``GP<n,1,rs,sc>`` per layer and per tensor kind;
    - ``posit``: ``posit<n,1>`` (standard, unscaled);
    - ``scaled float``: ``SF<3,n-4,sc>`` with sc fitted per layer (weights: to the weights;
      activations: to the calibration activations).

    Gains (Sakr & Shanbhag's, with the SQNR form of ALPS eq 12): E_W_l = P_W_l ·
    E_x Σ_{i≠ŷ} Σ_w (∂m_i/∂w)² / m_i², m_i the FP32 logit margins, P_W_l = mean(w²); the inner
    sum is estimated by Gaussian weight perturbation (σ = 1 % of rms w, ``draws`` draws);
    E_A_l likewise for the layer's input. Then eq 12 bounds the fraction of changed decisions
    by Σ_l E_W_l / SQNR_W_l + E_A_l / SQNR_A_l (SQNRs measured on the weights and on the
    calibration activations). Everything fitted uses the ``n_calib`` first training images;
    the test images are used only to measure. Returns a dict of arrays."""
    from lognum.analysis.sqnr import empirical_sqnr
    from lognum.analysis.stats import alps_algorithm1, alps_layerwise, mismatch_bound
    from lognum.formats.floats import ScaledFloat
    from lognum.formats.posit import GeneralizedPosit, Posit
    from lognum.nn._blas import pin_blas_threads
    from lognum.nn.cnn import TinyCNN
    from lognum.nn.data import mnist_split
    from lognum.nn.quant import QuantPlan

    pin_blas_threads(1)
    model = TinyCNN.load()
    d = mnist_split()
    xc, xt, yt = d["x_train"][:n_calib], d["x_test"], d["y_test"]
    names = list(model.linear_names)
    # FP32 reference, calibration activations
    rec = {nm: _Record() for nm in names}
    zc = model.forward(xc, QuantPlan(acts=rec))[0].astype(np.float64)
    acts = {nm: np.concatenate(rec[nm].seen) for nm in names}
    yc = zc.argmax(1)
    fp_pred = model.predict(xt)
    # gains
    e_w, e_a = np.empty(len(names)), np.empty(len(names))
    for i, nm in enumerate(names):
        w = model.weight_of(nm).astype(np.float64)
        pw, pa = float(np.mean(w**2)), float(np.mean(acts[nm].astype(np.float64) ** 2))
        sw, sa = 0.01 * math.sqrt(pw), 0.01 * math.sqrt(pa)
        tw = ta = 0.0
        for r in range(draws):
            eps = np.random.default_rng([seed, i, r]).standard_normal(w.shape) * sw
            wp = (w + eps).astype(np.float32)
            zq = model.forward(xc, QuantPlan({nm: lambda _w, wp=wp: wp}))[0]
            tw += np.mean(_margin_terms(zc, zq.astype(np.float64), yc)) / draws
            noise = _Record(sigma=sa, seed=[seed, 100 + i, r])
            zq = model.forward(xc, QuantPlan(acts={nm: noise}))[0]
            ta += np.mean(_margin_terms(zc, zq.astype(np.float64), yc)) / draws
        e_w[i], e_a[i] = pw * tw / sw**2, pa * ta / sa**2
    ref = int(np.random.default_rng(seed).integers(len(names)))
    methods = ("GP", "posit", "scaled float")
    acc = {m: [] for m in methods}
    changed = {m: [] for m in methods}
    bound = {m: [] for m in methods}
    gp_formats = []
    for n in CNN_BITS:
        a1 = alps_algorithm1(model.weight_of(names[ref]), n, 1)
        lw = alps_layerwise(e_w, e_a, ref, a1.rs, a1.sc, n)
        plans = {
            "GP": (
                {
                    nm: GeneralizedPosit(n, 1, int(lw["rs_w"][i]), int(lw["sc_w"][i]))
                    for i, nm in enumerate(names)
                },
                {
                    nm: GeneralizedPosit(n, 1, int(lw["rs_a"][i]), int(lw["sc_a"][i]))
                    for i, nm in enumerate(names)
                },
            ),
            "posit": ({nm: Posit(n, 1) for nm in names}, {nm: Posit(n, 1) for nm in names}),
            "scaled float": (
                {nm: ScaledFloat(3, n - 4, None).fit(model.weight_of(nm)) for nm in names},
                {nm: ScaledFloat(3, n - 4, None).fit(acts[nm]) for nm in names},
            ),
        }
        gp_formats.append({nm: (str(plans["GP"][0][nm]), str(plans["GP"][1][nm])) for nm in names})
        for m in methods:
            fw, fa = plans[m]
            pred = model.predict(xt, QuantPlan(fw, fa))
            acc[m].append(float(np.mean(pred == yt)))
            changed[m].append(float(np.mean(pred != fp_pred)))
            sq_w = [empirical_sqnr(fw[nm], model.weight_of(nm)) for nm in names]
            sq_a = [empirical_sqnr(fa[nm], acts[nm]) for nm in names]
            bound[m].append(mismatch_bound(e_w, sq_w, e_a, sq_a))
    return {
        "bits": np.array(CNN_BITS),
        "methods": methods,
        "accuracy": {m: np.array(v) for m, v in acc.items()},
        "changed": {m: np.array(v) for m, v in changed.items()},
        "bound": {m: np.array(v) for m, v in bound.items()},
        "fp32_accuracy": float(np.mean(fp_pred == yt)),
        "e_w": e_w,
        "e_a": e_a,
        "reference_layer": names[ref],
        "gp_formats": gp_formats,
        "n_test": int(len(yt)),
    }


_METHOD_STYLE = {
    "GP": (COLORS[2], MARKERS[0]),
    "posit": (COLORS[1], MARKERS[1]),
    "scaled float": (COLORS[3], MARKERS[2]),
}


def fig_misclassification() -> Any:
    """ALPS Fig. 4b: fraction of test decisions that quantization changes (solid) and the
    eq 12 bound (dashed) against the bit width, per scheme of :func:`cnn_study`. Points with
    no changed decision are drawn at the resolution 1/n_test (open marker)."""
    s = cnn_study()
    floor = 1.0 / s["n_test"]
    with use_style():
        fig = new_figure("single", 2.9)
        ax = fig.add_subplot()
        for m in s["methods"]:
            col, mk = _METHOD_STYLE[m]
            ch = s["changed"][m]
            ax.plot(
                s["bits"], np.maximum(ch, floor), "-", marker=mk, color=col, label=f"{m}: measured"
            )
            ax.plot(
                s["bits"],
                s["bound"][m],
                "--",
                marker=mk,
                mfc="none",
                color=col,
                label=f"{m}: eq 12 bound",
            )
        ax.axhline(1.0, color="0.5", lw=0.5, ls=":")
        ax.set_yscale("log")
        ax.set_xticks(s["bits"])
        ax.set_xlabel("bits per weight and activation")
        ax.set_ylabel("fraction of decisions changed")
        ax.set_title("Tiny CNN, MNIST: ALPS Fig. 4b / eq 12", loc="left")
        ax.legend(ncols=2, fontsize=6, loc="upper left", bbox_to_anchor=(0, -0.2))
    return fig


def fig_accuracy_vs_bits() -> Any:
    """The shape of ALPS Tables 2-3: test accuracy of per-layer GP (ALPS), posit<n,1> and
    scaled float against the bit width (:func:`cnn_study`), FP32 dashed."""
    s = cnn_study()
    with use_style():
        fig = new_figure("single", 2.5)
        ax = fig.add_subplot()
        for j, m in enumerate(s["methods"]):
            col, mk = _METHOD_STYLE[m]
            ax.plot(s["bits"], 100 * s["accuracy"][m], LINESTYLES[j], marker=mk, color=col, label=m)
        ax.axhline(100 * s["fp32_accuracy"], color="k", lw=0.6, ls=(0, (5, 2)), label="FP32")
        ax.set_xticks(s["bits"])
        ax.set_ylim(0, 100)
        ax.set_xlabel("bits per weight and activation")
        ax.set_ylabel("test accuracy (%)")
        ax.set_title(f"Tiny CNN, MNIST ({s['n_test']} test images)", loc="left")
        ax.legend(loc="lower right")
    return fig


# ---------------------------------------------------------------------------------- Fig. 5
def _pe_types() -> dict[tuple[str, int, int], Any]:
    """PE types of the EDP study: (family, n, es) → :class:`lognum.hw.PEType`."""
    from lognum.analysis.closed_form import quire_width
    from lognum.formats.posit import GeneralizedPosit, Posit
    from lognum.hw.pe import PEType

    out = {}
    for n in EDP_BITS:
        for es in (0, 1, 2):
            p = Posit(n, es)
            out[("posit", n, es)] = PEType(f"posit{n}_{es}", "quire", n, quire_width(p), p)
            g = GeneralizedPosit(n, es, rs=min(3, n - 1))
            out[("GP", n, es)] = PEType(f"gp{n}_{es}", "quire", n, quire_width(g), g)
        out[("float", n, 0)] = PEType(f"sf{n}", "float", n, 32, f"SF<3,{n - 4},0>")
    return out


@functools.lru_cache(maxsize=1)
def edp_study() -> dict[str, Any]:
    """EDP (pJ·s) of :func:`lognum.plots.hw.small_network` on a 16x16 output-stationary array
    (ALPS' Eyeriss-like setup) for posit<n,es> and GP<n,es,3,0> PEs with an ALPS-width quire
    (``quire_width``, 2^30 products) and scaled-float PEs (3 exponent bits, FP32 accumulator).

    The simulator is run once (cycles do not depend on the PE); each PE's energy is
    ``lognum.hw.energy.layer_energy`` of the same counts. Delay = cycles at 1 GHz, the same for
    every PE, so the EDP ratios are energy ratios: the paper's synthesized clock periods are
    not modelled."""
    from lognum.hw import ArrayConfig, simulate
    from lognum.hw.energy import layer_energy
    from lognum.plots.hw import small_network

    cfg = ArrayConfig(rows=16, cols=16, dataflow="os")
    res = simulate(cfg, small_network(), progress=False)
    t_s = res.total_cycles / (cfg.freq_mhz * 1e6)
    edp = {}
    for key, pe in _pe_types().items():
        e = sum(sum(layer_energy(r, cfg, pe).values()) for r in res.layers)
        edp[key] = e * t_s
    return {"edp": edp, "cycles": res.total_cycles, "time_s": t_s, "bits": EDP_BITS}


def fig_edp() -> Any:
    """ALPS Fig. 5: EDP against bit width, one panel per es, posit vs GP<n,es,3,0> vs scaled
    float (the float PE is the same in every panel) — from :func:`edp_study`."""
    s = edp_study()
    b = np.array(s["bits"])
    with use_style():
        fig, axes = new_panels(3, height=2.4, row_height=1.45, layout="constrained", sharey=True)
        for es, ax in enumerate(axes):
            for j, (fam, lab) in enumerate(
                (
                    ("posit", "posit<n,es>"),
                    ("GP", "GP<n,es,3,0>"),
                    ("float", "scaled float SF<3,n-4> (no es)"),
                )
            ):
                e = [s["edp"][(fam, int(n), es if fam != "float" else 0)] for n in b]
                ax.plot(
                    b,
                    np.array(e) / 1e6,
                    LINESTYLES[j],
                    marker=MARKERS[j],
                    color=COLORS[j + 1],
                    label=lab,
                )
            ax.set_xticks(b)
            ax.set_title(f"es = {es}", loc="left")
            ax.set_xlabel("bits n")
            ax.set_ylabel("EDP (mJ·ms)")
        fig.legend(
            *axes[0].get_legend_handles_labels(),
            loc="outside lower center",
            ncols=3 if fig.get_figwidth() > 5 else 1,
        )
        fig.suptitle(
            fit_title(
                fig,
                key="figure.titlesize",
                text=f"EDP, 5 ResNet-18 layers on a 16x16 os array "
                f"({s['cycles']} cycles at 1 GHz; 45 nm estimates)",
            )
        )
    return fig
