"""Model -> accelerator (lognum.hw.model), the co-design table (lognum.hw.codesign), the
``lognum hw`` CLI and the ``hw_codesign`` figure; every count is checked against an independent
computation (closed forms, hand sums of the published energy figures)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lognum.hw.closed_form import closed_form
from lognum.hw.config import ArrayConfig
from lognum.hw.model import model_layers, packed_config, resolve_formats, run_model
from tests.nn.test_magika import requires_magika

ROOT = Path(__file__).resolve().parents[2]
CALC = ArrayConfig(
    rows=8, cols=8, dataflow="os", ifmap_sram_kb=32, filter_sram_kb=32, ofmap_sram_kb=32
)


def test_minilm_layers_names_and_macs():
    from lognum.nn.minilm import MiniLM

    mls = model_layers("minilm", tokens=128)
    names = [m.weight for m in mls if m.weight is not None]
    ref = MiniLM({}, {"num_hidden_layers": 6, "num_attention_heads": 12}, None).linear_names
    assert names == ref
    T, d, f, h, dh = 128, 384, 1536, 12, 32
    per_block = 4 * T * d * d + 2 * T * d * f + 2 * h * T * T * dh
    assert sum(m.layer.macs() * m.repeat for m in mls) == 6 * per_block


def test_cnn_layers_match_the_shipped_weights():
    from lognum.nn.cnn import TinyCNN

    net = TinyCNN.load()
    for m in model_layers("cnn", batch=3):
        w = net.W[m.weight + ".weight"]
        M, N, K = m.layer.gemm_shape()
        assert N == w.shape[0] and K == int(np.prod(w.shape[1:]))
    assert [m.layer.gemm_shape()[0] for m in model_layers("cnn", batch=3)] == [
        3 * 28 * 28,
        3 * 14 * 14,
        3,
        3,
    ]


@pytest.mark.parametrize("formats,lanes", [("int8", 1), ("int4", 2), ("lp4", 2), ("posit8", 1)])
def test_cycles_equal_the_closed_form(formats, lanes):
    # CALC mode never stalls: every layer's cycles are the closed form's stall-free cycles
    res = run_model("cnn", formats, config=CALC, batch=2)
    for r in res.layers:
        cf = closed_form("os", r.M, r.N, r.K, 8, 8, lanes=lanes)
        assert r.stall_cycles == 0
        assert r.cycles == cf.stall_free_cycles
        assert r.lanes == lanes
        assert r.sram_ifmap_reads == cf.sram_ifmap_reads


def test_minilm_attention_runs_in_8bit_mode_and_repeats_per_head():
    res = run_model("minilm", "int4", tokens=16, config=CALC)
    att = [r for r in res.layers if r.kind == "attention"]
    lin = [r for r in res.layers if r.kind != "attention"]
    assert len(att) == 12 and all(r.lanes == 1 and r.w_bits == 8 and r.repeat == 12 for r in att)
    assert len(lin) == 36 and all(r.lanes == 2 and r.w_bits == 4 for r in lin)
    sc = att[0]  # Q K^T of one head: 16 x 32 @ 32 x 16, 12 heads one after the other
    assert (sc.M, sc.N, sc.K) == (16, 16, 32)
    assert sc.cycles == 12 * closed_form("os", 16, 16, 32, 8, 8).stall_free_cycles


def _gemm_topology(tmp_path, m=40, n=24, k=56):
    p = tmp_path / "g.csv"
    p.write_text(f"Layer, M, N, K,\ng, {m}, {n}, {k},\n")
    return p


def test_int8_energy_by_hand(tmp_path):
    # one GEMM on 8x8 os, 32 kB SRAMs (everything fits: each element fetched once), CALC
    M, N, K = 40, 24, 56
    res = run_model(_gemm_topology(tmp_path, M, N, K), "int8", config=CALC, input_type="gemm")
    r = res.layers[0]
    macs = M * N * K
    rf, cf = -(-M // 8), -(-N // 8)
    e = {
        "mac": macs * (0.2 + 0.1),  # [H14] 8-bit multiply + 32-bit add
        "pe_registers": macs * (8 + 8 + 32) * 2 * 0.03 / 8,  # 2 full-adder bits per bit
        # a 64-bit read (8 elements x 8 bits) of a 32 kB SRAM: [H14] 20 pJ
        "sram_ifmap": cf * M * K * 20.0 / 8,
        "sram_filter": rf * K * N * 20.0 / 8,
        "sram_ofmap": M * N * 20.0 / 8,
        "dram": (M * K + K * N + M * N) * 8 * 2000.0 / 64,
    }
    assert r.dram_ifmap_reads == M * K and r.dram_filter_reads == K * N
    assert r.dram_bits == (M * K + K * N + M * N) * 8
    for k_, v in e.items():
        assert r.energy[k_] == pytest.approx(v, rel=1e-12), k_
    assert res.energy_pj == pytest.approx(sum(e.values()), rel=1e-12)
    area_pe = 282.0 + 137.0 + (2 * 8 + 32) * 2 * 36.0 / 8  # mul + 32-bit add + registers
    assert res.area_mm2["pe_array"] == pytest.approx(64 * area_pe / 1e6, rel=1e-12)
    assert res.area_mm2["sram"] == pytest.approx(3 * 32 * 8192 * 0.7 / 1e6, rel=1e-12)


def _lpq_json(tmp_path, n, fmt, name="g"):
    p = tmp_path / "lpq.json"
    p.write_text(
        json.dumps(
            {
                "method": "lpq-ga",
                "layers": [
                    {
                        "layer": name,
                        "tensor": "weight",
                        "n": n,
                        "es": 0,
                        "rs": n - 1,
                        "sf": 4,
                        "format": fmt,
                    }
                ],
            }
        )
    )
    return p


def test_6bit_layer_storage_scaled_by_its_width(tmp_path):
    from lognum.hw.energy import mac_cost

    M, N, K = 40, 24, 56
    res = run_model(
        _gemm_topology(tmp_path, M, N, K),
        _lpq_json(tmp_path, 6, "LP<6,0,5,4>"),
        config=CALC,
        input_type="gemm",
    )
    r = res.layers[0]
    assert (r.pe, r.lanes, r.w_bits, r.a_bits) == ("lpa8", 1, 6, 6)  # 8-bit mode of the LPA
    rf, cf = -(-M // 8), -(-N // 8)
    # an access of 8 elements x 6 bits = 48 bits: 20 pJ x 48 / 64; DRAM at 6 bits per element
    assert r.energy["sram_ifmap"] == pytest.approx(cf * M * K * 20.0 * 48 / 64 / 8, rel=1e-12)
    assert r.energy["sram_filter"] == pytest.approx(rf * K * N * 20.0 * 48 / 64 / 8, rel=1e-12)
    assert r.energy["dram"] == pytest.approx((M * K + K * N + M * N) * 6 * 2000.0 / 64, rel=1e-12)
    assert r.energy["mac"] == pytest.approx(M * N * K * sum(mac_cost("lpa8").values()))
    assert res.energy_pj == pytest.approx(sum(r.energy.values()), rel=1e-12)
    # the mixed PE's area is the same in both modes, larger than the plain LP8 PE's
    a8 = run_model(_gemm_topology(tmp_path, M, N, K), "lp8", config=CALC, input_type="gemm")
    assert res.area_mm2["pe_array"] > a8.area_mm2["pe_array"]
    # same cycles as the uniform 8-bit LP layer (one product per cycle)
    assert r.cycles == a8.layers[0].cycles


def test_packed_config_rule():
    cfg = ArrayConfig(
        ifmap_sram_kb=64,
        filter_sram_kb=32,
        ofmap_sram_kb=16,
        bandwidth_mode="USER",
        ifmap_bw=10,
        filter_bw=8,
        ofmap_bw=4,
    )
    p = packed_config(cfg, 4, 6)
    assert p.sram_words("ifmap") == 2 * 64 * 1024
    assert p.sram_words("filter") == int(32 * 1024 * 8 / 6)
    assert p.sram_words("ofmap") == 2 * 16 * 1024
    assert (p.ifmap_bw, p.filter_bw, p.ofmap_bw) == (20.0, pytest.approx(8 * 8 / 6), 8.0)


def test_narrow_formats_stall_less_in_user_mode(tmp_path):
    cfg = ArrayConfig(
        rows=8,
        cols=8,
        ifmap_sram_kb=2,
        filter_sram_kb=2,
        ofmap_sram_kb=2,
        bandwidth_mode="USER",
        ifmap_bw=1,
        filter_bw=1,
        ofmap_bw=1,
    )
    topo = _gemm_topology(tmp_path, 64, 64, 64)
    r8 = run_model(topo, "int8", config=cfg, input_type="gemm").layers[0]
    r6 = run_model(
        topo, _lpq_json(tmp_path, 6, "LP<6,0,5,4>"), config=cfg, input_type="gemm"
    ).layers[0]
    assert r8.stall_cycles > r6.stall_cycles
    assert r8.cycles - r8.stall_cycles == r6.cycles - r6.stall_cycles


def test_format_errors(tmp_path):
    names = [m.weight for m in model_layers("cnn")]
    with pytest.raises(ValueError, match="formats must be one of"):
        resolve_formats("int3", names)
    with pytest.raises(ValueError, match="do not match the model"):
        resolve_formats(_lpq_json(tmp_path, 6, "LP<6,0,5,4>"), names)
    topo = _gemm_topology(tmp_path)
    with pytest.raises(ValueError, match=r"integer in \[2, 8\]"):
        run_model(topo, _lpq_json(tmp_path, 9, "LP<9,0,8,4>"), config=CALC, input_type="gemm")
    with pytest.raises(ValueError, match="word_bytes"):
        run_model("cnn", "int8", config=ArrayConfig(word_bytes=2))
    with pytest.raises(ValueError, match="tokens"):
        model_layers("minilm", tokens=0)


@pytest.mark.parametrize("formats", ["int8", "posit8", "lp8", "int4", "fp8", "af8"])
def test_functional_equals_lognum_nn(formats):
    from lognum.hw.model import functional_check

    x = np.random.default_rng(1).random((2, 1, 28, 28)).astype(np.float32)
    layers = ["conv1", "conv2", "fc1", "fc2"]
    out = functional_check("cnn", formats, layers, inputs=x, batch=2)
    assert [c["layer"] for c in out] == layers
    for c in out:
        assert c["ok"], c
        assert c["max_abs_diff"] <= c["max_bound"]
        if formats == "lp8":  # the alpha = 8 antilog LUT is not exact ...
            assert c["exact_diff"] > 0
        elif formats == "fp8":  # ... nor the FP32 accumulation of the FP8 PE (K 2^-24) ...
            assert c["pe"] == "fp8" and c["format"] == "float8_e4m3fn"
            assert 0 <= c["exact_diff"] <= c["max_bound"]
        else:  # ... the integer / quire accumulators (incl. AdaptivFloat's) are
            assert c["exact_diff"] < 1e-12


def test_functional_fp8_and_af_against_an_independent_reference():
    """fc1 of the CNN on FP8 (per-tensor scale) and AF<8,4> PEs against a reference written
    here: operands quantized by the formats' definitions, FP32 products accumulated in the
    reduction order (FP8) or exactly (AF), and lognum.nn's quantized layer output."""
    from fractions import Fraction

    from lognum.formats.parse import parse
    from lognum.hw.functional import systolic_matmul
    from lognum.hw.pe import pe_type
    from lognum.nn import layers as L
    from lognum.nn.cnn import TinyCNN
    from lognum.nn.quant import PerTensorScaled

    net = TinyCNN.load()
    rng = np.random.default_rng(3)
    x = rng.random((3, 64)).astype(np.float32)  # an fc2 input (64 features)
    w = net.W["fc2.weight"]
    fp8 = parse("float8_e4m3fn")
    for pe_name, qz in (("fp8", PerTensorScaled(fp8)), ("af8_4", parse("AF<8,4>"))):
        pe = pe_type(pe_name)
        xq = qz.quantize(x)
        wq = qz.quantize(w)
        if pe_name == "fp8":
            sa, sb = float(np.abs(x).max()) / 448, float(np.abs(w).max()) / 448
            A = np.asarray(fp8.quantize(x / sa), np.float64)
            B = np.asarray(fp8.quantize(w.T / sb), np.float64)
        else:
            sa = sb = 1.0
            A, B = xq.astype(np.float64), wq.T.astype(np.float64)
        out, _, _ = systolic_matmul(A, B, pe, 4, 4, "ws")
        for i in range(A.shape[0]):
            for j in range(B.shape[1]):
                if pe_name == "fp8":
                    acc = np.float32(0)
                    for k in range(A.shape[1]):
                        acc = np.float32(acc + np.float32(A[i, k] * B[k, j]))
                    assert out.values[i, j] == float(acc)
                else:
                    ex = sum(Fraction(A[i, k]) * Fraction(B[k, j]) for k in range(A.shape[1]))
                    assert out.exact(i, j) == ex
        ref = L.linear(xq, wq, net.W["fc2.bias"])
        hw_out = (out.values * (sa * sb) + net.W["fc2.bias"]).astype(np.float32)
        mag = np.abs(A * sa) @ np.abs(B * sb)
        assert np.all(np.abs(hw_out - ref) <= mag * 2.0**-16 + 2.0**-20)


def test_cli_model_and_errors(capsys):
    from lognum.cli import main

    assert (
        main(
            [
                "hw",
                "model",
                "--model",
                "cnn",
                "--formats",
                "int8",
                "-q",
                "-c",
                str(ROOT / "tests/hw/data/fixtures" / "none.cfg"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lognum hw: error:")
    assert main(["hw", "model", "--model", "cnn", "--formats", "int8", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("name,fmt,pe,") and "# cycles = " in out and "conv1,int8_sym" in out
    assert main(["hw", "model", "--model", "cnn", "--formats", "nope"]) == 2
    assert main(["hw", "bogus"]) == 2
    assert main(["hw"]) == 2


def test_cli_codesign_user_errors(tmp_path, capsys):
    from lognum.cli import main

    assert main(["hw", "codesign", "--results", str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no baselines.json" in err[0]


def test_codesign_table_and_figure(tmp_path):
    from lognum.hw.codesign import codesign_table, write_table
    from lognum.plots.codesign import hw_codesign

    calc = ArrayConfig(rows=16, cols=16, dataflow="os")
    rows = codesign_table(ROOT / "results/lpq", tokens=16, config=calc, progress=False)
    by = {r["accelerator"]: r for r in rows}
    ref = by["INT8"]
    assert ref["perf_per_area_vs_int8"] == 1.0 and ref["energy_eff_vs_int8"] == 1.0
    lpq = [r for r in rows if r["accelerator"].startswith("LPA, LPQ")]
    assert len(lpq) == 3 and all(0.99 < r["cos_lee"] < 1 for r in lpq)
    # no stalls in CALC mode and every LPQ layer is wider than 4 bits: the same cycles as INT8
    assert all(r["cycles"] == ref["cycles"] for r in lpq)
    lp8 = by["uniform LP8"]
    assert lp8["perf_per_area_vs_int8"] == pytest.approx(ref["area_mm2"] / lp8["area_mm2"])
    assert lp8["energy_eff_vs_int8"] == pytest.approx(ref["energy_uj"] / lp8["energy_uj"])
    assert by["INT8"]["cos_lee"] == pytest.approx(0.9614891783521096)  # baselines.json
    paths = write_table(rows, tmp_path / "t.csv", "python -m lognum hw codesign --tokens 16")
    assert paths[0].read_text().startswith("# python -m lognum hw codesign --tokens 16")
    fig = hw_codesign(paths[1])
    assert len(fig.axes) == 2
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [r["accelerator"] for r in rows]


def test_hw_lpq_cost_table_matches_whole_model_runs(tmp_path):
    from lognum.hw.codesign import default_config
    from lognum.hw.lpq_hw import genome_cost, layer_costs

    names = [m.weight for m in model_layers("minilm", 16) if m.weight is not None]
    bits = [4, 5, 6, 7, 8, 6] * 6
    p = tmp_path / "mixed.json"
    p.write_text(
        json.dumps(
            {
                "layers": [
                    {"layer": nm, "tensor": "weight", "n": b, "format": f"LP<{b},0,{b - 1},4>"}
                    for nm, b in zip(names, bits, strict=True)
                ]
            }
        )
    )
    for metric in ("energy", "cycles"):
        whole = run_model("minilm", p, 16, default_config(), progress=False)
        ref = run_model("minilm", "lp8", 16, default_config(), progress=False)
        got = whole.energy_pj if metric == "energy" else whole.cycles
        # the all-8-bit reference of the table is the LPA at 8 bits (area differs from lp8's
        # accelerator, energy and cycles of the same 8-bit datapath plus mode multiplexers)
        assert genome_cost([8] * 36, names, metric, 16) == 1.0
        c = layer_costs(metric, 16)
        assert genome_cost(bits, names, metric, 16) == pytest.approx(got / c["ref"], rel=1e-12)
        if metric == "cycles":
            assert c["ref"] == ref.cycles  # same 8-bit mode timing as the uniform LP8 array
    with pytest.raises(ValueError, match="metric"):
        layer_costs("area")


def test_magika_layers_and_codesign_table(tmp_path):
    """magika as GEMMs / a convolution, and the magika co-design table from the saved study
    (no magika install needed: shapes and accuracy come from the study and the model card)."""
    from lognum.hw.codesign import (
        OVERHEAD_FRACTIONS,
        magika_codesign_table,
        markdown,
        overhead_markdown,
        write_table,
    )
    from lognum.hw.energy import default_energy_table
    from lognum.plots.codesign import hw_codesign_magika

    lay = {m.weight: m.layer for m in model_layers("magika", batch=2)}
    assert list(lay) == ["dense0", "conv0", "dense1"]
    assert lay["dense0"].gemm_shape(False) == (4096, 64, 257)
    assert lay["conv0"].gemm_shape(False) == (2 * 508, 512, 5 * 256)
    assert lay["dense1"].gemm_shape(False) == (2, 214, 512)
    rows = magika_codesign_table(ROOT / "results/lpq/magika/study.json", progress=False)
    by = {r["accelerator"]: r for r in rows}
    study = json.loads((ROOT / "results/lpq/magika/study.json").read_text())
    meth = {r["method"]: r for r in study["rows"]}
    assert by["INT8"]["top1"] == meth["INT8 per-channel absmax"]["top1"][0]
    assert by["posit8 + quire"]["top1"] == meth["posit<8,2>"]["top1"][0]
    assert by["AdaptivFloat AF<8,4>"]["top1"] == meth["AdaptivFloat AF<8,4>"]["top1"][0]
    ga = [r for r in rows if r["accelerator"].startswith("LPA, LPQ")]
    assert len(ga) == 5
    g0 = [r for r in study["rows"] if r.get("search", "").startswith("LPQ GA")][0]
    assert ga[0]["avg_weight_bits"] == pytest.approx(g0["avg_weight_bits"], rel=1e-9)
    # the LPQ layers are 5-7 bits: the 8-bit mode, fewer stalls than INT8 only
    assert ga[0]["layers_4bit_mode"] == 0 and ga[0]["cycles"] <= by["INT8"]["cycles"]
    lp4 = by["LPA, LP<4> per layer (4-bit mode)"]
    assert lp4["layers_4bit_mode"] == 3 and lp4["cycles"] < by["INT8"]["cycles"]
    # the overhead columns: f x on-chip energy added, equal to a rerun with that fraction
    f = OVERHEAD_FRACTIONS[1]
    again = magika_codesign_table(
        ROOT / "results/lpq/magika/study.json",
        energy_table=default_energy_table().with_entries(overhead_fraction=f),
        progress=False,
    )
    for r, a in zip(rows, again, strict=True):
        assert r[f"energy_eff_vs_int8_overhead_{f:g}"] == pytest.approx(a["energy_eff_vs_int8"])
        assert r["energy_eff_vs_int8_overhead_0"] == r["energy_eff_vs_int8"]
    assert "not measured" not in markdown(rows) and "| magika | INT8 |" in overhead_markdown(
        {"magika": rows}
    )
    paths = write_table(rows, tmp_path / "m.csv", "python -m lognum hw codesign --model magika")
    fig = hw_codesign_magika(paths[1])
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match="no magika study"):
        magika_codesign_table(tmp_path / "none.json", progress=False)


@requires_magika
def test_magika_layers_match_the_shipped_weights():
    from lognum.nn.magika import Magika

    net = Magika.load()
    for m in model_layers("magika"):
        M, N, K = m.layer.gemm_shape(False)
        w = net.W[m.weight + ".weight"]
        assert N == w.shape[0] and K == int(np.prod(w.shape[1:]))


@requires_magika
@pytest.mark.parametrize("formats", ["int8", "fp8", "af8", "lp8"])
def test_functional_magika_equals_lognum_nn(formats):
    from lognum.hw.model import functional_check

    out = functional_check("magika", formats, ["conv0", "dense1"], batch=1, rows=3)
    assert [(c["layer"], c["M"], c["K"], c["N"]) for c in out] == [
        ("conv0", 3, 1280, 512),
        ("dense1", 1, 512, 214),
    ]
    for c in out:
        assert c["ok"], c
    with pytest.raises(ValueError, match="row gather"):
        functional_check("magika", formats, ["dense0"], batch=1)
    with pytest.raises(ValueError, match="rows"):
        functional_check("magika", formats, ["dense1"], batch=1, rows=0)
