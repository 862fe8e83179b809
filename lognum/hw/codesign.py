"""Accelerators at equal accuracy: MiniLM on INT8, INT4/8 bit-fusion, FP8, posit8 + quire,
AdaptivFloat, uniform LP8 and the LPQ mixed-precision LP accelerator (``lognum hw codesign``).

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

__all__ = ["ROWS", "codesign_table", "default_config", "write_table", "markdown"]

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
        "cos_lee": acc.get("cos_lee"),
        "lee_pearson": acc.get("lee_pearson"),
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
    ref = rows[0]
    cref = ref["inferences_per_s_per_mm2"] * ref["area_mm2"] / ref["pe_array_mm2"]
    for r in rows:
        r["perf_per_area_vs_int8"] = r["inferences_per_s_per_mm2"] / ref["inferences_per_s_per_mm2"]
        r["energy_eff_vs_int8"] = ref["energy_uj"] / r["energy_uj"]
        c = r["inferences_per_s_per_mm2"] * r["area_mm2"] / r["pe_array_mm2"]
        r["perf_per_area_vs_int8_compute_only"] = c / cref
        r["energy_eff_vs_int8_compute_only"] = ref["energy_compute_uj"] / r["energy_compute_uj"]
    return rows


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
    """The table as markdown (the columns of the docs)."""
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
