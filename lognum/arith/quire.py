"""Exact dot products and matrix products in posit, GP and LP (ALPS Algorithm 2; docs/theory.md).

``matmul(A, B, fmt, accumulate="quire", antilog_bits=None) -> np.ndarray``

* ``A`` (M×K) and ``B`` (K×N) are real arrays; they are **first quantized to fmt** (round to
  nearest, ``fmt.quantize``) and the result is a float64 array of values of ``fmt``.
* ``accumulate="quire"`` (default): every product is exact, the K products are accumulated
  exactly in a quire (fixed point, two's complement) and the sum is rounded to ``fmt`` once.
  Posit/GP (ALPS Algorithm 2): products of the decoded (sign, scale, significand) fields are
  exact integers; the quire's lsb is 2^(2·log2 Δ) (Δ = the minimum spacing, ALPS eq 25) and its
  width is ``quire_bits(fmt, K)`` = ⌈log2 K⌉ + 2⌈log2(Max/Δ)⌉ + 2 bits — ALPS §5.3's formula
  ⌈log2 m⌉ + 2⌈log2(Max/Min)⌉ + 2 with Min replaced by Δ: the two agree for posits (Δ = Min),
  but for GP with t = n − rs − 1 > es the smallest product's lsb lies about 2(t − es) bits
  below Min², so ALPS' width is too narrow to be exact (docs/errata.md).
  LP (log-domain multiply): a product is s_a s_b 2^(λ_a + λ_b) — an exact fixed-point add of
  the log magnitudes; its antilog 2^(frac) comes from a table correctly rounded to 53 bits
  (``antilog_bits=None``) or rounded to ``antilog_bits`` fraction bits (emulating an α-bit
  LUT, Johnson's ELMA), and these exactly representable antilogs are accumulated exactly.
  The final rounding is the format's own: the quire is read out with round-to-odd to float64
  and then rounded by ``fmt.quantize``, which is the correct rounding of the exact sum for posit/GP
  (their tie points have at most n + 1 significant bits); for LP the ties are irrational and
  the result is the correct rounding unless the exact sum lies within 2^−52 (relative) of an
  LP tie.
* ``accumulate="float32"``: each exact product is rounded to binary32 and the products are
  summed in order k = 0, 1, … in binary32 (a non-FMA FP32 MAC); the FP32 sum is rounded to
  ``fmt`` at the end.
* ``accumulate="format"``: no quire — every product is rounded to ``fmt`` and every partial
  sum is rounded to ``fmt`` (k in order), as a posit unit without a quire would do. Posit/GP:
  each rounding is the correct rounding of the exact product / sum; LP: products are rounded
  exactly in the log domain (ties to the even code), sums are float64 sums of the (irrational)
  LP values rounded to odd, then rounded to LP.

Deterministic (no threads, fixed summation order) and exact as stated: verified against
``fractions.Fraction`` arithmetic and an independent rounding oracle in tests/arith.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lognum.arith.logmul import antilog_table, lp_logs, lp_round_log

ACCUMULATE = ("quire", "float32", "format")


def _fmt(cfg: Any) -> Any:
    from lognum.formats.parse import parse

    return parse(cfg)


def _family(fmt: Any) -> str:
    if fmt.family not in ("gp", "lp"):
        raise ValueError(f"fmt must be a posit, GP or LP format, got {fmt}")
    return fmt.family


# ---------------------------------------------------------------------------------------------
# exact helpers (numpy)


def decompose(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """q = m · 2^e with m an odd int64 (or 0 with e = 0), elementwise, exactly (float64 q)."""
    q = np.asarray(q, dtype=np.float64)
    mant, ex = np.frexp(q)
    m = np.rint(np.ldexp(mant, 53)).astype(np.int64)
    e = ex.astype(np.int64) - 53
    nz = m != 0
    low = np.where(nz, m & -m, 1)
    tz = np.log2(np.abs(low).astype(np.float64)).astype(np.int64)
    m = np.where(nz, m >> tz, 0)
    e = np.where(nz, e + tz, 0)
    return m, e


def _rto_int(m: np.ndarray, e: np.ndarray) -> np.ndarray:
    """m · 2^e (int64 m, |m| < 2^62) as float64 rounded to odd."""
    f = m.astype(np.float64)
    big = np.abs(m) > (1 << 53)
    if big.any():
        fi = np.where(big, f, 0.0)
        r = m - np.where(big, fi, 0.0).astype(np.int64)
        f = _rto_adjust(f, np.sign(r).astype(np.float64))
    return np.ldexp(f, e)


def _rto_adjust(s: np.ndarray, err_sign: np.ndarray) -> np.ndarray:
    """Round-to-odd of exact = s + err (err tiny, only its sign given): truncate toward 0, then
    pick the odd neighbour if inexact."""
    s = np.asarray(s, dtype=np.float64)
    inexact = err_sign != 0
    if not inexact.any():
        return s
    toward0 = inexact & (np.sign(s) != err_sign)
    tr = np.where(toward0, np.nextafter(s, 0.0), s)
    even = (tr.view(np.int64) & 1) == 0
    away = np.where(tr >= 0, np.inf, -np.inf)
    return np.where(inexact & even, np.nextafter(tr, away), tr)


def add_rto(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b rounded to odd (float64), via TwoSum: exact when a + b fits in 53 bits."""
    s = a + b
    bb = s - a
    err = (a - (s - bb)) + (b - bb)
    return _rto_adjust(s, np.sign(err))


# ---------------------------------------------------------------------------------------------
# quire sizing


def _delta_exp(fmt: Any) -> int:
    from lognum.analysis.closed_form import delta

    d = delta(fmt, "eq25")
    return int(round(math.log2(d)))


def quire_bits(cfg: Any, k: int) -> int:
    """Width of the exact posit/GP quire for k products: ⌈log2 k⌉ + 2⌈log2(Max/Δ)⌉ + 2
    (``lognum.analysis.closed_form.quire_width(fmt, k, rule="exact")``; see the module
    docstring for how this relates to ALPS §5.3 and the standard's 16n)."""
    from lognum.analysis.closed_form import quire_width

    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be an integer >= 1 (the number of products), got {k!r}")
    return quire_width(_fmt(cfg), int(k), rule="exact")


# ---------------------------------------------------------------------------------------------
# public API


def _check(A: Any, B: Any) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(A, dtype=np.float64)
    b = np.asarray(B, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(
            f"A and B must be 2-D with A.shape[1] == B.shape[0], got {a.shape} and {b.shape}"
        )
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("A and B must be finite")
    return a, b


def matmul(
    A: Any, B: Any, fmt: Any, accumulate: str = "quire", antilog_bits: int | None = None
) -> np.ndarray:
    """C = A @ B in ``fmt`` (posit, GP or LP); see the module docstring.

    A (M×K), B (K×N): real arrays, first quantized to ``fmt``. Returns float64 (M×N) values of
    ``fmt``. ``accumulate``: "quire" (exact, one rounding), "float32" (FP32 accumulation) or
    "format" (round after every multiply and add). ``antilog_bits``: LP only — fraction bits of
    the log→linear table (None: 53-bit, i.e. exact to float64).
    """
    fmt = _fmt(fmt)
    fam = _family(fmt)
    if accumulate not in ACCUMULATE:
        raise ValueError(f"accumulate must be one of {ACCUMULATE}, got {accumulate!r}")
    if antilog_bits is not None:
        if fam != "lp":
            raise ValueError("antilog_bits applies to LP formats only")
        if (
            isinstance(antilog_bits, bool)
            or not isinstance(antilog_bits, int)
            or not (0 <= antilog_bits <= 52)
        ):
            raise ValueError(f"antilog_bits must be an integer in [0, 52], got {antilog_bits!r}")
    a, b = _check(A, B)
    if a.shape[1] == 0:  # K = 0: the empty sum is exactly 0 in every accumulator
        return np.zeros((a.shape[0], b.shape[1]))
    qa, qb = fmt.quantize(a), fmt.quantize(b)
    M, K = qa.shape
    N = qb.shape[1]
    if fam == "gp":
        ma, ea = decompose(qa)
        mb, eb = decompose(qb)
        if accumulate == "quire":
            return _gp_quire(fmt, ma, ea, mb, eb, K)

        def prods(k: int) -> np.ndarray:
            return _rto_int(ma[:, k, None] * mb[None, k, :], ea[:, k, None] + eb[None, k, :])

    else:
        sa, la, G1 = lp_logs(fmt, qa)
        sb, lb, G2 = lp_logs(fmt, qb)
        G = max(G1, G2)
        la, lb = la << (G - G1), lb << (G - G2)
        if accumulate == "quire":
            return _lp_quire(fmt, sa, la, sb, lb, G, antilog_bits, K)
        tm, te = antilog_table(G, antilog_bits)

        def prods(k: int) -> np.ndarray:
            s = sa[:, k, None] * sb[None, k, :]
            L = la[:, k, None] + lb[None, k, :]
            if accumulate == "format":
                L = lp_round_log(fmt, L, G)
            u = L & ((1 << G) - 1)
            return s * np.ldexp(tm[u].astype(np.float64), te[u] + (L >> G))

    if accumulate == "float32":
        acc = np.zeros((M, N), dtype=np.float32)
        for k in range(K):
            acc = acc + prods(k).astype(np.float32)
        return np.asarray(fmt.quantize(acc.astype(np.float64)), dtype=np.float64)
    acc = np.zeros((M, N))
    for k in range(K):
        p = prods(k)
        if fam == "gp":
            p = fmt.quantize(p)
        acc = np.asarray(fmt.quantize(add_rto(acc, p)), dtype=np.float64)
    return acc


def _gp_quire(
    fmt: Any, ma: np.ndarray, ea: np.ndarray, mb: np.ndarray, eb: np.ndarray, K: int
) -> np.ndarray:
    from lognum.arith._quire_kernel import quire_matmul_gp

    width = quire_bits(fmt, K)
    emin = 2 * _delta_exp(fmt)
    nl = (width + 31) // 32 + 3
    out = np.empty((ma.shape[0], mb.shape[1]))
    ovf = np.zeros(out.shape, dtype=np.int64)
    quire_matmul_gp(
        np.ascontiguousarray(ma),
        np.ascontiguousarray(ea),
        np.ascontiguousarray(mb),
        np.ascontiguousarray(eb),
        emin,
        nl,
        out,
        ovf,
    )
    if ovf.any():  # pragma: no cover - the width formula makes this impossible
        raise OverflowError("quire overflow")
    return np.asarray(fmt.quantize(out), dtype=np.float64)


def _lp_quire(
    fmt: Any,
    sa: np.ndarray,
    la: np.ndarray,
    sb: np.ndarray,
    lb: np.ndarray,
    G: int,
    bits: int | None,
    K: int,
) -> np.ndarray:
    from lognum.arith._quire_kernel import quire_matmul_lp

    tm, te = antilog_table(G, bits)
    nz_a, nz_b = la[sa != 0], lb[sb != 0]
    out = np.zeros((sa.shape[0], sb.shape[1]))
    if nz_a.size == 0 or nz_b.size == 0:
        return out
    lmin = (int(nz_a.min()) + int(nz_b.min())) >> G
    lmax = ((int(nz_a.max()) + int(nz_b.max())) >> G) + 2
    emin = lmin + int(te.min())
    width = (lmax - emin) + (math.ceil(math.log2(K)) if K > 1 else 0) + 2
    nl = (width + 31) // 32 + 3
    ovf = np.zeros(out.shape, dtype=np.int64)
    quire_matmul_lp(
        np.ascontiguousarray(sa),
        np.ascontiguousarray(la),
        np.ascontiguousarray(sb),
        np.ascontiguousarray(lb),
        G,
        tm,
        te,
        emin,
        nl,
        out,
        ovf,
    )
    if ovf.any():  # pragma: no cover
        raise OverflowError("quire overflow")
    return np.asarray(fmt.quantize(out), dtype=np.float64)


def dot(
    a: Any, b: Any, fmt: Any, accumulate: str = "quire", antilog_bits: int | None = None
) -> float:
    """Dot product of two real vectors in ``fmt`` (quantized first); see ``matmul``. Empty
    vectors give 0.0 with every accumulator."""
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.ndim != 1 or y.ndim != 1 or x.size != y.size:
        raise ValueError(f"a and b must be 1-D of equal length, got {x.shape} and {y.shape}")
    return float(matmul(x[None, :], y[:, None], fmt, accumulate, antilog_bits)[0, 0])
