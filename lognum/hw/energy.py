"""Energy and area model: a documented table of per-operation costs, scaling rules, and the
per-layer energy of a simulated layer by component.

**All numbers are first-order estimates**, not sign-off figures. Sources:

- [H14] M. Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014,
  45 nm, 0.9 V: integer add 8/16/32 bit 0.03/0.05/0.1 pJ; integer multiply 8/32 bit
  0.2/3.1 pJ; FP add 16/32 bit 0.4/0.9 pJ; FP multiply 16/32 bit 1.1/3.7 pJ; cache (SRAM)
  64-bit access 8 kB 10 pJ, 32 kB 20 pJ, 1 MB 100 pJ; DRAM 1.3-2.6 nJ per 64-bit access.
  Areas (um^2): integer add 8/16/32 bit 36/67/137; integer multiply 8/32 bit 282/3495; FP add
  16/32 bit 1360/4184; FP multiply 16/32 bit 1640/7700.
- Scaling rules (estimates, stated here so they can be checked against [H14]): integer
  multiplier energy and area grow with bits^2 from the 8-bit figure (gives 3.2 pJ at 32 bit vs
  3.1 pJ measured); adders and shifters linearly with bits; SRAM energy per 64-bit access with
  the square root of capacity (10 pJ x sqrt(kB / 8): 20 pJ at 32 kB, 113 pJ at 1 MB vs 100),
  and linearly with the access width; DRAM 2.0 nJ per 64 bit (middle of [H14]'s range).
- Registers (estimate, not in [H14]): 0.008 pJ per bit written (~8 fJ flip-flop switching at
  45 nm) and 4.5 um^2 per bit; SRAM area 0.7 um^2 per bit (45 nm 6T cell ~0.35 um^2 at ~50 %
  array efficiency). Leakage and clock-tree energy of idle PEs are not modelled.
- Technology scaling (:meth:`EnergyTable.scaled`): energy x (node/45) x (Vdd/0.9)^2, area x
  (node/45)^2 — the classical first-order rule; real scaling below ~28 nm is weaker.

PE MAC energies are composed from the table (see :func:`mac_cost`); compare formats with the
same table.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from lognum.hw.pe import PEType, pe_type

__all__ = ["EnergyTable", "default_energy_table", "mac_cost", "layer_energy", "pe_area_um2",
           "array_area_mm2"]  # fmt: skip

H14 = {
    # energy pJ (45 nm, 0.9 V)
    "int_add_8": 0.03, "int_add_16": 0.05, "int_add_32": 0.1,
    "int_mul_8": 0.2, "int_mul_32": 3.1,
    "fp_add_16": 0.4, "fp_add_32": 0.9, "fp_mul_16": 1.1, "fp_mul_32": 3.7,
    "sram_64b_8kB": 10.0, "sram_64b_32kB": 20.0, "sram_64b_1MB": 100.0,
    "dram_64b_low": 1300.0, "dram_64b_high": 2600.0,
    # area um^2
    "area_int_add_8": 36.0, "area_int_add_16": 67.0, "area_int_add_32": 137.0,
    "area_int_mul_8": 282.0, "area_int_mul_32": 3495.0,
    "area_fp_add_16": 1360.0, "area_fp_add_32": 4184.0,
    "area_fp_mul_16": 1640.0, "area_fp_mul_32": 7700.0,
}  # fmt: skip


@dataclass(frozen=True)
class EnergyTable:
    """Per-operation energies (pJ) and areas (um^2) at ``node_nm`` / ``vdd``.

    Entries (override any with :meth:`with_entries` or :meth:`from_csv`):
    ``int_add_8`` (pJ per 8-bit add, linear in bits), ``int_mul_8`` (pJ per 8x8 multiply,
    quadratic), ``fp_add_32`` (pJ), ``reg_bit`` (pJ per register bit written),
    ``sram_64b_8kB`` (pJ per 64-bit access of an 8 kB SRAM, sqrt in size, linear in width),
    ``dram_64b`` (pJ per 64 bits), ``lut_bit`` (pJ per LUT output bit read, estimate),
    areas ``area_int_add_8``, ``area_int_mul_8``, ``area_fp_add_32``, ``area_reg_bit``,
    ``area_sram_bit``, ``area_lut_bit``.
    """

    entries: dict[str, float] = field(
        default_factory=lambda: {
            "int_add_8": H14["int_add_8"],
            "int_mul_8": H14["int_mul_8"],
            "fp_add_32": H14["fp_add_32"],
            "reg_bit": 0.008,
            "sram_64b_8kB": H14["sram_64b_8kB"],
            "dram_64b": 2000.0,
            "lut_bit": 0.002,
            "area_int_add_8": H14["area_int_add_8"],
            "area_int_mul_8": H14["area_int_mul_8"],
            "area_fp_add_32": H14["area_fp_add_32"],
            "area_reg_bit": 4.5,
            "area_sram_bit": 0.7,
            "area_lut_bit": 1.0,
        }
    )
    node_nm: float = 45.0
    vdd: float = 0.9
    source: str = "Horowitz ISSCC 2014 (45 nm) + documented estimates"

    def __getitem__(self, key: str) -> float:
        return self.entries[key]

    def with_entries(self, **kw: float) -> EnergyTable:
        """A copy with some entries replaced (user-supplied figures)."""
        bad = set(kw) - set(self.entries)
        if bad:
            raise ValueError(f"unknown energy-table entries {sorted(bad)}; "
                             f"allowed: {sorted(self.entries)}")  # fmt: skip
        return replace(self, entries={**self.entries, **kw}, source=self.source + " + user")

    @classmethod
    def from_csv(cls, path: str | Path) -> EnergyTable:
        """Read ``name,value`` rows (an optional ``name,value`` header, blank lines and
        ``#`` comments allowed) over the default table. An unknown name, a row without two
        fields or a value that is not a finite number >= 0 raises ``ValueError`` naming the
        row."""
        t = default_energy_table()
        kw = {}
        try:
            with open(path, newline="") as fh:
                rows = list(csv.reader(fh))
        except UnicodeDecodeError:
            raise ValueError(f"energy table {path}: not a text file") from None
        except OSError as exc:
            msg = exc.strerror or exc
            raise ValueError(f"energy table {path}: cannot read it ({msg})") from None
        for i, row in enumerate(rows):
            cells = [c.strip() for c in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if i == 0 and [c.lower() for c in cells[:2]] == ["name", "value"]:
                continue
            where = f"energy table {path}, row {i + 1}"
            if len(cells) < 2 or (len(cells) > 2 and any(cells[2:])):
                raise ValueError(f"{where}: expected 'name,value', got {row!r}")
            if cells[0] not in t.entries:
                raise ValueError(f"{where}: unknown entry {cells[0]!r}; entries: "
                                 f"{', '.join(sorted(t.entries))}")  # fmt: skip
            try:
                v = float(cells[1])
            except ValueError:
                v = math.nan
            if not 0 <= v < math.inf:
                raise ValueError(f"{where}: {cells[0]} must be a finite number >= 0, got "
                                 f"{cells[1]!r}")  # fmt: skip
            kw[cells[0]] = v
        return t.with_entries(**kw)

    def scaled(self, node_nm: float, vdd: float | None = None) -> EnergyTable:
        """First-order technology scaling from this table's node (module docstring)."""
        if not node_nm > 0:
            raise ValueError(f"node_nm must be > 0, got {node_nm}")
        vdd = self.vdd if vdd is None else vdd
        fe = (node_nm / self.node_nm) * (vdd / self.vdd) ** 2
        fa = (node_nm / self.node_nm) ** 2
        ent = {k: v * (fa if k.startswith("area") else fe) for k, v in self.entries.items()}
        return replace(self, entries=ent, node_nm=node_nm, vdd=vdd,
                       source=self.source + f" scaled to {node_nm} nm")  # fmt: skip

    # ------------------------------------------------------------- derived costs
    def add(self, bits: float) -> float:
        return self["int_add_8"] * bits / 8

    def mul(self, bits: float) -> float:
        return self["int_mul_8"] * (bits / 8) ** 2

    def sram_access(self, size_kb: float, width_bits: float) -> float:
        return self["sram_64b_8kB"] * math.sqrt(size_kb / 8.0) * width_bits / 64.0

    def dram_access(self, width_bits: float) -> float:
        return self["dram_64b"] * width_bits / 64.0


def default_energy_table() -> EnergyTable:
    """The built-in table (45 nm, module docstring)."""
    return EnergyTable()


def _quire_bits(pe: PEType) -> int:
    return pe.acc_bits


def mac_cost(pe: PEType | str, table: EnergyTable | None = None) -> dict[str, float]:
    """Energy (pJ) of one MAC by part, composed from the table (estimates):

    - int: ``mul(b)`` + ``add(acc_bits)``;
    - float (FP8/bf16 x -> FP32 acc): significand multiply ``mul(prec)`` + exponent add
      ``add(exp bits)`` + ``fp_add_32``;
    - quire (posit/GP): decode (regime count + shift, ~``2 add(n)``) per operand + significand
      multiply + exponent add + shift and add into the quire (``2 add(quire bits)``);
    - lp: decode per operand + log add ``add(n)`` + antilog LUT read (``alpha + 1`` bits) +
      shift and add into the linear accumulator (``2 add(acc_bits)``).
    """
    pe = pe_type(pe)
    t = table or default_energy_table()
    b = pe.bits
    if pe.kind == "int":
        d = {"multiply": t.mul(b), "accumulate": t.add(pe.acc_bits)}
    elif pe.kind == "float":
        ebits = b - pe.prec  # exponent bits incl. sign slack
        d = {"multiply": t.mul(pe.prec) + t.add(ebits), "accumulate": t["fp_add_32"]}
    elif pe.kind == "quire":
        d = {"decode": 2 * 2 * t.add(b), "multiply": t.mul(pe.prec) + t.add(b),
             "accumulate": 2 * t.add(_quire_bits(pe))}  # fmt: skip
    else:
        d = {"decode": 2 * 2 * t.add(b), "multiply": t.add(b),
             "antilog_lut": (pe.alpha + 1) * t["lut_bit"],
             "accumulate": 2 * t.add(pe.acc_bits)}  # fmt: skip
    return d


#: Area overhead of a bit-fusion (mixed-precision) PE over its larger mode (estimate).
FUSION_OVERHEAD = 1.15


def pe_area_um2(pe: PEType | str, table: EnergyTable | None = None) -> float:
    """Area of one PE (um^2, estimate): arithmetic per lane + operand/accumulator registers;
    a mixed-precision PE (``fused_with``) has the larger of its two modes' areas times
    ``FUSION_OVERHEAD`` (15 %, an estimate for the shared shifters and muxes)."""
    pe = pe_type(pe)
    t = table or default_energy_table()
    b = pe.bits
    add_a = t["area_int_add_8"] / 8
    mul_a = t["area_int_mul_8"] / 64
    if pe.kind == "int":
        arith = mul_a * b * b + add_a * pe.acc_bits
    elif pe.kind == "float":
        arith = mul_a * pe.prec**2 + add_a * (b - pe.prec) + t["area_fp_add_32"]
    elif pe.kind == "quire":
        arith = 4 * add_a * b + mul_a * pe.prec**2 + add_a * b + 2 * add_a * pe.acc_bits
    else:
        arith = 4 * add_a * b + add_a * b + t["area_lut_bit"] * (pe.alpha + 1) * (
            1 << pe.frac_bits) + 2 * add_a * pe.acc_bits  # fmt: skip
    regs = t["area_reg_bit"] * (2 * b * pe.lanes + pe.acc_bits)
    area = arith * pe.lanes + regs
    if pe.fused_with:
        other = pe_area_um2(replace(pe_type(pe.fused_with), fused_with=""), t)
        area = FUSION_OVERHEAD * max(area, other)
    return area


def array_area_mm2(cfg, pe: PEType | str, table: EnergyTable | None = None) -> dict[str, float]:
    """Area (mm^2, estimate) of the PE array and the three SRAMs."""
    t = table or default_energy_table()
    pes = cfg.rows * cfg.cols * pe_area_um2(pe, t) / 1e6
    sram = (cfg.ifmap_sram_kb + cfg.filter_sram_kb + cfg.ofmap_sram_kb) * 8192 * t[
        "area_sram_bit"] / 1e6  # fmt: skip
    return {"pe_array": pes, "sram": sram, "total": pes + sram}


def layer_energy(res, cfg, pe: PEType | str | None, table: EnergyTable | None = None):
    """Energy (pJ) of a simulated layer by component (estimates; module docstring).

    Components: ``mac`` (MACs x :func:`mac_cost`), ``pe_registers`` (operand and accumulator
    register writes: per MAC, os writes 2 operands + accumulator; ws/is 1 operand + the moving
    partial sum; plus stationary loads), ``sram_ifmap``, ``sram_filter`` (reads of operand
    width), ``sram_ofmap`` (os: outputs rounded to the operand width; ws/is: partial sums at
    accumulator width), ``dram`` (operands and final outputs at operand width, partial-sum
    spills at accumulator width).
    """
    pe = pe_type(pe if pe is not None else "int8")
    t = table or default_energy_table()
    b, ab = pe.bits, pe.acc_bits
    mac = sum(mac_cost(pe, t).values())
    # os outputs leave the PE rounded to the operand format; ws/is move partial sums
    ob = b if cfg.dataflow == "os" else ab
    if cfg.dataflow == "os":
        reg_bits = res.macs * (2 * b + ab)
    else:
        reg_bits = res.macs * (b + ab) + (res.sram_filter_reads if cfg.dataflow == "ws"
                                          else res.sram_ifmap_reads) * b  # fmt: skip
    # with lanes, one SRAM word carries `lanes` operands
    return {
        "mac": res.macs * mac,
        "pe_registers": reg_bits * t["reg_bit"],
        "sram_ifmap": res.sram_ifmap_reads * t.sram_access(cfg.ifmap_sram_kb, b),
        "sram_filter": res.sram_filter_reads * t.sram_access(cfg.filter_sram_kb, b),
        "sram_ofmap": (res.sram_ofmap_writes + res.sram_ofmap_reads)
        * t.sram_access(cfg.ofmap_sram_kb, ob),
        "dram": (res.dram_ifmap_reads + res.dram_filter_reads + res.dram_ofmap_writes)
        * t.dram_access(b)
        + res.dram_ofmap_reads * t.dram_access(ab),
    }
