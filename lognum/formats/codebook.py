"""Codebook formats: unconstrained non-uniform quantization by table lookup
(docs/guide/codebook.md).

``Codebook(levels)``: any K = 2..65536 distinct finite values ``v[0] < ... < v[K-1]`` (given in
any order; stored sorted as a tuple of floats). Code i means v[i]; a code is
``n = ceil(log2 K)`` bits and the codes K..2^n - 1 are unused (they decode to NaN). This is the
quantizer of weight-sharing / k-means compression (Han et al., "Deep Compression", ICLR 2016):
the hardware stores the n-bit index and looks the value up in a K-entry table.
``Codebook.kmeans(x, k)`` builds one from data (k-means++ seeding, then Lloyd's algorithm).

Rounding (``rounding="nearest"``): the nearest entry; a tie (x exactly halfway between two
neighbouring entries) goes to the entry with the even code. Inputs below v[0] or above v[K-1]
(±inf included) saturate to the end entries (the only mode). NaN quantizes to NaN and encodes
as the code of the entry nearest to 0 (the table has no NaN code).
``rounding="stochastic"``: between the two neighbouring entries, up with probability
proportional to the distance (unbiased); outside the table the nearest end.
Notation ``codebook[v0;v1;...]`` with the values as Python ``repr`` floats, so
``parse(str(f)) == f`` exactly. Kernels: ``lognum._kernels.codebook`` (binary search over exact
decision thresholds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property
from typing import Any, ClassVar

import numpy as np

from lognum.formats.base import Format, as_float_array, check_int
from lognum.formats.element import TableElement, check_code, table_ufunc
from lognum.formats.record import Description, Field
from lognum.formats.registry import notation

MAX_LEVELS = 1 << 16


@cache
def _k() -> Any:
    from lognum._kernels import codebook

    return codebook


def thresholds(levels: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The decision thresholds between neighbouring entries and their tie flags: ``thr[i]``
    is the double nearest to the exact midpoint of v[i] and v[i+1] (computed with Fractions),
    ``tup[i]`` = 1 when an input equal to ``thr[i]`` rounds up (the midpoint is above the
    double, or it is the double and code i+1 is even)."""
    thr = np.empty(len(levels) - 1)
    tup = np.empty(len(levels) - 1, dtype=np.int8)
    for i in range(len(levels) - 1):
        mid = (Fraction(levels[i]) + Fraction(levels[i + 1])) / 2
        t = float(mid)  # correctly rounded
        thr[i] = t
        ft = Fraction(t)
        tup[i] = (i + 1) % 2 == 0 if ft == mid else ft > mid
    return thr, tup


@dataclass(frozen=True)
class Codebook(TableElement, Format):
    """A lookup-table format (see the module docstring): ``levels`` are its K distinct finite
    values, K in [2, 65536], stored sorted (a -0.0 is stored as 0.0)."""

    family: ClassVar[str] = "codebook"

    levels: tuple[float, ...]

    def __post_init__(self) -> None:
        try:
            v = np.asarray(self.levels, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise ValueError(
                f"levels must be a sequence of real numbers, got {self.levels!r}"
            ) from None
        if not 2 <= v.size <= MAX_LEVELS:
            raise ValueError(f"levels must hold 2 to {MAX_LEVELS} values, got {v.size}")
        if not np.all(np.isfinite(v)):
            raise ValueError("levels must be finite numbers (no NaN or inf)")
        v = np.sort(v) + 0.0  # + 0.0: -0.0 becomes 0.0
        if np.any(v[1:] == v[:-1]):
            raise ValueError(f"levels must be distinct, got {v[1:][v[1:] == v[:-1]][0]!r} twice")
        object.__setattr__(self, "levels", tuple(float(a) for a in v))

    # -- structure ------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """K, the number of entries."""
        return len(self.levels)

    @property
    def nbits(self) -> int:
        """n = ceil(log2 K) bits per code."""
        return max(1, (self.size - 1).bit_length())

    @property
    def maxpos(self) -> float:
        """The largest positive entry (ValueError for a table without one)."""
        return max(self._positive)

    @property
    def minpos(self) -> float:
        """The smallest positive entry (ValueError for a table without one)."""
        return min(self._positive)

    @property
    def _positive(self) -> list[float]:
        pos = [a for a in self.levels if a > 0.0]
        if not pos:
            raise ValueError(f"{self} has no positive entry: maxpos/minpos are undefined")
        return pos

    @property
    def _max_magnitude(self) -> float:
        """The largest |entry| (the table need not be symmetric)."""
        return max(abs(self.levels[0]), abs(self.levels[-1]))

    @cached_property
    def _table(self) -> np.ndarray:
        t = np.array(self.levels)
        t.setflags(write=False)
        return t

    @cached_property
    def _thr_exact(self) -> tuple[np.ndarray, np.ndarray]:
        thr, tup = thresholds(self.levels)
        thr.setflags(write=False)
        tup.setflags(write=False)
        return thr, tup

    @cached_property
    def _nan_code(self) -> int:
        """The code NaN encodes to: that of the entry nearest to 0."""
        thr, tup = self._thr_exact
        return int(np.count_nonzero((thr < 0.0) | ((thr == 0.0) & (tup == 1))))

    def _code_table(self) -> np.ndarray:
        t = np.full(1 << self.nbits, np.nan)
        t[: self.size] = self.levels
        return t

    # -- kernels --------------------------------------------------------------------------
    def _nearest_codes(self, x: np.ndarray) -> np.ndarray:
        thr, tup = self._thr_exact
        out = np.empty(x.size, dtype=np.uint32)
        _k().encode(x, thr, tup, self._nan_code, out)
        return out

    def _nearest_values(self, x: np.ndarray, out: np.ndarray) -> None:
        thr, tup = self._thr_exact
        if out.dtype == np.float64:
            _k().quantize(x, thr, tup, self._table, out)
        else:
            tmp = np.empty(x.size)
            _k().quantize(x, thr, tup, self._table, tmp)
            with np.errstate(over="ignore"):  # beyond float32: inf, clamped by saturate_f32
                out[...] = tmp

    def _stochastic(self, x: np.ndarray, rng: Any, codes: bool) -> np.ndarray:
        """Stochastic rounding on the signed table (``lognum._kernels.codebook``)."""
        c = np.empty(x.size, dtype=np.uint32)
        _k().stochastic_code(x, rng.random(x.size), self._table, self._nan_code, c)
        if codes:
            return c
        with np.errstate(over="ignore"):
            return np.where(np.isnan(x), np.nan, self._table[c]).astype(x.dtype)

    def _build_ufunc(self) -> Any:
        """Round to nearest as a ufunc: binary search over the threshold table compiled in."""
        thr, tup = self._thr_exact
        return table_ufunc(thr, tup, self._table, None)

    # -- describe / notation --------------------------------------------------------------
    def describe(self, code: int) -> Description:
        """The entry index of a code (row "index": its n bits) and its value; codes beyond
        the K entries are "unused" (value NaN)."""
        n = self.nbits
        c = check_code(code, n)
        pattern = format(c, f"0{n}b")
        if c >= self.size:
            text = f"{self} {pattern}: unused (the table has {self.size} entries)"
            fields: tuple[Field, ...] = (Field("index", pattern, c),)
            return Description(str(self), c, pattern, fields, math.nan, "unused", text)
        value = self.levels[c]
        text = f"{self} {pattern}: entry {c} of {self.size}, value {value!r}"
        fields = (Field("index", pattern, c), Field("entry", "", value))
        return Description(str(self), c, pattern, fields, value, None, text)

    def __str__(self) -> str:
        return "codebook[" + ";".join(repr(v) for v in self.levels) + "]"

    # -- building one from data -----------------------------------------------------------
    @classmethod
    def kmeans(cls, x: Any, k: int, *, seed: int = 0, max_iter: int = 300) -> Codebook:
        """The codebook of k entries that k-means (Lloyd's algorithm, k-means++ seeding with
        ``np.random.default_rng(seed)``) fits to the finite entries of ``x``: every entry is
        the mean of the data nearest to it, a local minimum of the squared error
        sum (x - Q(x))^2. ``k``: 2..65536 and at most the number of distinct finite values of
        ``x``; ``max_iter``: the Lloyd iterations at most (it stops when no point moves)."""
        k = check_int("k", k, 2, MAX_LEVELS)
        max_iter = check_int("max_iter", max_iter, 1, 1 << 20)
        a, _ = as_float_array(x)
        d = np.sort(a[np.isfinite(a)].astype(np.float64).reshape(-1))
        distinct = int(np.count_nonzero(np.diff(d))) + 1 if d.size else 0
        if k > distinct:
            raise ValueError(
                f"k must be at most the number of distinct finite values of x ({distinct}), got {k}"
            )
        rng = np.random.default_rng(seed)
        centres = _kmeanspp(d, k, rng)
        assign = None
        for _ in range(max_iter):
            mids = (centres[:-1] + centres[1:]) / 2.0
            new = np.searchsorted(mids, d, side="left")
            if assign is not None and np.array_equal(new, assign):
                break
            assign = new
            counts = np.bincount(assign, minlength=k)
            sums = np.bincount(assign, weights=d, minlength=k)
            empty = counts == 0
            centres = np.where(empty, centres, sums / np.maximum(counts, 1))
            if empty.any():  # re-seed an empty cell at the worst-served point
                err = (d - centres[assign]) ** 2
                for j in np.flatnonzero(empty):
                    i = int(np.argmax(err))
                    centres[j] = d[i]
                    err[d == d[i]] = 0.0
            centres = np.sort(centres)
            if np.any(centres[1:] == centres[:-1]):  # keep entries distinct
                centres = _dedupe(centres, d)
        return cls(tuple(float(c) for c in centres))


def _kmeanspp(d: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding (Arthur and Vassilvitskii 2007) on sorted 1-D data: the first centre
    uniformly, each next one with probability proportional to the squared distance to the
    nearest chosen centre; distinct values."""
    centres = [float(d[rng.integers(d.size)])]
    d2 = (d - centres[0]) ** 2
    while len(centres) < k:
        total = float(d2.sum())
        if total > 0 and math.isfinite(total):
            i = int(np.searchsorted(np.cumsum(d2), rng.random() * total, side="right"))
            i = min(i, d.size - 1)
        else:  # overflow or nothing left: the farthest point
            i = int(np.argmax(d2))
        if d2[i] == 0.0:
            i = int(np.argmax(d2))
        centres.append(float(d[i]))
        d2 = np.minimum(d2, (d - d[i]) ** 2)
    return np.sort(np.array(centres))


def _dedupe(centres: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Replace repeated centres by data values not yet used (farthest from the centres)."""
    uniq = np.unique(centres)
    need = centres.size - uniq.size
    cand = np.setdiff1d(np.unique(d), uniq)
    dist = np.min(np.abs(cand[:, None] - uniq[None, :]), axis=1)
    extra = cand[np.argsort(-dist, kind="stable")[:need]]
    return np.sort(np.concatenate([uniq, extra]))


@notation(r"codebook\[([^\[\]]*)\]", example="codebook[-1.0;-0.25;0.0;0.5;2.0]")
def _codebook(text: str) -> Codebook:
    try:
        levels = tuple(float(v) for v in text.split(";"))
    except ValueError:
        raise ValueError(
            f"codebook[...] must list numbers separated by ';', got {text!r}"
        ) from None
    return Codebook(levels)


__all__ = ["Codebook", "thresholds"]
