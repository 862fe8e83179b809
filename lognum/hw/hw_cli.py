"""``lognum hw``: a model on an accelerator (``hw model``) and the co-design table
(``hw codesign``)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

__all__ = ["hw_main"]


def _config(path: str | None):
    if path is None:
        return None
    from lognum.hw.config import read_scalesim_config

    return read_scalesim_config(path)


def model_main(argv: list[str]) -> int:
    """``lognum hw model --model minilm|cnn|TOPO --formats NAME|LPQ.json [...]``."""
    from lognum.hw.model import BASELINES

    ap = argparse.ArgumentParser(
        prog="lognum hw model",
        description="Every layer of a model as its GEMM / convolution on an array whose PEs "
        "match the layer's formats: per-layer cycles, stalls, SRAM/DRAM traffic, energy by "
        "component (estimates) and the array's area.",
    )
    ap.add_argument(
        "--model", required=True, help="minilm, cnn, magika or a SCALE-Sim topology CSV"
    )
    ap.add_argument(
        "--formats",
        required=True,
        help=f"a baseline ({', '.join(sorted(BASELINES))}) or an LPQ result JSON "
        "(per-layer LP formats, on the mixed-precision LP accelerator)",
    )
    ap.add_argument("--tokens", type=int, default=128, help="MiniLM tokens (default 128)")
    ap.add_argument("--batch", type=int, default=1, help="sentences / images (default 1)")
    ap.add_argument(
        "-c",
        "--config",
        default=None,
        help="SCALE-Sim .cfg (SRAM kB and bandwidths in bytes; default: 32x32 os)",
    )
    ap.add_argument(
        "-i",
        "--input-type",
        choices=("conv", "gemm"),
        default="conv",
        help="rows of a topology file (default conv)",
    )
    ap.add_argument(
        "--act-bits",
        type=int,
        default=None,
        help="input-activation width (default: each layer's weight width)",
    )
    ap.add_argument(
        "--functional",
        default=None,
        metavar="LAYERS",
        help="comma-separated weight layers to check through the PE arithmetic "
        "against lognum.nn's quantized inference (minilm / cnn / magika)",
    )
    ap.add_argument(
        "--functional-rows",
        type=int,
        default=None,
        metavar="N",
        help="check only the first N rows of each layer's operand matrix (default: all)",
    )
    ap.add_argument("--csv", default=None, help="write the per-layer table to this CSV")
    ap.add_argument("--json", default=None, help="write the summary and layers to this JSON")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    a = ap.parse_args(argv)
    from lognum.hw.model import functional_check, run_model

    res = run_model(
        a.model,
        a.formats,
        a.tokens,
        _config(a.config),
        a.act_bits,
        a.batch,
        input_type=a.input_type,
        progress=False if a.quiet else None,
    )
    rows = res.rows()
    cols = (
        "name",
        "fmt",
        "pe",
        "repeat",
        "M",
        "N",
        "K",
        "cycles",
        "stall_cycles",
        "dram_bits",
        "energy_pj",
    )
    print(",".join(cols))
    for r in rows:
        print(",".join(f"{r[c]:.6g}" if isinstance(r[c], float) else str(r[c]) for c in cols))
    s = res.summary()
    print("# totals per inference (energies and areas are estimates):")
    for k, v in s.items():
        print(f"# {k} = {v:.6g}" if isinstance(v, float) else f"# {k} = {v}")
    out: dict = {"summary": s, "layers": rows}
    if a.functional:
        names = [n.strip() for n in a.functional.split(",") if n.strip()]
        chk = functional_check(
            a.model, a.formats, names, tokens=min(a.tokens, 16), rows=a.functional_rows
        )
        out["functional"] = chk
        for c in chk:
            print(
                f"# functional {c['layer']} ({c['format']} on {c['pe']}): max |array - "
                f"lognum.nn| = {c['max_abs_diff']:.3g} (bound {c['max_bound']:.3g}) "
                f"{'ok' if c['ok'] else 'MISMATCH'}"
            )
        if not all(c["ok"] for c in chk):
            return 1
    if a.csv:
        Path(a.csv).parent.mkdir(parents=True, exist_ok=True)
        with open(a.csv, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(out, indent=1, default=str))
    return 0


def codesign_main(argv: list[str]) -> int:
    """``lognum hw codesign [--model minilm|magika] [--results results/lpq] [--out ...]``."""
    from lognum.hw.codesign import (
        DEFAULT_RUNS,
        MAGIKA_STUDY,
        codesign_table,
        magika_codesign_table,
        markdown,
        overhead_markdown,
        write_table,
    )

    ap = argparse.ArgumentParser(
        prog="lognum hw codesign",
        description="MiniLM or magika on INT8, INT4/8 bit-fusion, FP8, posit8 + quire, "
        "AdaptivFloat, uniform LP8 and the LPQ mixed-precision LP accelerator, each with its "
        "measured accuracy; performance per area and energy per inference relative to INT8 "
        "(estimates).",
    )
    ap.add_argument(
        "--model",
        choices=("minilm", "magika"),
        default="minilm",
        help="minilm (accuracy from --results) or magika (top-1 from --study)",
    )
    ap.add_argument(
        "--study", default=MAGIKA_STUDY, help=f"magika study JSON (default {MAGIKA_STUDY})"
    )
    ap.add_argument("--results", default="results/lpq", help="saved LPQ results (baselines.json)")
    ap.add_argument("--runs", default=DEFAULT_RUNS, help=f"LPQ run files (default {DEFAULT_RUNS})")
    ap.add_argument("--tokens", type=int, default=128, help="tokens per sentence (default 128)")
    ap.add_argument(
        "-c",
        "--config",
        default=None,
        help="SCALE-Sim .cfg (default: 32x32 os, 64 kB SRAMs, USER 16 B/cycle)",
    )
    ap.add_argument("--out", default=None, help="write the table (.csv and .json)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    a = ap.parse_args(argv)
    if a.model == "magika":
        rows = magika_codesign_table(a.study, _config(a.config), progress=not a.quiet)
    else:
        rows = codesign_table(a.results, a.runs, a.tokens, _config(a.config), progress=not a.quiet)
    print(markdown(rows))
    print()
    print("energy efficiency vs INT8 with leakage/clock/wires as a fraction f of on-chip energy:")
    print(overhead_markdown({a.model: rows}))
    print(
        "(energies and areas are estimates; accuracy measured with quantized weights and "
        "FP32 activations)"
    )
    if a.out:
        cmd = "python -m lognum hw codesign " + " ".join(argv)
        for p in write_table(rows, a.out, cmd.strip()):
            print(f"wrote {p}", file=sys.stderr)
    return 0


def hw_main(argv: list[str]) -> int:
    """``lognum hw model ...`` / ``lognum hw codesign ...``."""
    subs = {"model": model_main, "codesign": codesign_main}
    if not argv:
        raise ValueError("missing hw command (model, codesign; see lognum hw --help)")
    if argv[0] in ("-h", "--help"):
        print(
            "usage: lognum hw {model,codesign} ...\n\n  model     a model's layers on an "
            "accelerator matching their formats\n  codesign  the accelerators-at-equal-"
            "accuracy table for MiniLM or magika"
        )
        return 0
    if argv[0] not in subs:
        raise ValueError(f"unknown hw command {argv[0]!r} (commands: model, codesign)")
    return subs[argv[0]](argv[1:])
