"""Speed of the teaching-taxonomy formats against their usual references.

Interface for ``benchmarks/bench_quantize.py``::

    from bench_baselines import rows, PAIRS
    for label, fn in rows(x):        # x: 1-D float32 array (10^7 N(0,1) values)
        ...time fn()...              # every fn takes no argument and returns the result array
    PAIRS                            # (ours, reference, goal) label triples: goal = the ratio
                                     # reference_time / ours_time it must reach (None: no goal)

Run alone: ``python benchmarks/bench_baselines.py [n]`` prints median Melem/s over interleaved
rounds (protocol of docs/performance.md: warm-up, every case once per round in shuffled order)
and the ratios.
Quote ratios, not absolute figures: the machine is shared.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

PAIRS: list[tuple[str, str, float | None]] = [
    ("lognum float8_e4m3fn quantize", "ml_dtypes e4m3fn astype round trip", 3.0),
    ("lognum bfloat16 quantize", "ml_dtypes bfloat16 astype round trip", 1 / 1.5),
    ("lognum int8 symmetric quantize (scale given)", "numpy clip(rint(x/s)) + dequantize", 2.0),
    ("lognum int8 symmetric quantize (fit + quantize)", "numpy clip(rint(x/s)) + dequantize", None),
    ("lognum mxfp4 quantize", "numpy+ml_dtypes mxfp4 (OCP rule)", None),
]


def _numpy_mxfp4(x: np.ndarray) -> np.ndarray:
    """A vectorised NumPy + ml_dtypes MXFP4 round trip (OCP scale rule, block 32, RNE)."""
    import ml_dtypes

    b = x.reshape(-1, 32)
    amax = np.max(np.abs(b), axis=1, keepdims=True)
    e = np.floor(np.log2(np.where(amax > 0, amax, 1.0))) - 2  # emax(E2M1) = 2
    scale = np.exp2(np.clip(e, -127, 127)).astype(np.float32)
    q = (b / scale).astype(ml_dtypes.float4_e2m1fn).astype(np.float32) * scale
    return q.reshape(x.shape)


def rows(x: np.ndarray) -> list[tuple[str, Callable[[], Any]]]:
    """(label, thunk) for every case; ``x`` is a 1-D float32 array (size a multiple of 32)."""
    import ml_dtypes

    import lognum as ln

    fp8 = ln.parse("float8_e4m3fn")
    bf16 = ln.parse("bfloat16")
    sym = ln.parse("int8_sym")
    fitted = sym.fit(x)
    s = np.float32(fitted.scale)
    mx = ln.parse("mxfp4")

    def numpy_int8() -> np.ndarray:
        return np.clip(np.rint(x / s), -128, 127) * s

    return [
        ("lognum float8_e4m3fn quantize", lambda: fp8.quantize(x)),
        (
            "ml_dtypes e4m3fn astype round trip",
            lambda: x.astype(ml_dtypes.float8_e4m3fn).astype(np.float32),
        ),
        ("lognum bfloat16 quantize", lambda: bf16.quantize(x)),
        (
            "ml_dtypes bfloat16 astype round trip",
            lambda: x.astype(ml_dtypes.bfloat16).astype(np.float32),
        ),
        ("lognum int8 symmetric quantize (scale given)", lambda: fitted.quantize(x)),
        ("lognum int8 symmetric quantize (fit + quantize)", lambda: sym.quantize(x)),
        ("numpy clip(rint(x/s)) + dequantize", numpy_int8),
        ("lognum mxfp4 quantize", lambda: mx.quantize(x)),
        ("numpy+ml_dtypes mxfp4 (OCP rule)", lambda: _numpy_mxfp4(x)),
        ("numpy x.copy()", x.copy),
    ]


def measure(x: np.ndarray, rounds: int = 11, seed: int = 0) -> dict[str, float]:
    """Median seconds per case over interleaved rounds (after one warm-up call each)."""
    cases = rows(x)
    for _, fn in cases:
        fn()
    times: dict[str, list[float]] = {label: [] for label, _ in cases}
    order = np.random.default_rng(seed)
    for r in range(rounds):
        for k in order.permutation(len(cases)):
            label, fn = cases[k]
            t0 = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - t0)
        sys.stderr.write(f"\rround {r + 1}/{rounds}")
    sys.stderr.write("\n")
    return {label: float(np.median(v)) for label, v in times.items()}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    n = int(float(argv[0])) if argv else 10**7
    n -= n % 32
    x = np.random.default_rng(1).standard_normal(n).astype(np.float32)
    med = measure(x)
    print(f"{'case':50s} {'Melem/s':>9s}")
    for label, t in med.items():
        print(f"{label:50s} {n / t / 1e6:9.0f}")
    print()
    for ours, ref, goal in PAIRS:
        ratio = med[ref] / med[ours]
        g = "" if goal is None else f"   goal >= {goal:.2f}: {'met' if ratio >= goal else 'MISSED'}"
        print(f"{ours} vs {ref}: {ratio:.2f}x{g}")


if __name__ == "__main__":
    main()
