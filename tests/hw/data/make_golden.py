"""Regenerate the SCALE-Sim 3.0.0 golden reports in ``golden/`` (not run by the tests).

Usage: ``python tests/hw/data/make_golden.py [/path/to/scalesim-venv]``. Each case writes
SCALE-Sim's ``COMPUTE_REPORT.csv`` and ``DETAILED_ACCESS_REPORT.csv`` for the topology
``small_gemm.csv`` or ``small_conv.csv`` on the config produced by
:func:`lognum.hw.config.scalesim_config_text` (SYSTOLIC.md §5 template), via SCALE-Sim's Python
API with ``save_disk_space=True`` (scalesim==3.0.0, numpy 2.3.5, in its own venv).
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


def main() -> None:
    import lognum.hw as hw
    from lognum.hw.config import scalesim_config_text

    py = cmp.ensure_venv(Path(sys.argv[1] if len(sys.argv) > 1 else ".scalesim-venv"))
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


if __name__ == "__main__":
    main()
