"""Correctly rounded arithmetic of posit, generalized posit (GP) and log posit (LP) formats.

Every format object of the tapered family has these methods (``TaperedArithmetic`` is a base
of the formats' shared mixin)::

    p = lognum.Posit(16, 2)
    p.add(a, b), p.sub(a, b), p.mul(a, b), p.div(a, b), p.fma(a, b, c), p.sqrt(a)
    p.neg(a), p.abs(a), p.compare(a, b)                # float arrays of values of p
    p.add_codes(ca, cb), ..., p.fma_codes(ca, cb, cc)  # bit patterns in, bit patterns out
    p.ufuncs.add, p.ufuncs.add_codes, ...              # genuine NumPy ufuncs (.reduce, out=)

Each result is the **correct rounding of the exact result** by the format's own rule: the
bit-string round to nearest, ties to the even pattern, clamped to [minpos, maxpos] for posit/GP
(ALPS eq 1-3; 2022 Posit Standard §5) and LP's log-domain version of it (LPQ eq 3: the log of
the exact result is rounded, so LP multiply/divide/sqrt are exact additions/subtractions/halvings
of logs followed by one rounding). ``fma(a, b, c) = a*b + c`` rounds once. NaR (NaN in the
float API) propagates; ``x / 0`` and ``sqrt(x < 0)`` are NaR; ``compare`` orders by the
standard's total order (NaR below every real, NaR == NaR). How the exact result reaches the
rounding without double rounding is explained in ``lognum._kernels.tapered_arith``.

Float API: inputs must hold values of the format (a ``ValueError`` otherwise, naming the
argument); ``strict=False`` rounds them to the format first (``fmt.quantize``). NaN means
NaR. The result has the inputs' float dtype (float32 or float64; other dtypes become float64)
and their broadcast shape.

Speed: for n <= 10 every binary operation is an exhaustive table of 4^n codes filled once per
format from the scalar kernel (exact by construction; 65,536 entries for n = 8), square root a
table of 2^n codes for n <= 16; larger GP/posit formats run the branch-free binary64 kernels of
``lognum._kernels.tapered_arith_fast``, larger LP formats and ``fma`` the scalar kernel per
element (run-time parameters: one compilation serves every configuration).
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # the mixin's methods call the Format contract (encode, decode, quantize)
    from lognum.formats.base import Format as _FormatBase
else:
    _FormatBase = object

OPS = {"add": 0, "sub": 1, "mul": 2, "div": 3}
TABLE_MAX_N = 10  # binary tables: 4^n entries (1 Mi codes at n = 10)
SQRT_TABLE_MAX_N = 16


@cache
def _k() -> tuple[Any, Any, np.ndarray, np.ndarray]:
    from lognum._kernels import tapered_arith_loops as loops
    from lognum._kernels import tapered_loops
    from lognum._kernels.constants import exp2_dd_table

    c_hi, c_lo = exp2_dd_table()
    return loops, tapered_loops, c_hi, c_lo


def _cdtype(n: int) -> np.dtype:
    from lognum.formats.base import code_dtype

    return code_dtype(n)


# ------------------------------------------------------------------------------------------
# the exact fallback for LP sums the double-double could not decide (never observed)


def _u_of_pattern(p: int, nbits: int, es: int, rs: int) -> Fraction:
    """Log u (value 2^(u - sf)) of a positive LP bit pattern, read field by field."""
    body = format(p, f"0{nbits}b")[1:]
    first = body[0]
    run = 0
    while run < len(body) and run < rs and body[run] == first:
        run += 1
    k = run - 1 if first == "1" else -run
    rest = body[run + 1 if run < rs else run :]
    ebits, fbits = rest[:es], rest[es:]
    e = int(ebits, 2) << (es - len(ebits)) if ebits else 0
    f = Fraction(int(fbits, 2), 1 << len(fbits)) if fbits else Fraction(0)
    return (k << es) + e + f


def lp_round_sum(kparams: tuple, terms: list[tuple[int, Fraction]]) -> int:
    """Code of ``sum(s * 2^(u - sf) for s, u in terms)`` (LP, log-domain RNE), decided with
    Python ``decimal`` at increasing precision: the sum is never exactly a tie unless it is an
    exact power of two handled by the kernel, so the loop ends."""
    n, es, rs, _, _, sfi, sff = kparams
    sf = Fraction(sfi) + Fraction(sff, 1 << 59)
    maxp = (1 << (n - 1)) - 1
    prec = 80
    while True:
        with localcontext() as ctx:
            ctx.prec = prec
            ln2 = Decimal(2).ln()

            def p2(x: Fraction, ln2: Decimal = ln2) -> Decimal:
                return (Decimal(x.numerator) / Decimal(x.denominator) * ln2).exp()

            v = sum((s * p2(u - sf) for s, u in terms), Decimal(0))
            if v == 0:
                return 0
            a = abs(v)
            lg = a.ln() / ln2 + Decimal(sf.numerator) / Decimal(sf.denominator)
            c = _nearest_body_guess(float(lg), n, es, rs)
            tol = a * Decimal(10) ** (12 - prec)
            ok = True
            for _ in range(4 * n):
                up = p2(_u_of_pattern(2 * c + 1, n + 1, es, rs) - sf) if c < maxp else None
                lo = p2(_u_of_pattern(2 * c - 1, n + 1, es, rs) - sf) if c > 1 else None
                if (up is not None and abs(a - up) <= tol) or (
                    lo is not None and abs(a - lo) <= tol
                ):
                    ok = False
                    break
                if up is not None and a > up:
                    c += 1
                elif lo is not None and a < lo:
                    c -= 1
                else:
                    break
            if ok:
                return c if v > 0 else (1 << n) - c
        prec *= 2


def _nearest_body_guess(u: float, n: int, es: int, rs: int) -> int:
    """A positive body whose log is close to u (bisection over the monotone patterns)."""
    lo, hi = 1, (1 << (n - 1)) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if float(_u_of_pattern(mid, n, es, rs)) < u:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _lp_terms(kparams: tuple, op: int, ca: int, cb: int, cc: int | None) -> list:
    n, es, rs, _, _, sfi, sff = kparams
    sf = Fraction(sfi) + Fraction(sff, 1 << 59)

    def term(c: int) -> tuple[int, Fraction]:
        neg = c >> (n - 1)
        p = (1 << n) - c if neg else c
        return (-1 if neg else 1), _u_of_pattern(p, n, es, rs)

    if cc is None:  # add / sub
        sa, ua = term(ca)
        sb, ub = term(cb)
        return [(sa, ua), ((-sb if op == OPS["sub"] else sb), ub)]
    (sa, ua), (sb, ub), (sc_, uc) = term(ca), term(cb), term(cc)
    return [(sa * sb, ua + ub - sf), (sc_, uc)]


def _resolve(
    kparams: tuple,
    out: np.ndarray,
    und: np.ndarray,
    op: int,
    ca: np.ndarray,
    cb: np.ndarray,
    cc: np.ndarray | None = None,
) -> None:
    for i in np.flatnonzero(und):
        t = _lp_terms(kparams, op, int(ca[i]), int(cb[i]), None if cc is None else int(cc[i]))
        out[i] = lp_round_sum(kparams, t)


# ------------------------------------------------------------------------------------------
# code-level kernels


def _binop_flat(kparams: tuple, op: int, ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    loops, _, c_hi, c_lo = _k()
    n, es, rs, sc, logm, sfi, sff = kparams
    tab = binary_table(kparams, op)
    out = np.empty(ca.size, dtype=_cdtype(n))
    if tab is not None:
        loops.lookup2(ca, cb, tab, n, out)
        return out
    if _fast(kparams):
        from lognum._kernels.tapered_arith_fast import binop_codes_fast

        binop_codes_fast(op, ca, cb, out, n, es, rs, sc)
        return out
    und = np.empty(ca.size, dtype=np.uint8)
    ca, cb, o64 = _u64(ca), _u64(cb), np.empty(ca.size, dtype=np.uint64)
    if loops.binop_codes(
        op, ca, cb, o64, und, n, es, rs, sc, logm, sfi, np.uint64(sff), c_hi, c_lo
    ):
        _resolve(kparams, o64, und, op, ca, cb)
    out[:] = o64
    return out


def _u64(a: np.ndarray) -> np.ndarray:
    """uint64 codes for the heavy scalar-kernel loops (one compiled signature each)."""
    return a.astype(np.uint64, copy=False)


@cache
def _fast(kparams: tuple) -> bool:
    """GP/posit formats served by the binary64 error-free-transformation kernels (n > 10)."""
    from lognum._kernels.tapered_arith_fast import fast_ok

    n, es, rs, sc, logm, _, _ = kparams
    return not logm and fast_ok(n, es, rs, sc)


@cache
def binary_table(kparams: tuple, op: int) -> np.ndarray | None:
    """``tab[(a << n) | b]`` = code of ``a op b`` for every pair of n-bit codes (n <= 10), from
    the scalar kernel; read-only, cached per format and operation. None for larger n."""
    n, es, rs, sc, logm, sfi, sff = kparams
    if n > TABLE_MAX_N:
        return None
    loops, _, c_hi, c_lo = _k()
    t64 = np.empty(1 << (2 * n), dtype=np.uint64)
    und = np.empty(t64.size, dtype=np.uint8)
    if loops.build_table(op, t64, und, n, es, rs, sc, logm, sfi, np.uint64(sff), c_hi, c_lo):
        idx = np.arange(t64.size, dtype=np.uint64)
        _resolve(kparams, t64, und, op, idx >> np.uint64(n), idx & np.uint64((1 << n) - 1))
    tab = t64.astype(_cdtype(n))
    tab.setflags(write=False)
    return tab


@cache
def sqrt_table(kparams: tuple) -> np.ndarray | None:
    n, es, rs, sc, logm, sfi, sff = kparams
    if n > SQRT_TABLE_MAX_N:
        return None
    loops, _, _, _ = _k()
    t64 = np.empty(1 << n, dtype=np.uint64)
    loops.sqrt_codes(
        np.arange(1 << n, dtype=np.uint64), t64, n, es, rs, sc, logm, sfi, np.uint64(sff)
    )
    tab = t64.astype(_cdtype(n))
    tab.setflags(write=False)
    return tab


def _sqrt_flat(kparams: tuple, ca: np.ndarray) -> np.ndarray:
    loops, _, _, _ = _k()
    n, es, rs, sc, logm, sfi, sff = kparams
    out = np.empty(ca.size, dtype=_cdtype(n))
    tab = sqrt_table(kparams)
    if tab is not None:
        loops.lookup1(ca, tab, out)
    elif _fast(kparams):
        from lognum._kernels.tapered_arith_fast import sqrt_codes_fast

        sqrt_codes_fast(ca, out, n, es, rs, sc)
    else:
        o64 = np.empty(ca.size, dtype=np.uint64)
        loops.sqrt_codes(_u64(ca), o64, n, es, rs, sc, logm, sfi, np.uint64(sff))
        out[:] = o64
    return out


def _fma_flat(kparams: tuple, ca: np.ndarray, cb: np.ndarray, cc: np.ndarray) -> np.ndarray:
    loops, _, c_hi, c_lo = _k()
    n, es, rs, sc, logm, sfi, sff = kparams
    out = np.empty(ca.size, dtype=_cdtype(n))
    und = np.empty(ca.size, dtype=np.uint8)
    ca, cb, cc, o64 = _u64(ca), _u64(cb), _u64(cc), np.empty(ca.size, dtype=np.uint64)
    if loops.fma_codes(ca, cb, cc, o64, und, n, es, rs, sc, logm, sfi, np.uint64(sff), c_hi, c_lo):
        _resolve(kparams, o64, und, -1, ca, cb, cc)
    out[:] = o64
    return out


@cache
def value_table(fmt: Any, dtype: np.dtype) -> np.ndarray:
    """Values of all 2^n codes of ``fmt`` in ``dtype`` (NaR -> NaN); n <= 16."""
    v = fmt.decode(np.arange(1 << fmt.n, dtype=np.uint64)).astype(dtype)
    v.setflags(write=False)
    return v


class TaperedArithmetic(_FormatBase):
    """Arithmetic methods shared by ``Posit``, ``GeneralizedPosit`` and ``LogPosit`` (see the
    module docstring). Needs ``n``, ``_kparams``, ``encode``, ``decode`` and ``quantize``."""

    n: int
    if TYPE_CHECKING:

        @property
        def _kparams(self) -> tuple[int, ...]: ...

    # -- argument handling -------------------------------------------------------------------
    def _codes_arg(self, c: Any, name: str) -> np.ndarray:
        a = np.asarray(c)
        if a.dtype.kind not in "iu":
            raise ValueError(
                f"{name} must be an integer array of {self} codes, got dtype {a.dtype}"
            )
        if a.dtype.kind == "u" and a.dtype.itemsize * 8 <= self.n:
            return a  # every value of the dtype is a code: no pass over the data
        if a.size and (a.min() < 0 or int(a.max()) >= 1 << self.n):
            raise ValueError(f"{name} must hold codes in [0, 2^{self.n} - 1]")
        return a

    def _run_codes(self, fn: Any, *args: Any, names: tuple[str, ...]) -> np.ndarray:
        arrs = [self._codes_arg(a, nm) for a, nm in zip(args, names, strict=True)]
        shape = np.broadcast_shapes(*(a.shape for a in arrs))
        flat = [_flat_codes(a, shape) for a in arrs]
        out = fn(self._kparams, *flat).reshape(shape)
        return out[()] if out.ndim == 0 else out

    def _floats_arg(self, x: Any, name: str, strict: bool) -> tuple[np.ndarray, np.ndarray]:
        """(values, codes) of a float argument; ValueError when strict and not representable."""
        from lognum.formats.base import as_float_array

        a, _ = as_float_array(x)
        codes = self.encode(a)
        if strict and a.size:
            dt = a.dtype
            if self.n <= SQRT_TABLE_MAX_N:
                v = value_table(self, dt)[codes]
            else:
                v = self.decode(codes).astype(dt)
            bad = (v != a) & ~(np.isnan(v) & np.isnan(a))
            if bad.any():
                x0 = a[bad].flat[0]
                raise ValueError(
                    f"{name} holds values that are not {self} values (e.g. "
                    f"{x0!r}); pass strict=False to round them to {self} first"
                )
        return a, codes

    def _run_floats(self, fn: Any, args: tuple, names: tuple[str, ...], strict: bool) -> np.ndarray:
        pairs = [self._floats_arg(a, nm, strict) for a, nm in zip(args, names, strict=True)]
        dt = np.result_type(*(p[0].dtype for p in pairs))
        shape = np.broadcast_shapes(*(p[0].shape for p in pairs))
        flat = [_flat_codes(p[1], shape) for p in pairs]
        codes = fn(self._kparams, *flat)
        if self.n <= SQRT_TABLE_MAX_N:
            out = value_table(self, dt)[codes]
        else:
            out = self.decode(codes).astype(dt)
        out = out.reshape(shape)
        return out[()] if out.ndim == 0 else out

    # -- float API -----------------------------------------------------------------------------
    def add(self, a: Any, b: Any, *, strict: bool = True) -> np.ndarray:
        """Correctly rounded ``a + b`` (see ``lognum.arith.tapered_ops``)."""
        return self._binary("add", a, b, strict)

    def sub(self, a: Any, b: Any, *, strict: bool = True) -> np.ndarray:
        """Correctly rounded ``a - b``."""
        return self._binary("sub", a, b, strict)

    def mul(self, a: Any, b: Any, *, strict: bool = True) -> np.ndarray:
        """Correctly rounded ``a * b`` (LP: an exact addition of logs, one rounding)."""
        return self._binary("mul", a, b, strict)

    def div(self, a: Any, b: Any, *, strict: bool = True) -> np.ndarray:
        """Correctly rounded ``a / b``; ``x / 0`` is NaR (NaN)."""
        return self._binary("div", a, b, strict)

    def _binary(self, name: str, a: Any, b: Any, strict: bool) -> np.ndarray:
        op = OPS[name]
        if self.n <= TABLE_MAX_N or _fast(self._kparams):
            fast = self._binary_table_floats(op, a, b, strict)
            if fast is not None:
                return fast
        return self._run_floats(
            lambda kp, x, y: _binop_flat(kp, op, x, y), (a, b), ("a", "b"), strict
        )

    def _binary_table_floats(self, op: int, a: Any, b: Any, strict: bool) -> np.ndarray | None:
        """The fused paths (tables for n <= 10, binary64 error-free transformations for larger
        GP): same-shape float32/float64 arrays, one pass (after encode for tables)."""
        a = np.asarray(a)
        b = np.asarray(b)
        if (
            a.shape != b.shape
            or a.dtype != b.dtype
            or a.dtype not in (np.float32, np.float64)
            or a.ndim == 0
        ):
            return None
        loops, _, _, _ = _k()
        fa = np.ascontiguousarray(a).reshape(-1)
        fb = np.ascontiguousarray(b).reshape(-1)
        out = np.empty(fa.size, dtype=a.dtype)
        if self.n > TABLE_MAX_N:
            from lognum._kernels.tapered_arith_fast import binop_values_fast

            n, es, rs, sc = self._kparams[:4]
            bad = binop_values_fast(op, fa, fb, out, n, es, rs, sc, strict)
        else:
            ca = self.encode(fa)
            cb = self.encode(fb)
            bad = loops.lookup2_values(
                fa,
                fb,
                ca,
                cb,
                binary_table(self._kparams, op),
                self.n,
                value_table(self, a.dtype),
                out,
            )
        if bad and strict:
            self._floats_arg(fa, "a", True)
            self._floats_arg(fb, "b", True)
        return out.reshape(a.shape)

    def fma(self, a: Any, b: Any, c: Any, *, strict: bool = True) -> np.ndarray:
        """``a * b + c`` with one rounding (the exact product is never rounded)."""
        return self._run_floats(_fma_flat, (a, b, c), ("a", "b", "c"), strict)

    def sqrt(self, a: Any, *, strict: bool = True) -> np.ndarray:
        """Correctly rounded square root; NaR (NaN) for negative inputs."""
        return self._run_floats(_sqrt_flat, (a,), ("a",), strict)

    def neg(self, a: Any, *, strict: bool = True) -> np.ndarray:
        """``-a`` (exact: two's complement of the pattern)."""
        return self._run_floats(_neg_flat, (a,), ("a",), strict)

    def abs(self, a: Any, *, strict: bool = True) -> np.ndarray:
        """``|a|`` (exact)."""
        return self._run_floats(_abs_flat, (a,), ("a",), strict)

    def compare(self, a: Any, b: Any, *, strict: bool = True) -> np.ndarray:
        """-1, 0, 1 (int8) by the posit standard's total order: NaR == NaR < every real."""
        ca = self._floats_arg(a, "a", strict)[1]
        cb = self._floats_arg(b, "b", strict)[1]
        return self.compare_codes(ca, cb)

    # -- code API ------------------------------------------------------------------------------
    def add_codes(self, ca: Any, cb: Any) -> np.ndarray:
        """Code of the correctly rounded sum of two codes (the format's code dtype)."""
        return self._run_codes(
            lambda kp, x, y: _binop_flat(kp, 0, x, y), ca, cb, names=("ca", "cb")
        )

    def sub_codes(self, ca: Any, cb: Any) -> np.ndarray:
        return self._run_codes(
            lambda kp, x, y: _binop_flat(kp, 1, x, y), ca, cb, names=("ca", "cb")
        )

    def mul_codes(self, ca: Any, cb: Any) -> np.ndarray:
        return self._run_codes(
            lambda kp, x, y: _binop_flat(kp, 2, x, y), ca, cb, names=("ca", "cb")
        )

    def div_codes(self, ca: Any, cb: Any) -> np.ndarray:
        return self._run_codes(
            lambda kp, x, y: _binop_flat(kp, 3, x, y), ca, cb, names=("ca", "cb")
        )

    def fma_codes(self, ca: Any, cb: Any, cc: Any) -> np.ndarray:
        return self._run_codes(_fma_flat, ca, cb, cc, names=("ca", "cb", "cc"))

    def sqrt_codes(self, ca: Any) -> np.ndarray:
        return self._run_codes(_sqrt_flat, ca, names=("ca",))

    def neg_codes(self, ca: Any) -> np.ndarray:
        return self._run_codes(_neg_flat, ca, names=("ca",))

    def abs_codes(self, ca: Any) -> np.ndarray:
        return self._run_codes(_abs_flat, ca, names=("ca",))

    def compare_codes(self, ca: Any, cb: Any) -> np.ndarray:
        """-1, 0, 1 (int8): the codes compared as n-bit two's-complement integers."""
        a = self._signed(self._codes_arg(ca, "ca"))
        b = self._signed(self._codes_arg(cb, "cb"))
        r = (np.sign(a - b)).astype(np.int8)
        return r[()] if r.ndim == 0 else r

    def _signed(self, c: np.ndarray) -> np.ndarray:
        c = c.astype(np.int64)
        return np.where(c >= 1 << (self.n - 1), c - (1 << self.n), c)

    # -- ufuncs --------------------------------------------------------------------------------
    @property
    def ufuncs(self) -> Any:
        """Genuine NumPy ufuncs of this configuration (``lognum.arith.tapered_ufuncs``)."""
        from lognum.arith.tapered_ufuncs import ufuncs_for

        return ufuncs_for(self._kparams)


def _flat_codes(a: np.ndarray, shape: tuple) -> np.ndarray:
    """1-D contiguous unsigned codes (kept in their dtype when unsigned: no copy needed)."""
    f = np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1)
    return f if f.dtype.kind == "u" else f.astype(np.uint64)


def _neg_flat(kparams: tuple, ca: np.ndarray) -> np.ndarray:
    n = kparams[0]
    ca = ca.astype(np.uint64)
    return ((np.uint64(1 << n) - ca) & np.uint64((1 << n) - 1)).astype(_cdtype(n))


def _abs_flat(kparams: tuple, ca: np.ndarray) -> np.ndarray:
    n = kparams[0]
    ca = ca.astype(np.uint64)
    neg = (ca >> np.uint64(n - 1)) & np.uint64(1)
    return np.where(neg == 1, _neg_flat(kparams, ca), ca).astype(_cdtype(n))
