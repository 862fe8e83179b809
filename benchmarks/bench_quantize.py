"""Quantize throughput of the posit family (and the baselines) against references measured in
the same run.

Protocol (docs/performance.md): N float32 N(0,1) values; after a warm-up, R rounds, each
timing every case once in a shuffled order; medians reported, plus ratios to ``x.copy()`` of the
same array in the same rounds. softposit (about 1 Melem/s) is timed on a subsample and scaled.
The machine is shared and noisy: quote the ratios.

    python benchmarks/bench_quantize.py            # N = 10^7, 11 rounds
    python benchmarks/bench_quantize.py 1000000 5
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")

import numpy as np  # noqa: E402

import lognum as ln  # noqa: E402

TAPERED = ["posit<8,2>", "posit<16,2>", "posit<32,2>", "GP<8,1,3,0>", "LP<8,1,5,0>"]


def tapered_rows(x: np.ndarray) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [("numpy x.copy()", x.copy)]
    for s in TAPERED:
        f = ln.parse(s)
        rows.append((f"lognum {s} quantize", lambda f=f: f.quantize(x)))
    p = ln.Posit(8, 2)
    rows.append(("lognum posit<8,2> quantize, 2 threads", lambda: p.quantize(x, threads=2)))
    out = np.empty_like(x)
    rows.append(("lognum posit<8,2> quantize, out=", lambda: p.quantize(x, out=out)))
    rows.append(
        ("lognum posit<8,2> quantize, out=, 2 threads", lambda: p.quantize(x, out=out, threads=2))
    )
    rows.append(("lognum posit<8,2> encode (uint8)", lambda: p.encode(x)))
    lp = ln.LogPosit(8, 1, 5, 0)
    rows.append(("lognum LP<8,1,5,0> encode (uint8)", lambda: lp.encode(x)))
    return rows


ELEMENT = ["float8_e4m3fn", "float6_e2m3fn", "float4_e2m1fn", "LNS<8,3>", "mxfp4"]
ENCODE = ["float8_e4m3fn", "LNS<8,3>", "int8_sym", "bfloat16"]
DECODE = ["posit<8,2>", "LP<8,1,5,0>", "float8_e4m3fn", "LNS<8,3>", "int8_sym", "posit<16,2>"]


def element_rows(x: np.ndarray) -> list[tuple[str, object]]:
    """The other element families (fresh output and ``out=``), encode and decode, and the
    references that separate a fresh output's page faults from the kernel: ``np.copyto`` into a
    preallocated array (one and two threads) and into a fresh ``np.empty``, and
    ``x.astype(np.float64)`` (a fresh float64 output, as decode has)."""
    from concurrent.futures import ThreadPoolExecutor

    out = np.empty_like(x)
    pool = ThreadPoolExecutor(1)
    h = x.size // 2

    def copy2() -> None:
        f = pool.submit(np.copyto, out[h:], x[h:])
        np.copyto(out[:h], x[:h])
        f.result()

    rows: list[tuple] = [  # (label, fn) or (label, fn, values per call)
        ("numpy np.copyto(out, x)", lambda: np.copyto(out, x)),
        ("numpy np.copyto(out, x), 2 threads", copy2),
        ("numpy np.copyto(np.empty_like(x), x)", lambda: np.copyto(np.empty_like(x), x)),
        ("numpy x.astype(np.float64)", lambda: x.astype(np.float64)),
    ]
    for s in ELEMENT:
        f = ln.parse(s)
        if s not in ("float8_e4m3fn", "mxfp4"):  # those rows are bench_baselines' (fresh)
            rows.append((f"lognum {s} quantize", lambda f=f: f.quantize(x)))
        rows.append((f"lognum {s} quantize, out=", lambda f=f: f.quantize(x, out=out)))
    for s in ("float8_e4m3fn", "LNS<8,3>"):
        f = ln.parse(s)
        rows.append(
            (f"lognum {s} quantize, out=, 2 threads", lambda f=f: f.quantize(x, out=out, threads=2))
        )
    sym = ln.parse("int8_sym").fit(x)
    rows.append(
        ("lognum int8 symmetric quantize (scale given), out=", lambda: sym.quantize(x, out=out))
    )
    bf = ln.parse("bfloat16")
    rows.append(("lognum bfloat16 quantize, out=", lambda: bf.quantize(x, out=out)))
    for s in ENCODE:
        f = ln.parse(s)
        f = f.fit(x) if f.needs_fit else f
        rows.append((f"lognum {s} encode", lambda f=f: f.encode(x)))
    for s in DECODE:
        f = ln.parse(s)
        f = f.fit(x) if f.needs_fit else f
        c = f.encode(x)
        rows.append((f"lognum {s} decode ({c.dtype} -> float64)", lambda f=f, c=c: f.decode(c)))
    # a compute-bound case (LP linear rounding, about 4 Melem/s, on 2^18 values: its rate is
    # per value of that slice): does the split itself scale?
    m = 1 << 18
    xs, os = x[:m], out[:m]
    lp = ln.LogPosit(8, 1, 5, 0)
    for t in (1, 2):
        rows.append(
            (
                f"lognum LP<8,1,5,0> rounding=linear, out=, {t} thread(s) [2^18]",
                lambda t=t: lp.quantize(xs, out=os, rounding="linear", threads=t),
                m,
            )
        )
    return rows


def softposit_rate(x: np.ndarray, m: int = 20000) -> tuple[str, float] | None:
    """softposit's fastest per-element path for posit<8,2> (posit_2 with n = 8), Melem/s."""
    try:
        import softposit as sp
    except ImportError:
        return None
    xs = [float(v) for v in x[:m]]
    paths = {
        "float(posit_2(v, 8))": lambda: [float(sp.posit_2(v, 8)) for v in xs],
        "posit_2(v, 8).v.v (encode only)": lambda: [sp.posit_2(v, 8).v.v for v in xs],
    }
    best = None
    for name, fn in paths.items():
        ts = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        rate = m / min(ts) / 1e6
        if best is None or rate > best[1]:
            best = (name, rate)
    return best


def measure(rows, rounds: int, n: int, seed: int = 0) -> dict[str, float]:
    """Melem/s per row (median over interleaved rounds); a row ``(label, fn, count)`` works on
    ``count`` values instead of ``n``."""
    rng = np.random.default_rng(seed)
    rows = [(r[0], r[1], r[2] if len(r) > 2 else n) for r in rows]
    for _, fn, _ in rows:
        fn()  # warm-up (compilation, page faults)
    times: dict[str, list[float]] = {label: [] for label, _, _ in rows}
    count = {label: c for label, _, c in rows}
    for _ in range(rounds):
        for i in rng.permutation(len(rows)):
            label, fn, _ = rows[i]
            t = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - t)
    return {label: count[label] / float(np.median(ts)) / 1e6 for label, ts in times.items()}


def compile_times() -> str:
    """First-call cost in a fresh process with an empty Numba cache, then with a warm cache,
    and the cost of a *new* configuration once the kernels exist (no compilation)."""
    code = (
        "import time, numpy as np, lognum as ln\n"
        "x = np.random.default_rng(0).standard_normal(1000).astype(np.float32)\n"
        "t = time.perf_counter(); ln.Posit(8, 2).quantize(x); a = time.perf_counter() - t\n"
        "t = time.perf_counter(); ln.GeneralizedPosit(7, 1, 3, -2).quantize(x); "
        "b = time.perf_counter() - t\n"
        "t = time.perf_counter(); ln.LogPosit(8, 1, 5, 0).quantize(x); "
        "c = time.perf_counter() - t\n"
        "t = time.perf_counter(); ln.LogPosit(6, 2, 3, 0.5).quantize(x); "
        "d = time.perf_counter() - t\n"
        "print(f'{a:.2f} {b*1e3:.2f} {c:.2f} {d*1e3:.2f}')\n"
    )
    lines = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("empty cache", "warm cache"):
            out = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout.split()
            lines.append(
                f"  {label:<11}: first posit<8,2> quantize {out[0]} s, then a new GP "
                f"config {out[1]} ms; first LP quantize {out[2]} s, then a new LP "
                f"config {out[3]} ms"
            )
    return "\n".join(lines)


def goal_lines(rates: dict[str, float]) -> list[str]:
    """Every speed goal as met / NOT met, with the ratio it was judged on."""
    copy = rates["numpy x.copy()"]

    def r(label: str) -> float:
        return rates[label] / copy

    def verdict(v: float, goal: float) -> str:
        return f"{v:.2f} ({'met' if v >= goal else 'NOT met'}, goal >= {goal})"

    lines = []
    element = [
        ("posit<8,2>", "lognum posit<8,2> quantize", "lognum posit<8,2> quantize, out="),
        ("posit<16,2>", "lognum posit<16,2> quantize", None),
        ("posit<32,2>", "lognum posit<32,2> quantize", None),
        ("GP<8,1,3,0>", "lognum GP<8,1,3,0> quantize", None),
        ("LP<8,1,5,0>", "lognum LP<8,1,5,0> quantize", None),
        ("bfloat16", "lognum bfloat16 quantize", "lognum bfloat16 quantize, out="),
        (
            "int8 symmetric",
            "lognum int8 symmetric quantize (scale given)",
            "lognum int8 symmetric quantize (scale given), out=",
        ),
    ]
    for s in ELEMENT[:4]:
        element.append((s, f"lognum {s} quantize", f"lognum {s} quantize, out="))
    for name, fresh, into in element:
        line = f"{name} quantize: fresh {verdict(r(fresh), 0.8)}"
        if into:
            line += f"; into out= {verdict(r(into), 0.9)}"
        lines.append(line)
    mx = "lognum mxfp4 quantize"
    lines.append(
        f"mxfp4 (block): fresh {verdict(r(mx), 0.6)}; into out= {verdict(r(mx + ', out='), 0.6)}"
    )
    for label in ["lognum posit<8,2> encode (uint8)", "lognum LP<8,1,5,0> encode (uint8)"] + [
        f"lognum {s} encode" for s in ENCODE
    ]:
        lines.append(f"{label[7:]}: {verdict(r(label), 0.8)}")
    f64 = rates["numpy x.astype(np.float64)"]
    for label in [k for k in rates if " decode (" in k]:
        lines.append(
            f"{label[7:]}: {verdict(r(label), 0.8)}; "
            f"{rates[label] / f64:.2f}x x.astype(np.float64) (a fresh float64 output)"
        )
    c1, c2 = rates["numpy np.copyto(out, x)"], rates["numpy np.copyto(out, x), 2 threads"]
    for s, one, two in [
        (
            "posit<8,2>",
            "lognum posit<8,2> quantize, out=",
            "lognum posit<8,2> quantize, out=, 2 threads",
        ),
        (
            "float8_e4m3fn",
            "lognum float8_e4m3fn quantize, out=",
            "lognum float8_e4m3fn quantize, out=, 2 threads",
        ),
        ("LNS<8,3>", "lognum LNS<8,3> quantize, out=", "lognum LNS<8,3> quantize, out=, 2 threads"),
    ]:
        lines.append(f"{s} 2 threads / 1 thread into out=: {verdict(rates[two] / rates[one], 1.7)}")
    lp1 = rates["lognum LP<8,1,5,0> rounding=linear, out=, 1 thread(s) [2^18]"]
    lp2 = rates["lognum LP<8,1,5,0> rounding=linear, out=, 2 thread(s) [2^18]"]
    lines.append(
        f"  (the memory ceiling: np.copyto into out= with 2 threads / 1 thread = {c2 / c1:.2f}; "
        f"one thread's copyto = {c1 / copy:.2f}x x.copy(); a compute-bound kernel, LP linear "
        f"rounding, 2 threads / 1 thread = {lp2 / lp1:.2f})"
    )
    return lines


def main(argv: list[str]) -> None:
    n = int(float(argv[0])) if argv else 10**7
    rounds = int(argv[1]) if len(argv) > 1 else 11
    n -= n % 32
    x = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    rows = tapered_rows(x) + element_rows(x)
    pairs = []
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        import bench_baselines

        rows += bench_baselines.rows(x)
        pairs = bench_baselines.PAIRS
    except Exception as exc:  # the baselines need ml_dtypes (test extra)
        print(f"(baseline rows skipped: {exc})")
    rates = measure(rows, rounds, n)
    copy = rates["numpy x.copy()"]
    print(
        f"N = {n:.0e} float32 N(0,1), {rounds} interleaved rounds, medians; "
        f"numba threading layer {os.environ.get('NUMBA_THREADING_LAYER')}"
    )
    print(f"{'case':<52}{'Melem/s':>10}{'vs x.copy()':>13}")
    for label, r in rates.items():
        print(f"{label:<52}{r:>10.1f}{r / copy:>13.3f}")
    sp = softposit_rate(x)
    p8 = rates["lognum posit<8,2> quantize"]
    po = rates["lognum posit<8,2> quantize, out="]
    print()
    if sp:
        print(
            f"softposit fastest path for posit<8,2>: {sp[0]}: {sp[1]:.2f} Melem/s "
            f"(on 2e4 values, scaled) -> lognum / softposit = {po / sp[1]:.0f}x into out=, "
            f"{p8 / sp[1]:.0f}x with a fresh output array  (goal >= 1000x)\n"
            f"  (a fresh output costs its page faults: x.copy() itself is only "
            f"{copy / sp[1]:.0f}x softposit)"
        )
    print(f"posit<8,2> single thread vs x.copy(): {p8 / copy:.2f}  (goal >= 0.8)")
    c_out = rates["numpy np.copyto(out, x)"]
    c_new = rates["numpy np.copyto(np.empty_like(x), x)"]
    print(
        f"a fresh output's page faults: np.copyto into a new array runs at {c_new / c_out:.2f}x "
        f"of np.copyto into a preallocated one; posit<8,2> quantize fresh / out= = {p8 / po:.2f}"
    )
    print(
        f"posit<8,2> 2 threads vs 1 thread: "
        f"{rates['lognum posit<8,2> quantize, 2 threads'] / p8:.2f} with a fresh output, "
        f"{rates['lognum posit<8,2> quantize, out=, 2 threads'] / po:.2f} into out=  "
        f"(goal > 1; fresh outputs: two threads page-faulting one new array, noisy here)"
    )
    for s in TAPERED[1:]:
        print(f"{s} time / posit<8,2> time: {p8 / rates[f'lognum {s} quantize']:.2f}  (goal <= 2)")
    for ours, ref, goal in pairs:
        if ours in rates and ref in rates:
            g = f"  (goal >= {goal:.2f})" if goal else ""
            print(f"{ours} / {ref}: {rates[ours] / rates[ref]:.2f}x{g}")
    print("\ngoals (ratios to x.copy() in this run; one thread unless said):")
    for line in goal_lines(rates):
        print("  " + line)
    print("\ncompile cost (fresh processes):")
    print(compile_times())


if __name__ == "__main__":
    main(sys.argv[1:])
