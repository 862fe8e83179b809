"""Baselines for LPQ on all-MiniLM-L6-v2: fixed formats, ALPS generalized posits, one LP format.

Every baseline quantizes the weights of the same 36 linear layers and is scored with the same
calibration fitness (:mod:`lognum.lpq.fitness`) and the same held-out metrics
(:mod:`lognum.lpq.evaluate`):

* per-tensor INT8 / INT6 / INT4 and FP8 e4m3: symmetric per-tensor scaling (max|w| -> maxpos,
  :class:`lognum.nn.quant.PerTensorScaled`) around ``lognum.parse("int8")`` etc.;
* AdaptivFloat ``AF<8,4>``, ``AF<6,3>`` (exponent range chosen per tensor by the format);
* standard posits ``posit<8,2>``, ``posit<6,2>`` (no scaling: the standard format);
* ALPS generalized posits (Langroudi et al. 2021, Algorithm 1 + eqs 13-16, from
  ``lognum.analysis.stats``): per-layer ``GP<n, es, rs, sc>``;
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
    ("INT8 per-tensor", "int8", True),
    ("INT6 per-tensor", "int6", True),
    ("INT4 per-tensor", "int4", True),
    ("FP8 e4m3 per-tensor", "float8_e4m3fn", True),
    ("AdaptivFloat AF<8,4>", "AF<8,4>", False),
    ("AdaptivFloat AF<6,3>", "AF<6,3>", False),
    ("posit<8,2>", "posit<8,2>", False),
    ("posit<6,2>", "posit<6,2>", False),
)


def fixed_quantizer(spec: str, per_tensor: bool):
    """The quantizer of a fixed-format baseline (raises if the format is not available)."""
    import lognum

    fmt = lognum.parse(spec)
    return PerTensorScaled(fmt) if per_tensor else fmt


def alps_plan(model, n: int, es: int, seed: int = 0) -> tuple[dict, dict]:
    """Per-layer ALPS generalized posits for the 36 linears: ``({name: GP}, details)``.

    Uses ``lognum.analysis.stats`` (Algorithm 1 on a reference layer drawn with ``seed``,
    eqs 13-16 for the other layers); raises ``ImportError`` if that module is not available.
    """
    from lognum.analysis import stats  # noqa: F401  (ALPS lives there; written by another helper)

    fn = getattr(stats, "alps_layerwise", None) or getattr(stats, "alps_select", None)
    if fn is None:
        raise ImportError("lognum.analysis.stats has no ALPS layer-wise selection yet")
    weights = {nm: model.weight_of(nm) for nm in model.linear_names}
    out = fn(weights, n=n, es=es, seed=seed)
    fmts = {nm: out[nm] for nm in model.linear_names}
    return fmts, {nm: str(f) for nm, f in fmts.items()}


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
    n_calib: int = 32,
    calib_len: int = 64,
    fc: FitnessConfig | None = None,
    single_lp_n: tuple[int, ...] = (4, 5, 6, 7, 8),
    include_fp32: bool = True,
) -> list[dict]:
    """Score every baseline and write the list of records to ``out`` (JSON)."""
    from lognum.lpq._progress import Progress
    from lognum.lpq.problems import MiniLMProblem

    fc = fc or FitnessConfig()
    prob = MiniLMProblem(n_calib=n_calib, calib_len=calib_len)
    st = prob.state()
    model, names = st["model"], st["names"]
    recs: list[dict] = []

    def save():
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(recs, indent=1))

    bar = Progress(len(FIXED) + 2 + len(single_lp_n) + 1, "baselines")
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
    for n, es in ((8, 2), (6, 2)):
        label = f"ALPS GP n={n} es={es}"
        try:
            fmts, detail = alps_plan(model, n, es)
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
