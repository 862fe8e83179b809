"""Accelerators at equal accuracy: MiniLM (and magika, :func:`magika_codesign_table`) on INT8,
INT4/8 bit-fusion, FP8, posit8 + quire, AdaptivFloat, uniform LP8 and the LPQ mixed-precision
LP accelerator (``lognum hw codesign [--model magika]``).

Each row is one accelerator running all-MiniLM-L6-v2 (:func:`lognum.hw.model.run_model`, same
array configuration for all) with the formats whose accuracy was *measured* in
``results/lpq/``: the baselines of ``baselines.json`` (``lognum lpq baselines``) and the saved
LPQ runs (``ga_cap6_lam0.1_long_seed*.json`` by default: GA with at most 6 average weight bits).
Accuracy / fidelity: mean cosine of the sentence embeddings to FP32 on the 50 Lee documents and
the Pearson correlation with the human ratings (weights quantized, activations FP32 in those
measurements; the accelerator model runs the activations at the weights' width, see
:mod:`lognum.hw.model`). Performance per area (inferences/s per mm^2) and energy per inference
are relative to INT8 (``> 1``: better than INT8). **Energies and areas are estimates**
(:mod:`lognum.hw.energy`).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from lognum.hw.config import ArrayConfig

__all__ = [
    "ROWS",
    "MAGIKA_ROWS",
    "OVERHEAD_FRACTIONS",
    "codesign_table",
    "magika_codesign_table",
    "default_config",
    "write_table",
    "markdown",
    "overhead_markdown",
]

#: (label, --formats baseline name, method name in baselines.json)
ROWS = (
    ("INT8", "int8", "INT8 per-tensor"),
    ("INT4/8 bit-fusion (INT4 linears)", "int4", "INT4 per-tensor"),
    ("FP8 e4m3", "fp8", "FP8 e4m3 per-tensor"),
    ("posit8 + quire", "posit8", "posit<8,2>"),
    ("AdaptivFloat AF<8,4>", "af8", "AdaptivFloat AF<8,4>"),
    ("uniform LP8", "lp8", "single LP n=8"),
    ("LPA, uniform LP4 (4-bit mode)", "lp4", "single LP n=4"),
)
DEFAULT_RUNS = "ga_cap6_lam0.1_long_seed*.json"


def default_config() -> ArrayConfig:
    """The array of the co-design table: 32 x 32 output stationary at 1 GHz, 64 kB per SRAM,
    USER bandwidth 16 B/cycle per DRAM channel (SRAM sizes and bandwidths in bytes)."""
    return ArrayConfig(
        rows=32,
        cols=32,
        dataflow="os",
        ifmap_sram_kb=64,
        filter_sram_kb=64,
        ofmap_sram_kb=64,
        bandwidth_mode="USER",
        ifmap_bw=16,
        filter_bw=16,
        ofmap_bw=16,
        run_name="codesign",
    )


#: magika rows: (label, accelerator, study.json method; None: not measured on magika)
MAGIKA_ROWS = (
    ("INT8", "int8", "INT8 per-channel absmax"),
    ("INT4/8 bit-fusion (INT4 layers)", "int4", "INT4 per-channel mse"),
    ("FP8 e4m3", "fp8", "FP8 E4M3 per-tensor scale"),
    ("posit8 + quire", "posit8", "posit<8,2>"),
    ("AdaptivFloat AF<8,4>", "af8", "AdaptivFloat AF<8,4>"),
    ("uniform LP8 (LP<8> per layer)", "lp8", "LP<8> per layer, least weight MSE"),
    ("LPA, LP<4> per layer (4-bit mode)", "lpa", "LP<4> per layer, least weight MSE"),
    ("LPA, LP sensitivity DP (<= 5 b)", "lpa", "LP sensitivity DP (<= 5 b, 14 evals)"),
)
MAGIKA_STUDY = "results/lpq/magika/study.json"
#: leakage / clock / wire fractions of the on-chip energy shown next to the ratios (no
#: published default: lognum.hw.energy)
OVERHEAD_FRACTIONS = (0.0, 0.2, 0.4)
_ACC_KEYS = ("cos_lee", "lee_pearson", "top1", "top1_drop", "agreement", "disagreements")


def _row(label: str, res, acc: dict[str, Any], source: str) -> dict[str, Any]:
    s = res.summary()
    bits = [r.w_bits for r in res.layers if r.kind != "attention"]
    wsz = [r.N * r.K for r in res.layers if r.kind != "attention"]
    return {
        "accelerator": label,
        "formats": res.formats,
        "pe": res.layers[0].pe,
        "avg_weight_bits": sum(b * w for b, w in zip(bits, wsz, strict=True)) / sum(wsz),
        "layers_4bit_mode": sum(r.lanes == 2 for r in res.layers),
        **{k: acc[k] for k in _ACC_KEYS if k in acc},
        "accuracy_source": source,
        "cycles": s["cycles"],
        "stall_cycles": s["stall_cycles"],
        "area_mm2": s["area_mm2"],
        "pe_array_mm2": s["pe_array_mm2"],
        "inferences_per_s_per_mm2": s["inferences_per_s_per_mm2"],
        "energy_uj": s["energy_pj"] / 1e6,
        "energy_compute_uj": (s["energy_mac_pj"] + s["energy_pe_registers_pj"]) / 1e6,
        "energy_sram_uj": sum(s[f"energy_sram_{k}_pj"] for k in ("ifmap", "filter", "ofmap")) / 1e6,
        "energy_dram_uj": s["energy_dram_pj"] / 1e6,
        "dram_mbit": s["dram_bits"] / 1e6,
    }


def codesign_table(
    results: str | Path = "results/lpq",
    runs: str = DEFAULT_RUNS,
    tokens: int = 128,
    config: ArrayConfig | str | Path | None = None,
    energy_table: Any = None,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """The co-design rows (module docstring), with ``perf_per_area_vs_int8`` (inferences/s per
    mm^2 over INT8's) and ``energy_eff_vs_int8`` (INT8's energy per inference over the row's),
    and ``*_compute_only`` variants of both that leave out SRAM and DRAM (PE array area and
    MAC + register energy only). ``ValueError`` if ``baselines.json`` or the runs are missing."""
    from lognum._progress import Progress
    from lognum.hw.model import run_model
    from lognum.lpq.report import saved_baselines

    cfg = config if config is not None else default_config()
    d = Path(results)
    base = {r["method"]: r for r in saved_baselines(d)}
    if not base:
        raise ValueError(f"results: no baselines.json in {d} (run lognum lpq baselines)")
    files = sorted(d.glob(runs))
    if not files:
        raise ValueError(f"runs: no file matches {runs!r} in {d}")
    rows = []
    with Progress(len(ROWS) + len(files), "lognum hw codesign", enabled=progress) as bar:
        for label, name, method in ROWS:
            if method not in base or "eval" not in base[method]:
                raise ValueError(f"results: {d / 'baselines.json'} has no measured {method!r}")
            res = run_model("minilm", name, tokens, cfg, energy_table=energy_table, progress=False)
            rows.append(_row(label, res, base[method]["eval"], f"baselines.json: {method}"))
            bar.update(1, label)
        for f in files:
            rec = json.loads(f.read_text())
            res = run_model("minilm", f, tokens, cfg, energy_table=energy_table, progress=False)
            seed = (rec.get("config", {}).get("ga") or {}).get("seed", "?")
            rows.append(_row(f"LPA, LPQ mixed LP (seed {seed})", res, rec.get("eval", {}), f.name))
            bar.update(1, f.name)
    for r in rows:
        r["model"] = "minilm"
    return _relative(rows)


def _relative(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the ratios to the first row (INT8): ``perf_per_area_vs_int8``,
    ``energy_eff_vs_int8``, their ``*_compute_only`` variants and
    ``energy_eff_vs_int8_overhead_<f>`` for the fractions of :data:`OVERHEAD_FRACTIONS` (the
    energy with ``f`` x the on-chip energy added: :func:`lognum.hw.energy.overhead_energy`)."""
    ref = rows[0]
    cref = ref["inferences_per_s_per_mm2"] * ref["area_mm2"] / ref["pe_array_mm2"]

    def with_overhead(r, f):
        return r["energy_uj"] + f * (r["energy_uj"] - r["energy_dram_uj"])

    for r in rows:
        r["perf_per_area_vs_int8"] = r["inferences_per_s_per_mm2"] / ref["inferences_per_s_per_mm2"]
        r["energy_eff_vs_int8"] = ref["energy_uj"] / r["energy_uj"]
        c = r["inferences_per_s_per_mm2"] * r["area_mm2"] / r["pe_array_mm2"]
        r["perf_per_area_vs_int8_compute_only"] = c / cref
        r["energy_eff_vs_int8_compute_only"] = ref["energy_compute_uj"] / r["energy_compute_uj"]
        for f in OVERHEAD_FRACTIONS:
            r[f"energy_eff_vs_int8_overhead_{f:g}"] = with_overhead(ref, f) / with_overhead(r, f)
    return rows


def magika_codesign_table(
    study: str | Path = MAGIKA_STUDY,
    config: ArrayConfig | str | Path | None = None,
    energy_table: Any = None,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """The co-design rows for magika (one file per inference, :func:`model_layers`), with the
    top-1 measured in ``study`` (``lognum lpq magika-study``: weights quantized, activations
    FP32; top-1 against extension labels, ``top1_drop`` and ``agreement`` with FP32 paired on
    the same files; each a ``[value, low, high]`` 95 % bootstrap interval).

    Rows: :data:`MAGIKA_ROWS` (a row whose method is ``None`` has accuracy ``None``) and every
    ``LPQ GA`` row of the study on the LPA, each with its per-layer LP formats. The ratios are
    those of :func:`codesign_table`. ``ValueError`` if the study is missing or lacks a row."""
    from lognum._progress import Progress
    from lognum.hw.model import ACCELERATORS, Formats, run_model

    p = Path(study)
    if not p.is_file():
        raise ValueError(f"study: no magika study at {p} (run lognum lpq magika-study)")
    d = json.loads(p.read_text())
    by = {r["method"]: r for r in d["rows"]}
    names = ("dense0", "conv0", "dense1")
    ga = [r for r in d["rows"] if str(r.get("search", "")).startswith("LPQ GA")]
    cfg = config if config is not None else default_config()
    rows = []

    def fmts(rec):
        f = rec["formats"]
        f = dict(zip(names, f, strict=True)) if isinstance(f, list) else dict(f)
        return {k: (_lp_bits(v), v) for k, v in f.items()}

    with Progress(len(MAGIKA_ROWS) + len(ga), "lognum hw codesign magika", enabled=progress) as b:
        for label, acc, method in MAGIKA_ROWS:
            rec = by.get(method) if method else None
            if method and rec is None:
                raise ValueError(f"study: {p} has no measured {method!r}")
            if rec is not None and "formats" in rec:
                fm = Formats(ACCELERATORS[acc], fmts(rec), None, f"{p.name}: {method}")
            else:
                fm = acc if acc != "lpa" else "lp4"
            res = run_model("magika", fm, config=cfg, energy_table=energy_table, progress=False)
            src = f"{p.name}: {method}" if method else "not measured on magika"
            rows.append(_row(label, res, _magika_acc(rec), src))
            b.update(1, label)
        for rec in ga:
            fm = Formats(ACCELERATORS["lpa"], fmts(rec), None, f"{p.name}: {rec['method']}")
            res = run_model("magika", fm, config=cfg, energy_table=energy_table, progress=False)
            lab = f"LPA, LPQ mixed LP (seed {rec.get('seed', '?')})"
            rows.append(_row(lab, res, _magika_acc(rec), f"{p.name}: {rec['method']}"))
            b.update(1, lab)
    for r in rows:
        r["model"] = "magika"
    return _relative(rows)


def _lp_bits(fmt: str) -> int:
    from lognum.formats.parse import parse

    return int(parse(fmt).nbits)


def _magika_acc(rec: dict[str, Any] | None) -> dict[str, Any]:
    if rec is None:
        return {}
    return {
        "top1": rec["top1"][0],
        "top1_drop": rec["top1_drop"][0],
        "agreement": rec["agreement"][0],
        "disagreements": rec.get("disagreements"),
    }


def write_table(rows: list[dict[str, Any]], out: str | Path, command: str) -> list[Path]:
    """Write ``out`` (``.csv``) and the same rows as ``.json`` next to it, both with the
    command that produced them (CSV: a leading ``#`` comment line)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as fh:
        fh.write(
            f"# {command}\n# energies and areas are estimates (lognum.hw.energy); "
            "accuracy measured with quantized weights, FP32 activations\n"
        )
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    js = out.with_suffix(".json")
    js.write_text(json.dumps({"command": command, "estimates": True, "rows": rows}, indent=1))
    return [out, js]


def markdown(rows: list[dict[str, Any]]) -> str:
    """The table as markdown (the columns of the docs; magika rows: top-1 and the files whose
    top-1 differs from FP32's instead of the Lee columns)."""
    if rows and rows[0].get("model") == "magika":
        return _markdown_magika(rows)
    head = (
        "| accelerator | avg w bits | cos (Lee) | Lee Pearson | cycles | area mm² | "
        "perf/area vs INT8 | energy/inf µJ | energy eff. vs INT8 |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['accelerator']} | {r['avg_weight_bits']:.2f} | {r['cos_lee']:.4f} | "
            f"{r['lee_pearson']:.4f} | {r['cycles']} | {r['area_mm2']:.3f} | "
            f"{r['perf_per_area_vs_int8']:.2f} | {r['energy_uj']:.1f} | "
            f"{r['energy_eff_vs_int8']:.2f} |"
        )
    return "\n".join(lines)


def _f(v: Any, fmt: str) -> str:
    return "not measured" if v is None else format(v, fmt)


def _markdown_magika(rows: list[dict[str, Any]]) -> str:
    head = (
        "| accelerator | avg w bits | top-1 | top-1 drop vs FP32 | files flipped | cycles | "
        "area mm² | perf/area vs INT8 | energy/inf µJ | energy eff. vs INT8 |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['accelerator']} | {r['avg_weight_bits']:.2f} | {_f(r.get('top1'), '.3f')} | "
            f"{_f(r.get('top1_drop'), '.3f')} | {_f(r.get('disagreements'), 'd')} | "
            f"{r['cycles']} | {r['area_mm2']:.3f} | {r['perf_per_area_vs_int8']:.2f} | "
            f"{r['energy_uj']:.2f} | {r['energy_eff_vs_int8']:.2f} |"
        )
    return "\n".join(lines)


def overhead_markdown(tables: dict[str, list[dict[str, Any]]]) -> str:
    """Energy efficiency vs INT8 at each :data:`OVERHEAD_FRACTIONS` fraction, per model."""
    fr = OVERHEAD_FRACTIONS
    head = "| model | accelerator | " + " | ".join(f"f = {f:g}" for f in fr) + " |"
    lines = [head, "|---|---|" + "---|" * len(fr)]
    for model, rows in tables.items():
        for r in rows:
            vals = " | ".join(f"{r[f'energy_eff_vs_int8_overhead_{f:g}']:.2f}" for f in fr)
            lines.append(f"| {model} | {r['accelerator']} | {vals} |")
    return "\n".join(lines)
