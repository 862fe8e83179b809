"""Model -> accelerator: every layer of a network as a GEMM / convolution on an array whose PEs
match that layer's number formats (``lognum hw model``).

A *model* is all-MiniLM-L6-v2 (``"minilm"``: its 36 linear layers and the two attention
matmuls of each block at a given token count), the tiny MNIST CNN of :mod:`lognum.nn.cnn`
(``"cnn"``), Google's magika file-type CNN (``"magika"``, :mod:`lognum.nn.magika`) or a
SCALE-Sim topology file. *Formats* are a baseline name (one format for every
layer: :data:`ACCELERATORS`) or an LPQ result JSON (``results/lpq/*.json``: a per-layer
``LP<n, es, rs, sf>`` for every weight tensor, :mod:`lognum.lpq.genome`), which runs on the
mixed-precision LP accelerator (LPA: one 8-bit or two 4-bit LP products per PE and cycle).

Rules (stated so that the numbers can be checked; all energies and areas are estimates of
:mod:`lognum.hw.energy`):

- **Operand widths.** A layer's FILTER operand (weights) has its format's ``n`` bits. Its
  IFMAP operand (input activations) has ``act_bits`` bits; the default (``act_bits=None``) is
  the weights' width, i.e. each layer runs in one format, as the LPA runs each layer in its
  own format. Layers without weights (MiniLM's ``Q K^T`` and ``softmax(.) V`` per head) and
  layers an LPQ file does not list run in the accelerator's 8-bit format.
- **PE mode.** A layer whose widths are both <= 4 runs in the 4-bit mode of an accelerator
  that has one (bit fusion: two products per PE per cycle along the reduction axis, ``lanes =
  2``); every other layer of at most 8 bits runs in the 8-bit mode (one product per cycle, a
  narrower operand sign-extended). Wider than 8 bits: ``ValueError``. An LP layer needs the
  PE's log fraction bits ``F`` to cover its format's (``ValueError`` otherwise).
- **Memory.** SRAM sizes and DRAM bandwidths of the configuration are in bytes (``word_bytes``
  must be 1). An ``n``-bit operand is packed densely: its SRAM holds ``8 / n`` times as many
  elements as bytes and its DRAM channel delivers ``bw 8 / n`` elements per cycle; the
  simulator's memory model (:mod:`lognum.hw.sim`) runs on these element counts. The OFMAP
  (outputs, at the IFMAP width: they are the next layer's input) scales the same way.
- **DRAM traffic** in bits = IFMAP elements x ``a_bits`` + FILTER elements x ``w_bits`` +
  OFMAP writes x ``a_bits`` + partial-sum read-backs x the PE's accumulator width.
- **Energy by component** (pJ): ``mac`` and ``pe_registers`` are those of the PE mode in use
  (:func:`lognum.hw.energy.layer_energy`: the registers are physically 8 bits wide in the
  8-bit mode); SRAM reads / writes are charged at the stored widths (an array edge of ``R``
  or ``C`` elements of ``bits x lanes`` per access, the SRAM energy rule of
  :mod:`lognum.hw.energy`), DRAM at the bits above.
- **Area** (mm^2): ``rows x cols`` PEs of the accelerator (a mixed-precision PE is the union
  of its modes) plus the three SRAMs (:func:`lognum.hw.energy.array_area_mm2`).
- **Repeat.** MiniLM's attention matmuls are one GEMM per head (12 per block), simulated once
  and counted ``repeat`` times (the heads run one after the other).

:func:`run_model` returns a :class:`ModelResult`; :func:`functional_check` checks on a few
layers that the array's outputs through the PE arithmetic equal :mod:`lognum.nn`'s quantized
inference for the same formats.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from lognum.formats.parse import parse
from lognum.hw.config import ArrayConfig
from lognum.hw.pe import PEType, log_frac_bits, pe_type
from lognum.hw.workload import Layer, conv, gemm

__all__ = [
    "Accelerator",
    "ACCELERATORS",
    "ModelLayer",
    "LayerRecord",
    "ModelResult",
    "model_layers",
    "resolve_formats",
    "run_model",
    "Formats",
    "packed_config",
    "functional_check",
    "MINILM",
]

#: all-MiniLM-L6-v2 shapes (its ``config.json``): hidden 384, 6 layers, 12 heads, FFN 1536
MINILM = {"hidden": 384, "layers": 6, "heads": 12, "ffn": 1536}
_SUFFIXES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


@dataclass(frozen=True)
class Accelerator:
    """An accelerator: its PE per mode (``8``: one 8-bit product per cycle; ``4``: the
    bit-fusion mode, if any), the format notation of its 8-bit and 4-bit modes and a label."""

    name: str
    label: str
    modes: dict[int, str]
    fmt8: str
    fmt4: str = ""

    def pe(self, mode: int) -> PEType:
        return pe_type(self.modes[mode])


ACCELERATORS: dict[str, Accelerator] = {
    "int8": Accelerator("int8", "INT8", {8: "int8"}, "int8_sym"),
    "int4": Accelerator(
        "int4", "INT4/8 bit-fusion", {8: "int_bf8", 4: "int_bf4"}, "int8_sym", "int4_sym"
    ),
    "fp8": Accelerator("fp8", "FP8 e4m3", {8: "fp8"}, "float8_e4m3fn"),
    "posit8": Accelerator("posit8", "posit8 + quire", {8: "posit8"}, "posit<8,2>"),
    "af8": Accelerator("af8", "AdaptivFloat AF<8,4>", {8: "af8_4"}, "AF<8,4>"),
    "lp8": Accelerator("lp8", "uniform LP8", {8: "lp8_f5"}, "LP<8,0,7,4>"),
    "lpa": Accelerator(
        "lpa", "LPA (mixed-precision LP)", {8: "lpa8", 4: "lpa4"}, "LP<8,0,7,4>", "LP<4,0,3,0>"
    ),
}
#: ``--formats`` baseline name -> (accelerator, bits of every weight layer)
BASELINES = {
    "int8": ("int8", 8),
    "int4": ("int4", 4),
    "fp8": ("fp8", 8),
    "posit8": ("posit8", 8),
    "af8": ("af8", 8),
    "lp8": ("lp8", 8),
    "lp4": ("lpa", 4),
}
#: formats of the uniform baselines where the accelerator's default is not the measured one
_UNIFORM_FMT = {"lp4": "LP<4,1,2,4>"}  # the best single LP4 of results/lpq/baselines.json


@dataclass(frozen=True)
class ModelLayer:
    """One layer of a model: the simulator :class:`~lognum.hw.workload.Layer`, how many times it
    runs per inference, and the name of its weight tensor (``None``: no weights)."""

    layer: Layer
    repeat: int = 1
    weight: str | None = None
    kind: str = "linear"


def model_layers(
    model: str | Path, tokens: int = 128, batch: int = 1, input_type: str = "conv"
) -> list[ModelLayer]:
    """The layers of ``model`` (``"minilm"``, ``"cnn"`` or a topology CSV path) for one batch.

    MiniLM: one sentence of ``tokens`` tokens (times ``batch``), per block Q, K, V
    (``tokens x 384 @ 384 x 384``), the scores ``Q K^T`` (``tokens x 32 @ 32 x tokens``, 12
    heads), the context ``softmax(.) V`` (``tokens x tokens @ tokens x 32``, 12 heads), the
    attention output (384 x 384), FFN1 (384 -> 1536) and FFN2 (1536 -> 384); the linear layers
    carry lognum.nn's names (``encoder.layer.{i}.attention.self.query`` ...). CNN: ``batch``
    28 x 28 images: conv1 3x3 1->8 pad 1, conv2 3x3 8->16 pad 1 on 14 x 14, fc1 784->64,
    fc2 64->10. magika (``"magika"``, :mod:`lognum.nn.magika`): per file (``batch`` files)
    ``dense0`` as the GEMM ``2048 x 257 @ 257 x 64`` (the one-hot byte embedding; an
    accelerator could gather rows instead, which this model does not credit), ``conv0`` as a
    1 x 512 convolution of 256 channels with 512 filters of width 5 (508 outputs) and
    ``dense1`` (``1 x 512 @ 512 x 214``). A topology file: its rows, each with its own name as
    the weight name.
    """
    if not isinstance(tokens, int) or isinstance(tokens, bool) or not 1 <= tokens <= 4096:
        raise ValueError(f"tokens must be an integer in [1, 4096], got {tokens!r}")
    if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= 4096:
        raise ValueError(f"batch must be an integer in [1, 4096], got {batch!r}")
    if model == "minilm":
        d, h, f = MINILM["hidden"], MINILM["heads"], MINILM["ffn"]
        dh, T = d // h, tokens * batch
        out = []
        for i in range(MINILM["layers"]):
            p = f"encoder.layer.{i}."
            q, k, v, o, f1, f2 = (p + s for s in _SUFFIXES)
            out += [
                ModelLayer(gemm(T, d, d, q), 1, q),
                ModelLayer(gemm(T, d, d, k), 1, k),
                ModelLayer(gemm(T, d, d, v), 1, v),
            ]
            out.append(
                ModelLayer(
                    gemm(tokens, tokens, dh, p + "attention.scores"), h * batch, None, "attention"
                )
            )
            out.append(
                ModelLayer(
                    gemm(tokens, dh, tokens, p + "attention.context"), h * batch, None, "attention"
                )
            )
            out += [
                ModelLayer(gemm(T, d, d, o), 1, o),
                ModelLayer(gemm(T, f, d, f1), 1, f1),
                ModelLayer(gemm(T, d, f, f2), 1, f2),
            ]
        return out
    if model == "magika":
        B = batch
        return [
            # the byte embedding: one_hot(2048 tokens, 257) @ W0 (257 x 64) per file
            ModelLayer(gemm(2048 * B, 64, 257, "dense0"), 1, "dense0"),
            # Conv1D: 512 positions x 256 channels, 512 filters of width 5, no padding
            ModelLayer(conv(1, 512, 1, 5, 256, 512, batch=B, name="conv0"), 1, "conv0", "conv"),
            ModelLayer(gemm(B, 214, 512, "dense1"), 1, "dense1"),
        ]
    if model == "cnn":
        return [
            ModelLayer(
                conv(28, 28, 3, 3, 1, 8, padding=1, batch=batch, name="conv1"), 1, "conv1", "conv"
            ),
            ModelLayer(
                conv(14, 14, 3, 3, 8, 16, padding=1, batch=batch, name="conv2"), 1, "conv2", "conv"
            ),
            ModelLayer(gemm(batch, 64, 784, "fc1"), 1, "fc1"),
            ModelLayer(gemm(batch, 10, 64, "fc2"), 1, "fc2"),
        ]
    p = Path(model)
    if not p.is_file():
        raise ValueError(
            f"model must be 'minilm', 'cnn', 'magika' or a topology CSV file, got {model!r}"
        )
    from lognum.hw.workload import read_topology

    return [ModelLayer(lay, 1, lay.name, lay.kind) for lay in read_topology(p, input_type)]


@dataclass(frozen=True)
class Formats:
    """Resolved formats: the accelerator, per weight name ``(bits, format notation)`` and the
    source (baseline name or file) with its metadata."""

    accelerator: Accelerator
    layers: dict[str, tuple[int, str]] | None  # None: every weight layer uses ``uniform``
    uniform: tuple[int, str] | None
    source: str
    meta: dict = field(default_factory=dict)

    def of(self, name: str | None) -> tuple[int, str] | None:
        if name is None:
            return None
        if self.layers is None:
            return self.uniform
        return self.layers.get(name)


def resolve_formats(formats: str | Path, weight_names: list[str]) -> Formats:
    """``formats``: a baseline name (:data:`BASELINES`) or an LPQ result JSON whose ``layers``
    name exactly the model's weight layers (``ValueError`` otherwise)."""
    key = str(formats).lower()
    if key in BASELINES:
        acc, bits = BASELINES[key]
        a = ACCELERATORS[acc]
        fmt = _UNIFORM_FMT.get(key, a.fmt4 if bits == 4 else a.fmt8)
        return Formats(a, None, (bits, fmt), key)
    p = Path(formats)
    if not p.is_file():
        raise ValueError(
            f"formats must be one of {sorted(BASELINES)} or an LPQ result JSON "
            f"file, got {str(formats)!r}"
        )
    try:
        d = json.loads(p.read_text())
        rows = [r for r in d["layers"] if r.get("tensor", "weight") == "weight"]
        lay = {r["layer"]: (int(r["n"]), str(r["format"])) for r in rows}
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError(f"formats {p}: not a JSON file") from None
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"formats {p}: not an LPQ result (needs 'layers' with 'layer', 'n', "
            "'format' per weight tensor)"
        ) from None
    if any(str(r.get("tensor", "weight")) != "weight" for r in d["layers"]):
        raise ValueError(
            f"formats {p}: activation formats in LPQ results are not supported "
            "(the accelerator takes act_bits)"
        )
    extra = sorted(set(lay) - set(weight_names))
    missing = [n for n in weight_names if n not in lay]
    if extra or missing:
        raise ValueError(
            f"formats {p}: layers do not match the model (not in the model: "
            f"{extra[:3]}, missing: {missing[:3]})"
        )
    meta = {k: d[k] for k in ("method", "avg_bits", "eval", "best_fitness") if k in d}
    return Formats(ACCELERATORS["lpa"], lay, None, str(p), meta)


@dataclass
class LayerRecord:
    """One model layer on the accelerator (counts already multiplied by ``repeat``)."""

    name: str
    kind: str
    repeat: int
    M: int
    N: int
    K: int
    fmt: str
    w_bits: int
    a_bits: int
    pe: str
    lanes: int
    macs: int
    cycles: int
    stall_cycles: int
    util_pct: float
    sram_ifmap_reads: int
    sram_filter_reads: int
    sram_ofmap_writes: int
    sram_ofmap_reads: int
    dram_ifmap_reads: int
    dram_filter_reads: int
    dram_ofmap_writes: int
    dram_ofmap_reads: int
    dram_bits: int
    energy: dict[str, float]

    @property
    def energy_pj(self) -> float:
        return sum(self.energy.values())


@dataclass
class ModelResult:
    """Result of :func:`run_model`: per-layer records, the array's area and the totals of one
    inference (estimates: :mod:`lognum.hw.energy`)."""

    model: str
    formats: str
    accelerator: str
    config: ArrayConfig
    layers: list[LayerRecord]
    area_mm2: dict[str, float]
    meta: dict = field(default_factory=dict)

    @property
    def cycles(self) -> int:
        return sum(r.cycles for r in self.layers)

    @property
    def energy(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for r in self.layers:
            for k, v in r.energy.items():
                out[k] = out.get(k, 0.0) + v
        return out

    @property
    def energy_pj(self) -> float:
        return sum(self.energy.values())

    def summary(self) -> dict[str, Any]:
        """Totals per inference: cycles, stalls, MACs, time, inferences/s, area, inferences/s
        per mm^2, energy (pJ, by component), DRAM bits."""
        t = self.cycles / (self.config.freq_mhz * 1e6)
        out: dict[str, Any] = {
            "model": self.model,
            "formats": self.formats,
            "accelerator": self.accelerator,
            "cycles": self.cycles,
            "stall_cycles": sum(r.stall_cycles for r in self.layers),
            "macs": sum(r.macs for r in self.layers),
            "time_s": t,
            "inferences_per_s": 1.0 / t,
            "area_mm2": self.area_mm2["total"],
            "pe_array_mm2": self.area_mm2["pe_array"],
            "inferences_per_s_per_mm2": 1.0 / t / self.area_mm2["total"],
            "energy_pj": self.energy_pj,
            "dram_bits": sum(r.dram_bits for r in self.layers),
        }
        out.update({f"energy_{k}_pj": v for k, v in self.energy.items()})
        return out

    def rows(self) -> list[dict[str, Any]]:
        """One flat dict per layer (for CSV)."""
        out = []
        for r in self.layers:
            d = {k: v for k, v in r.__dict__.items() if k != "energy"}
            d.update({f"energy_{k}_pj": v for k, v in r.energy.items()})
            d["energy_pj"] = r.energy_pj
            out.append(d)
        return out


def _storage_energy(
    res, cfg: ArrayConfig, pe: PEType, a_bits: int, w_bits: int, table
) -> dict[str, float]:
    """SRAM and DRAM energy (pJ) at the stored widths (module docstring)."""
    t = table
    R, C, L = cfg.rows, cfg.cols, pe.lanes
    n_if, n_fl = (C, R) if cfg.dataflow == "is" else (R, C)
    ob = a_bits if cfg.dataflow == "os" else pe.acc_bits

    def per_elem(kb, n, bits):
        return t.sram_access(kb, n * bits) / n

    return {
        "sram_ifmap": res.sram_ifmap_reads * per_elem(cfg.ifmap_sram_kb, n_if * L, a_bits),
        "sram_filter": res.sram_filter_reads * per_elem(cfg.filter_sram_kb, n_fl * L, w_bits),
        "sram_ofmap": (res.sram_ofmap_writes + res.sram_ofmap_reads)
        * per_elem(cfg.ofmap_sram_kb, C, ob),
        "dram": t.dram_access(1.0) * _dram_bits(res, pe, a_bits, w_bits),
    }


def _dram_bits(res, pe: PEType, a_bits: int, w_bits: int) -> int:
    return (
        res.dram_ifmap_reads * a_bits
        + res.dram_filter_reads * w_bits
        + res.dram_ofmap_writes * a_bits
        + res.dram_ofmap_reads * pe.acc_bits
    )


def packed_config(cfg: ArrayConfig, a_bits: int, w_bits: int) -> ArrayConfig:
    """The configuration in elements for ``a_bits`` / ``w_bits`` operands packed into bytes
    (module docstring: SRAMs hold ``8 / bits`` elements per byte, DRAM channels deliver
    ``bw 8 / bits`` elements per cycle)."""
    fa, fw = 8.0 / a_bits, 8.0 / w_bits
    return replace(
        cfg,
        ifmap_sram_kb=cfg.ifmap_sram_kb * fa,
        filter_sram_kb=cfg.filter_sram_kb * fw,
        ofmap_sram_kb=cfg.ofmap_sram_kb * fa,
        ifmap_bw=cfg.ifmap_bw * fa,
        filter_bw=cfg.filter_bw * fw,
        ofmap_bw=cfg.ofmap_bw * fa,
    )


def _check_bits(name: str, v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not 2 <= v <= 8:
        raise ValueError(
            f"{name} must be an integer in [2, 8] (the accelerators have 8-bit "
            f"and 4-bit modes), got {v!r}"
        )
    return v


def layer_plan(ml: ModelLayer, fm: Formats, act_bits: int | None) -> tuple[int, int, str, PEType]:
    """``(w_bits, a_bits, format, PE)`` of one model layer (module docstring rules)."""
    acc = fm.accelerator
    got = fm.of(ml.weight)
    w_bits, fmt = got if got is not None else (8, acc.fmt8)
    w_bits = _check_bits(f"bits of layer {ml.layer.name!r}", w_bits)
    a_bits = w_bits if act_bits is None else _check_bits("act_bits", act_bits)
    if got is None:
        a_bits = 8 if act_bits is None else a_bits
    mode = 4 if max(a_bits, w_bits) <= 4 and 4 in acc.modes else 8
    pe = acc.pe(mode)
    if pe.kind == "lp" and parse(fmt).family == "lp":
        F = log_frac_bits(fmt)
        if F > pe.frac_bits:
            raise ValueError(
                f"formats: layer {ml.layer.name!r} is {fmt} with {F} log fraction "
                f"bits; the {acc.label} PE's {mode}-bit mode has F = "
                f"{pe.frac_bits}"
            )
    return w_bits, a_bits, fmt, pe


def run_model(
    model: str | Path,
    formats: str | Path | Formats,
    tokens: int = 128,
    config: ArrayConfig | str | Path | None = None,
    act_bits: int | None = None,
    batch: int = 1,
    energy_table: Any = None,
    input_type: str = "conv",
    progress: bool | None = None,
) -> ModelResult:
    """Run every layer of ``model`` with ``formats`` (a baseline name, an LPQ result JSON or
    a :class:`Formats`) on the accelerator (module docstring).

    ``config``: an :class:`ArrayConfig`, a SCALE-Sim ``.cfg`` path, or ``None`` (the default
    32 x 32 output-stationary array of :class:`ArrayConfig`). Returns a :class:`ModelResult`
    with per-layer cycles, stalls, SRAM / DRAM traffic and energy by component, the area and
    the totals (:meth:`ModelResult.summary`).
    """
    from lognum._progress import Progress
    from lognum.hw.config import read_scalesim_config
    from lognum.hw.energy import (
        array_area_mm2,
        default_energy_table,
        layer_energy,
        overhead_energy,
    )
    from lognum.hw.sim import simulate_layer

    if config is None:
        cfg = ArrayConfig()
    elif isinstance(config, ArrayConfig):
        cfg = config
    else:
        cfg = read_scalesim_config(config)
    if cfg.word_bytes != 1:
        raise ValueError(
            f"config: word_bytes must be 1 (sizes in bytes; operand widths come "
            f"from the formats), got {cfg.word_bytes}"
        )
    t = energy_table or default_energy_table()
    mls = model_layers(model, tokens, batch, input_type)
    if isinstance(formats, Formats):
        fm = formats
    else:
        fm = resolve_formats(formats, [m.weight for m in mls if m.weight is not None])
    recs: list[LayerRecord] = []
    show = len(mls) > 8 if progress is None else progress
    with Progress(len(mls), "lognum hw model", enabled=show) as bar:
        for ml in mls:
            w_bits, a_bits, fmt, pe = layer_plan(ml, fm, act_bits)
            res = simulate_layer(ml.layer, packed_config(cfg, a_bits, w_bits), lanes=pe.lanes)
            base = layer_energy(res, cfg, pe, t)
            e = {
                "mac": base["mac"],
                "pe_registers": base["pe_registers"],
                **_storage_energy(res, cfg, pe, a_bits, w_bits, t),
            }
            if t["overhead_fraction"] > 0:
                e["overhead"] = overhead_energy(e, t)
            k = ml.repeat
            recs.append(
                LayerRecord(
                    name=ml.layer.name,
                    kind=ml.kind,
                    repeat=k,
                    M=res.M,
                    N=res.N,
                    K=res.K,
                    fmt=fmt,
                    w_bits=w_bits,
                    a_bits=a_bits,
                    pe=pe.name,
                    lanes=pe.lanes,
                    macs=res.macs * k,
                    cycles=res.total_cycles * k,
                    stall_cycles=res.stall_cycles * k,
                    util_pct=res.overall_util,
                    sram_ifmap_reads=res.sram_ifmap_reads * k,
                    sram_filter_reads=res.sram_filter_reads * k,
                    sram_ofmap_writes=res.sram_ofmap_writes * k,
                    sram_ofmap_reads=res.sram_ofmap_reads * k,
                    dram_ifmap_reads=res.dram_ifmap_reads * k,
                    dram_filter_reads=res.dram_filter_reads * k,
                    dram_ofmap_writes=res.dram_ofmap_writes * k,
                    dram_ofmap_reads=res.dram_ofmap_reads * k,
                    dram_bits=_dram_bits(res, pe, a_bits, w_bits) * k,
                    energy={kk: v * k for kk, v in e.items()},
                )
            )
            bar.update()
    area = array_area_mm2(cfg, fm.accelerator.pe(8), t)
    name = model if model in ("minilm", "cnn", "magika") else str(model)
    return ModelResult(
        name,
        fm.source,
        fm.accelerator.name,
        cfg,
        recs,
        area,
        {"tokens": tokens, "batch": batch, "act_bits": act_bits, **fm.meta},
    )


# ------------------------------------------------------------------------ functional check
def _pe_operands(pe: PEType, v: np.ndarray, fmt: str) -> tuple[np.ndarray, float]:
    """Operand values as the PE takes them and the scale they carry.

    int: the per-tensor symmetric integers and their scale ``max|v| / (2^(b-1) - 1)``; float
    (FP8, per-tensor scaled as :class:`lognum.nn.quant.PerTensorScaled`): the FP8 grid values
    ``fmt.quantize(v / s)`` and their scale ``s = max|v| / maxpos`` (applied outside the array);
    LP: the float64 values ``2^(X / 2^F)`` of the log grid (lognum.nn holds them as float32,
    rounded); posit and AdaptivFloat: the values themselves (float32-exact; AdaptivFloat's
    per-tensor bias is a power of two, so its values are exact significand x 2^exponent, which
    the PE's exact accumulator takes as they are). ``ValueError`` if ``v`` is off the grid by
    more than float32 rounding."""
    v = np.asarray(v, np.float64)
    if pe.kind == "float":
        f = parse(fmt)
        amax = float(np.max(np.abs(v))) if v.size else 0.0
        s = amax / float(f.maxpos) if amax > 0 else 1.0
        q = np.asarray(f.quantize(v / s), np.float64)
        if np.any(np.abs(q * s - v) > 2.0**-20 * np.abs(v)):
            raise ValueError(f"{fmt}: values are not a per-tensor scaled {f} grid")
        return q, s
    if pe.kind == "int":
        lim = 2 ** (pe.bits - 1) - 1
        amax = float(np.max(np.abs(v))) if v.size else 0.0
        s = amax / lim if amax > 0 else 1.0
        q = np.rint(v / s)
        if np.any(np.abs(q * s - v) > 2.0**-20 * amax) or np.any(np.abs(q) > lim):
            raise ValueError(f"{fmt}: values are not a per-tensor scaled integer grid")
        return q, 1.0 * s
    if pe.kind == "lp":
        sc = 2.0**pe.frac_bits
        with np.errstate(divide="ignore"):
            X = np.rint(np.log2(np.abs(v)) * sc)
        g = np.where(v != 0, np.sign(v) * np.exp2(np.where(v != 0, X, 0.0) / sc), 0.0)
        if np.any(np.abs(g - v) > 2.0**-20 * np.abs(v)):
            raise ValueError(f"{fmt}: values are not on the LP log grid of F = {pe.frac_bits}")
        return g, 1.0
    return v, 1.0


def functional_check(
    model: str,
    formats: str | Path,
    layer_names: list[str],
    config: ArrayConfig | None = None,
    tokens: int = 8,
    batch: int = 2,
    inputs: Any = None,
    rows: int | None = None,
) -> list[dict[str, Any]]:
    """Run ``layer_names`` of ``model`` through the array's PE arithmetic, cycle by cycle
    (:func:`lognum.hw.functional.systolic_matmul`), on the operands lognum.nn's quantized
    inference feeds them, and compare with lognum.nn's layer outputs.

    Formats: weights as :func:`resolve_formats`; input activations in the same format (per
    layer: the weight format; ``int8`` / ``int4``: per-tensor symmetric integers).
    Supported: ``int8``, ``int4``, ``fp8`` (E4M3 with a per-tensor scale, lognum.nn's
    :class:`~lognum.nn.quant.PerTensorScaled`: the array multiplies the FP8 grid values and
    the two scales are applied to its outputs), ``posit8``, ``af8`` (AdaptivFloat AF<8,4>,
    its bias fitted per tensor by lognum.nn), ``lp8``, ``lp4`` and LPQ JSON files (LP).
    Inputs: ``cnn``: the first ``batch`` MNIST test images (``inputs`` to override); ``minilm``:
    the first ``batch`` Lee documents at ``tokens`` tokens; ``magika``: the tokens of the first
    ``batch`` Python files of the installed magika package (sorted by path; ``inputs``: a
    ``(B, 2048)`` token array). magika's ``conv0`` and ``dense1`` are checked (``dense0`` is a
    row gather in lognum.nn, without arithmetic); lognum.nn does not return their outputs
    before the activation function, so the reference is lognum.nn's own expression (the
    float32 matmul of its window matrix, plus the bias) on the captured operands. ``rows``:
    check only the first ``rows`` rows of each layer's operand matrix (e.g. some of conv0's
    508 windows per file), ``None``: all.

    Returns per layer: ``max_abs_diff`` between the array (bias added, float32 as lognum.nn)
    and lognum.nn, ``bound`` (float32 rounding of lognum.nn's matmul, ``2^-22 sum |a b|`` per
    output, plus for LP the antilog LUT's ``2^-(alpha+1)`` relative error per product),
    ``exact_diff`` (array vs the float64 matmul of the same operands: within float64 rounding,
    ``2^-45 sum |a b|``, for the exact accumulators of int / posit / AdaptivFloat; LP: plus the
    LUT part of the bound; FP8: the FP32 accumulation of the array, ``K 2^-24 sum |a b|``, which
    the bound against lognum.nn also carries) and ``ok``.
    """
    from lognum.hw.functional import im2col, systolic_matmul
    from lognum.nn import layers as L
    from lognum.nn.quant import PerTensorScaled, QuantPlan

    cfg = config or ArrayConfig(rows=8, cols=8)
    mls = {m.weight: m for m in model_layers(model, tokens, batch) if m.weight is not None}
    fm = resolve_formats(formats, list(mls))
    bad = [n for n in layer_names if n not in mls]
    if bad:
        raise ValueError(f"layer_names: {bad} are not weight layers of {model}")
    if model == "magika" and "dense0" in layer_names:
        raise ValueError("layer_names: magika's dense0 is a row gather (no arithmetic)")
    wq, aq, pes = {}, {}, {}
    for n in layer_names:
        w_bits, a_bits, fmt, pe = layer_plan(mls[n], fm, None)
        wq[n] = aq[n] = PerTensorScaled(parse(fmt)) if pe.kind == "float" else parse(fmt)
        pes[n] = (pe, fmt)
    seen: dict[str, np.ndarray] = {}

    class _Capture(QuantPlan):
        def act(self, name, x):
            y = super().act(name, x)
            if name in layer_names:
                seen[name] = y
            return y

    plan = _Capture(wq, aq)
    if model == "cnn":
        from lognum.nn.cnn import TinyCNN

        net = TinyCNN.load()
        if inputs is None:
            from lognum.nn.data import mnist_split

            inputs = mnist_split()["x_test"][:batch]
        net.forward(np.asarray(inputs, np.float32), plan)
    elif model == "minilm":
        from lognum.nn.data import load_lee
        from lognum.nn.minilm import MiniLM

        net = MiniLM.load()
        docs = load_lee()[0][:batch] if inputs is None else inputs
        ids = [net.tokenizer.encode(d, max_len=tokens) for d in docs]
        net.forward_ids(ids, plan)
    elif model == "magika":
        from lognum.nn.magika import Magika, package_dir

        net = Magika.load()
        if inputs is None:
            files = sorted((package_dir("magika") or Path(".")).rglob("*.py"))[:batch]
            inputs = np.stack([net.tokens_of(f)[0] for f in files])
        net.forward(np.asarray(inputs), plan)
    else:
        raise ValueError("functional_check: model must be 'minilm', 'cnn' or 'magika'")
    if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or rows < 1):
        raise ValueError(f"rows must be a positive integer or None, got {rows!r}")
    out = []
    for n in layer_names:
        pe, fmt = pes[n]
        x = seen[n]
        w = plan.weight(n, net.W[n + ".weight"])
        b = net.W[n + ".bias"]
        lay = mls[n].layer
        if model == "magika" and n == "conv0":  # lognum.nn.magika's window matrix
            from numpy.lib.stride_tricks import sliding_window_view

            win = sliding_window_view(np.asarray(x), w.shape[2], axis=1)
            A = np.ascontiguousarray(win).reshape(-1, win.shape[2] * win.shape[3])
            Bm = np.asarray(w).reshape(len(w), -1).T
            ref = A @ Bm + b
        elif lay.kind == "conv":
            A = im2col(np.asarray(x).transpose(0, 2, 3, 1), lay.R, lay.S, lay.stride, lay.padding)
            Bm = np.asarray(w).transpose(2, 3, 1, 0).reshape(-1, w.shape[0])
            ref = (
                L.conv2d(x, w, b, padding=lay.padding).transpose(0, 2, 3, 1).reshape(-1, w.shape[0])
            )
        else:
            A = np.asarray(x).reshape(-1, x.shape[-1])
            Bm = np.asarray(w).T
            ref = L.linear(A, w, b)
        Aq, sa = _pe_operands(pe, A, fmt)  # the scale is the whole tensor's
        if rows is not None:
            A, Aq, ref = A[:rows], Aq[:rows], ref[:rows]
        Bq, sb = _pe_operands(pe, Bm, fmt)
        fo, _, _ = systolic_matmul(Aq, Bq, pe, cfg.rows, cfg.cols, cfg.dataflow)
        acc = fo.values * (sa * sb)
        hw = (acc + b).astype(np.float32)
        Ae, Be = Aq * sa, Bq * sb  # the operands on the PE's grid, float64
        exact = Ae @ Be
        mag = np.abs(Ae) @ np.abs(Be)
        lut = 2.0 ** -(pe.alpha + 1) if pe.kind == "lp" else 0.0
        if pe.kind == "float":  # the array's own FP32 accumulation (products exact in FP32)
            lut = A.shape[1] * 2.0**-24
        # lognum.nn: float32 operands (each within 2^-24 of the grid value) and a float32
        # matmul of K terms (worst case K 2^-24 relative to sum |a b|), bias add, output
        # rounding; the array: exact accumulation (int / posit) or the LUT's error (LP)
        Kd = A.shape[1]
        bound = mag * ((Kd + 3) * 2.0**-24 + lut) + np.abs(exact + b) * 2.0**-23
        diff = np.abs(hw.astype(np.float64) - ref.astype(np.float64))
        ex = np.abs(acc - exact)
        out.append(
            {
                "layer": n,
                "format": fmt,
                "pe": pe.name,
                "M": A.shape[0],
                "K": A.shape[1],
                "N": Bm.shape[1],
                "max_abs_diff": float(diff.max()),
                "max_bound": float(bound.max()),
                "exact_diff": float(ex.max()),
                "ok": bool(np.all(diff <= bound) and np.all(ex <= mag * (lut + 2.0**-45))),
            }
        )
    return out
