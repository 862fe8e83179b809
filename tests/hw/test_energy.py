"""Energy / area model: every composed figure against its published source, PE models built
from components, per-layer composition."""

import math

import pytest

import lognum.hw as hw
from lognum.hw.energy import (
    H14,
    H16,
    array_area_mm2,
    default_energy_table,
    fp_add,
    fp_mul_energy,
    int_add,
    int_mul,
    mac_cost,
    pe_area_um2,
    pe_model,
    published_comparisons,
)

# Horowitz, ISSCC 2014, 45 nm, 0.9 V (typed from the paper's energy and area tables: the
# oracle for the constants and for every composition rule at the points it was measured)
E = {
    ("add", 8): 0.03,
    ("add", 16): 0.05,
    ("add", 32): 0.1,
    ("mul", 8): 0.2,
    ("mul", 32): 3.1,
    ("fadd", 16): 0.4,
    ("fadd", 32): 0.9,
    ("fmul", 16): 1.1,
    ("fmul", 32): 3.7,
}
A = {
    ("add", 8): 36,
    ("add", 16): 67,
    ("add", 32): 137,
    ("mul", 8): 282,
    ("mul", 32): 3495,
    ("fadd", 16): 1360,
    ("fadd", 32): 4184,
    ("fmul", 16): 1640,
    ("fmul", 32): 7700,
}
SRAM64 = {8: 10.0, 32: 20.0, 1024: 100.0}  # pJ per 64-bit access
DRAM64 = (1300.0, 2600.0)
# Han et al., EIE, ISCA 2016, Table I (45 nm, from Horowitz)
EIE = {"sram_32b_8kB": 5.0, "dram_32b": 640.0, "rf_32b": 1.0}


def test_constants_are_the_published_ones():
    names = {"add": "int_add", "mul": "int_mul", "fadd": "fp_add", "fmul": "fp_mul"}
    for (op, b), v in E.items():
        assert H14[f"{names[op]}_{b}"] == v
        assert H14[f"area_{names[op]}_{b}"] == A[(op, b)]
    assert [H14["sram_64b_8kB"], H14["sram_64b_32kB"], H14["sram_64b_1MB"]] == [10, 20, 100]
    assert (H14["dram_64b_low"], H14["dram_64b_high"]) == DRAM64
    assert H16 == EIE


def test_every_composed_figure_reproduces_its_source():
    """Composition rules are exact at every published point (tolerance 1e-9) ..."""
    t = default_energy_table()
    fn = {"add": t.add, "mul": t.mul, "fadd": t.fp_add, "fmul": t.fp_mul}
    for (op, b), v in E.items():
        assert fn[op](b) == pytest.approx(v, rel=1e-9), (op, b)
        assert fn[op](b, area=True) == pytest.approx(A[(op, b)], rel=1e-9), (op, b)
    assert fp_mul_energy(16) == pytest.approx(1.1) and fp_mul_energy(32) == pytest.approx(3.7)
    assert fp_add(32) == pytest.approx(0.9) and int_add(16) == pytest.approx(0.05)
    assert int_mul(8) == pytest.approx(0.2)
    for kb, v in SRAM64.items():
        assert t.sram_access(kb, 64) == pytest.approx(v, rel=1e-9)
    assert t.sram_access(8, 32) == pytest.approx(EIE["sram_32b_8kB"])  # width rule
    assert t.sram_access(8, 8) == t.sram_access(8, 32)  # no extrapolation below 32 bits
    assert DRAM64[0] <= t["dram_64b"] <= DRAM64[1]
    assert DRAM64[0] / 2 <= t.dram_access(32) <= DRAM64[1] / 2
    assert EIE["dram_32b"] == pytest.approx(DRAM64[0] / 2, rel=0.02)  # the sources agree
    # ... and the estimates stay within their stated bounds: a register bit is cheaper than
    # a register-file bit access; the integer multiplier exponent is the array-multiplier b^2
    assert t["reg_bit"] < EIE["rf_32b"] / 32
    p = math.log(E[("mul", 32)] / E[("mul", 8)]) / math.log(4)
    assert 1.9 < p < 2.1 and t.mul(16) == pytest.approx(0.2 * 2**p)


def test_fp_macs_from_the_measured_fp_entries():
    """The issue's numbers: a bf16 multiply is the measured FP16 multiply (1.1 pJ, not the
    0.23 pJ of integer-multiplier scaling), FP32 3.7 pJ, a bf16 MAC ~2.0 pJ (within 20 %), a
    bf16 multiplier 1640 um^2."""
    assert fp_mul_energy(16) == pytest.approx(1.1)
    assert sum(mac_cost("bf16").values()) == pytest.approx(2.0, rel=0.2)
    bf16 = {c.name: c for c in pe_model("bf16")}
    assert bf16["FP16 multiplier"].area == pytest.approx(1640)
    assert bf16["FP32 accumulate adder"].energy == pytest.approx(0.9)
    assert 0 < fp_mul_energy(8) < fp_mul_energy(16)  # FP8: extrapolated (estimate)
    with pytest.raises(ValueError, match="bits"):
        fp_mul_energy(0)


def test_scaling_and_overrides():
    t = default_energy_table()
    s = t.scaled(22.5)
    assert s["int_mul_8"] == pytest.approx(0.1) and s["area_int_mul_8"] == pytest.approx(70.5)
    assert s["overhead_fraction"] == 0.0
    u = t.with_entries(dram_64b=1300.0)
    assert u.dram_access(64) == 1300.0 and "user" in u.source
    with pytest.raises(ValueError, match="unknown"):
        t.with_entries(bogus=1.0)
    with pytest.raises(ValueError, match="finite"):
        t.with_entries(reg_bit=-1.0)


def test_pe_models_are_built_from_traceable_components():
    for name in (
        "int8",
        "int4",
        "int4x2",
        "fp8",
        "bf16",
        "posit8",
        "af8",
        "lp8",
        "lp4x2",
        "lp_mixed8",
        "lp_mixed4",
    ):
        comps = pe_model(name)
        assert all(c.rule for c in comps)
        assert pe_area_um2(name) == pytest.approx(sum(c.area for c in comps))
        assert sum(mac_cost(name).values()) == pytest.approx(sum(c.energy for c in comps))
    t = default_energy_table()
    # INT8 MAC: [H14] 8-bit multiply + 32-bit add
    assert sum(mac_cost("int8").values()) == pytest.approx(0.2 + 0.1)
    # bit fusion: two 4-bit products share the accumulator; the lane adder is 9 bits
    i4 = sum(mac_cost("int4x2").values())
    assert i4 == pytest.approx(t.mul(4) + (t.add(9) + t.add(32)) / 2)
    # LP PE: 2 decoders, log adder, LUT of 2^F x alpha, shifter, accumulator
    lp = {c.group for c in pe_model("lp8")}
    assert {"decode", "multiply", "antilog_lut", "align", "accumulate", "registers"} <= lp
    lut = next(c for c in pe_model("lp8") if c.group == "antilog_lut")
    assert lut.area == pytest.approx(8 * (2**3 - 1) * t["area_mux_bit"])  # 2^F x alpha
    q = next(c for c in pe_model("posit8") if c.group == "accumulate")
    assert q.energy == pytest.approx(t.add(128))  # quire adder
    c = {p: sum(mac_cost(p).values()) for p in ("int4", "int8", "lp8", "fp8", "bf16")}
    assert c["int4"] < c["int8"] < c["lp8"] < c["fp8"] < c["bf16"]
    assert pe_area_um2("int8") < pe_area_um2("lp8") < pe_area_um2("fp8") < pe_area_um2("bf16")


def test_mixed_precision_pe_is_the_union_of_its_modes():
    t = default_energy_table()
    m8, m4 = pe_area_um2("lp_mixed8"), pe_area_um2("lp_mixed4")
    assert m8 == pytest.approx(m4)  # one piece of hardware
    assert (
        max(pe_area_um2("lp8"), pe_area_um2("lp4x2"))
        < m8
        < pe_area_um2("lp8") + pe_area_um2("lp4x2")
    )
    mux = t.mux(16)
    assert sum(mac_cost("lp_mixed8").values()) == pytest.approx(sum(mac_cost("lp8").values()) + mux)
    assert sum(mac_cost("lp_mixed4").values()) == pytest.approx(
        sum(mac_cost("lp4x2").values()) + mux
    )
    assert hw.pe_type("lp_mixed4").lanes == 2 and hw.pe_type("lp_mixed8").lanes == 1


def test_layer_energy_components(tmp_path):
    cfg = hw.ArrayConfig(rows=8, cols=8, dataflow="os")
    lay = hw.gemm(32, 32, 32)
    r = hw.simulate(cfg, lay, pe="int8").layers[0]
    e = r.energy
    t = default_energy_table()
    assert e["mac"] == pytest.approx(32**3 * 0.3)
    # 64 kB SRAM: 20 pJ x (64 / 32)^(log 5 / log 32) per 64-bit access; 8 int8 elements each
    e64 = 20 * 2 ** (math.log(5) / math.log(32))
    assert e["sram_ifmap"] == pytest.approx(r.sram_ifmap_reads * e64 / 8)
    assert e["dram"] == pytest.approx(
        (r.dram_ifmap_reads + r.dram_filter_reads + r.dram_ofmap_writes) * t["dram_64b"] / 8
    )
    assert "overhead" not in e
    o = hw.simulate(cfg, lay, pe="int8", energy_table=t.with_entries(overhead_fraction=0.25))
    eo = o.layers[0].energy
    # leakage / clock / wires: a fraction of the on-chip energy (DRAM is off-chip)
    assert eo["overhead"] == pytest.approx(0.25 * (sum(e.values()) - e["dram"]))
    assert {k: v for k, v in eo.items() if k != "overhead"} == pytest.approx(e)
    a = array_area_mm2(cfg, "int8")
    assert a["total"] == pytest.approx(a["pe_array"] + a["sram"])
    res = hw.simulate(cfg, [lay, lay], pe="lp8")
    p = res.write_csv(tmp_path)
    assert p[-1].name == "ENERGY_REPORT.csv"
    assert res.energy_pj == pytest.approx(2 * sum(res.layers[0].energy.values()))


def test_mixed_precision_per_layer_pes_and_summary():
    from lognum.hw.closed_form import closed_form

    cfg = hw.ArrayConfig(rows=8, cols=8, dataflow="ws")
    net = [hw.gemm(20, 12, 40, name="a"), hw.gemm(20, 12, 40, name="b")]
    r = hw.simulate(cfg, net, pe=["lp8", "lp4x2"], workers=1)
    assert r.layers[0].stall_free_cycles == closed_form("ws", 20, 12, 40, 8, 8).stall_free_cycles
    assert r.layers[1].stall_free_cycles == closed_form("ws", 20, 12, 20, 8, 8).stall_free_cycles
    assert r.layers[1].energy["mac"] == pytest.approx(
        20 * 12 * 40 * sum(mac_cost("lp4x2").values())
    )
    s = r.summary()
    assert s["cycles"] == sum(x.total_cycles for x in r.layers)
    assert s["energy_pj"] == pytest.approx(sum(sum(x.energy.values()) for x in r.layers))
    assert s["edp_pj_s"] == pytest.approx(s["energy_pj"] * s["cycles"] / 1e9)
    with pytest.raises(ValueError, match="one PE per layer"):
        hw.simulate(cfg, net, pe=["lp8"])
    one = hw.simulate(cfg, net, pe="int8").summary()
    assert one["gmacs_per_mm2"] == pytest.approx(
        one["macs"] / one["time_s"] / 1e9 / array_area_mm2(cfg, "int8")["total"]
    )


def test_compare_pes_same_network():
    cfg = hw.ArrayConfig(rows=8, cols=8, dataflow="os")
    net = [hw.gemm(16, 16, 32)]
    t = hw.compare_pes(cfg, net, pes=("int8", "lp8", "lp4x2", "af8"))
    assert t["int8"]["cycles"] == t["lp8"]["cycles"] == 2 * 2 * (32 + 14)
    assert t["lp4x2"]["cycles"] == 2 * 2 * (16 + 14)
    assert t["int8"]["energy_mac_pj"] < t["lp8"]["energy_mac_pj"]


# Published MAC synthesis results, typed from the sources (each read in its abstract):
# Johnson, arXiv:1811.01721 (2018): 8/38-bit log ELMA 0.96x power, 1.12x area of int8/32 MAC;
# Crespo et al., SBAC-PAD 2023: the quire is over 70 % of a posit MAC's area and power;
# Kumar et al., arXiv:2604.04507v2 (2026): FP8 MAC PE 0.00396 mm^2, 2.13 mW at 1.94 GHz, 28 nm.
PUB = {
    "J18_power": 0.96,
    "J18_area": 1.12,
    "C23_quire_area": 0.70,
    "C23_quire_power": 0.70,
    "K26_area": 0.00396e6 * (45 / 28) ** 2,
    "K26_energy": 2.13e-3 / 1.94e9 * 1e12 * 45 / 28,
}
# Our composition against each, recomputed by hand from the component sums (int8: 282 + 137
# + 48 register bits x 9 um^2; 0.2 + 0.1 + 48 x 7.5 fJ; ...): the ratios docs/codesign.md
# reports. Agreement where the composition is within the stated tolerance; the others are
# documented discrepancies whose ratio is pinned here so that the docs cannot drift.
OURS_OVER_PUB = {
    "J18_power": (1.645, "no"),  # tolerance 25 %: our LP8 PE costs 1.6x the published ratio
    "J18_area": (1.827, "no"),  # tolerance 25 %
    "C23_quire_area": (1.207, "yes"),  # lower bound 0.70: ours 0.845
    "C23_quire_power": (1.209, "yes"),  # lower bound 0.70: ours 0.847
    "K26_area": (0.485, "no"),  # tolerance 2x (a different design): ours is 2.06x smaller
    "K26_energy": (0.899, "yes"),  # tolerance 2x
}


def test_published_mac_synthesis_results():
    rows = {r["key"]: r for r in published_comparisons()}
    assert set(rows) == set(PUB)
    for k, pub in PUB.items():
        r = rows[k]
        assert r["published_45nm"] == pytest.approx(pub, rel=1e-12)
        ratio, agrees = OURS_OVER_PUB[k]
        assert r["ours_over_published"] == pytest.approx(ratio, abs=5e-4), k
        assert r["agrees"] == agrees, k
        if r["kind"] == "lower_bound":
            assert (r["ours"] >= pub) == (agrees == "yes")
        else:
            within = abs(math.log(r["ours_over_published"])) <= math.log1p(r["tolerance"])
            assert within == (agrees == "yes")
    # the J18 ratio by hand: LP8 (F = 5, alpha = 8) with a 38-bit accumulator over INT8
    t = default_energy_table()
    int8_e = 0.2 + 0.1 + 48 * t["reg_bit"]
    int8_a = 282 + 137 + 48 * t["area_reg_bit"]
    assert rows["J18_area"]["ours"] == pytest.approx(
        pe_area_um2(hw.PEType("x", "lp", 8, 38, "LP<8,0,7,4>", alpha=8)) / int8_a
    )
    assert int8_a == pytest.approx(pe_area_um2("int8"))
    assert int8_e == pytest.approx(sum(mac_cost("int8").values()) + t.reg(48))
    # ratios are node-independent, absolute figures follow the scaling rule
    s = published_comparisons(t.scaled(28.0))
    by = {r["key"]: r for r in s}
    for k in ("J18_power", "J18_area", "C23_quire_area", "C23_quire_power", "K26_area"):
        assert by[k]["ours_over_published"] == pytest.approx(rows[k]["ours_over_published"])
    assert by["K26_area"]["published_45nm"] == pytest.approx(3960.0)
