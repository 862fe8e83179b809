"""Baselines for LPQ on all-MiniLM-L6-v2: fixed formats, ALPS generalized posits, one LP format.

Every baseline quantizes the weights of the same 36 linear layers and is scored with the same
calibration fitness (:mod:`lognum.lpq.fitness`) and the same held-out metrics
(:mod:`lognum.lpq.evaluate`):

* per-tensor INT8 / INT6 / INT4: ``lognum.parse("int8_sym")`` etc. (symmetric, scale
  ``max|w| / (2^(n-1) - 1)`` fitted per tensor);
* FP8 e4m3 (``float8_e4m3fn``) with symmetric per-tensor scaling max|w| -> 448
  (:class:`lognum.nn.quant.PerTensorScaled`);
* AdaptivFloat ``AF<8,4>``, ``AF<6,3>`` (exponent range chosen per tensor by the format);
* standard posits ``posit<8,2>``, ``posit<6,2>`` (no scaling: the standard format);
* ALPS generalized posits (Langroudi et al. 2021): Algorithm 1 (``alps_algorithm1``, corrected
  variant, from ``lognum.analysis.stats``) on a reference layer drawn at random, then eqs 13/15
  (``alps_layerwise``) for every layer: per-layer ``GP<n, es, rs, sc>``.  The paper gives no
  recipe for the quantization-noise gains ``E_W_l`` (ALPS eq 12); :func:`noise_gains`
  estimates Sakr & Shanbhag's ``sum_w E[(d out / d w)^2]`` by weight perturbation;
* one LP format for all layers: for each ``n`` the ``LP<n, es, rs, sf>`` with the best
  calibration fitness over a grid (``es`` 0..2, ``rs`` 2..n-1, ``sf`` 2..6);
* random search with the GA's evaluation budget is :func:`lognum.lpq.ga.random_search`.

A baseline whose format is not available in this lognum build is recorded with its error
(``"missing"``) instead of silently dropped.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from lognum.lpq.fitness import FitnessConfig, compression_loss, logposit_format
from lognum.nn.quant import PerTensorScaled, QuantPlan, bits_of

FIXED = (
    ("INT8 per-tensor", "int8_sym", False),
    ("INT6 per-tensor", "int6_sym", False),
    ("INT4 per-tensor", "int4_sym", False),
    ("FP8 e4m3 per-tensor", "float8_e4m3fn", True),
    ("AdaptivFloat AF<8,4>", "AF<8,4>", False),
    ("AdaptivFloat AF<6,3>", "AF<6,3>", False),
    ("posit<8,2>", "posit<8,2>", False),
    ("posit<6,2>", "posit<6,2>", False),
)

ALPS_CONFIGS = ((8, 2), (6, 2), (6, 1), (5, 1))


def fixed_quantizer(spec: str, per_tensor: bool):
    """The quantizer of a fixed-format baseline (raises if the format is not available)."""
    import lognum

    fmt = lognum.parse(spec)
    return PerTensorScaled(fmt) if per_tensor else fmt


def noise_gains(problem, rel_sigma: float = 0.01, seed: int = 0, draws: int = 2) -> np.ndarray:
    """Per-layer quantization-noise gains ``E_W_l`` by weight perturbation (first order).

    ``E_W_l = E||f(W_l + eps) - f(W_l)||^2 / sigma_l^2`` with ``eps ~ N(0, sigma_l^2)`` i.i.d.,
    ``sigma_l = rel_sigma * rms(W_l)`` and ``f`` the global representation (sentence embedding)
    of the calibration inputs; to first order this equals ``sum_w (d f / d w)^2`` summed over the
    outputs -- Sakr & Shanbhag's noise gain with the embedding in place of the margin.  The
    expectation is estimated with ``draws`` noise draws (``default_rng([seed, l, d])``); one
    draw can be off by tens of percent when the layer's inputs are strongly correlated.
    """
    st = problem.state()
    model, names = st["model"], st["names"]
    base = problem._reps(model, QuantPlan())[-1].astype(np.float64)
    gains = np.empty(len(names))
    for i, nm in enumerate(names):
        w = model.weight_of(nm)
        sig = rel_sigma * float(np.sqrt(np.mean(w.astype(np.float64) ** 2)))
        tot = 0.0
        for d in range(draws):
            eps = np.random.default_rng([seed, i, d]).standard_normal(w.shape) * sig
            wp = (w + eps).astype(w.dtype)
            out = problem._reps(model, QuantPlan({nm: lambda _w, wp=wp: wp}))[-1]
            tot += np.sum((out.astype(np.float64) - base) ** 2) / sig**2
        gains[i] = tot / draws
    return gains


def alps_plan(problem, n: int, es: int, seed: int = 0, gains: np.ndarray | None = None):
    """Per-layer ALPS generalized posits for the linear layers: ``({name: GP}, details)``.

    Reference layer ``r`` drawn with ``default_rng(seed)`` (the paper picks it at random);
    Algorithm 1 (corrected variant) gives ``rs_r, sc_r`` from its weights; eqs 13 and 15 with
    the gains of :func:`noise_gains` give every layer's ``rs, sc`` (clamped to ``[1, n-1]`` and
    ``[-3, 3]``).
    """
    import lognum
    from lognum.analysis.stats import alps_algorithm1, alps_layerwise

    st = problem.state()
    model, names = st["model"], st["names"]
    e_w = noise_gains(problem) if gains is None else np.asarray(gains)
    ref = int(np.random.default_rng(seed).integers(len(names)))
    a1 = alps_algorithm1(model.weight_of(names[ref]), n, es)
    lw = alps_layerwise(e_w, e_w, ref, a1.rs, a1.sc, n)
    fmts = {
        nm: lognum.GeneralizedPosit(n, es, rs=int(lw["rs_w"][i]), sc=int(lw["sc_w"][i]))
        for i, nm in enumerate(names)
    }
    detail = {
        "reference_layer": names[ref],
        "algorithm1": {"rs": a1.rs, "sc": a1.sc, "kurtosis": a1.kurtosis_data},
        "formats": {nm: str(f) for nm, f in fmts.items()},
    }
    return fmts, detail


def _score(problem, plan: QuantPlan, fc: FitnessConfig, n_max: int, with_eval: bool) -> dict:
    from lognum.lpq.evaluate import evaluate_minilm

    st = problem.state()
    loc, glob = problem.loss_terms(plan, fc)
    names = st["names"]
    genome = np.array([[bits_of(plan.weights.get(nm)), 0, 0, 0] for nm in names], float)
    lc = compression_loss(genome, st["sizes"], n_max)
    rec = {
        "fitness": fc.w_local * loc + fc.w_global * glob + fc.lam * lc,
        "L_GL": fc.w_local * loc + fc.w_global * glob,
        "L_C": lc,
        "local": loc,
        "global": glob,
    }
    if with_eval:
        rec["eval"] = evaluate_minilm(st["model"], plan)
    return rec


def single_lp_search(problem, n: int, fc: FitnessConfig, n_max: int = 8) -> dict:
    """Best single ``LP<n,es,rs,sf>`` for all layers by calibration fitness (grid search)."""
    names = problem.layer_names
    best = None
    evals = 0
    for es in (0, 1, 2):
        for rs in range(2, n):
            for sf in (2, 3, 4, 5, 6):
                f = logposit_format(n, es, rs, sf)
                rec = _score(
                    problem, QuantPlan(dict.fromkeys(names, f), cache=None), fc, n_max, False
                )
                evals += 1
                if best is None or rec["fitness"] < best[0]["fitness"]:
                    best = (rec, str(f))
    return {"format": best[1], "grid_evaluations": evals, **best[0]}


def run_baselines(
    out: str | Path,
    n_calib: int = 24,
    calib_len: int = 48,
    fc: FitnessConfig | None = None,
    single_lp_n: tuple[int, ...] = (4, 5, 6, 7, 8),
    include_fp32: bool = True,
) -> list[dict]:
    """Score every baseline and write the list of records to ``out`` (JSON)."""
    from lognum._progress import Progress
    from lognum.lpq.problems import MiniLMProblem

    fc = fc or FitnessConfig()
    prob = MiniLMProblem(n_calib=n_calib, calib_len=calib_len)
    st = prob.state()
    model, names = st["model"], st["names"]
    recs: list[dict] = []

    def save():
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(recs, indent=1))

    bar = Progress(len(FIXED) + len(ALPS_CONFIGS) + len(single_lp_n) + 1, "baselines")
    if include_fp32:
        recs.append({"method": "FP32", "family": "fp32", **_score(prob, QuantPlan(), fc, 8, True)})
        recs[-1]["eval"]["avg_bits"] = 32.0
    bar.update(1)
    for label, spec, per_tensor in FIXED:
        t0 = time.perf_counter()
        try:
            q = fixed_quantizer(spec, per_tensor)
        except Exception as e:  # noqa: BLE001 - recorded, not hidden
            recs.append({"method": label, "family": "fixed", "missing": f"{type(e).__name__}: {e}"})
        else:
            plan = QuantPlan(dict.fromkeys(names, q))
            recs.append(
                {
                    "method": label,
                    "family": "fixed",
                    "format": str(q),
                    **_score(prob, plan, fc, 8, True),
                }
            )
        recs[-1]["seconds"] = time.perf_counter() - t0
        bar.update(1, label)
        save()
    gains = noise_gains(prob)
    for n, es in ALPS_CONFIGS:
        label = f"ALPS GP n={n} es={es}"
        try:
            fmts, detail = alps_plan(prob, n, es, gains=gains)
        except Exception as e:  # noqa: BLE001
            recs.append({"method": label, "family": "alps", "missing": f"{type(e).__name__}: {e}"})
        else:
            recs.append(
                {
                    "method": label,
                    "family": "alps",
                    "formats": detail,
                    **_score(prob, QuantPlan(fmts), fc, 8, True),
                }
            )
        bar.update(1, label)
        save()
    for n in single_lp_n:
        r = single_lp_search(prob, n, fc)
        f = r["format"]
        import lognum

        plan = QuantPlan(dict.fromkeys(names, lognum.parse(f)))
        from lognum.lpq.evaluate import evaluate_minilm

        recs.append(
            {
                "method": f"single LP n={n}",
                "family": "single-lp",
                **r,
                "eval": evaluate_minilm(model, plan),
            }
        )
        bar.update(1, f)
        save()
    bar.close()
    return recs
