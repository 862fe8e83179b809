"""Regenerate the SCALE-Sim 3.0.0 golden reports (not run by the tests).

Usage: ``python tests/hw/data/make_golden.py [/path/to/scalesim-venv] [--user] [--calc]``
(``--user`` / ``--calc``: only the ``golden_user`` / ``golden_calc`` cases). Each case writes
SCALE-Sim's reports for one topology on the config produced by
:func:`lognum.hw.config.scalesim_config_text` (docs/simulator.md template), via SCALE-Sim's Python
API with ``save_disk_space=True`` (scalesim==3.0.0, numpy 2.3.5, in its own venv):

- ``golden/<topo>_<R>x<C>_<df>_<mode>/``: ``COMPUTE_REPORT.csv`` and
  ``DETAILED_ACCESS_REPORT.csv`` for ``small_gemm.csv`` / ``small_conv.csv``, 1 kB SRAMs,
  10 words/cycle, CALC and USER mode (``CASES``);
- ``golden_user/<topo>_<R>x<C>_<df>_<variant>/``: the three reports (also
  ``BANDWIDTH_REPORT.csv``) in USER mode for ``user_gemm.csv`` / ``user_conv.csv`` on small
  SRAMs and low bandwidths that make SCALE-Sim's read and write buffers stall
  (``USER_CASES``, ``USER_VARIANTS``);
- ``golden_calc/<topo>_<R>x<C>_<df>_calc<variant>/``: the three reports in CALC mode for the
  same topologies on 1-3 kB SRAMs, large enough in address count that SCALE-Sim's estimate
  read buffers fill and evict several prefetch windows (``CALC_CASES``, ``CALC_VARIANTS``).
"""

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))
spec = importlib.util.spec_from_file_location("cmp", ROOT / "benchmarks" / "compare_scalesim.py")
cmp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cmp)

CASES = [  # (topology, gemm?, R, C, dataflow, mode)
    (topo, g, R, C, df, mode)
    for topo, g in (("small_gemm.csv", True), ("small_conv.csv", False))
    for (R, C) in ((4, 4), (8, 4))
    for df in ("os", "ws", "is")
    for mode in ("CALC", "USER")
]


# USER-mode variants: (array rows, cols, SRAM kB ifmap/filter/ofmap, bandwidth ifmap/filter/ofmap)
USER_VARIANTS = {
    "a": (4, 4, (1, 1, 1), (2, 3, 5)),
    "b": (8, 4, (2, 1, 3), (1, 4, 2)),
    "c": (3, 5, (1, 2, 1), (10, 10, 10)),
}
USER_CASES = [  # (topology, gemm?, dataflow, variant)
    (topo, g, df, v)
    for topo, g in (("user_gemm.csv", True), ("user_conv.csv", False))
    for df in ("os", "ws", "is")
    for v in USER_VARIANTS
]


# CALC-mode variants: (array rows, cols, SRAM kB ifmap/filter/ofmap)
CALC_VARIANTS = {
    "a": (4, 4, (1, 1, 1)),
    "b": (8, 4, (2, 1, 3)),
    "c": (3, 5, (1, 2, 1)),
}
CALC_CASES = [  # (topology, gemm?, dataflow, variant)
    (topo, g, df, v)
    for topo, g in (("user_gemm.csv", True), ("user_conv.csv", False))
    for df in ("os", "ws", "is")
    for v in CALC_VARIANTS
]


def calc_main(py) -> None:
    import lognum.hw as hw
    from lognum.hw.config import scalesim_config_text

    tmp = Path(tempfile.mkdtemp())
    for topo, g, df, v in CALC_CASES:
        R, C, kb = CALC_VARIANTS[v]
        name = f"{Path(topo).stem}_{R}x{C}_{df}_calc{v}"
        cfg = hw.ArrayConfig(
            rows=R,
            cols=C,
            dataflow=df,
            bandwidth_mode="CALC",
            run_name=name,
            ifmap_sram_kb=kb[0],
            filter_sram_kb=kb[1],
            ofmap_sram_kb=kb[2],
        )
        cp = tmp / f"{name}.cfg"
        cp.write_text(scalesim_config_text(cfg))
        out = tmp / name
        cmp.run_scalesim(py, cp, HERE / topo, g, out)
        dst = HERE / "golden_calc" / name
        dst.mkdir(parents=True, exist_ok=True)
        shutil.copy(cp, dst / "config.cfg")
        for rep in ("COMPUTE_REPORT.csv", "DETAILED_ACCESS_REPORT.csv", "BANDWIDTH_REPORT.csv"):
            shutil.copy(out / name / rep, dst / rep)
        print(name)


def user_main(py) -> None:
    import lognum.hw as hw
    from lognum.hw.config import scalesim_config_text

    tmp = Path(tempfile.mkdtemp())
    for topo, g, df, v in USER_CASES:
        R, C, kb, bw = USER_VARIANTS[v]
        name = f"{Path(topo).stem}_{R}x{C}_{df}_{v}"
        cfg = hw.ArrayConfig(
            rows=R,
            cols=C,
            dataflow=df,
            bandwidth_mode="USER",
            run_name=name,
            ifmap_sram_kb=kb[0],
            filter_sram_kb=kb[1],
            ofmap_sram_kb=kb[2],
            ifmap_bw=bw[0],
            filter_bw=bw[1],
            ofmap_bw=bw[2],
        )
        cp = tmp / f"{name}.cfg"
        cp.write_text(scalesim_config_text(cfg))
        out = tmp / name
        cmp.run_scalesim(py, cp, HERE / topo, g, out)
        dst = HERE / "golden_user" / name
        dst.mkdir(parents=True, exist_ok=True)
        shutil.copy(cp, dst / "config.cfg")
        for rep in ("COMPUTE_REPORT.csv", "DETAILED_ACCESS_REPORT.csv", "BANDWIDTH_REPORT.csv"):
            shutil.copy(out / name / rep, dst / rep)
        print(name)


def main() -> None:
    import lognum.hw as hw
    from lognum.hw.config import scalesim_config_text

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    py = cmp.ensure_venv(Path(args[0] if args else ".scalesim-venv"))
    if "--user" in sys.argv:
        return user_main(py)
    if "--calc" in sys.argv:
        return calc_main(py)
    tmp = Path(tempfile.mkdtemp())
    for topo, g, R, C, df, mode in CASES:
        name = f"{Path(topo).stem}_{R}x{C}_{df}_{mode}"
        cfg = hw.ArrayConfig(
            rows=R,
            cols=C,
            dataflow=df,
            bandwidth_mode=mode,
            run_name=name,
            ifmap_sram_kb=1,
            filter_sram_kb=1,
            ofmap_sram_kb=1,
        )
        cp = tmp / f"{name}.cfg"
        cp.write_text(scalesim_config_text(cfg))
        out = tmp / name
        cmp.run_scalesim(py, cp, HERE / topo, g, out)
        dst = HERE / "golden" / name
        dst.mkdir(parents=True, exist_ok=True)
        shutil.copy(cp, dst / "config.cfg")
        for rep in ("COMPUTE_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"):
            shutil.copy(out / name / rep, dst / rep)
        print(name)
    user_main(py)
    calc_main(py)


if __name__ == "__main__":
    main()
