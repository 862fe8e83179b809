"""Hardware-aware LPQ: the simulated energy (or latency) of a genome on the LPA as the
compression term of the LPQ fitness.

The bits-based fitness of :mod:`lognum.lpq.fitness` is ``L_F = L_GL + lam L_C`` with
``L_C = sum_l n_l |theta_l| / (n_max sum_l |theta_l|)``. Here the compression term is

    L_HW = cost(genome) / cost(every linear layer at 8 bits)

with ``cost`` the energy per inference (pJ) or the cycles per inference of all-MiniLM-L6-v2 on
the mixed-precision LP accelerator (:func:`lognum.hw.model.run_model`, the array of
:func:`lognum.hw.codesign.default_config`, ``tokens`` tokens). A layer's cost depends only on
its own word size ``n`` (its PE mode and the bits it stores and moves), so ``cost`` is the sum of
a per-layer table over ``n`` in 4..8 simulated once per process (:func:`layer_costs`), plus the
attention matmuls (8-bit mode, independent of the genome). It is not linear in ``n``: a layer
of at most 4 bits runs two products per cycle.

lognum.lpq has no hook for the compression term, so :class:`HardwareAwareMiniLM` (a
:class:`~lognum.lpq.problems.MiniLMProblem`) adds ``lam_hw L_HW`` to the *global* term it
returns and the search runs with ``FitnessConfig(lam=0)``; :func:`run_hw_lpq` then recomputes
the pure terms of the best genome (``L_GL``, the bits ``L_C`` and ``L_HW``) and stores them
under ``hw`` in the result, with this note.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lognum.lpq.problems import MiniLMProblem

__all__ = ["layer_costs", "genome_cost", "HardwareAwareMiniLM", "run_hw_lpq", "METRICS"]

METRICS = ("energy", "cycles")
_COSTS: dict[tuple, dict] = {}


def layer_costs(metric: str = "energy", tokens: int = 128) -> dict[str, Any]:
    """``{"layers": {name: {n: cost}}, "fixed": cost of the attention matmuls,
    "ref": cost with every linear layer at 8 bits}`` on the LPA (cached per process)."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    key = (metric, tokens)
    if key in _COSTS:
        return _COSTS[key]
    from lognum.hw.codesign import default_config
    from lognum.hw.model import ACCELERATORS, Formats, model_layers, run_model

    names = [m.weight for m in model_layers("minilm", tokens) if m.weight is not None]
    table: dict[str, dict[int, float]] = {nm: {} for nm in names}
    for n in range(4, 9):
        fm = Formats(
            ACCELERATORS["lpa"],
            dict.fromkeys(names, (n, f"LP<{n},0,{n - 1},4>")),
            None,
            f"all LP<{n}>",
        )
        res = run_model("minilm", fm, tokens, default_config(), progress=False)
        for r in res.layers:
            c = r.energy_pj if metric == "energy" else float(r.cycles)
            if r.kind != "attention":
                table[r.name][n] = c
    # the attention matmuls run in the 8-bit mode whatever the genome (last run: n = 8)
    fixed = sum(
        (r.energy_pj if metric == "energy" else float(r.cycles))
        for r in res.layers
        if r.kind == "attention"
    )
    ref = fixed + sum(v[8] for v in table.values())
    _COSTS[key] = {"layers": table, "fixed": fixed, "ref": ref}
    return _COSTS[key]


def genome_cost(
    bits: list[int] | np.ndarray, names: list[str], metric: str = "energy", tokens: int = 128
) -> float:
    """``L_HW``: the cost of per-layer word sizes ``bits`` over the all-8-bit cost."""
    c = layer_costs(metric, tokens)
    tot = c["fixed"] + sum(c["layers"][nm][int(b)] for nm, b in zip(names, bits, strict=True))
    return tot / c["ref"]


@dataclass(frozen=True)
class HardwareAwareMiniLM(MiniLMProblem):
    """MiniLM with ``lam_hw L_HW`` added to the global loss term (module docstring)."""

    lam_hw: float = 0.3
    metric: str = "energy"
    tokens: int = 128

    def loss_terms(self, plan, cfg) -> tuple[float, float]:
        loc, glob = super().loss_terms(plan, cfg)
        names = self.layer_names
        bits = [int(plan.weights[nm].n) for nm in names]
        return loc, glob + self.lam_hw * genome_cost(bits, names, self.metric, self.tokens)


def run_hw_lpq(
    out: str | Path,
    seed: int = 0,
    lam_hw: float = 0.3,
    metric: str = "energy",
    tokens: int = 128,
    workers: int = 2,
    generations: int | None = None,
) -> dict:
    """Run the LPQ GA with the hardware term (default GA settings, ``lam = 0``) and save the
    result JSON (the format of ``results/lpq``) with the pure terms under ``hw``."""
    from lognum.lpq.evaluate import evaluate_minilm
    from lognum.lpq.fitness import FitnessConfig, compression_loss, logposit_format
    from lognum.lpq.ga import GAConfig, process_pool, run_lpq
    from lognum.lpq.genome import SearchSpace

    prob = HardwareAwareMiniLM(lam_hw=lam_hw, metric=metric, tokens=tokens)
    space = SearchSpace(sf=tuple(float(s) for s in range(2, 7)))
    ga = (
        GAConfig(seed=seed) if generations is None else GAConfig(seed=seed, generations=generations)
    )
    fc = FitnessConfig(lam=0.0)
    t0 = time.perf_counter()
    if workers > 1:
        with process_pool(workers) as ex:
            res = run_lpq(prob, space, ga, fc, executor=ex)
    else:
        res = run_lpq(prob, space, ga, fc)
    d = json.loads(res.to_json())
    st = prob.state()
    g = res.best_genome
    plan = prob.plan_for(g, logposit_format)
    loc, glob = MiniLMProblem.loss_terms(prob, plan, fc)
    names = prob.layer_names
    d["hw"] = {
        "note": "search fitness = L_GL + lam_hw * L_HW with the hardware term added to the "
        "global term (lognum.lpq has no hook for the compression term) and lam = 0; the pure "
        "terms of the best genome follow",
        "metric": metric,
        "lam_hw": lam_hw,
        "tokens": tokens,
        "L_GL": fc.w_local * loc + fc.w_global * glob,
        "L_C_bits": compression_loss(g, prob.layer_sizes, space.n_max),
        "L_HW": genome_cost(g[: len(names), 0], names, metric, tokens),
        "seconds": time.perf_counter() - t0,
    }
    d["eval"] = evaluate_minilm(st["model"], plan)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(d, indent=1))
    return d
