"""Array configuration and SCALE-Sim config-file reader (docs/simulator.md)."""

from __future__ import annotations

import configparser
import math
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ArrayConfig", "read_scalesim_config", "DATAFLOWS"]

DATAFLOWS = ("os", "ws", "is")
_MAX_SRAM_KB = 2.0**30  # 1 TB: far above any on-chip SRAM; keeps word counts exact in float64


def _real(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


@dataclass(frozen=True)
class ArrayConfig:
    """An R x C systolic array with double-buffered SRAMs and a DRAM interface.

    Parameters (SCALE-Sim names in brackets):

    - ``rows``, ``cols``: PE rows R [ArrayHeight] and columns C [ArrayWidth].
    - ``dataflow``: ``"os"`` (output stationary), ``"ws"`` (weight stationary), ``"is"``
      (input stationary) [Dataflow].
    - ``ifmap_sram_kb``, ``filter_sram_kb``, ``ofmap_sram_kb``: SRAM sizes in kB; each SRAM is
      double buffered, half active and half prefetch [IfmapSramSzkB, ...].
    - ``word_bytes``: bytes per element (SCALE-Sim fixes 1). SRAM capacity in words is
      ``kB * 1024 / word_bytes``.
    - ``bandwidth_mode``: ``"CALC"`` (DRAM bandwidth is whatever keeps the array busy: reads
      never stall) or ``"USER"`` (the bandwidths below limit DRAM traffic; stalls when they
      run out) [InterfaceBandwidth].
    - ``ifmap_bw``, ``filter_bw``: DRAM read bandwidth in words/cycle for USER mode
      [IfmapSRAMBankBandwidth, FilterSRAMBankBandwidth]; ``ofmap_bw``: OFMAP drain bandwidth
      [Bandwidth]. SCALE-Sim's CALC mode drains the OFMAP at ``cols`` words/cycle. With
      ``scalesim_compat=True`` in USER mode these are SCALE-Sim's DRAM line widths and must be
      whole numbers, and each SRAM must hold at least 2 words; in CALC mode the IFMAP and
      FILTER SRAMs must hold at least 100 words (:mod:`lognum.hw.sim`).
    - offsets: address offsets (kept for report compatibility only).
    - ``freq_mhz``: clock for throughput figures (not a SCALE-Sim field).
    """

    rows: int = 32
    cols: int = 32
    dataflow: str = "os"
    ifmap_sram_kb: float = 64.0
    filter_sram_kb: float = 64.0
    ofmap_sram_kb: float = 64.0
    word_bytes: int = 1
    bandwidth_mode: str = "CALC"
    ifmap_bw: float = 10.0
    filter_bw: float = 10.0
    ofmap_bw: float = 10.0
    ifmap_offset: int = 0
    filter_offset: int = 10_000_000
    ofmap_offset: int = 20_000_000
    run_name: str = "lognum_run"
    freq_mhz: float = 1000.0

    def __post_init__(self) -> None:
        for nm in ("rows", "cols", "word_bytes"):
            v = getattr(self, nm)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1 or v > 4096:
                raise ValueError(f"{nm} must be an integer in [1, 4096], got {v!r}")
        if self.dataflow not in DATAFLOWS:
            raise ValueError(f"dataflow must be one of {DATAFLOWS}, got {self.dataflow!r}")
        if self.bandwidth_mode not in ("CALC", "USER"):
            raise ValueError(
                f"bandwidth_mode must be 'CALC' or 'USER', got {self.bandwidth_mode!r}"
            )
        for nm in ("ifmap_sram_kb", "filter_sram_kb", "ofmap_sram_kb"):
            v = getattr(self, nm)
            if not _real(v) or not 0 < v <= _MAX_SRAM_KB:
                raise ValueError(f"{nm} must be a number in (0, 2^30] kB, got {v!r}")
            if int(v * 1024) // self.word_bytes < 1:
                raise ValueError(f"{nm} = {v!r} kB holds no {self.word_bytes}-byte word")
        for nm in ("ifmap_bw", "filter_bw", "ofmap_bw", "freq_mhz"):
            v = getattr(self, nm)
            if not _real(v) or not 0 < v < math.inf:
                raise ValueError(f"{nm} must be a finite number > 0, got {v!r}")
        for nm in ("ifmap_offset", "filter_offset", "ofmap_offset"):
            v = getattr(self, nm)
            if not isinstance(v, int) or isinstance(v, bool):
                raise ValueError(f"{nm} must be an integer, got {v!r}")
        if not isinstance(self.run_name, str) or not self.run_name.strip():
            raise ValueError(f"run_name must be a non-empty string, got {self.run_name!r}")
        if self.run_name in (".", "..") or any(c in self.run_name for c in "/\\\0"):
            raise ValueError(
                f"run_name names the report folder: no '/', '\\' or '..', got {self.run_name!r}"
            )

    def sram_words(self, which: str) -> int:
        """Capacity in words of the ``"ifmap"``, ``"filter"`` or ``"ofmap"`` SRAM."""
        kb = {
            "ifmap": self.ifmap_sram_kb,
            "filter": self.filter_sram_kb,
            "ofmap": self.ofmap_sram_kb,
        }[which]
        return int(kb * 1024) // self.word_bytes


def _get(cp: configparser.ConfigParser, sec: str, key: str, default=None):
    if cp.has_option(sec, key):
        return cp.get(sec, key).strip()
    if default is None:
        raise ValueError(f"config: missing [{sec}] {key}")
    return default


def _num(cp: configparser.ConfigParser, sec: str, key: str, typ, default=None):
    v = _get(cp, sec, key, default)
    try:
        return typ(v)
    except ValueError:
        kind = "an integer" if typ is int else "a number"
        raise ValueError(f"config: [{sec}] {key} must be {kind}, got {v!r}") from None


def read_scalesim_config(path: str | Path) -> ArrayConfig:
    """Read a SCALE-Sim 3 ``.cfg`` file as it is (SCALE-Sim's INI sections and keys;
    docs/simulator.md).

    Only fields that affect the simulation are read; ``MemoryBanks``, request buffers, layout
    and sparsity sections are ignored (a sparse config raises ``ValueError``: not supported).
    Every problem with the file (unreadable, not INI, a missing key, a value of the wrong type
    or out of range) raises ``ValueError`` naming the file and the key.
    """
    cp = configparser.ConfigParser()
    try:
        ok = cp.read(path)
    except configparser.Error as exc:
        msg = " ".join(str(exc).split())
        raise ValueError(f"config {path}: not a SCALE-Sim config file ({msg})") from None
    except UnicodeDecodeError:
        raise ValueError(f"config {path}: not a text file") from None
    if not ok:
        raise ValueError(f"config: cannot read {path}")
    a = "architecture_presets"
    try:
        bw0 = _num(cp, a, "Bandwidth", lambda v: float(v.split(",")[0]))
        sparse = _get(cp, "sparsity", "SparsitySupport", "false").lower() == "true"
        if sparse:
            raise ValueError("config: SparsitySupport = true is not supported by lognum.hw")
        mode = _get(cp, "run_presets", "InterfaceBandwidth", "CALC").upper()
        return ArrayConfig(
            rows=_num(cp, a, "ArrayHeight", int),
            cols=_num(cp, a, "ArrayWidth", int),
            dataflow=_get(cp, a, "Dataflow").lower(),
            ifmap_sram_kb=_num(cp, a, "IfmapSramSzkB", float),
            filter_sram_kb=_num(cp, a, "FilterSramSzkB", float),
            ofmap_sram_kb=_num(cp, a, "OfmapSramSzkB", float),
            bandwidth_mode=mode,
            ifmap_bw=_num(cp, "layout", "IfmapSRAMBankBandwidth", float, str(bw0)),
            filter_bw=_num(cp, "layout", "FilterSRAMBankBandwidth", float, str(bw0)),
            ofmap_bw=bw0,
            ifmap_offset=_num(cp, a, "IfmapOffset", int, "0"),
            filter_offset=_num(cp, a, "FilterOffset", int, "10000000"),
            ofmap_offset=_num(cp, a, "OfmapOffset", int, "20000000"),
            run_name=_get(cp, "general", "run_name", "lognum_run"),
        )
    except configparser.Error as exc:  # e.g. a bad %-interpolation in a value
        msg = " ".join(str(exc).split())
        raise ValueError(f"config {path}: {msg}") from None
    except ValueError as exc:
        raise ValueError(f"config {path}: {str(exc).removeprefix('config: ')}") from None


def scalesim_config_text(cfg: ArrayConfig) -> str:
    """The SCALE-Sim 3 config file for ``cfg`` (SCALE-Sim's configs/scale.cfg as the template).

    SCALE-Sim asserts that ``*SRAMBankBandwidth`` is divisible by ``*SRAMBankNum`` (used only
    with custom layouts): the template's 10 banks are kept when the bandwidth is a multiple of
    10, else 1 bank is written."""
    ib = 10 if cfg.ifmap_bw % 10 == 0 else 1
    fb = 10 if cfg.filter_bw % 10 == 0 else 1
    return f"""[general]
run_name = {cfg.run_name}

[architecture_presets]
ArrayHeight: {cfg.rows}
ArrayWidth: {cfg.cols}
IfmapSramSzkB: {cfg.ifmap_sram_kb:g}
FilterSramSzkB: {cfg.filter_sram_kb:g}
OfmapSramSzkB: {cfg.ofmap_sram_kb:g}
IfmapOffset: {cfg.ifmap_offset}
FilterOffset: {cfg.filter_offset}
OfmapOffset: {cfg.ofmap_offset}
Bandwidth : {cfg.ofmap_bw:g}
Dataflow : {cfg.dataflow}
MemoryBanks: 1
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: {cfg.ifmap_bw:g}
IfmapSRAMBankNum: {ib}
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: {cfg.filter_bw:g}
FilterSRAMBankNum: {fb}
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: {cfg.bandwidth_mode}
UseRamulatorTrace: False
"""
