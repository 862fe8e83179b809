"""GPTQ-LP diagnosis: end-to-end effect of feeding back the clipping error of
weights beyond an LP format's maxpos.  Run from the repository root with
``PYTHONPATH=. OPENBLAS_NUM_THREADS=1 nice -n 19 python results/lpq/gptq/gptq_saturation.py``
(writes /tmp/gptq_diag3.json, copied to saturation_diagnosis.json).  Made with the code
*before* the fix, where ``gptq_quantize`` had no ``limit`` and fed back the full ``w - q``;
with the fixed module the "gptq" rows equal ``gptq_plan(..., feed_saturation=True)``."""

import json

import numpy as np

from lognum.lpq.evaluate import evaluate_minilm
from lognum.lpq.fitness import FitnessConfig, logposit_format
from lognum.lpq.gptq import GPTQWeights, calibration_hessians
from lognum.lpq.problems import MiniLMProblem
from lognum.nn.quant import QuantPlan

p = MiniLMProblem()
st = p.state()
m = st["model"]
hs = calibration_hessians(p)
out = {}
for n, fmt in ((6, logposit_format(6, 0, 5, 4)), (4, logposit_format(4, 1, 2, 4))):
    mp = float(fmt.quantize(np.array([1e9]))[0])

    def gq(w, h, nosat, fmt=fmt, mp=mp):
        ww = w.copy()
        hh = h.copy()
        hh[np.diag_indices_from(hh)] += 0.01 * np.mean(np.diag(hh))
        u = np.linalg.cholesky(np.linalg.inv(hh)).T
        q = np.empty_like(ww)
        for j in range(ww.shape[1]):
            q[:, j] = np.asarray(fmt.quantize(ww[:, j]), dtype=np.float64)
            src = np.clip(ww[:, j], -mp, mp) if nosat else ww[:, j]
            ww[:, j + 1 :] -= np.outer((src - q[:, j]) / u[j, j], u[j, j + 1 :])
        return q

    variants = {
        "gptq": {},
        "gptq no-sat-feedback": {},
        "gptq, RTN where max|w|>maxpos": {},
        "rtn": {},
    }
    nsat = 0
    for nm in st["names"]:
        w = m.weight_of(nm).astype(np.float64)
        h = hs[nm]
        rtn = np.asarray(fmt.quantize(w), dtype=np.float64)
        g = gq(w, h, False)
        sat = np.abs(w).max() > mp
        nsat += sat
        variants["gptq"][nm] = g
        variants["gptq no-sat-feedback"][nm] = gq(w, h, True)
        variants["gptq, RTN where max|w|>maxpos"][nm] = rtn if sat else g
        variants["rtn"][nm] = rtn
    print(fmt, "maxpos", mp, "layers with max|w| > maxpos:", nsat, flush=True)
    for lab, qs in variants.items():
        plan = QuantPlan({nm: GPTQWeights(q, n, n, lab) for nm, q in qs.items()})
        loc, glob = p.loss_terms(plan, FitnessConfig())
        ev = evaluate_minilm(m, plan, polarity=False)
        out[f"{fmt} {lab}"] = {"L_GL": loc + glob, **ev}
        print(
            f"  {lab:32s} L_GL {loc + glob:.4f} cos_lee {ev['cos_lee']:.4f} "
            f"lee_pearson {ev['lee_pearson']:.4f} simlex {ev['simlex999_spearman']:.4f}",
            flush=True,
        )
json.dump(out, open("/tmp/gptq_diag3.json", "w"), indent=1)
