"""HAWQ-style mixed precision: Hessian-trace sensitivity and a bit allocation under a budget.

**Reconstruction without gradients.** HAWQ-V2 (Dong et al., NeurIPS 2020) measures each
layer's sensitivity by the average trace of the Hessian of the loss with respect to that
layer's weights, estimated with Hutchinson's method through Hessian-vector products from
autograd, and weights it by the layer's quantization perturbation (HAWQ-V2, eq. 4):

    Omega_i(b) = Tr(H_i) / n_i * ||Q_b(W_i) - W_i||_2^2

HAWQ-V3 (Yao et al., ICML 2021) then picks one bit width per layer by an integer linear
programme: minimise ``sum_i Omega_i(b_i)`` under a model-size limit.  lognum's forward pass is
NumPy without autograd, so this module estimates the same traces from loss values only:

* the loss is a *distillation* loss against the FP32 model's own representations (the block
  outputs and the final output that the LPQ fitness also uses, :mod:`lognum.lpq.fitness`):
  ``L(W) = sum_r mean((z_r(W) - z_r^FP)^2) / mean((z_r^FP)^2)`` (:func:`distillation_mse`).
  It is 0 at the FP32 weights, which are therefore its minimum, and its Hessian there is the
  Gauss-Newton matrix (positive semi-definite) -- the situation HAWQ assumes (a trained model
  at a minimum of its loss).  The LPQ fitness ``L_GL`` itself is not used: its InfoNCE terms
  are not stationary at the FP32 weights (the gradient pushes the negatives further apart),
  so a Hessian trace alone would not describe its change;
* for a Rademacher direction ``v`` (entries +-1) and a step ``eps``, the central second
  difference ``(L(W + eps v) + L(W - eps v) - 2 L(W)) / eps^2 = v^T H v + O(eps^2)``
  (odd-order terms, the gradient among them, cancel);
* Hutchinson: ``Tr(H) = E_v[v^T H v]``, estimated by the mean over ``probes`` directions,
  with its standard error (std over probes / sqrt(probes)) and a percentile-bootstrap interval
  over the probes (:func:`hutchinson_trace`).  A probe costs two forward passes of the
  calibration batch; ``eps = rel_eps * rms(W_i)`` per layer.

The allocation is the exact multiple-choice-knapsack DP of :mod:`lognum.lpq.sensitivity`
(:func:`lognum.lpq.sensitivity.best_allocation`; it solves the same problem as HAWQ-V3's ILP
with the model-size constraint only), over the candidates of the project's sensitivity DP:

* ``"int"``: per-channel symmetric INT-n (:class:`lognum.lpq.quantizers.PerChannelInt`, one
  FP16 scale per output row, MSE-optimal clip by default), n in ``ns``; the scale storage
  (16 bits per row, whatever n) is charged to the budget;
* ``"lp"``: ``LP<n, es, rs, sf>`` moved from a uniform base format to each n
  (:func:`lognum.lpq.sensitivity.moved_gene`, base ``LP<6,0,5,4>``), one format per layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from lognum.nn.quant import QuantPlan

KINDS = ("int", "lp")


@dataclass(frozen=True)
class TraceEstimate:
    """A Hutchinson trace estimate: the mean of ``samples`` (one ``v^T H v`` per probe), its
    standard error, a 95 % percentile-bootstrap interval over the probes, and the step."""

    trace: float
    stderr: float
    ci: tuple[float, float]
    samples: tuple[float, ...]
    eps: float

    @property
    def probes(self) -> int:
        return len(self.samples)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ci"] = list(self.ci)
        d["samples"] = list(self.samples)
        d["probes"] = self.probes
        return d


def rademacher(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """A float64 array of independent +-1 entries."""
    return rng.integers(0, 2, size=shape).astype(np.float64) * 2.0 - 1.0


def hutchinson_trace(
    loss,
    shape: tuple[int, ...],
    eps: float,
    probes: int = 8,
    seed: int | list[int] = 0,
    base_loss: float | None = None,
    B: int = 2000,
) -> TraceEstimate:
    """Trace of the Hessian of ``loss`` at the current point from loss values only.

    ``loss(delta)`` returns the loss with the parameters moved by ``delta`` (an array of
    ``shape``); ``base_loss`` is ``loss(0)`` if the caller has it.  Each probe draws a
    Rademacher ``v`` (``default_rng(seed)``, probes drawn in order) and contributes
    ``(loss(eps v) + loss(-eps v) - 2 loss(0)) / eps^2``, an unbiased estimate of ``v^T H v``
    up to ``O(eps^2)`` (exact for a quadratic); their mean estimates ``Tr(H)``.  Raises
    ``ValueError`` for ``eps <= 0`` or ``probes < 2`` (the standard error needs two).
    """
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    if probes < 2:
        raise ValueError(f"probes must be >= 2, got {probes}")
    rng = np.random.default_rng(seed)
    l0 = float(loss(np.zeros(shape))) if base_loss is None else float(base_loss)
    s = np.empty(probes)
    for k in range(probes):
        d = eps * rademacher(shape, rng)
        s[k] = (float(loss(d)) + float(loss(-d)) - 2.0 * l0) / eps**2
    se = float(np.std(s, ddof=1) / np.sqrt(probes))
    boot = np.random.default_rng(0).choice(s, size=(B, probes)).mean(axis=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return TraceEstimate(float(np.mean(s)), se, (float(lo), float(hi)), tuple(map(float, s)), eps)


def distillation_mse(reps_q: list[np.ndarray], reps_fp: list[np.ndarray]) -> float:
    """``sum_r mean((z_q - z_fp)^2) / mean(z_fp^2)`` over the representations (0 at FP32)."""
    tot = 0.0
    for a, b in zip(reps_q, reps_fp, strict=True):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        tot += float(np.mean((a - b) ** 2) / max(float(np.mean(b**2)), 1e-300))
    return tot


def layer_traces(
    problem,
    rel_eps: float = 0.01,
    probes: int = 6,
    seed: int = 0,
    progress: bool = True,
) -> list[TraceEstimate]:
    """Hutchinson estimate of ``Tr(H_i)`` of :func:`distillation_mse` for every layer of
    ``problem`` (``eps_i = rel_eps * rms(W_i)``, directions ``default_rng([seed, i])``):
    ``2 * probes`` forward passes per layer, plus one to check that the loss is 0 at FP32."""
    from lognum._progress import Progress

    if not rel_eps > 0:
        raise ValueError(f"rel_eps must be > 0, got {rel_eps}")
    st = problem.state()
    model, names, fp = st["model"], st["names"], st["fp"]
    l0 = distillation_mse(problem._reps(model, QuantPlan()), fp)
    out = []
    bar = Progress(2 * len(names) * probes, "Hessian traces", enabled=progress)
    for i, nm in enumerate(names):
        w = model.weight_of(nm)
        w64 = w.astype(np.float64)

        def loss(delta, nm=nm, w=w, w64=w64):
            wp = (w64 + delta).astype(w.dtype)
            bar.update(1)
            return distillation_mse(problem._reps(model, QuantPlan({nm: lambda _w: wp})), fp)

        eps = rel_eps * float(np.sqrt(np.mean(w64**2)))
        out.append(hutchinson_trace(loss, w.shape, eps, probes, [seed, i], base_loss=l0))
    bar.close()
    return out


def candidates(problem, kind: str, ns: tuple[int, ...], base_lp=(6, 0, 5, 4), clip="mse"):
    """``q[i][j]``: the quantizer of layer ``i`` at word size ``ns[j]`` for ``kind``."""
    from lognum.lpq.fitness import logposit_format
    from lognum.lpq.quantizers import PerChannelInt
    from lognum.lpq.sensitivity import moved_gene

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    L = len(problem.layer_names)
    if kind == "int":
        row = [PerChannelInt(int(n), clip) for n in ns]
        return [row] * L
    base = np.asarray(base_lp, dtype=np.float64)
    row = [logposit_format(*moved_gene(base, int(n))) for n in ns]
    return [row] * L


def quantization_errors(problem, quants) -> np.ndarray:
    """``err[i, j] = ||Q_ij(W_i) - W_i||^2`` for the candidates of :func:`candidates`."""
    st = problem.state()
    model, names = st["model"], st["names"]
    err = np.zeros((len(names), len(quants[0])))
    for i, nm in enumerate(names):
        w = model.weight_of(nm)
        w64 = w.astype(np.float64)
        for j, q in enumerate(quants[i]):
            err[i, j] = float(np.sum((np.asarray(q.quantize(w), np.float64) - w64) ** 2))
    return err


def per_channel_int_from_label(label: str):
    """The :class:`~lognum.lpq.quantizers.PerChannelInt` named by its ``str`` (``"INT6
    per-channel mse"``, ``"INT4 per-channel percentile p99.9"``); ``ValueError`` otherwise."""
    import re

    from lognum.lpq.quantizers import PerChannelInt

    m = re.fullmatch(r"INT(\d+) per-channel (absmax|mse|percentile)(?: p([0-9.]+))?", label)
    if m is None:
        raise ValueError(f"label must read 'INT<n> per-channel <clip>', got {label!r}")
    n, clip, pct = m.groups()
    return PerChannelInt(int(n), clip, **({"percentile": float(pct)} if pct else {}))


def hawq_allocation(
    traces: np.ndarray,
    sizes: np.ndarray,
    errors: np.ndarray,
    ns: tuple[int, ...],
    max_avg_bits: float,
    overhead_bits: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """HAWQ-V3's size-constrained allocation: ``(n per layer, Omega table, total Omega)``.

    ``Omega[i, j] = traces[i] / sizes[i] * errors[i, j]`` (HAWQ-V2 eq. 4) is minimised
    subject to ``sum_i (ns[j_i] * sizes[i] + overhead_bits[i]) <= max_avg_bits * sum(sizes)``
    (``overhead_bits``: storage that does not depend on the word size, e.g. per-channel
    scales) by the exact DP of :func:`lognum.lpq.sensitivity.best_allocation`.  Raises
    ``ValueError`` if ``min(ns)`` everywhere with the overhead exceeds the budget.
    """
    from lognum.lpq.sensitivity import best_allocation

    traces = np.asarray(traces, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.int64)
    errors = np.asarray(errors, dtype=np.float64)
    if errors.shape != (len(sizes), len(ns)) or traces.shape != (len(sizes),):
        raise ValueError("traces, sizes and errors must describe the same layers and ns")
    over = np.zeros(len(sizes)) if overhead_bits is None else np.asarray(overhead_bits, float)
    budget = max_avg_bits - float(np.sum(over)) / float(np.sum(sizes))
    if budget < min(ns):
        raise ValueError(
            f"max_avg_bits must be >= {min(ns) + max_avg_bits - budget:.4f} "
            f"(min(ns) plus the overhead), got {max_avg_bits}"
        )
    omega = traces[:, None] / sizes[:, None] * errors
    alloc, total = best_allocation(omega, sizes, ns, budget)
    return alloc, omega, float(total)


def run_hawq(
    problem,
    kinds: tuple[str, ...] = KINDS,
    ns: tuple[int, ...] = (4, 5, 6, 7, 8),
    max_avg_bits: float = 6.0,
    rel_eps: float = 0.01,
    probes: int = 6,
    seed: int = 0,
    base_lp=(6, 0, 5, 4),
    clip: str = "mse",
    traces: list[TraceEstimate] | None = None,
    progress: bool = True,
) -> dict:
    """Traces (estimated once, or ``traces``) and the allocation of every kind.

    Returns ``{"traces": [TraceEstimate], "plans": {kind: QuantPlan}, "details": {kind:
    JSON-able dict with the layer formats, Omega table, predicted total and the trace
    estimates}}``.
    """
    from lognum.lpq.quantizers import storage_bits

    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise ValueError(f"kinds must be among {KINDS}, got {bad}")
    st = problem.state()
    names, sizes, model = st["names"], np.asarray(st["sizes"]), st["model"]
    if traces is None:
        traces = layer_traces(problem, rel_eps, probes, seed, progress)
    tr = np.array([t.trace for t in traces])
    plans, details = {}, {}
    for kind in kinds:
        quants = candidates(problem, kind, ns, base_lp, clip)
        err = quantization_errors(problem, quants)
        over = None
        if kind == "int":  # scale storage: bits per weight above n, times the layer size
            over = np.array(
                [
                    (storage_bits(quants[i][0], model.weight_of(nm).shape) - ns[0]) * sizes[i]
                    for i, nm in enumerate(names)
                ]
            )
        alloc, omega, total = hawq_allocation(tr, sizes, err, ns, max_avg_bits, over)
        js = [ns.index(int(n)) for n in alloc]
        w = {nm: quants[i][js[i]] for i, nm in enumerate(names)}
        plans[kind] = QuantPlan(w)
        details[kind] = {
            "ns": list(ns),
            "max_avg_bits": max_avg_bits,
            "formats": {nm: str(q) for nm, q in w.items()},
            "n": [int(n) for n in alloc],
            "omega": omega.tolist(),
            "sq_errors": err.tolist(),
            "predicted_omega": total,
            "rel_eps": rel_eps,
            "traces": [t.to_dict() for t in traces],
        }
    return {"traces": traces, "plans": plans, "details": details}
