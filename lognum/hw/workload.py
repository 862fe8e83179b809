"""Workloads: GEMM and convolution layers mapped to a GEMM by im2col, and topology CSV files.

Every layer is simulated as the GEMM ``M x K`` (IFMAP, im2col) times ``K x N`` (FILTER) giving
``M x N`` (OFMAP), with ``M = batch * E * F`` output pixels, ``N`` = filters and
``K = R * S * C`` (docs/simulator.md).

Output size. SCALE-Sim uses ``E = ceil((H - R + s) / s)`` on unpadded inputs, which for stride
``s > 1`` can be one larger than the usual ``floor((H + 2p - R) / s) + 1`` (ResNet-18 conv1: 110
instead of 109; the extra windows read out of bounds). lognum uses the usual formula by default
and SCALE-Sim's with ``scalesim_compat=True`` (see :meth:`Layer.out_hw`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["Layer", "gemm", "conv", "read_topology", "expand_depthwise"]


def _check_pos(name: str, v: int, lo: int = 1) -> int:
    if not isinstance(v, (int,)) or isinstance(v, bool) or v < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    return int(v)


@dataclass(frozen=True)
class Layer:
    """One layer. ``kind`` is ``"gemm"`` or ``"conv"``.

    Convolution fields follow SCALE-Sim's topology columns: IFMAP ``H x W`` with ``C``
    channels, ``filters`` filters of ``R x S`` (filter height ``R``, width ``S``; not to be
    confused with the array's rows), ``stride``, plus lognum's ``padding`` (zero padding on each
    side) and ``batch``. ``depthwise=True`` means each of the ``C`` channels is its own group
    with ``filters`` filters of depth 1 (SCALE-Sim's ``DP`` rows); such a layer is simulated as
    ``C`` independent GEMMs (:func:`expand_depthwise`).

    For ``kind="gemm"`` the fields ``m, n, k`` are used: A is ``M x K``, B is ``K x N``.
    """

    name: str
    kind: str = "gemm"
    m: int = 0
    n: int = 0
    k: int = 0
    H: int = 0
    W: int = 0
    R: int = 1
    S: int = 1
    C: int = 1
    filters: int = 1
    stride: int = 1
    padding: int = 0
    batch: int = 1
    depthwise: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("gemm", "conv"):
            raise ValueError(f"kind must be 'gemm' or 'conv', got {self.kind!r}")
        if self.kind == "gemm":
            for nm in ("m", "n", "k"):
                _check_pos(nm, getattr(self, nm))
        else:
            for nm in ("H", "W", "R", "S", "C", "filters", "stride", "batch"):
                _check_pos(nm, getattr(self, nm))
            _check_pos("padding", self.padding, 0)
            if self.R > self.H + 2 * self.padding or self.S > self.W + 2 * self.padding:
                raise ValueError(
                    f"filter {self.R}x{self.S} larger than padded IFMAP "
                    f"{self.H + 2 * self.padding}x{self.W + 2 * self.padding} (layer {self.name})"
                )

    # ------------------------------------------------------------------ geometry
    def out_hw(self, scalesim_compat: bool = False) -> tuple[int, int]:
        """Output height and width ``(E, F)``.

        Default: ``floor((H + 2p - R)/s) + 1``. With ``scalesim_compat``: SCALE-Sim's
        ``ceil((H + 2p - R + s)/s)`` (docs/simulator.md), which is one larger when ``(H - R)`` is
        not a multiple of ``s``.
        """
        if self.kind == "gemm":
            return self.m, 1
        hp, wp, s = self.H + 2 * self.padding, self.W + 2 * self.padding, self.stride
        if scalesim_compat:
            return math.ceil((hp - self.R + s) / s), math.ceil((wp - self.S + s) / s)
        return (hp - self.R) // s + 1, (wp - self.S) // s + 1

    def gemm_shape(self, scalesim_compat: bool = False) -> tuple[int, int, int]:
        """``(M, N, K)`` of one im2col GEMM (for depthwise: of one channel group)."""
        if self.kind == "gemm":
            return self.m, self.n, self.k
        e, f = self.out_hw(scalesim_compat)
        c = 1 if self.depthwise else self.C
        return self.batch * e * f, self.filters, self.R * self.S * c

    @property
    def groups(self) -> int:
        """Number of independent GEMMs (``C`` for a depthwise layer, else 1)."""
        return self.C if (self.kind == "conv" and self.depthwise) else 1

    def macs(self, scalesim_compat: bool = False) -> int:
        m, n, k = self.gemm_shape(scalesim_compat)
        return m * n * k * self.groups


def gemm(m: int, n: int, k: int, name: str = "gemm") -> Layer:
    """A GEMM layer: ``(M x K) @ (K x N)``."""
    return Layer(name=name, kind="gemm", m=m, n=n, k=k)


def conv(
    H: int,
    W: int,
    R: int,
    S: int,
    C: int,
    filters: int,
    stride: int = 1,
    padding: int = 0,
    batch: int = 1,
    depthwise: bool = False,
    name: str = "conv",
) -> Layer:
    """A convolution layer (NHWC, filters ``R x S x C``), mapped by im2col."""
    return Layer(
        name=name,
        kind="conv",
        H=H,
        W=W,
        R=R,
        S=S,
        C=C,
        filters=filters,
        stride=stride,
        padding=padding,
        batch=batch,
        depthwise=depthwise,
    )


def expand_depthwise(layer: Layer) -> list[Layer]:
    """SCALE-Sim's expansion of a depthwise layer into ``C`` single-channel layers."""
    if layer.groups == 1:
        return [layer]
    return [
        replace(layer, name=f"{layer.name}Channel_{c}", C=1, depthwise=False)
        for c in range(layer.C)
    ]


def read_topology(path: str | Path, input_type: str = "conv") -> list[Layer]:
    """Read a SCALE-Sim topology CSV unchanged.

    ``input_type="conv"``: rows ``name, IFMAP Height, IFMAP Width, Filter Height, Filter Width,
    Channels, Num Filter, Strides,`` (header row first; like SCALE-Sim, the last field of each
    row is dropped, so rows end with a comma; an optional ``N:M`` sparsity field is accepted and
    ignored). A name containing ``DP`` marks a depthwise layer (kept as one :class:`Layer` with
    ``depthwise=True``; SCALE-Sim expands it into per-channel layers, which
    :func:`expand_depthwise` reproduces). ``input_type="gemm"``: rows ``name, M, N, K,``.
    A file with no layer rows, or a row that does not parse, raises ``ValueError``.
    """
    if input_type not in ("conv", "gemm"):
        raise ValueError(f"input_type must be 'conv' or 'gemm', got {input_type!r}")
    layers: list[Layer] = []
    try:
        with open(path, newline="") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError:
        raise ValueError(f"topology {path}: not a text file") from None
    except OSError as exc:
        raise ValueError(f"topology {path}: cannot read it ({exc.strerror or exc})") from None
    except csv.Error as exc:
        raise ValueError(f"topology {path}: not a CSV file ({exc})") from None
    for lineno, row in enumerate(rows):
        if lineno == 0 or not "".join(row).strip():
            continue
        elems = [e.strip() for e in row[:-1]]
        need = 4 if input_type == "gemm" else 8
        if len(elems) < need:
            cols = (
                "name, M, N, K,"
                if input_type == "gemm"
                else (
                    "name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                    "Num Filter, Strides,"
                )
            )
            hint = (
                " (GEMM rows? use -i gemm / input_type='gemm')"
                if (input_type == "conv" and len(elems) == 4)
                else ""
            )
            raise ValueError(
                f"{path}: bad topology row {lineno + 1}: {len(elems)} of the "
                f"{need} fields {cols} (each row ends with a comma): "
                f"{row!r}{hint}"
            )
        try:
            if input_type == "gemm":
                name, m, n, k = elems[0], int(elems[1]), int(elems[2]), int(elems[3])
                layers.append(gemm(m, n, k, name=name))
            else:
                name = elems[0]
                h, w, r, s, c, f, st = (int(x) for x in elems[1:8])
                layers.append(conv(h, w, r, s, c, f, stride=st, depthwise="DP" in name, name=name))
        except (IndexError, ValueError) as exc:
            raise ValueError(f"{path}: bad topology row {lineno + 1}: {row!r} ({exc})") from exc
    if not layers:
        raise ValueError(
            f"topology {path}: no layers (the first row is the header; each "
            f"layer row ends with a comma)"
        )
    return layers
