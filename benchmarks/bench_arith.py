"""Speed of correctly rounded posit / LP arithmetic against softposit and NumPy.

``python benchmarks/bench_arith.py [m]`` (default m = 10^7 elements): add and mul of m
posit<8,2>, posit<16,2>, posit<32,2> and LP<8,1,5,0> operands, on codes (``fmt.add_codes``)
and on float values (``fmt.add``: encode, check, operate, decode), against

* softposit's fastest Python path (``pX2_add`` / ``p32_add`` on reused ``posit_2_t`` /
  ``posit32_t`` structs, one call per element; timed on 2*10^4 elements, per element), and
* ``numpy.add`` of two float32 arrays of m elements (the "within 3x" reference).

Interleaved rounds (a warm-up, then every case once per round in shuffled order); each case's
time is its fastest round (as ``timeit`` advises: on a shared machine the slower rounds measure
the other jobs, and the medians of a busy machine moved the ratios by up to 2x between runs).
Quote the ratios, which are measured in the same run.
LP<8,1,5,0> has no softposit counterpart; its softposit ratio uses posit<8,2>'s ``pX2_add``.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

SOFT = 20_000
ROUNDS = 9


def _softposit_thunk(n: int, op: str, ca: np.ndarray, cb: np.ndarray) -> Callable[[], object]:
    import softposit as sp

    if n == 32:
        a, b, f, shift, extra = sp.posit32_t(), sp.posit32_t(), getattr(sp, f"p32_{op}"), 0, ()
    else:
        a, b = sp.posit_2_t(), sp.posit_2_t()
        f, shift, extra = getattr(sp, f"pX2_{op}"), 32 - n, (n,)
    xs = [int(x) << shift for x in ca[:SOFT]]
    ys = [int(y) << shift for y in cb[:SOFT]]

    def run() -> list[int]:
        out = []
        for x, y in zip(xs, ys, strict=True):
            a.v = x
            b.v = y
            out.append(f(a, b, *extra).v)
        return out

    return run


def main(m: int) -> None:
    import lognum as ln

    rng = np.random.default_rng(0)
    x32 = rng.standard_normal(m).astype(np.float32)
    y32 = rng.standard_normal(m).astype(np.float32)
    cases: dict[str, tuple[Callable[[], object], int]] = {
        "numpy float32 add": (lambda: np.add(x32, y32), m)
    }
    labels = []
    for spec in ("posit<8,2>", "posit<16,2>", "posit<32,2>", "LP<8,1,5,0>"):
        fmt = ln.parse(spec)
        carrier = np.float32 if fmt.n <= 16 else np.float64
        a = fmt.quantize(x32.astype(carrier))
        b = fmt.quantize(y32.astype(carrier))
        ca, cb = fmt.encode(a), fmt.encode(b)
        for op in ("add", "mul"):
            fc = getattr(fmt, f"{op}_codes")
            ff = getattr(fmt, op)
            fc(ca[:1000], cb[:1000])  # warm: tables, compilation
            ff(a[:1000], b[:1000])
            cases[f"{spec} {op}_codes"] = ((lambda fc=fc, ca=ca, cb=cb: fc(ca, cb)), m)
            label = f"{spec} {op} ({np.dtype(carrier).name})"
            cases[label] = ((lambda ff=ff, a=a, b=b: ff(a, b)), m)
            n_sp = 8 if spec.startswith("LP") else fmt.n
            cases[f"softposit posit<{n_sp},2> {op} [{spec}]"] = (
                _softposit_thunk(
                    n_sp,
                    op,
                    ca.astype(np.uint64) if not spec.startswith("LP") else ln.Posit(8, 2).encode(a),
                    cb if not spec.startswith("LP") else ln.Posit(8, 2).encode(b),
                ),
                SOFT,
            )
            labels.append((spec, op))
    times: dict[str, list[float]] = {k: [] for k in cases}
    names = list(cases)
    for fn, _ in cases.values():
        fn()
    for r in range(ROUNDS):
        random.Random(r).shuffle(names)
        for k in names:
            fn, size = cases[k]
            t = time.perf_counter()
            fn()
            times[k].append((time.perf_counter() - t) / size)
    med = {k: float(np.min(v)) for k, v in times.items()}
    print(
        f"m = {m:,} elements, {ROUNDS} interleaved rounds, fastest round, ns/element "
        f"(softposit on {SOFT:,} elements)"
    )
    for k in cases:
        print(f"  {k:48s} {med[k] * 1e9:10.2f}")
    np_t = med["numpy float32 add"]
    print(
        "\nratios (softposit / lognum: goal >= 1000; lognum / numpy float32 add: goal <= 3 "
        "for 8/16 bits)"
    )
    for spec, op in labels:
        n_sp = 8 if spec.startswith("LP") else ln.parse(spec).n
        sp_t = med[f"softposit posit<{n_sp},2> {op} [{spec}]"]
        for kind in (f"{op}_codes", f"{op} (float32)", f"{op} (float64)"):
            k = f"{spec} {kind}"
            if k in med:
                print(
                    f"  {k:34s} x{sp_t / med[k]:9.0f} vs softposit   "
                    f"{med[k] / np_t:6.2f}x numpy add"
                )


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000)
