"""Shared machinery of the tapered family (posit, generalized posit, log posit).

The three formats share one bit layout (docs/guide/tapered.md) and one kernel
(``lognum._kernels.tapered``); this module holds what their Python classes have in common:
parameter plumbing to the kernels, the student-facing ``describe`` record (a ``Description``
with the rows sign, regime, exponent, fraction and the derived run, k, e, f, scale), value
tables.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from lognum.arith.tapered_ops import TaperedArithmetic
from lognum.formats.record import Description, Field

FB_LP = 59  # mirrors lognum._kernels.tapered.FB_LP (kept here so nothing compiles on import)


@cache
def _kernels():
    """Import the Numba kernels on first use (``import lognum`` compiles nothing)."""
    from lognum._kernels import tapered_loops
    from lognum._kernels.constants import exp2_dd_table

    return tapered_loops, exp2_dd_table()


@cache
def lp_value_table(n: int, es: int, rs: int, sfi: int, sff: int) -> np.ndarray:
    """float64 decode of every code of an LP format (n <= 20); read-only, cached."""
    k, (c_hi, c_lo) = _kernels()
    t = np.empty(1 << n, dtype=np.float64)
    k.lp_value_table(n, es, rs, sfi, np.uint64(sff), c_hi, c_lo, t)
    t.setflags(write=False)
    return t


@cache
def _gp32(n: int, es: int, rs: int, sc: int) -> Any:
    """Constants of the binary32 GP kernel (``tapered32.quantize_gp32``), or None when the
    format's values are not all binary32 normals (then the float64 path serves float32)."""
    from lognum._kernels.tapered32 import gp32_params

    k, _ = _kernels()
    v = np.empty(2, dtype=np.float64)
    k.decode_gp(np.array([1, (1 << (n - 1)) - 1], dtype=np.uint32), v, n, es, rs, sc)
    return gp32_params(n, es, rs, sc, float(v[0]), float(v[1]))


@cache
def _lp32(n: int, es: int, rs: int, sfi: int, sff: int) -> tuple | None:
    """Constants and T-indexed table of the binary32 LP kernel (``tapered32.quantize_lp32``),
    or None when it does not apply (then encode_lp + take serve float32)."""
    from lognum._kernels.tapered32 import lp32_params

    if n > 20:
        return None
    k, _ = _kernels()
    codes = np.arange(1, 1 << (n - 1), dtype=np.uint64)
    f = np.empty((codes.size, 5), dtype=np.int64)
    k.fields_of(codes, n, es, rs, f)
    return lp32_params(n, es, rs, sfi, sff, _table32(n, es, rs, sfi, sff), f[:, 1:5])


@cache
def _table32(n: int, es: int, rs: int, sfi: int, sff: int) -> np.ndarray:
    with np.errstate(over="ignore"):  # values beyond float32 become inf; saturate_f32 clamps
        t = lp_value_table(n, es, rs, sfi, sff).astype(np.float32)
    t.setflags(write=False)
    return t


_DECODE_TABLE_N = 12  # decode by a table of 2^n float64 values up to here (32 kB: L1; a 16-bit
# table, 512 kB, measured 0.6x the arithmetic decoder: L2 latency on random codes)


@cache
def _gp_table(n: int, es: int, rs: int, sc: int) -> np.ndarray:
    """float64 value of every n-bit GP code (the arithmetic decoder's, so decode by table is
    the same)."""
    k, _ = _kernels()
    t = np.empty(1 << n, dtype=np.float64)
    k.decode_gp(np.arange(1 << n, dtype=np.uint32), t, n, es, rs, sc)
    t.setflags(write=False)
    return t


_TABLE_MAX_N = 12  # threshold tables: at most 2^11 - 2 bisections per format
_TABLE_MAX_ROWS = 1 << 18


@cache
def threshold_table(
    kparams: tuple, single: bool, codes: bool
) -> tuple[np.uint32 | np.uint64, np.ndarray, np.ndarray] | None:
    """``(S, thr, res)`` for ``lognum._kernels.threshold.round_table``: round to nearest of the
    tapered format with kernel parameters ``kparams`` on binary32 (``single``) or binary64
    input patterns, giving values (bit patterns of the input's type) or codes (``codes``).
    None when n > 12 or the table would be too large. Built once per format (0.1-20 ms)."""
    from lognum._kernels.threshold import bucket_table, tapered_thresholds

    n, es, rs, sc, logm, sfi, sff = kparams
    if n > _TABLE_MAX_N:
        return None
    P = (1 << (n - 1)) - 1
    T = np.empty(max(P - 1, 0), dtype=np.uint64)
    tapered_thresholds(n, es, rs, sc, logm, sfi, np.uint64(sff), single, T)
    ut = np.uint32 if single else np.uint64
    if codes:
        res = np.arange(1, P + 1, dtype=ut)
    else:
        k, _ = _kernels()
        v = np.empty(P, dtype=np.float64)
        if logm:
            v[:] = lp_value_table(n, es, rs, sfi, sff)[1 : P + 1]
        else:
            k.decode_gp(np.arange(1, P + 1, dtype=np.uint32), v, n, es, rs, sc)
        with np.errstate(over="ignore"):  # values beyond float32's range become inf here
            res = v.astype(np.float32).view(ut) if single else v.view(ut)
    got = bucket_table(T, res, 32 if single else 64, 23 if single else 52, _TABLE_MAX_ROWS, codes)
    if got is None:
        return None
    S, thr, tab = got
    thr.setflags(write=False)
    tab.setflags(write=False)
    return ut(S), thr, tab


def _by_table(kparams: tuple, x: np.ndarray, out: np.ndarray, codes: bool) -> bool:
    """Round the flat float32/float64 ``x`` to nearest through a threshold table into
    ``out`` (codes, or values of x's type); False (nothing done) when no table applies.

    Measured on 10^7 values: LP<8,1,5,0> quantize 1.5x, posit<8,2> encode 1.8x (float32) and
    posit<8,2> quantize 2.7x (float64) faster than the arithmetic kernels; GP/posit quantize
    of float32 stays on its vectorised arithmetic kernel, which is faster still."""
    if x.dtype == np.float32:
        single = True
    elif x.dtype == np.float64:
        single = False
    else:
        return False
    if not codes and out.dtype != x.dtype:
        return False
    table = threshold_table(kparams, single, codes)
    if table is None:
        return False
    from lognum._kernels.threshold import round_table

    S, thr, res = table
    ut = np.uint32 if single else np.uint64
    round_table(x.view(ut), out if codes else out.view(ut), thr, res, S)
    return True


class TaperedMixin(TaperedArithmetic):
    """Kernel plumbing for GP/posit (``_logm = 0``) and LP (``_logm = 1``).

    Subclasses provide ``n, es, rs`` and ``_kparams = (n, es, rs, sc, logm, sfi, sff)``.
    Parameters reach the kernels as run-time integers: no compilation per configuration.
    """

    n: int
    es: int

    if TYPE_CHECKING:  # provided by Format, which follows this mixin in the MRO

        @property
        def rs(self) -> int: ...  # a field of GP and LP, a property of Posit

        def _check_code(self, code: Any) -> int: ...

        def decode(self, codes: Any, *, out: np.ndarray | None = None) -> np.ndarray: ...

    @property
    def nbits(self) -> int:
        return self.n

    @property
    def _kparams(self) -> tuple[int, int, int, int, int, int, int]:  # pragma: no cover
        raise NotImplementedError

    # -- kernels ---------------------------------------------------------------------------
    def _encode_flat(
        self, x: np.ndarray, out: np.ndarray, rounding: str, rng: np.random.Generator | None
    ) -> None:
        k, (c_hi, c_lo) = _kernels()
        n, es, rs, sc, logm, sfi, sff = self._kparams
        sff64 = np.uint64(sff)
        if rounding == "nearest" and _by_table(self._kparams, x, out, True):
            return
        if rounding == "nearest" and not logm and x.dtype == np.float32:
            g32 = _gp32(n, es, rs, sc)
            if g32 is not None:
                from lognum._kernels.tapered32 import BLOCK, encode_gp32

                encode_gp32(x, out, g32, BLOCK)
                return
        codes = out if out.dtype == np.uint32 else np.empty(x.size, dtype=np.uint32)
        if rounding == "nearest":
            if logm:
                k.encode_lp(x, codes, n, es, rs, sfi, sff64)
            else:
                k.encode_gp(x, codes, n, es, rs, sc)
        elif rounding == "linear":
            k.round_linear(x, codes, n, es, rs, sc, logm, sfi, sff64, c_hi, c_lo)
        else:
            assert rng is not None, "check_rng gives stochastic rounding a generator"
            u = rng.random(x.size)
            logdomain = int(bool(logm) and rounding == "stochastic")
            k.round_stochastic(x, u, codes, n, es, rs, sc, logm, sfi, sff64, c_hi, c_lo, logdomain)
        if codes is not out:
            out[...] = codes

    def _decode_flat(self, codes: np.ndarray, out: np.ndarray) -> None:
        k, (c_hi, c_lo) = _kernels()
        n, es, rs, sc, logm, sfi, sff = self._kparams
        if codes.dtype.kind != "u":
            codes = codes.astype(np.uint32)
        if n <= _DECODE_TABLE_N and codes.size > 1 << n:
            from lognum._kernels.floats_table import take_table

            # one table load per code (no widening copy of the codes): bench_quantize.py
            table = _gp_table(n, es, rs, sc) if not logm else lp_value_table(n, es, rs, sfi, sff)
            take_table(codes, table, out)
        elif not logm:
            k.decode_gp(codes, out, n, es, rs, sc)
        elif n <= 20:
            k.take(codes, lp_value_table(n, es, rs, sfi, sff), out)
        else:
            k.decode_lp(codes, out, n, es, rs, sfi, np.uint64(sff), c_hi, c_lo)

    def _quantize_flat(
        self, x: np.ndarray, out: np.ndarray, rounding: str, rng: np.random.Generator | None
    ) -> None:
        n, es, rs, sc, logm, sfi, sff = self._kparams
        if (
            rounding == "nearest"
            and (logm or x.dtype == np.float64)
            and _by_table(self._kparams, x, out, False)
        ):
            return
        if rounding == "nearest" and not logm:
            g32 = _gp32(n, es, rs, sc) if x.dtype == out.dtype == np.float32 else None
            if g32 is not None:
                from lognum._kernels.tapered32 import BLOCK, quantize_gp32

                quantize_gp32(x, out, g32, BLOCK)
                return
            k, _ = _kernels()
            k.quantize_gp(x, out, n, es, rs, sc)
            return
        if rounding == "nearest" and x.dtype == np.float32 and out.dtype == np.float32:
            l32 = _lp32(n, es, rs, sfi, sff)
            if l32 is not None:
                from lognum._kernels.tapered32 import BLOCK, quantize_lp32

                consts, tab = l32
                quantize_lp32(x, out, consts, tab, _table32(n, es, rs, sfi, sff), BLOCK)
                return
        codes = np.empty(x.size, dtype=np.uint32)
        self._encode_flat(x, codes, rounding, rng)
        if logm and n <= 20:
            k, _ = _kernels()
            table = (
                _table32(n, es, rs, sfi, sff)
                if out.dtype == np.float32
                else lp_value_table(n, es, rs, sfi, sff)
            )
            k.take(codes, table, out)
        elif out.dtype == np.float64:
            self._decode_flat(codes, out)
        else:
            tmp = np.empty(x.size, dtype=np.float64)
            self._decode_flat(codes, tmp)
            out[...] = tmp

    # -- a genuine NumPy ufunc, specialised to this configuration ---------------------------
    def _build_ufunc(self) -> Any:
        """``Format.ufunc``: round-to-nearest quantize as a Numba-compiled NumPy ufunc with the
        parameters compiled in as constants (one compilation per configuration, on first
        access, float32 and float64 loops, a few seconds; kept for the process)."""
        return _make_ufunc(self._kparams)

    # -- describe ----------------------------------------------------------------------------
    def describe(self, code: int) -> Description:
        """Decode one bit pattern field by field (pure Python; an independent reading of the
        layout that tests compare with the kernels).

        Rows: ``sign``, ``regime`` (value k), ``exponent`` (value e, the missing low bits of a
        cut exponent read as 0), ``fraction`` (value f, a Fraction in [0, 1)), then the derived
        ``run`` (regime run length), ``k``, ``e``, ``f`` and ``scale`` (the power-of-two
        exponent ``2^es k + e + sc`` for GP, ``2^es k + e - sf`` for LP, whose fraction adds
        ``f`` to it in the log domain). The fields are read off the pattern *after*
        two's-complement negation for negative codes (``sign`` keeps the sign). Zero and NaR
        have ``special`` "zero" / "NaR" and zero rows."""
        n, es, rs = self.n, self.es, self.rs
        code = self._check_code(code)
        pattern = format(code, f"0{n}b")
        value = float(self.decode(np.array([code], dtype=np.uint64))[0])
        name = str(self)
        if code == 0 or code == 1 << (n - 1):
            special, said = ("zero", "zero") if code == 0 else ("NaR", "NaR (not a real)")
            return Description(
                name,
                code,
                pattern,
                _rows(0, "", 0, "", 0, "", Fraction(0), 0, 0.0),
                value,
                special,
                f"{name} {pattern}: {said} (value {value})",
            )
        sign = code >> (n - 1)
        mag = ((1 << n) - code) % (1 << n) if sign else code
        body = format(mag, f"0{n}b")[1:]
        first = body[0]
        run = 0
        while run < len(body) and run < rs and body[run] == first:
            run += 1
        k = run - 1 if first == "1" else -run
        reg_len = run + 1 if run < rs else run
        regime = body[:reg_len]
        rest = body[reg_len:]
        ebits = rest[:es]
        e = int(ebits, 2) << (es - len(ebits)) if ebits else 0
        fbits = rest[es:]
        f = Fraction(int(fbits, 2), 1 << len(fbits)) if fbits else Fraction(0)
        scale = float((k << es) + e) + self._scale_offset
        bits = " ".join(p for p in (str(sign), regime, ebits, fbits) if p)
        text = (
            f"{name} {pattern} = {bits}: sign {sign}, regime '{regime}' (run {run}, k = {k}), "
            f"exponent '{ebits}' (e = {e}), fraction '{fbits}' (f = {f}), scale 2^{scale:g}, "
            f"value {value!r}"
        )
        rows = _rows(sign, regime, k, ebits, e, fbits, f, run, scale)
        return Description(name, code, pattern, rows, value, None, text)

    @property
    def _scale_offset(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


def _rows(
    sign: int,
    regime: str,
    k: int,
    ebits: str,
    e: int,
    fbits: str,
    f: Fraction,
    run: int,
    scale: float,
) -> tuple[Field, ...]:
    return (
        Field("sign", str(sign) if regime else "", sign),
        Field("regime", regime, k),
        Field("exponent", ebits, e),
        Field("fraction", fbits, f),
        Field("run", "", run),
        Field("k", "", k),
        Field("e", "", e),
        Field("f", "", f),
        Field("scale", "", scale),
    )


_UFUNCS: dict = {}


def _make_ufunc(params: tuple) -> Any:
    uf = _UFUNCS.get(params)
    if uf is not None:
        return uf
    from lognum._kernels.constants import exp2_dd_table
    from lognum._kernels.floats import f32_saturate
    from lognum._kernels.jit import ufunc
    from lognum._kernels.tapered import decode, decode_gp_fast, encode, encode_gp_fast

    n, es, rs, sc, logm, sfi, sff = params
    sff = np.uint64(sff)
    c_hi, c_lo = exp2_dd_table()
    # f32_saturate: the float32 loop gives ±float32 max, not inf, beyond float32 (as quantize)
    if logm:

        def q(x):
            return f32_saturate(
                x,
                decode(
                    encode(x, n, es, rs, sc, logm, sfi, sff),
                    n,
                    es,
                    rs,
                    sc,
                    logm,
                    sfi,
                    sff,
                    c_hi,
                    c_lo,
                ),
            )
    else:

        def q(x):
            return f32_saturate(x, decode_gp_fast(encode_gp_fast(x, n, es, rs, sc), n, es, rs, sc))

    uf = ufunc()(q)
    _UFUNCS[params] = uf
    return uf


def exp2_fraction(a: Fraction) -> float:
    """``2^a`` for a rational ``a``, correctly rounded to float64 (used by the LP closed forms)."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 50
        ip = a.numerator // a.denominator
        fp = a - ip
        v = Decimal(2) ** (Decimal(fp.numerator) / Decimal(fp.denominator))
        return float(v * (Decimal(2) ** ip))


def split_sf(sf: float) -> tuple[int, int]:
    """``sf = sfi + sff / 2^59`` with ``0 <= sff < 2^59`` (the LP kernels' fixed-point sf)."""
    fr = Fraction(sf)
    sfi = fr.numerator // fr.denominator
    sff = round((fr - sfi) * (1 << FB_LP))
    if sff == 1 << FB_LP:
        sfi, sff = sfi + 1, 0
    return int(sfi), int(sff)
