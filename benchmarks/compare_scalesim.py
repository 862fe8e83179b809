"""Compare lognum.hw with SCALE-Sim 3.0.0 on the same configs and topologies.

Usage::

    python benchmarks/compare_scalesim.py [--venv .scalesim-venv] [--quick]

SCALE-Sim is installed ONLY in its own virtual environment (``--venv``; created with
``python3.11 -m venv VENV && VENV/bin/pip install scalesim==3.0.0 'numpy<2.4'`` when missing,
docs/simulator.md) and driven through its Python API with ``save_disk_space=True`` in a
subprocess. For each case (several GEMMs, and the ResNet-18 layers of SCALE-Sim's own
``Resnet18.csv`` on 8x8, 16x16, 32x32 arrays, all three dataflows, CALC mode) it prints
SCALE-Sim's and lognum's (``scalesim_compat=True``) stall-free cycles (= ``Total Cycles + 1``
in CALC mode), SRAM counts and DRAM IFMAP reads side by side, whether each row of
COMPUTE_REPORT, DETAILED_ACCESS_REPORT and BANDWIDTH_REPORT is byte-identical (every column:
cycles, utilisation, SRAM/DRAM start/stop cycles and counts, bandwidths; lognum replays
SCALE-Sim's CALC bandwidth estimate), and the wall-time ratio of every case measured in the
same run (lognum: first call in a fresh process, which includes
loading or compiling the Numba kernels, or replays a small case interpreted without Numba,
and a warm call: the compiled kernels, loaded by an untimed call before it). ``--quick`` runs
only a few small cases (32x32, ResNet-18 Conv5 and FC layers) for a fast check.

SCALE-Sim needs hours for the full ResNet-18 on small arrays (conv1 alone takes ~15 min on
8x8 os), so ``--subset-below N`` (default 32) runs only some ResNet-18 layers on arrays smaller
than N x N: Conv5_* and FC from 16x16, Conv4_s, Conv5_s and FC below 16x16;
``--subset-below 0`` runs every layer everywhere.
USER mode (``--user-arrays``, default ``8,16``; ``''`` skips it): the GEMMs, the small
convolutions of ``tests/hw/data/user_conv.csv`` and the ResNet-18 Conv5_s and FC layers (SCALE-Sim's
USER mode needs minutes for a 3x3 Conv5 layer on 8x8), all three dataflows, two memory variants
(scale.cfg's 64 kB / 10 words/cycle, and 2 kB / 3 words/cycle which stalls; the ResNet layers
only with 64 kB: with 2 kB SCALE-Sim issues many thousands of new prefetches, each appended to
its DRAM trace by ``np.concatenate``, and Conv5_s on 8x8 os did not finish in 6 minutes), run by
both simulators; every row of COMPUTE_REPORT, DETAILED_ACCESS_REPORT and
BANDWIDTH_REPORT lognum writes must be byte-identical to SCALE-Sim's, and the speed ratio is
printed as for CALC. ``--no-calc`` runs only the USER part.
``--process`` (benchmark mode) times whole processes instead: for every one-layer topology
(each GEMM above, each layer of the ResNet-18 subset of ``--quick``; with ``--quick`` the GEMMs
and FC only), on the ``--arrays`` and
``--dataflows``, CALC mode, and USER mode on ``--user-arrays``), ``--rounds`` interleaved runs
of ``python -m lognum sim --scalesim-compat -q`` (warm Numba cache: one untimed run first)
and of a fresh SCALE-Sim interpreter (import + Python API), median wall and CPU seconds
(user + system of the child) and the ratio SCALE-Sim / lognum per case; the reports of the
last round are compared byte for byte.
``--functional`` also times lognum's functional mode (LP8 PEs, exact accumulation) on the full
ResNet-18 at 32x32 os.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
RESNET18 = ROOT / "tests" / "hw" / "data" / "Resnet18.csv"

DRIVER = r"""
import json, os, sys, time
cfg, topo, gemm, outdir = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
layout = os.path.join(outdir, "layout.csv")
with open(layout, "w") as fh:
    fh.write("Layer name, a, b,\n")
t0 = time.perf_counter(); c0 = time.process_time()
from scalesim.scale_sim import scalesim
s = scalesim(save_disk_space=True, verbose=False, config=cfg, topology=topo, layout=layout,
             input_type_gemm=gemm)
s.run_scale(top_path=outdir)
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}))
"""


def ensure_venv(venv: Path) -> Path:
    """Create the SCALE-Sim venv if it does not exist; return its python."""
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "scalesim==3.0.0", "numpy<2.4"],
            check=True,
        )
    return py


def run_scalesim(py: Path, cfg_path: Path, topo_path: Path, gemm: bool, outdir: Path) -> dict:
    """Run SCALE-Sim (Python API, no traces) and return its reports and timings."""
    from lognum.hw.report import read_report

    outdir.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(
        [str(py), "-c", DRIVER, str(cfg_path), str(topo_path), "1" if gemm else "0", str(outdir)],
        capture_output=True,
        text=True,
        cwd=str(outdir),
    )
    if p.returncode != 0:
        raise RuntimeError(f"SCALE-Sim failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    timing = json.loads(p.stdout.strip().splitlines()[-1])
    run = next(d for d in outdir.iterdir() if d.is_dir())
    return {
        "compute": read_report(run / "COMPUTE_REPORT.csv"),
        "access": read_report(run / "DETAILED_ACCESS_REPORT.csv"),
        "dir": run,
        **timing,
    }


def lognum_rows(cfg, topo_path: Path, gemm: bool, compat: bool = True, workers=None):
    import lognum.hw as hw

    t0 = time.perf_counter()
    res = hw.simulate(
        cfg,
        topo_path,
        input_type="gemm" if gemm else "conv",
        scalesim_compat=compat,
        workers=workers,
        progress=False,
    )
    return res, time.perf_counter() - t0


FRESH = r"""
import json, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
import lognum.hw as hw
kw = dict(input_type=sys.argv[3], scalesim_compat=True, progress=False)
res = hw.simulate(sys.argv[1], sys.argv[2], **kw)
t1 = time.perf_counter(); c1 = time.process_time()
# warm: the compiled kernels, loaded by an untimed call (a small first call was replayed
# interpreted, without Numba)
hw.simulate(sys.argv[1], sys.argv[2], interpret=False, **kw)
t2 = time.perf_counter(); c2 = time.process_time()
hw.simulate(sys.argv[1], sys.argv[2], interpret=False, **kw)
print(json.dumps({"cold": t1 - t0, "warm": time.perf_counter() - t2, "cold_cpu": c1 - c0,
                  "warm_cpu": time.process_time() - c2}))
"""


def lognum_fresh(cfg_path: Path, topo: Path, gemm: bool) -> dict:
    """Wall and CPU seconds of lognum in a fresh interpreter: first call (incl. imports and
    loading / compiling the kernels) and second call."""
    p = subprocess.run(
        [sys.executable, "-c", FRESH, str(cfg_path), str(topo), "gemm" if gemm else "conv"],
        capture_output=True,
        text=True,
        cwd=str(ROOT),
        check=True,
    )
    return json.loads(p.stdout.strip().splitlines()[-1])


def compare(ss: dict, res, mode: str = "CALC") -> list[dict]:
    """Rows of side-by-side counts; ``ok`` is True when every compared count is equal."""
    rows = []
    for c, a, r in zip(ss["compute"], ss["access"], res.layers, strict=True):
        ss_tot = int(c["Total Cycles"])
        ss_stall = int(c["Stall Cycles"])
        row = {
            "layer": r.name,
            "ss_L": ss_tot - ss_stall + 1,
            "ln_L": r.stall_free_cycles,
            "ss_total": ss_tot,
            "ln_total": r.total_cycles,
            "ss_util": float(c["Overall Util %"]),
            "ln_util": r.overall_util,
            "ss_map": float(c["Mapping Efficiency %"]),
            "ln_map": r.mapping_efficiency,
            "ss_cu": float(c["Compute Util %"]),
            "ln_cu": r.compute_util,
            "ss_if": int(a["SRAM IFMAP Reads"]),
            "ln_if": r.sram_ifmap_reads,
            "ss_fl": int(a["SRAM Filter Reads"]),
            "ln_fl": r.sram_filter_reads,
            "ss_of": int(a["SRAM OFMAP Writes"]),
            "ln_of": r.sram_ofmap_writes,
        }
        ok = all(row[f"ss_{k}"] == row[f"ln_{k}"] for k in ("L", "if", "fl", "of"))
        if mode == "CALC":
            ok = ok and row["ss_total"] == row["ln_total"]
            ok = ok and abs(row["ss_util"] - row["ln_util"]) < 1e-9
        ok = ok and abs(row["ss_map"] - row["ln_map"]) < 1e-9
        ok = ok and abs(row["ss_cu"] - row["ln_cu"]) < 1e-9
        row["ok"] = ok
        rows.append(row)
    return rows


GEMMS = [
    ("g_64x64x64", 64, 64, 64),
    ("g_100x37x71", 100, 37, 71),
    ("g_256x128x256", 256, 128, 256),
    ("g_17x300x9", 17, 300, 9),
]

# USER-mode variants: (name, SRAM kB per operand, words/cycle for IFMAP, FILTER and OFMAP):
# SCALE-Sim's scale.cfg template, and small SRAMs with a low bandwidth (the buffers stall)
USER_VARIANTS = [("64k_bw10", 64, 10), ("2k_bw3", 2, 3)]
REPORTS = ("COMPUTE_REPORT.csv", "DETAILED_ACCESS_REPORT.csv", "BANDWIDTH_REPORT.csv")


def compare_reports(ss_dir: Path, res, outdir: Path) -> list[dict]:
    """lognum's three reports against SCALE-Sim's, row by row (both modes). Per layer: the
    stall cycles of both and whether each report row is byte-identical."""
    from lognum.hw.report import read_report

    paths = res.write_csv(outdir)
    lines = {}
    for rep, path in zip(REPORTS, paths, strict=False):
        a = path.read_text().splitlines()[1:]
        b = (ss_dir / rep).read_text().splitlines()[1:]
        lines[rep] = (a, b)
    comp = read_report(ss_dir / "COMPUTE_REPORT.csv")
    rows = []
    for i, r in enumerate(res.layers):
        ok = {rep: i < len(b) and i < len(a) and a[i] == b[i] for rep, (a, b) in lines.items()}
        rows.append(
            {
                "layer": r.name,
                "ss_stall": int(comp[i]["Stall Cycles"]),
                "ln_stall": r.stall_cycles,
                "ss_total": int(comp[i]["Total Cycles"]),
                "ln_total": r.total_cycles,
                **ok,
                "ok": all(ok.values()),
            }
        )
    if any(len(a) != len(b) for a, b in lines.values()):
        rows.append({"layer": "<row count>", "ok": False})
    return rows


def user_mode(py: Path, arrays, dfs, topos, tmp: Path) -> tuple[bool, list]:
    """Run SCALE-Sim and lognum (``scalesim_compat=True``) in USER mode on every array,
    dataflow, USER variant and topology; print report identity; return (all ok, timings)."""
    import lognum.hw as hw
    from lognum.hw.config import scalesim_config_text

    all_ok = True
    timing = []
    print(
        f"\nUSER mode (SCALE-Sim's per-address prefetch model): report rows byte-identical?\n"
        f"{'case':<30}{'layer':<16}{'stall ss':>10}{'stall ln':>10}{'total ss':>10}"
        f"{'total ln':>10}  COMPUTE DETAILED BANDWIDTH"
    )
    for R in arrays:
        for df in dfs:
            for vname, kb, bw in USER_VARIANTS:
                for name, topo, gemm in topos:
                    if kb < 64 and name.startswith("resnet"):
                        continue  # too slow in SCALE-Sim (module docstring)
                    cfg = hw.ArrayConfig(
                        rows=R,
                        cols=R,
                        dataflow=df,
                        bandwidth_mode="USER",
                        ifmap_sram_kb=kb,
                        filter_sram_kb=kb,
                        ofmap_sram_kb=kb,
                        ifmap_bw=bw,
                        filter_bw=bw,
                        ofmap_bw=bw,
                        run_name=f"{name}_{R}_{df}_{vname}",
                    )
                    cfg_path = tmp / f"{cfg.run_name}.cfg"
                    cfg_path.write_text(scalesim_config_text(cfg))
                    ss = run_scalesim(py, cfg_path, topo, gemm, tmp / cfg.run_name)
                    ln_t = lognum_fresh(cfg_path, topo, gemm)
                    res, _ = lognum_rows(cfg_path, topo, gemm)
                    for r in compare_reports(ss["dir"], res, tmp / f"ln_{cfg.run_name}"):
                        all_ok &= r["ok"]
                        if "ss_stall" not in r:
                            print(f"{cfg.run_name:<30}{r['layer']:<16} row counts differ")
                            continue
                        yn = ["yes" if r[k] else "NO" for k in REPORTS]
                        print(
                            f"{cfg.run_name:<30}{r['layer'][:15]:<16}{r['ss_stall']:>10}"
                            f"{r['ln_stall']:>10}{r['ss_total']:>10}{r['ln_total']:>10}  "
                            f"{yn[0]:<8}{yn[1]:<9}{yn[2]}"
                        )
                    timing.append((cfg.run_name, ss, ln_t))
                    print(
                        f"{'':<30}time: SCALE-Sim {ss['cpu']:.2f} CPU s, lognum cold "
                        f"{ln_t['cold_cpu']:.3f} / warm {ln_t['warm_cpu']:.4f} CPU s"
                    )
                    sys.stdout.flush()
    return all_ok, timing


def print_timing(timing) -> None:
    print(
        f"  {'case':<30}{'SS wall':>9}{'SS cpu':>9}{'ln cold':>9}{'ln warm':>9}{'cold cpu':>9}"
        f"{'warm cpu':>9}{'wall/cold':>10}{'cpu/cold':>9}{'cpu/warm':>9}"
    )
    for name, ss, t in timing:
        print(
            f"  {name:<30}{ss['wall']:9.2f}{ss['cpu']:9.2f}{t['cold']:9.3f}{t['warm']:9.3f}"
            f"{t['cold_cpu']:9.3f}{t['warm_cpu']:9.3f}{ss['wall'] / t['cold']:9.0f}x"
            f"{ss['cpu'] / t['cold_cpu']:8.0f}x{ss['cpu'] / max(t['warm_cpu'], 1e-6):8.0f}x"
        )
    ss_cpu = sum(ss["cpu"] for _, ss, _ in timing)
    ln_cold = sum(t["cold_cpu"] for _, _, t in timing)
    ln_warm = sum(t["warm_cpu"] for _, _, t in timing)
    print(
        f"  total CPU s: SCALE-Sim {ss_cpu:.1f}, lognum cold {ln_cold:.2f} "
        f"({ss_cpu / ln_cold:.0f}x), warm {ln_warm:.3f} ({ss_cpu / max(ln_warm, 1e-6):.0f}x)"
    )


def _child_run(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process, run to completion."""
    import resource

    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=str(cwd), env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def process_bench(py: Path, cases, rounds: int, tmp: Path) -> bool:
    """Benchmark mode (module docstring): whole ``lognum sim`` process vs whole SCALE-Sim
    process per case, interleaved, medians; prints the ratios; returns whether every report
    was byte-identical."""
    from statistics import median

    import lognum.hw as hw
    from lognum.hw.config import scalesim_config_text

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    print(
        f"whole processes, {rounds} interleaved rounds, medians (s); ratio = SCALE-Sim / lognum\n"
        f"{'case':<34}{'SS wall':>9}{'ln wall':>9}{'wall x':>8}{'SS cpu':>9}{'ln cpu':>9}"
        f"{'cpu x':>8}  identical"
    )
    all_ok = True
    slower = 0
    ratios = []
    for R, df, mode, name, topo, gemm in cases:
        cfg = hw.ArrayConfig(
            rows=R, cols=R, dataflow=df, bandwidth_mode=mode, run_name=f"{name}_{R}_{df}_{mode}"
        )
        cfg_path = tmp / f"p_{cfg.run_name}.cfg"
        cfg_path.write_text(scalesim_config_text(cfg))
        ss_dir = tmp / f"pss_{cfg.run_name}"
        ss_dir.mkdir(parents=True, exist_ok=True)
        (ss_dir / "d.py").write_text(DRIVER)
        ss_cmd = [str(py), "d.py", str(cfg_path), str(topo), "1" if gemm else "0", str(ss_dir)]
        ln_dir = tmp / f"pln_{cfg.run_name}"
        ln_cmd = [
            sys.executable,
            "-m",
            "lognum",
            "sim",
            "-c",
            str(cfg_path),
            "-t",
            str(topo),
            "--scalesim-compat",
            "-q",
            "-p",
            str(ln_dir),
        ]
        ln_cmd += ["-i", "gemm"] if gemm else []
        _child_run(ln_cmd, tmp, env)  # warm the Numba cache (compiles only the first time)
        ss_t, ln_t = [], []
        for _ in range(rounds):
            ss_t.append(_child_run(ss_cmd, ss_dir))
            ln_t.append(_child_run(ln_cmd, tmp, env))
        ok = all(
            (ln_dir / cfg.run_name / rep).read_bytes() == (ss_dir / cfg.run_name / rep).read_bytes()
            for rep in REPORTS
        )
        all_ok &= ok
        sw, sc = median(t[0] for t in ss_t), median(t[1] for t in ss_t)
        lw, lc = median(t[0] for t in ln_t), median(t[1] for t in ln_t)
        slower += lc > sc
        ratios.append((sw / lw, sc / lc))
        print(
            f"{cfg.run_name[:33]:<34}{sw:9.3f}{lw:9.3f}{sw / lw:7.2f}x{sc:9.3f}{lc:9.3f}"
            f"{sc / lc:7.2f}x  {'yes' if ok else 'NO'}"
        )
        sys.stdout.flush()
    if ratios:
        print(
            f"{len(ratios)} cases: lognum CPU slower than SCALE-Sim in {slower}; median ratio "
            f"wall {median(r[0] for r in ratios):.2f}x, CPU {median(r[1] for r in ratios):.2f}x; "
            f"min CPU ratio {min(r[1] for r in ratios):.2f}x"
        )
    return all_ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--venv", default=".scalesim-venv")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--arrays", default="8,16,32")
    ap.add_argument("--dataflows", default="os,ws,is")
    ap.add_argument("--subset-below", type=int, default=32)
    ap.add_argument("--functional", action="store_true")
    ap.add_argument(
        "--user-arrays", default="8,16", help="arrays of the USER-mode comparison ('' to skip it)"
    )
    ap.add_argument("--no-calc", action="store_true", help="skip the CALC-mode comparison")
    ap.add_argument(
        "--process", action="store_true", help="benchmark mode: whole processes, one-layer cases"
    )
    ap.add_argument("--rounds", type=int, default=3, help="rounds of --process (default 3)")
    args = ap.parse_args(argv)

    import lognum.hw as hw
    from lognum.hw.config import scalesim_config_text

    py = ensure_venv(Path(args.venv))
    arrays = [int(x) for x in args.arrays.split(",")]
    dfs = args.dataflows.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="cmp_scalesim_"))
    gemm_topo = tmp / "gemms.csv"
    gemm_topo.write_text(
        "Layer, M, N, K,\n" + "".join(f"{n},{m},{nn},{k},\n" for n, m, nn, k in GEMMS)
    )
    lines = RESNET18.read_text().splitlines()
    subsets = {}
    for key, keep in (
        ("quick", ("Conv5", "FC")),
        ("16", ("Conv5", "FC")),
        ("8", ("Conv4_s", "Conv5_s", "FC")),
        ("user", ("Conv5_s", "FC")),
    ):
        subsets[key] = tmp / f"resnet_subset_{key}.csv"
        subsets[key].write_text(
            "\n".join([lines[0]] + [x for x in lines[1:] if x.startswith(keep)]) + "\n"
        )
    if args.process:
        one = []  # one-layer topologies: the GEMMs, the quick ResNet-18 subset
        for n, m, nn, k in GEMMS:
            f = tmp / f"one_{n}.csv"
            f.write_text(f"Layer, M, N, K,\n{n},{m},{nn},{k},\n")
            one.append((n, f, True))
        for x in subsets["quick"].read_text().splitlines()[1:]:
            f = tmp / f"one_{x.split(',')[0]}.csv"
            f.write_text(lines[0] + "\n" + x + "\n")
            one.append((x.split(",")[0], f, False))
        if args.quick:  # the GEMMs and FC (SCALE-Sim needs minutes for a Conv5 layer on 8x8)
            one = one[: len(GEMMS)] + one[-1:]
        user_arrays = [int(x) for x in args.user_arrays.split(",") if x.strip()]
        cases = [
            (R, df, "CALC", *o) for R in ([] if args.no_calc else arrays) for df in dfs for o in one
        ]
        cases += [
            (R, df, "USER", *o)
            for R in user_arrays
            for df in dfs
            for o in one
            if not (R < 16 and o[0].startswith("Conv5_"))
        ]
        ok = process_bench(py, cases, args.rounds, tmp)
        print("\nall reports identical:", ok)
        return 0 if ok else 1
    if args.quick:
        arrays = [32]
    if args.no_calc:
        arrays = []
    all_ok = True
    timing = []
    if arrays:
        print(
            f"{'case':<28}{'layer':<16}{'L ss':>10}{'L ln':>10}{'IF rd ss':>11}{'IF rd ln':>11}"
            f"{'FL rd ss':>11}{'FL rd ln':>11}{'OF wr ss':>11}{'OF wr ln':>11}"
            f"{'DRAM IF ss':>11}{'DRAM IF ln':>11}  COMPUTE DETAILED BANDWIDTH ok"
        )
    for R in arrays:
        for df in dfs:
            if args.quick:
                rn = subsets["quick"]
            elif R < min(16, args.subset_below):
                rn = subsets["8"]
            elif R < args.subset_below:
                rn = subsets["16"]
            else:
                rn = RESNET18
            rname = "resnet18sub" if rn != RESNET18 else "resnet18"
            for name, topo, gemm in (("gemm", gemm_topo, True), (rname, rn, False)):
                cfg = hw.ArrayConfig(rows=R, cols=R, dataflow=df, run_name=f"{name}_{R}_{df}")
                cfg_path = tmp / f"{cfg.run_name}.cfg"
                cfg_path.write_text(scalesim_config_text(cfg))
                ss = run_scalesim(py, cfg_path, topo, gemm, tmp / cfg.run_name)
                # lognum on the same files: timed in a fresh process, counts from this one
                ln_t = lognum_fresh(cfg_path, topo, gemm)
                res, _ = lognum_rows(cfg_path, topo, gemm)
                reps = compare_reports(ss["dir"], res, tmp / f"ln_{cfg.run_name}")
                if len(reps) > len(res.layers):
                    all_ok = False
                    print(f"{cfg.run_name:<28}report row counts differ")
                dram = [
                    (int(a["DRAM IFMAP Reads"]), r.dram_ifmap_reads)
                    for a, r in zip(ss["access"], res.layers, strict=True)
                ]
                for r, q, (d0, d1) in zip(compare(ss, res), reps, dram, strict=False):
                    ok = r["ok"] and q["ok"]
                    all_ok &= ok
                    yn = ["yes" if q[k] else "NO" for k in REPORTS]
                    print(
                        f"{cfg.run_name:<28}{r['layer'][:15]:<16}{r['ss_L']:>10}{r['ln_L']:>10}"
                        f"{r['ss_if']:>11}{r['ln_if']:>11}{r['ss_fl']:>11}{r['ln_fl']:>11}"
                        f"{r['ss_of']:>11}{r['ln_of']:>11}{d0:>11}{d1:>11}  "
                        f"{yn[0]:<8}{yn[1]:<9}{yn[2]:<10}{'yes' if ok else 'NO'}"
                    )
                timing.append((cfg.run_name, ss, ln_t))
                sys.stdout.flush()
    print(
        "\ntiming mode, seconds. lognum in a fresh process: cold = first call incl. imports and"
        " kernel loading, warm = second call. Ratios = SCALE-Sim / lognum."
    )
    if timing:
        print("CALC mode:")
        print_timing(timing)
    user_arrays = [int(x) for x in args.user_arrays.split(",") if x.strip()]
    if user_arrays:
        conv_topo = ROOT / "tests" / "hw" / "data" / "user_conv.csv"
        if args.quick:
            user_arrays = user_arrays[:1]
            qg = tmp / "gemms_quick.csv"
            qg.write_text(
                "Layer, M, N, K,\n" + "".join(f"{n},{m},{nn},{k},\n" for n, m, nn, k in GEMMS[:2])
            )
            topos = [("gemm", qg, True), ("conv", conv_topo, False)]
        else:
            topos = [
                ("gemm", gemm_topo, True),
                ("conv", conv_topo, False),
                ("resnet18sub", subsets["user"], False),
            ]
        ok, utiming = user_mode(py, user_arrays, dfs, topos, tmp)
        all_ok &= ok
        print("\nUSER mode timing (same columns):")
        print_timing(utiming)
        print(
            "\nUSER mode: all report rows byte-identical (COMPUTE, DETAILED_ACCESS, BANDWIDTH):", ok
        )
    if args.functional:
        t0 = time.perf_counter()
        cfg = hw.ArrayConfig(rows=32, cols=32, dataflow="os")
        res = hw.simulate(cfg, RESNET18, pe="lp8", functional=True, progress=True)
        dt = time.perf_counter() - t0
        print(
            f"\nfunctional mode, LP8 PEs, ResNet-18 (21 layers, {res.macs / 1e9:.2f} GMAC) on "
            f"32x32 os: {dt:.1f} s wall ({res.total_cycles} cycles)"
        )
    print("\nall rows identical (CALC and USER: every column of the three reports):", all_ok)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
