"""GPTQ-LP diagnosis, per layer: relative output error ``||X (W - Q)^T||^2 / ||X W^T||^2`` of
round-to-nearest LP<6,0,5,4>, GPTQ feeding back the full error (the behaviour before the fix:
``gptq_quantize`` without ``limit``) and GPTQ feeding back only the rounding error of the
clipped weight, on the calibration Hessian and on that of 24 other background texts
(``offset=100``), with the share of weights at +-maxpos.  Printed; run from the repository
root: ``PYTHONPATH=. nice -n 19 python results/lpq/gptq/gptq_saturation_layers.py``."""

import numpy as np

from lognum.lpq.fitness import logposit_format
from lognum.lpq.gptq import calibration_hessians, format_column_quantizer, gptq_quantize
from lognum.lpq.problems import MiniLMProblem

p = MiniLMProblem()
st = p.state()
m = st["model"]
hs = calibration_hessians(p)
ho = calibration_hessians(MiniLMProblem(offset=100))  # other background docs: held-out inputs
fmt = logposit_format(6, 0, 5, 4)
mp = 1.0
for nm in [st["names"][5], st["names"][11], st["names"][4]]:
    w = m.weight_of(nm).astype(np.float64)
    h = hs[nm]
    print(
        nm,
        "in",
        w.shape[1],
        "rank H calib",
        np.linalg.matrix_rank(h),
        "held-out",
        np.linalg.matrix_rank(ho[nm]),
    )

    def oerr(q, H, w=w):
        d = w - q
        return float(np.einsum("ij,jk,ik->", d, H, d) / np.einsum("ij,jk,ik->", w, H, w))

    rtn = np.asarray(fmt.quantize(w), dtype=np.float64)
    g = gptq_quantize(w, h, format_column_quantizer(fmt))
    # variant: feed back only the rounding error of the clipped weight
    ww = w.copy()
    hh = h.copy()
    hh[np.diag_indices_from(hh)] += 0.01 * np.mean(np.diag(hh))
    u = np.linalg.cholesky(np.linalg.inv(hh)).T
    q = np.empty_like(ww)
    for j in range(ww.shape[1]):
        q[:, j] = np.asarray(fmt.quantize(ww[:, j]), dtype=np.float64)
        e = (np.clip(ww[:, j], -mp, mp) - q[:, j]) / u[j, j]
        ww[:, j + 1 :] -= np.outer(e, u[j, j + 1 :])
    for lab, qq in (("rtn", rtn), ("gptq", g), ("gptq no-sat-feedback", q)):
        print(
            f"  {lab:22s} calib {oerr(qq, h):.3e} held-out {oerr(qq, ho[nm]):.3e}  "
            f"max|q-w| {np.abs(qq - w).max():.3f} frac |q|=maxpos {np.mean(np.abs(qq) >= mp):.2e}"
        )
