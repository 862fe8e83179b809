"""Energy / area table: published figures, scaling rules, per-layer composition."""

import math

import pytest

import lognum.hw as hw
from lognum.hw.energy import H14, array_area_mm2, default_energy_table, mac_cost, pe_area_um2

# Horowitz, ISSCC 2014, 45 nm (typed from the paper's table, the oracle for the constants)
PUBLISHED = {"int_add_8": 0.03, "int_add_32": 0.1, "int_mul_8": 0.2, "int_mul_32": 3.1,
             "fp_add_32": 0.9, "fp_mul_32": 3.7, "sram_64b_8kB": 10.0, "sram_64b_32kB": 20.0,
             "sram_64b_1MB": 100.0, "dram_64b_low": 1300.0, "dram_64b_high": 2600.0}  # fmt: skip


def test_table_constants_and_scaling_rules():
    t = default_energy_table()
    for k, v in PUBLISHED.items():
        assert H14[k] == v
    # the scaling rules stay within ~15 % of the published points they are not fitted to
    assert t.mul(32) == pytest.approx(PUBLISHED["int_mul_32"], rel=0.05)
    assert t.add(32) == pytest.approx(PUBLISHED["int_add_32"], rel=0.25)
    assert t.sram_access(32, 64) == pytest.approx(PUBLISHED["sram_64b_32kB"], rel=1e-12)
    assert t.sram_access(1024, 64) == pytest.approx(PUBLISHED["sram_64b_1MB"], rel=0.15)
    assert PUBLISHED["dram_64b_low"] <= t["dram_64b"] <= PUBLISHED["dram_64b_high"]
    s = t.scaled(22.5)
    assert s["int_mul_8"] == pytest.approx(0.1) and s["area_int_mul_8"] == pytest.approx(70.5)
    u = t.with_entries(dram_64b=1300.0)
    assert u.dram_access(64) == 1300.0 and "user" in u.source
    with pytest.raises(ValueError, match="unknown"):
        t.with_entries(bogus=1.0)


def test_mac_costs_order_and_composition():
    t = default_energy_table()
    c = {p: sum(mac_cost(p).values()) for p in ("int8", "int4", "fp8", "bf16", "posit8", "lp8")}
    assert c["int8"] == pytest.approx(0.2 + 0.03 * 4)  # 8-bit multiply + 32-bit add (linear)
    assert c["int4"] < c["int8"] < c["lp8"] < c["fp8"] < c["bf16"]
    assert c["bf16"] == pytest.approx(t.mul(8) + t.add(8) + 0.9)
    assert pe_area_um2("int8") < pe_area_um2("fp8")


def test_layer_energy_components(tmp_path):
    cfg = hw.ArrayConfig(rows=8, cols=8, dataflow="os")
    lay = hw.gemm(32, 32, 32)
    r = hw.simulate(cfg, lay, pe="int8").layers[0]
    e = r.energy
    assert e["mac"] == pytest.approx(32**3 * 0.32)
    t = default_energy_table()
    assert e["sram_ifmap"] == pytest.approx(r.sram_ifmap_reads * 10 * math.sqrt(64 / 8) / 8)
    assert e["dram"] == pytest.approx(
        (r.dram_ifmap_reads + r.dram_filter_reads + r.dram_ofmap_writes) * t["dram_64b"] / 8
    )
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
    assert r.layers[1].energy["mac"] == pytest.approx(20 * 12 * 40 * sum(mac_cost("lp4").values()))
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
    t = hw.compare_pes(cfg, net, pes=("int8", "lp8", "lp4x2"))
    assert t["int8"]["cycles"] == t["lp8"]["cycles"] == 2 * 2 * (32 + 14)
    assert t["lp4x2"]["cycles"] == 2 * 2 * (16 + 14)
    assert t["int8"]["energy_mac_pj"] < t["lp8"]["energy_mac_pj"]


def test_mixed_precision_pe_area_is_shared():
    from lognum.hw.energy import FUSION_OVERHEAD

    a8, a4 = pe_area_um2("lp8"), pe_area_um2("lp4x2")
    m8, m4 = pe_area_um2("lp_mixed8"), pe_area_um2("lp_mixed4")
    assert m8 == m4 == pytest.approx(FUSION_OVERHEAD * max(a8, a4))
    assert sum(mac_cost("lp_mixed4").values()) == sum(mac_cost("lp4x2").values())
    assert hw.pe_type("lp_mixed4").lanes == 2 and hw.pe_type("lp_mixed8").lanes == 1
