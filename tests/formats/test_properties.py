"""Property sweeps over every format family, with random valid parameters drawn from the whole
allowed range (extremes included), and a magnitude sweep from 1e-300 to 1e300.

Each family's test draws a format and data and checks, in one example:

* float32 path == float64 path on float32 inputs (the float64 result rounded to float32, with
  ±float32 max instead of inf for saturating formats; symmetric/affine integers compute in
  float32 by design and are compared with the NumPy float32 expression instead);
* ``values()``, ``decode`` of every code, ``maxpos``/``minpos`` agree, every value quantizes to
  itself and encodes to a code that decodes to it;
* ``parse(str(f)) == f`` (the unfitted and the fitted format);
* quantize is idempotent and monotone (float64);
* zero maps to zero where the format has one;
* no NaN or inf out of a finite input except where the format documents it (non-saturating
  minifloats beyond their range, E8M0 for zero and negative inputs).

These are the classes of defect the correctness review found (float32 paths that clamp, scales that
under/overflow, parameters float64 cannot represent, notation that does not round trip).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lognum as ln
from lognum.formats.block import MX, MX_ELEMENTS, BlockFloat
from lognum.formats.fixed import AffineInt, DynamicFixedPoint, FixedPoint, SymmetricInt
from lognum.formats.floats import SPECIALS, AdaptivFloat, Minifloat, ScaledFloat
from lognum.formats.lns import LNS, LogQuant
from lognum.formats.logposit import LogPosit
from lognum.formats.posit import GeneralizedPosit, Posit

F32MAX = float(np.finfo(np.float32).max)
SETTINGS = dict(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ------------------------------------------------------------------------------------------
# format strategies: the whole allowed range of every parameter


def _log_uniform(draw, lo, hi):
    """A float log-uniformly in [lo, hi], with the ends themselves likely."""
    k = draw(st.integers(0, 9))
    if k == 0:
        return lo
    if k == 1:
        return hi
    return float(2.0 ** draw(st.floats(math.log2(lo), math.log2(hi))))


@st.composite
def posits(draw):
    return Posit(draw(st.integers(2, 32)), draw(st.integers(0, 4)))


@st.composite
def gps(draw):
    n = draw(st.integers(2, 32))
    return GeneralizedPosit(
        n, draw(st.integers(0, 4)), draw(st.integers(1, n - 1)), draw(st.integers(-64, 64))
    )


@st.composite
def lps(draw):
    n = draw(st.integers(2, 24))
    sf = draw(st.one_of(st.integers(-64, 64).map(float), st.floats(-64, 64)))
    return LogPosit(n, draw(st.integers(0, 4)), draw(st.integers(1, n - 1)), sf)


@st.composite
def fixeds(draw):
    signed = draw(st.booleans())
    return FixedPoint(
        draw(st.integers(2 if signed else 1, 32)),
        draw(st.integers(-64, 64)),
        signed,
        draw(st.sampled_from(("even", "away"))),
    )


@st.composite
def syms(draw):
    n = draw(st.integers(2, 16))
    f = SymmetricInt(n, ties=draw(st.sampled_from(("even", "away"))))
    if draw(st.booleans()):
        f = SymmetricInt(n, scale=_log_uniform(draw, *f.scale_range), ties=f.ties)
    return f


@st.composite
def affines(draw):
    n = draw(st.integers(2, 16))
    signed = draw(st.booleans())
    f = AffineInt(n, signed, ties=draw(st.sampled_from(("even", "away"))))
    if draw(st.booleans()):
        z = draw(st.integers(f.qmin, f.qmax))
        s = _log_uniform(draw, 2.0**-1022, f._scale_max(z))
        f = AffineInt(n, signed, scale=s, zero_point=z, ties=f.ties)
    return f


@st.composite
def dfxps(draw):
    fb = draw(st.one_of(st.none(), st.integers(-128, 128)))
    return DynamicFixedPoint(
        draw(st.integers(2, 32)), fb, ties=draw(st.sampled_from(("even", "away")))
    )


@st.composite
def minifloats(draw):
    e = draw(st.integers(1, 8))
    m = draw(st.integers(0, 15 - e))
    special = draw(st.sampled_from(SPECIALS))
    if special == "ieee" and (e < 2 or m < 1):
        special = "none"
    if special == "fn" and e + m < 2:
        special = "none"
    bias = draw(st.one_of(st.none(), st.integers(-512, 512)))
    sub = draw(st.booleans())
    sat = draw(st.sampled_from((None, True, False)))
    if special == "none" and sat is False:
        sat = None
    return Minifloat(e, m, bias, sub, special, sat)


@st.composite
def scaledfloats(draw):
    e = draw(st.integers(1, 8))
    return ScaledFloat(
        e, draw(st.integers(0, 15 - e)), draw(st.one_of(st.none(), st.integers(-126, 126)))
    )


@st.composite
def afs(draw):
    variant = draw(st.sampled_from((2020, 2022)))
    n = draw(st.integers(2 if variant == 2020 else 3, 16))
    e = draw(st.integers(1 if variant == 2020 else 2, min(8, n - 1)))
    f = AdaptivFloat(n, e, variant=variant)
    if draw(st.booleans()):
        f = AdaptivFloat(n, e, draw(st.integers(*f.bias_range)), variant)
    return f


@st.composite
def lnss(draw):
    n = draw(st.integers(3, 16))
    fmin = 0
    while (1 << (n - 2)) - 1 > (1022 << fmin):
        fmin += 1
    return LNS(n, frac_bits=draw(st.integers(fmin, n - 2)))


@st.composite
def logquants(draw):
    base = draw(st.sampled_from(("2", "sqrt2")))
    signed = draw(st.booleans())
    bmax = 10 if base == "2" else 11
    f = LogQuant(draw(st.integers(2 if signed else 1, bmax + signed)), None, base, signed)
    if draw(st.booleans()):
        f = LogQuant(f.n, draw(st.integers(*f.fsr_range)), base, signed)
    return f


@st.composite
def mxs(draw):
    return MX(
        draw(st.sampled_from(sorted(MX_ELEMENTS))),
        draw(st.integers(1, 64)),
        scale_rule=draw(st.sampled_from(("ocp", "ceil"))),
        ties=draw(st.sampled_from(("even", "away"))),
    )


@st.composite
def bfps(draw):
    return BlockFloat(
        draw(st.integers(2, 16)),
        draw(st.integers(1, 64)),
        scale_rule=draw(st.sampled_from(("ocp", "ceil"))),
        ties=draw(st.sampled_from(("even", "away"))),
    )


FAMILIES = {
    "posit": posits(),
    "gp": gps(),
    "lp": lps(),
    "fixed": fixeds(),
    "sym": syms(),
    "affine": affines(),
    "dfxp": dfxps(),
    "minifloat": minifloats(),
    "sf": scaledfloats(),
    "af": afs(),
    "lns": lnss(),
    "logquant": logquants(),
    "mx": mxs(),
    "bfp": bfps(),
}

# ------------------------------------------------------------------------------------------
# helpers


def _fitted(f, x):
    """The concrete format ``quantize(x)`` uses (adaptive formats fit their parameter)."""
    needs = {"scale": None, "frac_bits": None, "bias": None, "sc": None, "fsr": None}
    for k in needs:
        if hasattr(f, k) and getattr(f, k) is None and hasattr(f, "fit"):
            return f.fit(x)
    return f


def _is_block(f):
    return isinstance(f, MX | BlockFloat)


def _range(f):
    """(log2 lo, log2 hi) of the magnitudes worth sampling for a (fitted) format."""
    if _is_block(f):
        return -140.0, 140.0
    lo, hi = math.log2(f.minpos), math.log2(f.maxpos)
    return lo - 4, hi + 4


def _data(f, seed, dtype=np.float64, size=300):
    """Random values around the format's range, random binary32 patterns, specials."""
    rng = np.random.default_rng(seed)
    if dtype == np.float32:
        bits = rng.integers(0, 1 << 32, size, dtype=np.uint64).astype(np.uint32)
        with np.errstate(invalid="ignore"):
            raw = bits.view(np.float32).astype(np.float64)
        lo, hi = -149.0, 127.9
    else:
        raw = rng.standard_normal(size) * 10.0 ** rng.integers(-300, 300, size)
        lo, hi = -1074.0, 1023.9
    cand = _fitted(f, np.array([1.0])) if not _is_block(f) else f
    a, b = _range(cand)
    a, b = max(a, lo), min(b, hi)
    near = np.exp2(rng.uniform(a, max(a, b), size)) * rng.choice([-1.0, 1.0], size)
    x = np.concatenate([raw, near, [0.0, -0.0, 1.0, -1.0]])
    x = x[np.isfinite(x)]
    if dtype == np.float32:
        with np.errstate(over="ignore"):
            x = x.astype(np.float32)
        x = x[np.isfinite(x)]
    return x


def _to32(f, v64):
    """The float32 result the float64 result stands for (see Format.quantize)."""
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.asarray(v64).astype(np.float32)
    if f.saturating:
        bad = np.isfinite(v64) & np.isinf(r)
        r[bad] = np.copysign(np.float32(F32MAX), v64[bad])
    return r


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def _nan_allowed(f, x):
    """Where a finite input may give NaN or inf, by the format's documentation."""
    allowed = np.zeros(x.shape, dtype=bool)
    if isinstance(f, Minifloat):
        if not f.saturating:
            allowed |= np.abs(x) > f.maxpos
        if f.special == "fnu":
            allowed |= x < 0
            if not f.subnormals:
                allowed |= x == 0
    return allowed


def _has_zero(f):
    return not (isinstance(f, Minifloat) and f.special == "fnu" and not f.subnormals)


def _numpy_int32(f, x32):
    """Symmetric/affine quantization in float32 as NumPy writes it (ties to even), or None when
    the format computes in float64 (a scale that is not a normal float32)."""
    s, z = f._params()
    S, Z = float(s[0]), float(z[0])
    with np.errstate(over="ignore", under="ignore"):
        s32 = np.float32(S)
    if not (
        np.isfinite(s32) and s32 >= np.finfo(np.float32).tiny and S * (f.qmax - f.qmin) <= F32MAX
    ):
        return None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        q = np.clip(np.rint(x32 / s32) + np.float32(Z), np.float32(f.qmin), np.float32(f.qmax))
        return ((q - np.float32(Z)) * s32).astype(np.float32)


# ------------------------------------------------------------------------------------------
# the per-family property test


def check_format(f, seed):
    # notation round trip, unfitted and fitted
    assert ln.parse(str(f)) == f, str(f)
    x64 = _data(f, seed)
    g = _fitted(f, x64)
    assert ln.parse(str(g)) == g, str(g)

    # no NaN/inf out of finite input unless documented; zero maps to zero
    q64 = f.quantize(x64)
    assert q64.dtype == np.float64 and q64.shape == x64.shape
    bad = ~np.isfinite(q64) & ~_nan_allowed(g, x64)
    assert not bad.any(), (str(f), x64[bad][:3], q64[bad][:3])
    if _has_zero(g):
        z = g.quantize(np.array([0.0, -0.0]))
        assert (z == 0).all(), (str(g), z)

    # float32 path == float64 path on float32 inputs
    x32 = _data(f, seed + 1, np.float32)
    q32 = f.quantize(x32)
    assert q32.dtype == np.float32
    g32 = _fitted(f, x32)
    if isinstance(g32, SymmetricInt | AffineInt) and g32.ties == "even":
        ref = _numpy_int32(g32, x32)
        if ref is None:
            ref = _to32(g32, g32.quantize(x32.astype(np.float64)))
    elif isinstance(g32, SymmetricInt | AffineInt):
        ref = None
    else:
        ref = _to32(g32, f.quantize(x32.astype(np.float64)))
    if ref is not None:
        diff = ~((q32 == ref) | (np.isnan(q32) & np.isnan(ref)))
        assert not diff.any(), (str(g32), x32[diff][:3], q32[diff][:3], ref[diff][:3])
    bad32 = ~np.isfinite(q32) & ~_nan_allowed(g32, x32.astype(np.float64))
    assert not bad32.any(), (str(f), x32[bad32][:3], q32[bad32][:3])

    # idempotent and monotone (float64; block formats: one block, so one scale)
    if _is_block(g):
        xs = np.sort(x64[: g.block])
    else:
        xs = np.sort(x64)
    q = g.quantize(xs)
    qq = g.quantize(q)
    assert _same(qq, q), (str(g), q[~((qq == q) | np.isnan(q))][:3])
    fin = q[np.isfinite(q)]
    assert np.all(np.diff(fin) >= 0), str(g)

    # values(), decode of every code, maxpos/minpos
    if _is_block(g):
        ev = g.element_values()
        assert ev.max() * 2.0**127 == g.maxpos
        assert ev[ev > 0].min() * 2.0**-127 == g.minpos
        codes, scales = g.encode(xs)
        assert _same(g.decode(codes, scales=scales), q)
        return
    if g.nbits <= 16:
        v = g.values()
        dec = g.decode(np.arange(1 << g.nbits, dtype=np.uint64))
        if isinstance(g, SymmetricInt):  # the code of -2^(n-1) is documented as unused
            dec[1 << (g.nbits - 1)] = np.nan
        fin = dec[np.isfinite(dec)]
        assert np.array_equal(np.unique(fin), v), str(g)
        assert v.max() == g.maxpos, (str(g), v.max(), g.maxpos)
        if isinstance(g, AffineInt):  # minpos is the step S (no positive value when Z = qmax)
            assert np.allclose(np.diff(v), g.minpos, rtol=1e-9, atol=0), str(g)
        else:
            assert v[v > 0].min() == g.minpos, (str(g), v[v > 0].min(), g.minpos)
        assert np.isfinite(v).all() and (v[v != 0] != 0).all()
        # every value is a fixed point of quantize and of encode/decode
        assert _same(g.quantize(v), v), str(g)
        assert _same(g.decode(g.encode(v)), v), str(g)
    elif isinstance(g, GeneralizedPosit | Posit | LogPosit):  # n > 16: the extreme codes
        top = (1 << (g.nbits - 1)) - 1
        d = g.decode(np.array([1, top], dtype=np.uint64))
        assert d[0] == g.minpos and d[1] == g.maxpos, (str(g), d, g.minpos, g.maxpos)
    else:  # wide integers: maxpos and minpos are values and the ends of the range
        e = g.quantize(np.array([g.maxpos, 2 * g.maxpos, g.minpos]))
        assert e.tolist() == [g.maxpos, g.maxpos, g.minpos], (str(g), e)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_properties(family):
    @settings(**SETTINGS)
    @given(f=FAMILIES[family], seed=st.integers(0, 2**31))
    def run(f, seed):
        check_format(f, seed)

    run()


# ------------------------------------------------------------------------------------------
# magnitude sweep: each family at extreme parameters, inputs from 1e-300 to 1e300

SWEEP = [
    Posit(2, 0),
    Posit(32, 4),
    GeneralizedPosit(32, 4, 31, 64),
    GeneralizedPosit(8, 4, 7, -64),
    GeneralizedPosit(6, 0, 1, 0),
    LogPosit(24, 4, 23, -64.0),
    LogPosit(6, 2, 5, 0.5),
    FixedPoint(32, 64),
    FixedPoint(32, -64),
    FixedPoint(1, 0, signed=False),
    SymmetricInt(16),
    SymmetricInt(2),
    AffineInt(16, signed=True),
    AffineInt(2),
    DynamicFixedPoint(32),
    DynamicFixedPoint(2),
    Minifloat(8, 7, -512, special="none"),
    Minifloat(8, 7, 512, special="none"),
    Minifloat(4, 3, special="fn", saturate=True),
    Minifloat(5, 10),
    Minifloat(8, 0, subnormals=False, special="fnu"),
    ScaledFloat(8, 7, None),
    ScaledFloat(1, 0, None),
    ScaledFloat(4, 3, 126),
    AdaptivFloat(16, 8),
    AdaptivFloat(8, 3),
    AdaptivFloat(16, 5, variant=2022),
    AdaptivFloat(2, 1),
    LNS(16, frac_bits=5),
    LNS(3, frac_bits=0),
    LogQuant(11),
    LogQuant(12, base="sqrt2"),
    LogQuant(1, signed=False),
    LogQuant(4, 1000),
    MX("fp4_e2m1"),
    MX("int8"),
    MX("fp8_e5m2"),
    BlockFloat(16, 32),
    BlockFloat(2, 1),
]


def test_magnitude_sweep():
    """Every magnitude 10^k, k = -300..300 (both signs, and 0): one tensor, one tensor per
    magnitude (adaptive formats refit) and float32 where it holds the value. No inf/NaN out of
    a finite input unless documented."""
    mags = 10.0 ** np.arange(-300, 301)
    x = np.concatenate([mags, -mags, [0.0]])
    x32 = x[(np.abs(x) < F32MAX)].astype(np.float32)
    n_cases = 0
    for f in SWEEP:
        for xs in (x, x[::-1].reshape(-1, 1)[:, 0]):
            q = f.quantize(xs)
            bad = ~np.isfinite(q) & ~_nan_allowed(_fitted(f, xs), xs)
            assert not bad.any(), (str(f), xs[bad][:3], q[bad][:3])
            n_cases += xs.size
        # each magnitude alone (the fitted scale follows it); a LogQuant fit builds a 2^b-entry
        # exact table (~0.1 s for b = 11), so the widest ones are swept as whole tensors only
        step = 25 if not (isinstance(f, LogQuant) and f.b > 8) else 300
        for v in x[::step]:
            q = f.quantize(np.array([v, v / 3]))
            assert (
                np.isfinite(q).all()
                or _nan_allowed(_fitted(f, np.array([v])), np.array([v, v / 3])).any()
            ), (str(f), v)
            n_cases += 2
        q32 = f.quantize(x32)
        assert q32.dtype == np.float32
        bad = ~np.isfinite(q32) & ~_nan_allowed(_fitted(f, x32), x32.astype(np.float64))
        assert not bad.any(), (str(f), x32[bad][:3], q32[bad][:3])
        n_cases += x32.size
    assert len(SWEEP) >= 14 and n_cases > 100_000
