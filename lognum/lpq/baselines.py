"""Baselines for LPQ on all-MiniLM-L6-v2: fixed formats, ALPS generalized posits, one LP format.

Every baseline quantizes the weights of the same 36 linear layers and is scored with the same
calibration fitness (:mod:`lognum.lpq.fitness`) and the same held-out metrics
(:mod:`lognum.lpq.evaluate`):

* per-tensor INT8 / INT6 / INT4: ``parse("int8_sym")`` etc. (symmetric, scale
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
* per-channel INT8 / INT6 / INT4 with the clip at the row's absmax, at the MSE-optimal
  ratio, or at the 99.9th percentile of |w| (:class:`lognum.lpq.quantizers.PerChannelInt`;
  one FP16 scale per output channel counted in the bits per weight);
* OCP MX: MXFP8 (e4m3), MXFP6 (e2m3, e3m2), MXFP4, MXINT8, blocks of 32 along the input axis
  with an E8M0 scale (+0.25 bits per weight);
* per-channel LP (a lognum extension beyond the paper: one ``sf`` per output channel, fitted
  by least squares per row, 8 bits of ``sf`` per row counted): for each ``n`` the ``es``
  (and ``rs``, see :func:`per_channel_lp_search`) with the best calibration fitness, and the
  best saved GA genome with its ``sf`` replaced per channel;
* weights + activations (``W{b}A{a}``): INT per-channel weights with per-token dynamic INT8
  activations; FP8 e4m3 per-tensor weights and activations; MX for both; LP weights (the
  single-LP format of each ``n``) with an ``LP<8, es, rs, sf>`` per layer for its input
  activations, chosen by least squared error on the calibration activations
  (:func:`calibration_activations`, :func:`lognum.lpq.quantizers.calibrate_lp`); INT8
  weights with static per-tensor INT8 activations calibrated the same way;
* GPTQ-style error-compensating rounding (:mod:`lognum.lpq.gptq`, calibration Hessians) of
  per-channel INT4 / INT6 (MSE-clip scales) and of the single-LP format of ``n`` = 4, 6;
* HAWQ-style mixed precision (:mod:`lognum.lpq.hawq`, a gradient-free reconstruction): the
  Hutchinson trace of each layer's Hessian of a distillation loss from central second
  differences, ``Omega_i(b) = Tr(H_i) / n_i * ||Q_b(W_i) - W_i||^2`` and the exact DP
  allocation within the average-bits budget, over per-channel INT-n (MSE clip, scale storage
  counted) and over the sensitivity DP's LP candidates (``LP<6,0,5,4>`` moved to each n);
* random search with the GA's evaluation budget is :func:`lognum.lpq.ga.random_search`.

Every record carries the calibration fitness terms and the held-out metrics; the per-item
values behind the metrics go to ``items/`` next to the JSON (:func:`lognum.lpq.evaluate.
items_path`) so that :mod:`lognum.lpq.stats` can attach bootstrap intervals.

A baseline whose format is not available in this lognum build is recorded with its error
(``"missing"``) instead of silently dropped.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from lognum.formats.parse import parse
from lognum.lpq.fitness import FitnessConfig, compression_loss, logposit_format
from lognum.lpq.quantizers import (
    MXQuant,
    PerChannelInt,
    PerChannelLP,
    PerTensorInt,
    PerTokenInt,
    calibrate_lp,
    calibrate_scale,
)
from lognum.nn.quant import PerTensorScaled, QuantPlan, WeightCache, bits_of

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

PER_CHANNEL = tuple(
    (f"INT{n} per-channel {clip}" + (" (p99.9)" if clip == "percentile" else ""), n, clip)
    for n in (8, 6, 4)
    for clip in ("absmax", "mse", "percentile")
)

MX_ROWS = (
    ("MXFP8 e4m3", "fp8_e4m3"),
    ("MXFP6 e2m3", "fp6_e2m3"),
    ("MXFP6 e3m2", "fp6_e3m2"),
    ("MXFP4 e2m1", "fp4_e2m1"),
    ("MXINT8", "int8"),
)

GROUPS = (
    "fixed",
    "alps",
    "single-lp",
    "per-channel",
    "mx",
    "per-channel-lp",
    "w+a",
    "gptq",
    "hawq",
)

HAWQ_ROWS = (
    ("int", "HAWQ-style INT per-channel (Hutchinson trace, DP <= {b:g} b)"),
    ("lp", "HAWQ-style LP per layer (Hutchinson trace, DP <= {b:g} b)"),
)


def fixed_quantizer(spec: str, per_tensor: bool):
    """The quantizer of a fixed-format baseline (raises if the format is not available)."""
    fmt = parse(spec)
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
    from lognum.analysis.stats import alps_algorithm1, alps_layerwise
    from lognum.formats.posit import GeneralizedPosit

    st = problem.state()
    model, names = st["model"], st["names"]
    e_w = noise_gains(problem) if gains is None else np.asarray(gains)
    ref = int(np.random.default_rng(seed).integers(len(names)))
    a1 = alps_algorithm1(model.weight_of(names[ref]), n, es)
    lw = alps_layerwise(e_w, e_w, ref, a1.rs, a1.sc, n)
    fmts = {
        nm: GeneralizedPosit(n, es, rs=int(lw["rs_w"][i]), sc=int(lw["sc_w"][i]))
        for i, nm in enumerate(names)
    }
    detail = {
        "reference_layer": names[ref],
        "algorithm1": {"rs": a1.rs, "sc": a1.sc, "kurtosis": a1.kurtosis_data},
        "formats": {nm: str(f) for nm, f in fmts.items()},
    }
    return fmts, detail


def _score(
    problem, plan: QuantPlan, fc: FitnessConfig, n_max: int, with_eval: bool, items=None
) -> dict:
    from lognum.lpq.evaluate import average_weight_bits, evaluate_minilm

    st = problem.state()
    if plan.cache is None:  # quantize each layer once, not once per forward batch
        plan.cache = WeightCache()
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
        "avg_bits": average_weight_bits(st["model"], plan),
    }
    if with_eval:
        rec["eval"] = evaluate_minilm(st["model"], plan, items_out=items)
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


def per_channel_lp_search(problem, n: int, fc: FitnessConfig) -> dict:
    """Best uniform per-channel ``LP<n, es, rs, sf per row>`` by calibration fitness over
    ``es`` 0..2 and ``rs = n - 1`` (and ``rs = 2`` for ``n <= 5``): the saved single-LP
    optima have ``rs = n - 1`` for ``n >= 5`` and ``rs = 2`` at ``n = 4``."""
    names = problem.layer_names
    best = None
    evals = 0
    for es in (0, 1, 2):
        for rs in sorted({n - 1, 2} if n <= 5 else {n - 1}):
            q = PerChannelLP(n, es, rs)
            rec = _score(problem, QuantPlan(dict.fromkeys(names, q)), fc, 8, False)
            evals += 1
            if best is None or rec["fitness"] < best[0]["fitness"]:
                best = (rec, (n, es, rs))
    return {"lp": best[1], "grid_evaluations": evals, **best[0]}


class _Recorder(QuantPlan):
    """A plan that records (a subsample of) every layer's input activation."""

    def __init__(self, max_values: int, seed: int = 0) -> None:
        super().__init__()
        self.max_values = max_values
        self.rng = np.random.default_rng(seed)
        self.seen: dict[str, list[np.ndarray]] = {}

    def act(self, name: str, x: np.ndarray) -> np.ndarray:
        v = np.asarray(x, dtype=np.float32).ravel()
        if v.size > self.max_values:
            v = v[self.rng.choice(v.size, self.max_values, replace=False)]
        self.seen.setdefault(name, []).append(v)
        return x


def calibration_activations(problem, max_values: int = 1 << 17) -> dict[str, np.ndarray]:
    """Input activations of every linear layer on the calibration data (FP32 model; a random
    subsample of at most ``max_values`` per layer, seed 0)."""
    st = problem.state()
    rec = _Recorder(max_values)
    problem._reps(st["model"], rec)
    return {k: np.concatenate(v) for k, v in rec.seen.items()}


def _fmt_lp(t) -> str:
    n, es, rs, sf = t
    return str(logposit_format(n, es, rs, sf))


def best_saved_genome(results_dir: str | Path, max_bits: float = 6.0):
    """The weight genome of the lowest-fitness saved GA run with a ``max_bits`` cap."""
    from lognum.lpq.ga import LPQResult

    best = None
    for f in sorted(Path(results_dir).glob("ga_cap*.json")):
        r = LPQResult.from_json(f)
        cap = (r.config.get("space") or {}).get("max_avg_bits")
        if cap is not None and cap <= max_bits and (best is None or r.best_fitness < best[0]):
            best = (r.best_fitness, r, f.name)
    return best


def _genome(d: Path, genome_file):
    if genome_file is None:
        return best_saved_genome(d)
    from lognum.lpq.ga import LPQResult

    r = LPQResult.from_json(genome_file)
    return r.best_fitness, r, Path(genome_file).name


def run_baselines(
    out: str | Path,
    n_calib: int = 24,
    calib_len: int = 48,
    fc: FitnessConfig | None = None,
    single_lp_n: tuple[int, ...] = (4, 5, 6, 7, 8),
    include_fp32: bool = True,
    groups: tuple[str, ...] = GROUPS,
    genome_file: str | Path | None = None,
    methods: tuple[str, ...] | None = None,
    hawq: dict | None = None,
    problem=None,
) -> list[dict]:
    """Score the baselines of ``groups`` and write all records to ``out`` (JSON).

    Records of groups not re-run are kept from an existing ``out``; the per-item values of
    every evaluated record go to ``items/`` beside ``out``.  The rows built on a GA genome use
    ``genome_file`` (a saved run), by default the lowest-fitness ``ga_cap*.json`` beside
    ``out`` (:func:`best_saved_genome`; the file used is recorded as ``source``).
    ``methods``: only the rows with these labels (and only their records are replaced).
    ``hawq``: keyword arguments of :func:`lognum.lpq.hawq.run_hawq` (``probes``, ``rel_eps``,
    ``max_avg_bits``, ``seed``) for the ``hawq`` group.  ``problem``: the calibration problem
    (default ``MiniLMProblem(n_calib, calib_len)``; the held-out metrics are MiniLM's).
    """
    from lognum._progress import Progress
    from lognum.lpq.evaluate import items_path, save_items
    from lognum.lpq.problems import MiniLMProblem

    bad = [g for g in groups if g not in GROUPS]
    if bad:
        raise ValueError(f"groups must be among {GROUPS}, got {bad}")
    fc = fc or FitnessConfig()
    prob = MiniLMProblem(n_calib=n_calib, calib_len=calib_len) if problem is None else problem
    st = prob.state()
    names = st["names"]
    out = Path(out)
    old = json.loads(out.read_text()) if out.is_file() else []
    if methods is None:
        recs: list[dict] = [r for r in old if r.get("group", r.get("family")) not in groups]
    else:
        recs = [r for r in old if r["method"] not in methods]
    if include_fp32:
        recs = [r for r in recs if r.get("family") != "fp32"]

    def save():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(recs, indent=1))

    def add(label, family, group, plan, **extra):
        if methods is not None and label not in methods:
            return
        t0 = time.perf_counter()
        items: dict = {}
        rec = {"method": label, "family": family, "group": group, **extra}
        rec.update(_score(prob, plan, fc, 8, True, items))
        rec["eval"]["avg_bits"] = rec["avg_bits"]
        rec["seconds"] = time.perf_counter() - t0
        save_items(items_path(out.parent, f"baselines:{label}"), items)
        recs.append(rec)
        save()

    def missing(label, family, group, e):
        recs.append(
            {
                "method": label,
                "family": family,
                "group": group,
                "missing": f"{type(e).__name__}: {e}",
            }
        )
        save()

    sizes = {
        "fixed": len(FIXED),
        "alps": len(ALPS_CONFIGS),
        "single-lp": len(single_lp_n),
        "per-channel": len(PER_CHANNEL),
        "mx": len(MX_ROWS),
        "per-channel-lp": len(single_lp_n) + 1,
        "w+a": 13,
        "gptq": 4,
        "hawq": len(HAWQ_ROWS),
    }
    bar = Progress(sum(sizes[g] for g in groups) + include_fp32, "baselines")
    if include_fp32:
        add("FP32", "fp32", "fp32", QuantPlan())
        bar.update(1)
    if "fixed" in groups:
        for label, spec, per_tensor in FIXED:
            try:
                q = fixed_quantizer(spec, per_tensor)
            except Exception as e:  # noqa: BLE001 - recorded, not hidden
                missing(label, "fixed", "fixed", e)
            else:
                add(label, "fixed", "fixed", QuantPlan(dict.fromkeys(names, q)), format=str(q))
            bar.update(1, label)
    if "alps" in groups:
        gains = noise_gains(prob)
        for n, es in ALPS_CONFIGS:
            label = f"ALPS GP n={n} es={es}"
            try:
                fmts, detail = alps_plan(prob, n, es, gains=gains)
            except Exception as e:  # noqa: BLE001
                missing(label, "alps", "alps", e)
            else:
                add(label, "alps", "alps", QuantPlan(fmts), formats=detail)
            bar.update(1, label)
    from lognum.lpq.report import saved_baselines

    single: dict[int, str] = {  # this file's records, else those of baselines*.json beside it
        int(r["method"].rsplit("=", 1)[1]): r["format"]
        for r in [*saved_baselines(out.parent), *recs]
        if r.get("family") == "single-lp" and "format" in r
    }
    if "single-lp" in groups or ("w+a" in groups and not single):
        for n in single_lp_n:
            r = single_lp_search(prob, n, fc)
            single[n] = r["format"]
            plan = QuantPlan(dict.fromkeys(names, parse(r["format"])))
            add(
                f"single LP n={n}",
                "single-lp",
                "single-lp",
                plan,
                format=r["format"],
                grid_evaluations=r["grid_evaluations"],
            )
            bar.update(1, r["format"])
    if "per-channel" in groups:
        for label, n, clip in PER_CHANNEL:
            q = PerChannelInt(n, clip)
            add(label, "per-channel", "per-channel", QuantPlan(dict.fromkeys(names, q)))
            bar.update(1, label)
    if "mx" in groups:
        for label, el in MX_ROWS:
            q = MXQuant(el)
            add(label, "mx", "mx", QuantPlan(dict.fromkeys(names, q)))
            bar.update(1, label)
    if "per-channel-lp" in groups:
        for n in single_lp_n:
            r = per_channel_lp_search(prob, n, fc)
            q = PerChannelLP(*r["lp"])
            add(
                f"LP n={n} per-channel sf (lognum extension)",
                "per-channel-lp",
                "per-channel-lp",
                QuantPlan(dict.fromkeys(names, q)),
                format=str(q),
                grid_evaluations=r["grid_evaluations"],
            )
            bar.update(1, str(q))
        best = _genome(out.parent, genome_file)
        if best is not None:
            _, res, fname = best
            w = {
                nm: PerChannelLP(*(int(v) for v in res.best_genome[i, :3]))
                for i, nm in enumerate(names)
            }
            add(
                "LPQ GA genome (<= 6 b) + per-channel sf (lognum extension)",
                "per-channel-lp",
                "per-channel-lp",
                QuantPlan(w),
                source=fname,
            )
        bar.update(1)
    if "w+a" in groups:
        acts = calibration_activations(prob)
        tok8 = PerTokenInt(8)
        for n in (8, 6, 4):
            w = PerChannelInt(n, "mse" if n < 8 else "absmax")
            add(
                f"W{n}A8 INT per-channel {w.clip} / per-token INT8",
                "w+a",
                "w+a",
                QuantPlan(dict.fromkeys(names, w), dict.fromkeys(names, tok8)),
            )
            bar.update(1)
        a_int = {nm: PerTensorInt(8, calibrate_scale(acts[nm], 8)) for nm in names}
        add(
            "W8A8 INT per-channel absmax / static per-tensor INT8 (calibrated)",
            "w+a",
            "w+a",
            QuantPlan(dict.fromkeys(names, PerChannelInt(8)), a_int),
        )
        bar.update(1)
        fp8 = fixed_quantizer("float8_e4m3fn", True)
        add(
            "W8A8 FP8 e4m3 per-tensor (dynamic)",
            "w+a",
            "w+a",
            QuantPlan(dict.fromkeys(names, fp8), dict.fromkeys(names, fp8)),
        )
        bar.update(1)
        for label, we, ae in (
            ("MXFP8", "fp8_e4m3", "fp8_e4m3"),
            ("MXFP6", "fp6_e2m3", "fp6_e2m3"),
            ("MXFP4", "fp4_e2m1", "fp4_e2m1"),
            ("W MXFP4 / A MXFP8", "fp4_e2m1", "fp8_e4m3"),
        ):
            add(
                f"{label} weights + activations" if "/" not in label else label,
                "w+a",
                "w+a",
                QuantPlan(dict.fromkeys(names, MXQuant(we)), dict.fromkeys(names, MXQuant(ae))),
            )
            bar.update(1)
        a_lp = {nm: calibrate_lp(acts[nm], 8) for nm in names}
        a_plan = {nm: logposit_format(*t) for nm, t in a_lp.items()}
        for n in (8, 6, 4):
            if n not in single:
                continue
            wq = parse(single[n])
            add(
                f"W{n}A8 LP: {single[n]} / LP<8> per layer (calibrated)",
                "w+a",
                "w+a",
                QuantPlan(dict.fromkeys(names, wq), a_plan),
                act_formats={nm: _fmt_lp(t) for nm, t in a_lp.items()},
            )
            bar.update(1)
        best = _genome(out.parent, genome_file)
        if best is not None:
            _, res, fname = best
            wq = {nm: logposit_format(*res.best_genome[i]) for i, nm in enumerate(names)}
            add(
                "W6A8 LP: LPQ GA genome (<= 6 b) / LP<8> per layer (calibrated)",
                "w+a",
                "w+a",
                QuantPlan(wq, a_plan),
                source=fname,
            )
        bar.update(1)
    if "gptq" in groups:
        from lognum.lpq.gptq import gptq_plan

        for n in (4, 6):
            add(f"INT{n} per-channel mse + GPTQ", "gptq", "gptq", gptq_plan(prob, "int", n))
            bar.update(1)
            if n in single:
                fmt = parse(single[n])
                add(
                    f"{single[n]} (single LP n={n}) + GPTQ",
                    "gptq",
                    "gptq",
                    gptq_plan(prob, "lp", n, fmt),
                )
            bar.update(1)
    if "hawq" in groups:
        from lognum.lpq.hawq import run_hawq

        kw = dict(hawq or {})
        b = float(kw.get("max_avg_bits", 6.0))
        rows = [(k, lab.format(b=b)) for k, lab in HAWQ_ROWS]
        rows = [(k, lab) for k, lab in rows if methods is None or lab in methods]
        if rows:
            t0 = time.perf_counter()
            h = run_hawq(prob, kinds=tuple(k for k, _ in rows), **kw)
            tsec = time.perf_counter() - t0
            for k, lab in rows:
                add(lab, "hawq", "hawq", h["plans"][k], hawq=h["details"][k], search_seconds=tsec)
                bar.update(1, lab)
    bar.close()
    save()
    return recs


def baseline_plan(rec: dict, names: list[str]) -> QuantPlan | None:
    """The weight plan of a saved baseline record (``None`` for W+A, GPTQ and genome-based
    rows, which are not rebuilt from the record)."""
    fam = rec.get("family")
    if fam == "fp32":
        return QuantPlan()
    if fam == "fixed":
        spec = {label: (sp, pt) for label, sp, pt in FIXED}.get(rec["method"])
        if spec is None:
            return None
        return QuantPlan(dict.fromkeys(names, fixed_quantizer(*spec)))
    if fam == "alps":
        f = rec["formats"]["formats"]
        return QuantPlan({nm: parse(f[nm]) for nm in names})
    if fam == "single-lp":
        return QuantPlan(dict.fromkeys(names, parse(rec["format"])))
    if fam == "per-channel":
        spec = {label: (n, clip) for label, n, clip in PER_CHANNEL}.get(rec["method"])
        return None if spec is None else QuantPlan(dict.fromkeys(names, PerChannelInt(*spec)))
    if fam == "mx":
        el = dict(MX_ROWS).get(rec["method"])
        return None if el is None else QuantPlan(dict.fromkeys(names, MXQuant(el)))
    if fam == "hawq" and "hawq" in rec:
        f = rec["hawq"]["formats"]
        if rec["method"].startswith("HAWQ-style INT"):
            from lognum.lpq.hawq import per_channel_int_from_label

            return QuantPlan({nm: per_channel_int_from_label(f[nm]) for nm in names})
        return QuantPlan({nm: parse(f[nm]) for nm in names})
    if fam == "per-channel-lp" and "format" in rec:
        q = PerChannelLP.from_label(rec["format"])
        return None if q is None else QuantPlan(dict.fromkeys(names, q))
    return None


def reevaluate_baselines(
    out: str | Path, n_calib: int = 24, calib_len: int = 48, force: bool = False
) -> list[str]:
    """Evaluate the saved baseline records of ``out`` again from their saved formats
    (:func:`baseline_plan`; no re-search), adding the word-set metrics and the per-item
    values; records whose items exist are skipped unless ``force``.  Returns the methods
    evaluated."""
    from lognum._progress import Progress
    from lognum.lpq.evaluate import average_weight_bits, evaluate_minilm, items_path, save_items
    from lognum.lpq.problems import MiniLMProblem

    out = Path(out)
    recs = json.loads(out.read_text())
    prob = MiniLMProblem(n_calib=n_calib, calib_len=calib_len)
    st = prob.state()
    todo = []
    for r in recs:
        if "missing" in r:
            continue
        p = items_path(out.parent, f"baselines:{r['method']}")
        if (force or not p.is_file()) and baseline_plan(r, st["names"]) is not None:
            todo.append(r)
    bar = Progress(len(todo), "re-evaluate baselines")
    for r in todo:
        plan = baseline_plan(r, st["names"])
        plan.cache = WeightCache()
        items: dict = {}
        r["eval"] = evaluate_minilm(st["model"], plan, items_out=items)
        r["avg_bits"] = r["eval"]["avg_bits"] = average_weight_bits(st["model"], plan)
        if "L_GL" not in r:
            loc, glob = prob.loss_terms(plan, FitnessConfig())
            r["L_GL"] = loc + glob
        save_items(items_path(out.parent, f"baselines:{r['method']}"), items)
        cur = json.loads(out.read_text())  # another process may have added records
        cur = [r if c["method"] == r["method"] else c for c in cur]
        out.write_text(json.dumps(cur, indent=1))
        bar.update(1, r["method"])
    bar.close()
    return [r["method"] for r in todo]
