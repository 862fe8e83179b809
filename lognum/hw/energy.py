"""Energy and area model: published per-operation costs, stated composition rules, PE models
built from components, and the per-layer energy of a simulated layer by component.

**Every figure is a first-order estimate** (dynamic energy, 45 nm), not a sign-off number.
Each constant below is either measured in a cited source or marked *estimate* with the rule it
comes from; :func:`pe_model` lists the components of a PE with the source of each number.

Sources
-------
[H14] M. Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014,
      Fig. 1.1.9 (energy) and the area table of the same talk; 45 nm, 0.9 V:

      ==================  =========================  ===========================
      operation           energy (pJ)                area (um^2)
      ==================  =========================  ===========================
      integer add         8 b 0.03, 16 b 0.05,       8 b 36, 16 b 67, 32 b 137
                          32 b 0.1
      integer multiply    8 b 0.2, 32 b 3.1          8 b 282, 32 b 3495
      FP add              16 b 0.4, 32 b 0.9         16 b 1360, 32 b 4184
      FP multiply         16 b 1.1, 32 b 3.7         16 b 1640, 32 b 7700
      64-bit SRAM read    8 kB 10, 32 kB 20,
                          1 MB 100
      DRAM                1.3-2.6 nJ per 64 bits
      ==================  =========================  ===========================

[H16] S. Han et al., "EIE: efficient inference engine on compressed deep neural network",
      ISCA 2016, Table I (45 nm figures taken from [H14]): 32-bit SRAM read (8 kB) 5 pJ,
      32-bit DRAM read 640 pJ, 32-bit register-file access 1 pJ.

[J18] J. Johnson, "Rethinking floating point for deep learning", arXiv:1811.01721 (NeurIPS
      2018 workshop on systems for ML), abstract: an 8-bit log-multiply / linear-add MAC
      ("(8, 1, 5, 5, 7) log ELMA", 38-bit Kulisch accumulator) synthesized at 28 nm is 0.96x the
      power and 1.12x the area of an 8/32-bit integer multiply-add.
[C23] L. Crespo, P. Tomas, N. Roma, N. Neves, "Trading performance, power, and area on
      low-precision posit MAC units for CNN training", SBAC-PAD 2023, abstract: in 28 nm ASIC
      implementations of a reference posit MAC the quire takes over 70 % of the area and power.
[K26] S. Kumar, V. P. Sharma, V. Neema, S. K. Vishvakarma, "Dual-precision floating point
      multiply-accumulate processing engine for AI applications", arXiv:2604.04507v2 (2026),
      abstract: an FP8 (E4M3/E5M2) / 2 x FP4 MAC PE in 28 nm, 1.94 GHz, 0.00396 mm^2, 2.13 mW.

Composition rules, stated so they can be checked (``tests/hw/test_energy.py`` recomputes every
published point from the rules):

- Integer adders (:func:`int_add`): piecewise linear in bits through [H14]'s 8/16/32-bit points
  (exact there), linear through zero below 8 bits and with the 16-32 slope above 32 bits.
- Integer multipliers (:func:`int_mul`): a power law ``E_8 (b/8)^p`` through [H14]'s 8- and
  32-bit points (exact at both; ``p`` = 1.98 for energy, 1.82 for area: close to the ``b^2``
  of an array multiplier). 4-bit and other widths are interpolated / extrapolated: estimates.
- FP multipliers and adders (:func:`fp_mul_energy`, :func:`fp_add`): power laws through [H14]'s
  *measured* 16- and 32-bit FP entries (exact at both). bfloat16 uses the 16-bit entry (its
  8-bit significand would make it somewhat cheaper than FP16: not modelled); FP8 (8 bits) is
  an extrapolation of the fit: estimate.
- SRAM (:meth:`EnergyTable.sram_access`): the energy of a 64-bit access is interpolated in
  log-log through [H14]'s 8 kB / 32 kB / 1 MB points (exact there; slope 0.5 below 32 kB,
  0.46 above). Width: energy proportional to the bits read, for accesses of at least 32 bits
  ([H16]'s 32-bit read of an 8 kB SRAM, 5 pJ, is half [H14]'s 64-bit 10 pJ); an access narrower
  than 32 bits costs as much as a 32-bit one (no published point below 32 bits is used). The
  array reads a whole edge of operands per cycle (R or C elements), so an element's share is
  ``access(port bits) / elements per port``.
- DRAM: 2.0 nJ per 64 bits (inside [H14]'s 1.3-2.6 nJ range), proportional to the bits moved.
- Registers (estimate, no published per-bit figure used): ``reg_bit`` = 2 full-adder bits of
  [H14]'s 8-bit adder (2 x 0.03 / 8 = 7.5 fJ per bit written, 2 x 36 / 8 = 9 um^2 per bit); it
  stays below [H16]'s register-file access (1 pJ / 32 bits = 31 fJ per bit), an upper bound.
- Multiplexers, shifters and LUTs (estimates from the adder cell): a 2:1 multiplexer bit is half
  a full-adder bit (1.9 fJ, 2.25 um^2); a barrel shifter of ``w`` bits over ``s`` positions has
  ``ceil(log2 s)`` stages of ``w`` multiplexers (all of its area, and energy for every stage);
  an antilog LUT of ``2^F`` entries x ``alpha`` bits is a multiplexer tree per output bit
  (area ``alpha (2^F - 1)`` multiplexers; energy of the ``F`` multiplexers on the active path per
  output bit).
- SRAM area (estimate): 0.7 um^2 per bit (a 45 nm 6T cell of about 0.35 um^2 at about 50 %
  array efficiency).
- Leakage, clock tree and wires are not in [H14]'s figures: ``overhead_fraction`` (default 0)
  adds them as a fraction of the *on-chip* dynamic energy (MACs, PE registers and SRAM; DRAM
  is off-chip and gets none). We found no published figure we could read that gives such a
  fraction for a DNN accelerator, so lognum ships no default: take it from your own synthesis
  results. ``lognum hw codesign`` reports how the ratios move for fractions 0, 0.2 and 0.4.
- Published MAC synthesis results (:data:`PUBLISHED`, :func:`published_comparisons`) are
  compared with the composed PEs, not used to build them: [J18] (log multiply / linear add vs
  INT8 MAC, 28 nm), [C23] (quire share of a posit MAC, 28 nm), [K26] (FP8 MAC PE, 28 nm).
  A ratio of two PEs from one source is node-independent under the scaling rule below (both
  scale by the same factor); an absolute figure is scaled to 45 nm with that rule, the supply
  voltage taken as equal (the sources do not state it).
- Technology scaling (:meth:`EnergyTable.scaled`): energy x (node/45) x (Vdd/0.9)^2, area x
  (node/45)^2: the classical first-order rule; real scaling below about 28 nm is weaker.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from lognum.hw.pe import PEType, pe_type

__all__ = [
    "EnergyTable",
    "default_energy_table",
    "mac_cost",
    "layer_energy",
    "pe_area_um2",
    "array_area_mm2",
    "fp_mul_energy",
    "fp_add",
    "int_add",
    "int_mul",
    "pe_model",
    "Component",
    "H14",
    "H16",
    "PUBLISHED",
    "Published",
    "published_comparisons",
    "overhead_energy",
]

# [H14]'s table as the paper groups it, one operation per row (so not reformatted)
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

H16 = {"sram_32b_8kB": 5.0, "dram_32b": 640.0, "rf_32b": 1.0}  # pJ, Han et al. ISCA 2016 Tab. I


def _default_entries() -> dict[str, float]:
    e = dict(H14)
    e.pop("dram_64b_low")
    e.pop("dram_64b_high")
    e.update(
        {
            "dram_64b": 2000.0,  # inside [H14]'s 1.3-2.6 nJ
            "reg_bit": 2 * H14["int_add_8"] / 8,  # estimate: 2 full-adder bits
            "area_reg_bit": 2 * H14["area_int_add_8"] / 8,
            "mux_bit": 0.5 * H14["int_add_8"] / 8,  # estimate: half a full-adder bit
            "area_mux_bit": 0.5 * H14["area_int_add_8"] / 8,
            "area_sram_bit": 0.7,  # estimate: 45 nm 6T cell at ~50 % array efficiency
            "overhead_fraction": 0.0,  # leakage + clock + wires: no published default
        }
    )
    return e


#: entries that are estimates (not measured in [H14] / [H16])
ESTIMATES = (
    "reg_bit",
    "area_reg_bit",
    "mux_bit",
    "area_mux_bit",
    "area_sram_bit",
    "dram_64b",
    "overhead_fraction",
)


def _interp_pw(b: float, pts: list[tuple[float, float]]) -> float:
    """Piecewise linear through ``pts`` (sorted by x), through zero below the first point and
    with the last segment's slope beyond the last."""
    if b <= pts[0][0]:
        return pts[0][1] * b / pts[0][0]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        if b <= x1 or (x1, y1) == pts[-1]:
            return y0 + (y1 - y0) * (b - x0) / (x1 - x0)
    raise AssertionError  # pragma: no cover


def _power(b: float, x0: float, y0: float, x1: float, y1: float) -> float:
    """The power law ``y0 (b / x0)^p`` through ``(x0, y0)`` and ``(x1, y1)``."""
    p = math.log(y1 / y0) / math.log(x1 / x0)
    return y0 * (b / x0) ** p


@dataclass(frozen=True)
class EnergyTable:
    """Per-operation energies (pJ) and areas (um^2) at ``node_nm`` / ``vdd``.

    ``entries``: [H14]'s measured figures (keys of :data:`H14` without the DRAM range) plus
    ``dram_64b``, the estimates ``reg_bit``, ``mux_bit`` (and their ``area_*``),
    ``area_sram_bit`` and ``overhead_fraction`` (module docstring). Override any with
    :meth:`with_entries` or :meth:`from_csv`; the composition rules then use your figures.
    """

    entries: dict[str, float] = field(default_factory=_default_entries)
    node_nm: float = 45.0
    vdd: float = 0.9
    source: str = "Horowitz ISSCC 2014 (45 nm) + Han et al. ISCA 2016 + documented estimates"

    def __getitem__(self, key: str) -> float:
        return self.entries[key]

    def with_entries(self, **kw: float) -> EnergyTable:
        """A copy with some entries replaced (user-supplied figures)."""
        bad = set(kw) - set(self.entries)
        if bad:
            raise ValueError(
                f"unknown energy-table entries {sorted(bad)}; allowed: {sorted(self.entries)}"
            )
        for k, v in kw.items():
            if not (isinstance(v, (int, float)) and 0 <= v < math.inf):
                raise ValueError(f"energy-table entry {k} must be a finite number >= 0, got {v!r}")
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
                raise ValueError(
                    f"{where}: unknown entry {cells[0]!r}; entries: {', '.join(sorted(t.entries))}"
                )
            try:
                v = float(cells[1])
            except ValueError:
                v = math.nan
            if not 0 <= v < math.inf:
                raise ValueError(
                    f"{where}: {cells[0]} must be a finite number >= 0, got {cells[1]!r}"
                )
            kw[cells[0]] = v
        return t.with_entries(**kw)

    def scaled(self, node_nm: float, vdd: float | None = None) -> EnergyTable:
        """First-order technology scaling from this table's node (module docstring)."""
        if not node_nm > 0:
            raise ValueError(f"node_nm must be > 0, got {node_nm}")
        vdd = self.vdd if vdd is None else vdd
        fe = (node_nm / self.node_nm) * (vdd / self.vdd) ** 2
        fa = (node_nm / self.node_nm) ** 2
        ent = {
            k: v if k == "overhead_fraction" else v * (fa if k.startswith("area") else fe)
            for k, v in self.entries.items()
        }
        return replace(
            self,
            entries=ent,
            node_nm=node_nm,
            vdd=vdd,
            source=self.source + f" scaled to {node_nm} nm",
        )

    # ------------------------------------------------------------- derived costs
    def add(self, bits: float, area: bool = False) -> float:
        """Integer adder of ``bits`` (pJ, or um^2 with ``area``): piecewise linear through
        [H14]'s 8/16/32-bit points."""
        a = "area_" if area else ""
        pts = [
            (8, self[a + "int_add_8"]),
            (16, self[a + "int_add_16"]),
            (32, self[a + "int_add_32"]),
        ]
        return _interp_pw(bits, pts)

    def mul(self, bits: float, area: bool = False) -> float:
        """``bits x bits`` integer multiplier: power law through [H14]'s 8/32-bit points."""
        a = "area_" if area else ""
        return _power(bits, 8, self[a + "int_mul_8"], 32, self[a + "int_mul_32"])

    def fp_mul(self, bits: float, area: bool = False) -> float:
        """FP multiplier of total width ``bits``: power law through [H14]'s measured FP16 and
        FP32 multiplies (8 bits and other widths: estimates)."""
        a = "area_" if area else ""
        return _power(bits, 16, self[a + "fp_mul_16"], 32, self[a + "fp_mul_32"])

    def fp_add(self, bits: float, area: bool = False) -> float:
        """FP adder of total width ``bits``: power law through [H14]'s FP16 / FP32 adds."""
        a = "area_" if area else ""
        return _power(bits, 16, self[a + "fp_add_16"], 32, self[a + "fp_add_32"])

    def mux(self, bits: float, area: bool = False) -> float:
        """``bits`` 2:1 multiplexers (estimate: half a full-adder bit each)."""
        return bits * self["area_mux_bit" if area else "mux_bit"]

    def shifter(
        self, w_in: float, positions: float, w_out: float | None = None, area: bool = False
    ) -> float:
        """Barrel shifter (estimate) moving a ``w_in``-bit value by up to ``positions`` into a
        ``w_out``-bit field (default ``w_in``): ``ceil(log2 positions)`` stages, stage ``k``
        with ``min(w_in + 2^(k+1) - 1, w_out)`` multiplexers (every one toggling: an upper
        bound on the activity)."""
        w_out = w_in if w_out is None else w_out
        stages = max(1, math.ceil(math.log2(max(positions, 2))))
        n = sum(min(w_in + (1 << (k + 1)) - 1, w_out) for k in range(stages))
        return self.mux(n, area)

    def lut(self, frac_bits: int, alpha: int, area: bool = False) -> float:
        """Antilog LUT of ``2^F`` entries x ``alpha`` bits as a multiplexer tree (estimate):
        area of ``alpha (2^F - 1)`` multiplexers, energy of ``F`` per output bit."""
        if area:
            return self.mux(alpha * ((1 << frac_bits) - 1), True)
        return self.mux(alpha * max(frac_bits, 0))

    def reg(self, bits: float, area: bool = False) -> float:
        """``bits`` register bits written (estimate: two full-adder bits each)."""
        return bits * self["area_reg_bit" if area else "reg_bit"]

    def sram64(self, size_kb: float) -> float:
        """Energy (pJ) of a 64-bit read of a ``size_kb`` SRAM: log-log interpolation through
        [H14]'s 8 kB / 32 kB / 1 MB points."""
        if not size_kb > 0:
            raise ValueError(f"size_kb must be > 0, got {size_kb!r}")
        pts = [
            (8.0, self["sram_64b_8kB"]),
            (32.0, self["sram_64b_32kB"]),
            (1024.0, self["sram_64b_1MB"]),
        ]
        (x0, y0), (x1, y1) = pts[:2] if size_kb <= 32 else pts[1:]
        return _power(size_kb, x0, y0, x1, y1)

    def sram_access(self, size_kb: float, width_bits: float) -> float:
        """Energy (pJ) of one access of ``width_bits`` to a ``size_kb`` SRAM: proportional to
        the width for >= 32 bits ([H14] 64-bit, [H16] 32-bit points), a 32-bit access's
        energy below that."""
        return self.sram64(size_kb) * max(width_bits, 32.0) / 64.0

    def dram_access(self, width_bits: float) -> float:
        return self["dram_64b"] * width_bits / 64.0


def default_energy_table() -> EnergyTable:
    """The built-in table (45 nm, module docstring)."""
    return EnergyTable()


def int_add(bits: float) -> float:
    """Energy (pJ) of an integer add of ``bits`` (composition rule of the module docstring)."""
    return default_energy_table().add(bits)


def int_mul(bits: float) -> float:
    """Energy (pJ) of a ``bits x bits`` integer multiply (module docstring)."""
    return default_energy_table().mul(bits)


def fp_mul_energy(bits: float) -> float:
    """Energy (pJ) of an FP multiply of total width ``bits`` (16 and 32 bits: [H14]'s
    measured 1.1 and 3.7 pJ; other widths from the power law through them, estimates)."""
    if not bits > 0:
        raise ValueError(f"bits must be > 0, got {bits!r}")
    return default_energy_table().fp_mul(bits)


def fp_add(bits: float) -> float:
    """Energy (pJ) of an FP add of total width ``bits`` ([H14]: 0.4 / 0.9 pJ at 16 / 32)."""
    return default_energy_table().fp_add(bits)


# ------------------------------------------------------------------------------- PE models
@dataclass(frozen=True)
class Component:
    """One hardware block of a PE: ``count`` copies, ``energy`` pJ per MAC (all copies, per
    product computed), ``area`` um^2 (all copies), ``rule``: where the numbers come from."""

    name: str
    count: int
    energy: float
    area: float
    rule: str
    group: str = "multiply"


def _exp_bits(lo: int, hi: int) -> int:
    return max(1, math.ceil(math.log2(max(hi - lo + 1, 2))))


def _lane(pe: PEType, t: EnergyTable) -> list[Component]:
    """The per-product datapath of one lane of ``pe`` (energy per MAC, area of one lane):
    everything up to the aligned product, before the lane adder and the accumulator."""
    b, ab = pe.bits, pe.acc_bits
    C = Component
    if pe.kind == "int":
        return [
            C(
                f"int{b} multiplier",
                1,
                t.mul(b),
                t.mul(b, area=True),
                "[H14] int mul, power law through 8/32 bits",
            )
        ]
    if pe.kind == "float":  # FMA: FP multiply of the operand width (FP32 add in _acc)
        ext = " (extrapolated: estimate)" if b < 16 else ""
        return [
            C(
                f"FP{b} multiplier",
                1,
                t.fp_mul(b),
                t.fp_mul(b, area=True),
                "[H14] FP16/FP32 multiply, power law" + ext,
            )
        ]
    eb = _exp_bits(*pe.exp_range) + 1
    if pe.arch == "af":  # AdaptivFloat: significand product shifted into an integer acc
        p = pe.prec
        return [
            C(f"{p}x{p} significand multiplier", 1, t.mul(p), t.mul(p, area=True), "[H14] int mul"),
            C(f"{eb}-bit exponent adder", 1, t.add(eb), t.add(eb, area=True), "[H14] int add"),
            C(
                f"{2 * p}-into-{ab}-bit alignment shifter",
                1,
                t.shifter(2 * p, ab, ab),
                t.shifter(2 * p, ab, ab, area=True),
                "estimate: multiplexer stages",
                "align",
            ),
        ]
    dec = C(
        f"{pe.fmt} decoders (regime count + shift), 2 operands",
        2,
        2 * (t.add(b) + t.shifter(b, b)),
        2 * (t.add(b, area=True) + t.shifter(b, b, area=True)),
        "[H14] int add + estimate shifter",
        "decode",
    )
    if pe.kind == "quire":  # posit: significand product, exponent add, shift into the quire
        p = pe.prec
        return [
            dec,
            C(f"{p}x{p} significand multiplier", 1, t.mul(p), t.mul(p, area=True), "[H14] int mul"),
            C(f"{eb}-bit exponent adder", 1, t.add(eb), t.add(eb, area=True), "[H14] int add"),
            C(
                f"{2 * p}-into-{ab}-bit quire shifter",
                1,
                t.shifter(2 * p, ab, ab),
                t.shifter(2 * p, ab, ab, area=True),
                "estimate: multiplexer stages",
                "align",
            ),
        ]
    # LP: log-domain add, antilog LUT of the fraction, shift by the integer part
    F, al = pe.frac_bits, pe.alpha
    xb = eb + F  # bits of the fixed-point log X
    return [
        dec,
        C(f"{xb}-bit log adder", 1, t.add(xb), t.add(xb, area=True), "[H14] int add"),
        C(
            f"antilog LUT 2^{F} x {al} bits",
            1,
            t.lut(F, al),
            t.lut(F, al, area=True),
            "estimate: multiplexer tree",
            "antilog_lut",
        ),
        C(
            f"{al + 1}-into-{ab}-bit shifter",
            1,
            t.shifter(al + 1, ab, ab),
            t.shifter(al + 1, ab, ab, area=True),
            "estimate: multiplexer stages",
            "align",
        ),
    ]


def _acc(pe: PEType, t: EnergyTable) -> Component:
    ab = pe.acc_bits
    if pe.kind == "float":
        return Component(
            f"FP{ab} accumulate adder",
            1,
            t.fp_add(ab),
            t.fp_add(ab, area=True),
            "[H14] FP add",
            "accumulate",
        )
    return Component(
        f"{ab}-bit accumulator adder",
        1,
        t.add(ab),
        t.add(ab, area=True),
        "[H14] int add, piecewise linear",
        "accumulate",
    )


def _lane_adder(pe: PEType, lanes: int, t: EnergyTable) -> Component:
    """Adds the ``lanes`` aligned products of one cycle (area: ``lanes - 1`` adders; energy per
    MAC: their share)."""
    w = 2 * pe.bits + 1 if pe.kind == "int" else pe.acc_bits
    return Component(
        f"{w}-bit lane adder",
        lanes - 1,
        t.add(w) * (lanes - 1) / lanes,
        t.add(w, area=True) * (lanes - 1),
        "[H14] int add",
        "accumulate",
    )


def _regs(bits: int, t: EnergyTable) -> Component:
    return Component(
        f"registers ({bits} bits)",
        1,
        0.0,
        t.reg(bits, area=True),
        "estimate: reg_bit (energy counted per write in layer_energy)",
        "registers",
    )


def pe_model(pe: PEType | str, table: EnergyTable | None = None) -> list[Component]:
    """The components of one PE with their energy per MAC (pJ) and area (um^2), each with the
    rule or source of its numbers (estimates; module docstring).

    - a PE with ``lanes`` products per cycle (bit fusion, e.g. ``int4x2``): ``lanes`` copies of
      the per-product datapath (decoders, multiplier or log adder + antilog LUT, alignment
      shifter), a lane adder and one accumulator; per MAC, one product's datapath plus
      ``1 / lanes`` of the lane adder and accumulator;
    - registers: ``2 b lanes + acc_bits`` bits (area here; their write energy depends on the
      dataflow and is counted by :func:`layer_energy`);
    - a mixed-precision PE (``fused_with``: ``lp_mixed8`` / ``lp_mixed4``, one 8-bit or two 4-bit
      products per cycle): lane 0 is the wider format's datapath (it also computes a narrow
      product in the narrow mode), the other lanes the narrow format's, one lane adder and one
      accumulator of the wider accumulator width, the larger register set, and multiplexers
      selecting the mode (``2 x`` the widest operand bits); both modes have the same area, the
      energy per MAC is that of the mode in use plus the multiplexers (the unused bits of
      lane 0 assumed gated: estimate).
    """
    pe = pe_type(pe)
    t = table or default_energy_table()
    if not pe.fused_with:
        L = pe.lanes
        comps = [replace(c, count=c.count * L, area=c.area * L) for c in _lane(pe, t)]
        if L > 1:
            comps.append(_lane_adder(pe, L, t))
        a = _acc(pe, t)
        comps.append(replace(a, energy=a.energy / L))
        comps.append(_regs(2 * pe.bits * L + pe.acc_bits, t))
        return comps
    other = replace(pe_type(pe.fused_with), fused_with="")
    mine = replace(pe, fused_with="")
    wide, narrow = (mine, other) if mine.bits >= other.bits else (other, mine)
    lanes = max(wide.lanes, narrow.lanes)
    ab = max(wide.acc_bits, narrow.acc_bits)
    use_wide = mine is wide
    comps = []
    for c in _lane(wide, t):
        comps.append(replace(c, name=c.name + " [lane 0]", energy=c.energy if use_wide else 0.0))
    for c in _lane(narrow, t):
        if not use_wide:  # narrow mode: every lane computes a narrow product
            comps.append(replace(c, name=c.name + " [narrow mode, per product]", area=0.0))
        comps.append(
            replace(
                c,
                name=c.name + f" [lanes 1..{lanes - 1}]",
                count=c.count * (lanes - 1),
                energy=0.0,
                area=c.area * (lanes - 1),
            )
        )
    L = mine.lanes
    la = _lane_adder(replace(narrow, acc_bits=ab), lanes, t)
    comps.append(replace(la, energy=la.energy if L > 1 else 0.0))
    a = _acc(replace(wide, acc_bits=ab), t)
    comps.append(replace(a, energy=a.energy / L))
    wb = max(wide.bits * wide.lanes, narrow.bits * narrow.lanes)
    comps.append(
        Component(
            f"{2 * wb}-bit mode multiplexers",
            1,
            t.mux(2 * wb),
            t.mux(2 * wb, area=True),
            "estimate: multiplexers",
            "decode",
        )
    )
    comps.append(_regs(2 * wb + ab, t))
    return comps


def mac_cost(pe: PEType | str, table: EnergyTable | None = None) -> dict[str, float]:
    """Energy (pJ) of one MAC by part (``decode``, ``multiply``, ``antilog_lut``,
    ``accumulate``), summed over :func:`pe_model`'s components (estimates). Register writes
    are not included (they depend on the dataflow: :func:`layer_energy`)."""
    d: dict[str, float] = {}
    for c in pe_model(pe, table):
        if c.group != "registers" and c.energy:
            d[c.group] = d.get(c.group, 0.0) + c.energy
    return d


def pe_area_um2(pe: PEType | str, table: EnergyTable | None = None) -> float:
    """Area of one PE (um^2, estimate): the sum of :func:`pe_model`'s components."""
    return sum(c.area for c in pe_model(pe, table))


def array_area_mm2(cfg, pe: PEType | str, table: EnergyTable | None = None) -> dict[str, float]:
    """Area (mm^2, estimate) of the PE array and the three SRAMs."""
    t = table or default_energy_table()
    pes = cfg.rows * cfg.cols * pe_area_um2(pe, t) / 1e6
    sram = (
        (cfg.ifmap_sram_kb + cfg.filter_sram_kb + cfg.ofmap_sram_kb)
        * 8192
        * t["area_sram_bit"]
        / 1e6
    )
    return {"pe_array": pes, "sram": sram, "total": pes + sram}


def layer_energy(res, cfg, pe: PEType | str | None, table: EnergyTable | None = None):
    """Energy (pJ, estimates; module docstring) of a simulated layer by component.

    Components: ``mac`` (MACs x :func:`mac_cost`), ``pe_registers`` (register writes: per
    MAC, os writes 2 operands + accumulator; ws/is 1 operand + the moving partial sum; plus
    stationary loads), ``sram_ifmap``, ``sram_filter`` (element reads: each an equal share of
    the array edge's access, R or C elements of operand width x lanes), ``sram_ofmap`` (os:
    outputs rounded to the operand width; ws/is: partial sums at accumulator width; C per
    access), ``dram`` (operands and final outputs at operand width, partial-sum spills at
    accumulator width), and ``overhead`` (leakage / clock / wires, only when the table's
    ``overhead_fraction`` > 0: that fraction of the on-chip components, :func:`overhead_energy`).
    """
    pe = pe_type(pe if pe is not None else "int8")
    t = table or default_energy_table()
    b, ab = pe.bits, pe.acc_bits
    mac = sum(mac_cost(pe, t).values())
    ob = b if cfg.dataflow == "os" else ab
    if cfg.dataflow == "os":
        reg_bits = res.macs * (2 * b + ab)
    else:
        reg_bits = (
            res.macs * (b + ab)
            + (res.sram_filter_reads if cfg.dataflow == "ws" else res.sram_ifmap_reads) * b
        )
    R, C, L = cfg.rows, cfg.cols, pe.lanes
    n_if, n_fl = (C, R) if cfg.dataflow == "is" else (R, C)

    def per_elem(kb, n, bits):
        return t.sram_access(kb, n * bits) / n

    e = {
        "mac": res.macs * mac,
        "pe_registers": reg_bits * t["reg_bit"],
        "sram_ifmap": res.sram_ifmap_reads * per_elem(cfg.ifmap_sram_kb, n_if * L, b),
        "sram_filter": res.sram_filter_reads * per_elem(cfg.filter_sram_kb, n_fl * L, b),
        "sram_ofmap": (res.sram_ofmap_writes + res.sram_ofmap_reads)
        * per_elem(cfg.ofmap_sram_kb, C, ob),
        "dram": (res.dram_ifmap_reads + res.dram_filter_reads + res.dram_ofmap_writes)
        * t.dram_access(b)
        + res.dram_ofmap_reads * t.dram_access(ab),
    }
    if t["overhead_fraction"] > 0:
        e["overhead"] = overhead_energy(e, t)
    return e


def overhead_energy(e: dict[str, float], table: EnergyTable | None = None) -> float:
    """Leakage / clock / wire energy (pJ, estimate): the table's ``overhead_fraction`` times
    the on-chip energy of ``e`` (every component but ``dram`` and ``overhead``; module
    docstring: no published default for the fraction)."""
    t = table or default_energy_table()
    return t["overhead_fraction"] * sum(v for k, v in e.items() if k not in ("dram", "overhead"))


# ------------------------------------------------------------ published synthesis results
@dataclass(frozen=True)
class Published:
    """One published synthesis figure and how it is compared with the composed PEs.

    ``value``: the published number (a ratio, a share, or an absolute figure in ``unit`` at
    ``node_nm``); ``tolerance``: the relative agreement asked of our composition (a share
    with ``kind="lower_bound"``: ours must be at least ``value``); ``where``: the part of the
    source the number was read from.
    """

    key: str
    source: str
    where: str
    node_nm: float
    quantity: str
    value: float
    unit: str
    tolerance: float
    kind: str = "ratio"  # "ratio", "lower_bound" or "absolute"


#: the published MAC figures lognum compares its PE models with (module docstring sources)
PUBLISHED: tuple[Published, ...] = (
    Published(
        "J18_power",
        "[J18] Johnson, arXiv:1811.01721 (2018)",
        "abstract",
        28.0,
        "8-bit log-multiply / linear-add MAC (38-bit accumulator) energy per MAC / INT8 MAC",
        0.96,
        "x",
        0.25,
    ),
    Published(
        "J18_area",
        "[J18] Johnson, arXiv:1811.01721 (2018)",
        "abstract",
        28.0,
        "8-bit log-multiply / linear-add MAC (38-bit accumulator) area / INT8 MAC",
        1.12,
        "x",
        0.25,
    ),
    Published(
        "C23_quire_area",
        "[C23] Crespo et al., SBAC-PAD 2023",
        "abstract",
        28.0,
        "quire share of a posit MAC's area",
        0.70,
        "share",
        0.0,
        "lower_bound",
    ),
    Published(
        "C23_quire_power",
        "[C23] Crespo et al., SBAC-PAD 2023",
        "abstract",
        28.0,
        "quire share of a posit MAC's power",
        0.70,
        "share",
        0.0,
        "lower_bound",
    ),
    Published(
        "K26_area",
        "[K26] Kumar et al., arXiv:2604.04507v2 (2026)",
        "abstract",
        28.0,
        "FP8 MAC PE area",
        3960.0,
        "um^2",
        1.0,
        "absolute",
    ),
    Published(
        "K26_energy",
        "[K26] Kumar et al., arXiv:2604.04507v2 (2026)",
        "abstract (2.13 mW at 1.94 GHz, one FP8 MAC per cycle)",
        28.0,
        "FP8 MAC PE energy per MAC",
        2.13e-3 / 1.94e9 * 1e12,
        "pJ",
        1.0,
        "absolute",
    ),
)


def _pe_mac_energy(pe: PEType, t: EnergyTable) -> float:
    """A standalone PE's energy per MAC (pJ): :func:`mac_cost` plus one output-stationary
    register write of both operands and the accumulator (what a PE power figure includes)."""
    return sum(mac_cost(pe, t).values()) + t.reg(2 * pe.bits * pe.lanes + pe.acc_bits)


def published_comparisons(table: EnergyTable | None = None) -> list[dict[str, float | str]]:
    """Each :data:`PUBLISHED` figure next to the same quantity of the composed PEs.

    - [J18]: ``lp8_f5`` with its accumulator widened to the source's 38 bits, over ``int8``
      (energy per MAC incl. register writes, :func:`_pe_mac_energy`; area); a ratio, so the
      node cancels.
    - [C23]: the quire's share of ``posit8`` (the quire shifter, the quire adder and the
      quire's register bits) in area and in energy per MAC; a share, node-independent.
    - [K26]: ``fp8`` (FP8 multiply, FP32 accumulate) against the published PE scaled from
      28 to 45 nm (area x (45/28)^2, energy x 45/28, equal supply voltage assumed).

    Returns per figure: ``key``, ``source``, ``quantity``, ``published`` (as read),
    ``published_45nm`` (after scaling; ratios and shares unchanged), ``ours``,
    ``ours_over_published``, ``tolerance``, ``kind`` and ``agrees`` (``"yes"``/``"no"``).
    """
    t = table or default_energy_table()
    ours: dict[str, float] = {}
    int8, lp = pe_type("int8"), replace(pe_type("lp8_f5"), name="lp8_acc38", acc_bits=38)
    ours["J18_power"] = _pe_mac_energy(lp, t) / _pe_mac_energy(int8, t)
    ours["J18_area"] = pe_area_um2(lp, t) / pe_area_um2(int8, t)
    posit = pe_type("posit8")
    comps = pe_model(posit, t)
    q_area = sum(c.area for c in comps if c.group in ("align", "accumulate"))
    q_area += t.reg(posit.acc_bits, area=True)
    ours["C23_quire_area"] = q_area / pe_area_um2(posit, t)
    q_e = sum(c.energy for c in comps if c.group in ("align", "accumulate"))
    q_e += t.reg(posit.acc_bits)
    ours["C23_quire_power"] = q_e / _pe_mac_energy(posit, t)
    fp8 = pe_type("fp8")
    ours["K26_area"] = pe_area_um2(fp8, t)
    ours["K26_energy"] = _pe_mac_energy(fp8, t)
    out = []
    for p in PUBLISHED:
        f = t.node_nm / p.node_nm
        pub = p.value
        if p.kind == "absolute":
            pub = p.value * (f**2 if p.unit == "um^2" else f)
        r = ours[p.key] / pub
        ok = r >= 1.0 if p.kind == "lower_bound" else abs(math.log(r)) <= math.log1p(p.tolerance)
        out.append(
            {
                "key": p.key,
                "source": p.source,
                "where": p.where,
                "quantity": p.quantity,
                "node_nm": p.node_nm,
                "unit": p.unit,
                "published": p.value,
                "published_45nm": pub,
                "ours": ours[p.key],
                "ours_over_published": r,
                "tolerance": p.tolerance,
                "kind": p.kind,
                "agrees": "yes" if ok else "no",
            }
        )
    return out
