"""The ``Format`` base class: the contract every number format in lognum follows.

A format is *data*: a frozen dataclass of its parameters, validated in ``__post_init__``, with
a declared ``kind`` (element, adaptive or block) and ``family``. Every family offers the same
keyword-only ``quantize``/``encode``/``decode`` signatures, ``values``, ``describe`` (one
``Description`` record), ``maxpos``/``minpos``, ``info``, ``fit``/``needs_fit`` and ``ufunc``
(documented on ``Format`` below). Element families implement a handful of array hooks
(``_encode_flat``, ``_decode_flat``, ``_quantize_flat``) on 1-D contiguous float32/float64
arrays; this class does the NumPy plumbing (any shape, 0-d and empty arrays, float32/float64
in = same dtype out, ``out=``, ``threads=``, rounding-mode and generator checks) once, for all
families. The checks families with their own layout reuse are public here: ``check_threads``,
``check_out``, ``check_rng``, ``as_float_array``, ``check_int``, ``check_real``.
"""

from __future__ import annotations

import math
import mmap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from lognum.formats.record import Description

#: ``Format.kind``: rounds each value on its own / fits parameters to the data / shares a scale
#: per block of elements
KINDS = ("element", "adaptive", "block")
#: ``Format.family``: posit and generalized posit, log posit, floats (minifloat, scaled float,
#: AdaptivFloat), fixed point and integers, logarithmic (LNS, LogQuant), block (BFP, MX),
#: codebook (lookup table)
FAMILIES = ("gp", "lp", "float", "fixed", "lns", "block", "codebook")
ROUNDINGS = ("nearest", "stochastic")


def check_int(name: str, value: Any, lo: int, hi: int) -> int:
    """Validate an integer parameter; raise ``ValueError`` naming it and its allowed range."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")
    return int(value)


def check_real(name: str, value: Any, lo: float, hi: float) -> float:
    """Validate a real parameter; raise ``ValueError`` naming it and its allowed range."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a real number in [{lo}, {hi}], got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and lo <= v <= hi):
        raise ValueError(f"{name} must be a finite number in [{lo}, {hi}], got {value}")
    return v


def code_dtype(n: int) -> np.dtype:
    """Smallest unsigned dtype holding an n-bit code (uint8/16/32/64)."""
    for bits, dt in ((8, np.uint8), (16, np.uint16), (32, np.uint32)):
        if n <= bits:
            return np.dtype(dt)
    return np.dtype(np.uint64)


_F64_EXACT_KINDS = "iu"
_FLT_MAX = float(np.finfo(np.float32).max)


def as_float_array(x: Any) -> tuple[np.ndarray, bool]:
    """``x`` as a native-byte-order float32/float64 ndarray and whether the input was a
    Python/NumPy scalar.

    float32 and float64 (in either byte order) keep their precision; float16, bool and integer
    inputs become float64. Every format rounds from binary64, so an input that binary64 cannot
    hold exactly (an int64/uint64 beyond 2^53, a ``np.longdouble`` with more than 53 significant
    bits) would be rounded twice (first to float64, then to the format) and could land on the
    wrong neighbour: such inputs raise ``ValueError`` (convert explicitly with
    ``x.astype(np.float64)`` to accept the double rounding). Integers up to 2^53 and long
    doubles that hold float64 values are accepted exactly.
    """
    scalar = bool(np.isscalar(x))
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise ValueError(f"x must be a real numeric array, got dtype {a.dtype}")
    if a.dtype.kind == "f" and a.dtype.itemsize in (4, 8):
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        return a, scalar
    b = a.astype(np.float64)
    if (
        a.dtype.kind in _F64_EXACT_KINDS
        and a.dtype.itemsize >= 8
        or (a.dtype.kind == "f" and a.dtype.itemsize > 8)
    ):
        with np.errstate(invalid="ignore"):
            same = b.astype(a.dtype) == a
        exact = np.isnan(b) | (same & np.isfinite(b))
        if a.dtype.kind == "f":
            exact |= np.isinf(a) & np.isinf(b)
        if not bool(np.all(exact)):
            raise ValueError(
                f"x has {a.dtype} values that float64 cannot hold exactly (e.g. "
                f"{a[~exact].reshape(-1)[0]!r}); lognum rounds from float64 and would round them "
                "twice: convert with x.astype(np.float64) first to accept that"
            )
    return b, scalar


def check_out(out: Any, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """Validate a user's ``out=`` array (the one check every family uses): an ndarray of
    ``shape`` and ``dtype``, writeable; returns it."""
    if not isinstance(out, np.ndarray) or out.shape != tuple(shape) or out.dtype != dtype:
        raise ValueError(f"out must be an ndarray of shape {tuple(shape)} and dtype {dtype}")
    if not out.flags.writeable:
        raise ValueError("out must be a writeable array (this one is read-only)")
    return out


def saturate_f32(fmt: Any, x: np.ndarray, res: np.ndarray) -> None:
    """float32 output of a saturating format whose maxpos exceeds the float32 range: a result
    beyond ±float32 max (inf after rounding to float32) becomes ±float32 max in place, so a
    finite input never gives inf (the float32 result is the float64 result rounded to float32
    with saturation; ±inf inputs that such a format maps to ±maxpos give ±float32 max too).
    Nonsaturating formats keep their inf."""
    if res.dtype != np.float32 or not res.size or not fmt.saturating:
        return
    try:
        if fmt._max_magnitude <= _FLT_MAX:
            return
    except ValueError:  # maxpos needs fitted parameters that are per slice
        pass
    bad = np.isinf(res)  # a saturating format's float64 result is never inf: overflow here
    if bad.any():
        res[bad] = np.copysign(np.float32(_FLT_MAX), res[bad])


def check_rng(rounding: str, rng: Any) -> np.random.Generator | None:
    """The generator for stochastic rounding (a fresh unseeded one if ``rng`` is None)."""
    if rounding.startswith("stochastic"):
        if rng is None:
            return np.random.default_rng()
        if not isinstance(rng, np.random.Generator):
            raise ValueError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")
        return rng
    if rng is not None:
        raise ValueError(f"rng is only used with stochastic rounding, not rounding={rounding!r}")
    return None


_POOL: Any = None
_MIN_CHUNK = 1 << 16


def check_threads(threads: Any, rounding: str = "nearest") -> int:
    """Validate ``threads=`` (a positive integer; > 1 only with deterministic rounding) for
    every family; families whose kernels run on one thread accept it and run serially."""
    if isinstance(threads, bool) or not isinstance(threads, int | np.integer) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    if threads > 1 and rounding.startswith("stochastic"):
        raise ValueError("threads > 1 is only for deterministic rounding (not stochastic)")
    return int(threads)


def _split(
    fn: Any,
    x: np.ndarray,
    out: np.ndarray,
    rounding: str,
    rng: Any,
    threads: int,
    fresh: bool = False,
) -> None:
    """Run ``fn(x, out, rounding, rng)`` over ``threads`` threads: the calling thread and
    ``threads - 1`` pool workers take contiguous chunks (about 4 per thread, >= 2^18 elements)
    from a shared counter until none is left. A worker that starts late (a second core that
    was asleep) then takes fewer chunks instead of holding up the call, so the split is never
    much slower than one thread. Results do not depend on the split (deterministic rounding).

    ``fresh``: ``out`` was just allocated; its pages are touched here, in one thread, before
    the workers fill it (benchmarks/bench_quantize.py, 10^7 float32: two threads page-faulting
    one new array ran at 0.4-1.0x one thread on this 2-core machine, 1.3x after this)."""
    global _POOL
    if threads == 1 or x.size < 2 * _MIN_CHUNK:
        fn(x, out, rounding, rng)
        return
    if fresh:
        out.view(np.uint8)[:: mmap.PAGESIZE] = 0
    import threading
    from concurrent.futures import ThreadPoolExecutor

    if _POOL is None or _POOL._max_workers < threads - 1:
        _POOL = ThreadPoolExecutor(max_workers=threads - 1, thread_name_prefix="lognum")
    chunks = max(2, min(4 * threads, x.size // (1 << 18)))
    edges = np.linspace(0, x.size, chunks + 1).astype(np.int64)
    lock = threading.Lock()
    state = [0]

    def work() -> None:
        while True:
            with lock:
                i = state[0]
                state[0] = i + 1
            if i >= chunks:
                return
            a, b = edges[i], edges[i + 1]
            fn(x[a:b], out[a:b], rounding, rng)

    futs = [_POOL.submit(work) for _ in range(threads - 1)]
    work()
    for f in futs:
        f.result()


@dataclass(frozen=True)
class Format:
    """Base of every lognum number format: the contract a format follows.

    A format is *data*: a frozen dataclass whose fields are its parameters (names from the
    papers), validated in ``__post_init__``; ``str(f)`` is the paper notation and
    ``lognum.parse(str(f)) == f``. A family registers its notations and names next to its class
    (``lognum.formats.registry``) and the contract test (tests/formats/test_contract.py) checks
    every entry of ``lognum.formats.catalog()`` against what is written here.

    Class attributes a family sets:

    * ``kind`` (one of ``KINDS``): ``"element"`` (every value rounds on its own), ``"adaptive"``
      (parameters such as a scale or bias fitted to the data: ``fit(x)`` returns the fitted
      format, ``needs_fit`` says whether they are still unset) or ``"block"`` (blocks of
      elements share a scale: ``encode`` returns a ``BlockCodes`` record).
    * ``family`` (one of ``FAMILIES``): what analysis and arithmetic code dispatches on —
      never on class names or on exceptions.
    * ``roundings``: the accepted ``rounding=`` values (``"nearest"`` first).

    Methods, with the same keyword-only signatures in every family (``x``/``codes``/``code``
    is the only positional argument): ``quantize``, ``encode``, ``decode``, ``values``,
    ``describe``, ``info``, ``fit``; properties ``maxpos``, ``minpos``, ``ufunc``,
    ``needs_fit``, ``nbits``, ``code_dtype``.

    What an element family implements: ``nbits``, ``maxpos``, ``minpos`` (closed forms),
    ``describe`` (a ``Description``), ``__str__``, and three array hooks on 1-D contiguous
    float32/float64 arrays — ``_encode_flat(x, codes, rounding, rng)``,
    ``_decode_flat(codes, out)`` and, optionally, a fused ``_quantize_flat(x, out, rounding,
    rng)`` — plus ``_build_ufunc()`` for ``ufunc``. This class does the NumPy plumbing once for
    all families: any shape, 0-d and empty arrays, float32/float64 in = same dtype out,
    ``out=``, ``threads=``, rounding-mode and generator checks, per-call ``saturate=``, fitting
    an unfitted adaptive format per call. A family whose layout is not elementwise (per-slice
    parameters, blocks) overrides ``quantize``/``encode``/``decode`` with the same signatures
    and uses the same checks (``_check_rounding``, ``check_rng``, ``check_threads``,
    ``check_out``, ``as_float_array``).
    """

    kind: ClassVar[str] = "element"
    #: "gp" (posit, GP), "lp", "float", "fixed", "lns", "block" or "codebook"
    family: ClassVar[str]
    roundings: ClassVar[tuple[str, ...]] = ROUNDINGS

    # ---- what a family implements ------------------------------------------------------
    @property
    def nbits(self) -> int:  # pragma: no cover - abstract
        """Bits per element code."""
        raise NotImplementedError

    def _encode_flat(
        self, x: np.ndarray, out: np.ndarray, rounding: str, rng: np.random.Generator | None
    ) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _decode_flat(self, codes: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
        raise NotImplementedError

    def _quantize_flat(
        self, x: np.ndarray, out: np.ndarray, rounding: str, rng: np.random.Generator | None
    ) -> None:
        """Default: encode, then decode (families override with a fused kernel)."""
        codes = np.empty(x.size, dtype=self.code_dtype)
        self._encode_flat(x, codes, rounding, rng)
        if out.dtype == np.float64:
            self._decode_flat(codes, out)
        else:
            tmp = np.empty(x.size, dtype=np.float64)
            self._decode_flat(codes, tmp)
            out[...] = tmp

    def _build_ufunc(self) -> np.ufunc:  # pragma: no cover - abstract
        """The Numba-built ufunc behind ``ufunc`` (called only for element-wise formats)."""
        raise NotImplementedError

    @property
    def maxpos(self) -> float:  # pragma: no cover - abstract
        """Largest finite positive value."""
        raise NotImplementedError

    @property
    def minpos(self) -> float:  # pragma: no cover - abstract
        """Smallest positive value."""
        raise NotImplementedError

    def describe(self, code: int) -> Description:  # pragma: no cover - abstract
        """What one code means, field by field (a ``lognum.formats.record.Description``:
        fields as (name, bits, value) rows, the decoded value, the special meaning, a one-line
        ``str()``); its ``value`` equals ``decode`` of the code."""
        raise NotImplementedError

    # ---- adaptive formats --------------------------------------------------------------
    @property
    def needs_fit(self) -> bool:
        """True only for an adaptive format whose data-dependent parameters are unset:
        ``quantize``/``encode`` then fit them to each call's ``x`` (``fit(x)`` fixes them)."""
        return False

    def fit(self, x: Any) -> Format:
        """The format with its data-dependent parameters (scale, bias, ...) chosen from ``x``.
        Element and block formats have none and return ``self``."""
        return self

    # ---- derived API -------------------------------------------------------------------
    @property
    def saturating(self) -> bool:
        """Whether out-of-range finite inputs round to ±maxpos (True for every family but the
        minifloats without ``saturate=True``, which overflow to inf or NaN)."""
        return True

    @property
    def _max_magnitude(self) -> float:
        """The largest |value| (maxpos for formats symmetric about 0)."""
        return self.maxpos

    def _with_saturate(self, saturate: bool | None) -> Any:
        """The format with the per-call ``saturate`` option applied. Formats without a
        ``saturate`` field always saturate: None and True are accepted, False is refused."""
        if saturate is None:
            return self
        if not isinstance(saturate, bool | np.bool_):
            raise ValueError(f"saturate must be True, False or None, got {saturate!r}")
        import dataclasses

        if not any(f.name == "saturate" for f in dataclasses.fields(self)):
            if not saturate:
                raise ValueError(f"saturate must be True (or None) for {self}: it always saturates")
            return self
        # the field is a subclass's (Format has none): the keyword goes through a dict
        changes: dict[str, Any] = {"saturate": bool(saturate)}
        return dataclasses.replace(self, **changes)

    @property
    def code_dtype(self) -> np.dtype:
        """Dtype of ``encode``'s output: uint8/uint16/uint32 by the number of bits."""
        return code_dtype(self.nbits)

    def _check_rounding(self, rounding: str) -> str:
        """Validate ``rounding=`` against this format's ``roundings``."""
        if rounding not in self.roundings:
            raise ValueError(f"rounding must be one of {self.roundings}, got {rounding!r}")
        return rounding

    def _check_code(self, code: Any) -> int:
        """``describe``'s argument as an int in [0, 2^nbits - 1] (ValueError otherwise)."""
        n = self.nbits
        if (
            isinstance(code, bool)
            or not isinstance(code, int | np.integer)
            or not (0 <= int(code) < 1 << n)
        ):
            raise ValueError(f"code must be an integer in [0, 2^{n} - 1], got {code!r}")
        return int(code)

    def quantize(
        self,
        x: Any,
        *,
        out: np.ndarray | None = None,
        threads: int = 1,
        rounding: str = "nearest",
        rng: np.random.Generator | None = None,
        saturate: bool | None = None,
    ) -> np.ndarray:
        """Round ``x`` to the format's values: nearest (the family's tie rule) or
        stochastically.

        ``x``: any shape; float32 and float64 keep their dtype (in native byte order), other
        numeric dtypes become float64 (values float64 cannot hold exactly raise ValueError);
        a Python/NumPy scalar gives a 0-d result. NaN and ±inf give NaN (the format's NaR)
        unless the family says otherwise.
        ``out``: a writeable array of x's shape and result dtype to write into; it is returned.
        ``threads``: split round-to-nearest over this many threads (the kernels release the
        GIL); the result does not depend on it (families whose kernels run on one thread run
        serially). ``rounding``: one of ``roundings``; ``rng``: the ``np.random.Generator`` of
        stochastic rounding (a fresh one if None; refused with deterministic rounding).
        ``saturate``: None (the format's mode) or True; False is only accepted by the
        minifloats, whose overflow can go to inf/NaN. An adaptive format with ``needs_fit``
        is fitted to ``x`` first.

        float32 output: the float64 result rounded to float32; for a saturating format whose
        maxpos exceeds the float32 range, a result beyond it becomes ±float32 max (3.4028235e38)
        instead of inf, so a finite input never gives inf.
        """
        if saturate is not None:
            return self._with_saturate(saturate).quantize(
                x, out=out, threads=threads, rounding=rounding, rng=rng
            )
        if self.needs_fit:
            return self.fit(x).quantize(x, out=out, threads=threads, rounding=rounding, rng=rng)
        self._check_rounding(rounding)
        rng = check_rng(rounding, rng)
        threads = check_threads(threads, rounding)
        a, scalar = as_float_array(x)
        res = np.empty(a.shape, dtype=a.dtype) if out is None else check_out(out, a.shape, a.dtype)
        if a.size:
            flat = np.ascontiguousarray(a).reshape(-1)
            if res.flags.c_contiguous:
                _split(
                    self._quantize_flat,
                    flat,
                    res.reshape(-1),
                    rounding,
                    rng,
                    threads,
                    fresh=out is None,
                )
                saturate_f32(self, flat, res.reshape(-1))
            else:
                tmp = np.empty(a.size, dtype=a.dtype)
                _split(self._quantize_flat, flat, tmp, rounding, rng, threads, fresh=True)
                saturate_f32(self, flat, tmp)
                res[...] = tmp.reshape(a.shape)
        if scalar and out is None:
            return res[()]
        return res

    def encode(
        self,
        x: Any,
        *,
        out: np.ndarray | None = None,
        threads: int = 1,
        rounding: str = "nearest",
        rng: np.random.Generator | None = None,
        saturate: bool | None = None,
    ) -> np.ndarray:
        """Bit patterns (codes) of the rounded values, as ``code_dtype`` (uint8/16/32 by
        ``nbits``), x's shape; ``decode(encode(x)) == quantize(x)`` (float64). Keywords as in
        ``quantize`` (``out``: an array of x's shape and ``code_dtype``). A block format
        returns a ``BlockCodes`` record (element codes and the blocks' scale codes)."""
        if saturate is not None:
            return self._with_saturate(saturate).encode(
                x, out=out, threads=threads, rounding=rounding, rng=rng
            )
        if self.needs_fit:
            return self.fit(x).encode(x, out=out, threads=threads, rounding=rounding, rng=rng)
        self._check_rounding(rounding)
        rng = check_rng(rounding, rng)
        threads = check_threads(threads, rounding)
        a, scalar = as_float_array(x)
        dt = self.code_dtype
        res = np.empty(a.shape, dtype=dt) if out is None else check_out(out, a.shape, dt)
        if a.size:
            flat = np.ascontiguousarray(a).reshape(-1)
            target = res.reshape(-1) if res.flags.c_contiguous else np.empty(a.size, dtype=dt)
            _split(self._encode_flat, flat, target, rounding, rng, threads, fresh=True)
            if not res.flags.c_contiguous:
                res[...] = target.reshape(a.shape)
        if scalar and out is None:
            return res[()]
        return res

    def decode(self, codes: Any, *, out: np.ndarray | None = None) -> np.ndarray:
        """float64 values of codes (NaR and NaN codes decode to NaN), codes' shape; ``out``:
        a writeable float64 array of that shape to write into. A block format also takes a
        ``BlockCodes`` record (or codes and ``scales=``)."""
        c = np.asarray(codes)
        if c.dtype.kind not in "iu":
            raise ValueError(f"codes must be an integer array, got dtype {c.dtype}")
        if c.size and ((c.dtype.kind == "i" and c.min() < 0) or int(c.max()) >= 1 << self.nbits):
            raise ValueError(f"codes must be in [0, 2^{self.nbits} - 1]")
        f64 = np.dtype(np.float64)
        res = np.empty(c.shape, dtype=f64) if out is None else check_out(out, c.shape, f64)
        if c.size:
            # the codes keep their width (no widening copy; a signed array, nonnegative here,
            # is read as the unsigned type of its size): the kernels take any unsigned dtype
            flat = np.ascontiguousarray(c).reshape(-1)
            if not flat.dtype.isnative:
                flat = flat.astype(flat.dtype.newbyteorder("="))
            if flat.dtype.kind == "i":
                flat = flat.view(f"u{flat.dtype.itemsize}")
            if res.flags.c_contiguous:
                self._decode_flat(flat, res.reshape(-1))
            else:
                tmp = np.empty(c.size, dtype=f64)
                self._decode_flat(flat, tmp)
                res[...] = tmp.reshape(c.shape)
        return res[()] if c.ndim == 0 and out is None else res

    def values(self) -> np.ndarray:
        """Sorted distinct finite values (every code decoded; n <= 24)."""
        if self.nbits > 24:
            raise ValueError(f"values() enumerates 2^n codes: n must be <= 24, got {self.nbits}")
        v = self.decode(np.arange(1 << self.nbits, dtype=np.uint64))
        return np.unique(v[np.isfinite(v)])

    @property
    def ufunc(self) -> np.ufunc:
        """This format's round-to-nearest ``quantize`` as a Numba-built NumPy ufunc (float32 ->
        float32, float64 -> float64) with the configuration compiled in: broadcasting,
        ``out=``, ``.at``/``.reduce`` machinery, and callable from a user's ``@njit`` code.
        Element kind: always. Adaptive kind: the fitted per-tensor format's (ValueError naming
        ``fit()`` while ``needs_fit``). Block kind: ValueError (not elementwise)."""
        if self.kind == "block":
            raise ValueError(
                f"{self} is a block format: the block format is not elementwise (each element's "
                "rounding depends on its block's scale), so it has no ufunc; use quantize"
            )
        if self.needs_fit:
            raise ValueError(
                f"{self} has unset parameters: call fit(x) first and take the fitted format's ufunc"
            )
        return self._build_ufunc()

    def info(self) -> dict[str, Any]:
        """Key figures: name, kind, family, bits, maxpos, minpos, dynamic range (decades, dB),
        number of values."""
        dr = math.log10(self.maxpos / self.minpos)
        enumerable = self.nbits <= 24 and self.kind != "block"
        return {
            "format": str(self),
            "kind": self.kind,
            "family": self.family,
            "n": self.nbits,
            "maxpos": self.maxpos,
            "minpos": self.minpos,
            "dynamic_range_decades": dr,
            "dynamic_range_dB": 20.0 * dr,
            "values": int(self.values().size) if enumerable else None,
        }


if TYPE_CHECKING:
    # The base of the family mixins (``Adaptive``, ``TableElement``, a family's shared
    # plumbing): a mixin always comes before ``Format`` in a format's bases, so the type
    # checker reads it as a ``Format`` subclass (what it calls from ``Format`` is checked and
    # its overrides must keep ``Format``'s signatures); at run time it adds nothing (object).
    FormatMixin = Format
else:
    FormatMixin = object
