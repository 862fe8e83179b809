"""The binary32 fast path of GP/posit quantize (``lognum._kernels.tapered32``) against the
float64 reference kernels, bit for bit.

References: ``encode_ref`` + ``decode_ref`` (the readable scalar kernels) on every tie point and
special value, and the float64 fast loop ``quantize_gp`` (itself checked against the exact
oracle in test_posit.py) on millions of inputs covering every binary32 exponent. Tie points come
from the exact oracle (tapered_oracle.py), not from the kernels.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import lognum as ln
from lognum._kernels import tapered_loops as tl
from lognum.formats.tapered import _gp32
from tests.formats.tapered_oracle import Oracle


def _gp(n, es, rs, sc):
    return ln.Posit(n, es) if rs == n - 1 and sc == 0 else ln.GeneralizedPosit(n, es, rs, sc)


def _ref_readable(f, x32):
    """float32 result of the readable reference: encode_ref, decode_ref, then float32."""
    n, es, rs, sc, logm, sfi, sff = f._kparams
    from lognum.formats.tapered import _kernels

    _, (c_hi, c_lo) = _kernels()
    with np.errstate(invalid="ignore"):  # signalling NaN payloads
        x = x32.astype(np.float64)
    codes = np.empty(x.size, dtype=np.uint64)
    tl.encode_ref(x, codes, n, es, rs, sc, logm, sfi, np.uint64(sff))
    v = np.empty(x.size, dtype=np.float64)
    tl.decode_ref(codes, v, n, es, rs, sc, logm, sfi, np.uint64(sff), c_hi, c_lo)
    return _to_f32_saturating(v)  # formats beyond binary32 (fallback cases)


def _ref_fast64(f, x32):
    """float32 result of the float64 fast loop (the path float32 inputs took before)."""
    n, es, rs, sc = f._kparams[:4]
    v = np.empty(x32.size, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        x = x32.astype(np.float64)
    tl.quantize_gp(x, v, n, es, rs, sc)
    return _to_f32_saturating(v)


def _to_f32_saturating(v):
    """float64 -> float32 with the rule of a saturating format: beyond ±float32 max gives
    ±float32 max, not inf (NaN stays NaN)."""
    big = np.float32(np.finfo(np.float32).max)
    with np.errstate(over="ignore"):
        r = v.astype(np.float32)
    fin = np.isfinite(v) & np.isinf(r)
    r[fin] = np.copysign(big, v[fin])
    return r


def _ref_codes(f, x32, readable):
    """Codes of the float64 kernels (``encode_ref`` or ``encode_gp``) in ``f``'s code dtype."""
    n, es, rs, sc, logm, sfi, sff = f._kparams
    with np.errstate(invalid="ignore"):
        x = x32.astype(np.float64)
    codes = np.empty(x.size, dtype=np.uint64 if readable else np.uint32)
    if readable:
        tl.encode_ref(x, codes, n, es, rs, sc, 0, 0, np.uint64(0))
    else:
        tl.encode_gp(x, codes, n, es, rs, sc)
    return codes.astype(f.code_dtype)


def _same_bits(a, b):
    return np.array_equal(a.view(np.uint32), b.view(np.uint32))


def _first_diff(x, got, want):
    i = np.flatnonzero(got.view(np.uint32) != want.view(np.uint32))[:5]
    return list(zip(x[i].tolist(), got[i].tolist(), want[i].tolist(), strict=True))


def _every_exponent(rng, m_top=12):
    """Both signs, every biased exponent 0..255, every value of the top ``m_top`` mantissa bits
    with the low bits 0, all ones, and random."""
    e = np.arange(256, dtype=np.uint32)[:, None, None]
    top = np.arange(1 << m_top, dtype=np.uint32)[None, :, None] << np.uint32(23 - m_top)
    low_mask = np.uint32((1 << (23 - m_top)) - 1)
    low = np.stack(
        [
            np.zeros(1 << m_top, np.uint32),
            np.full(1 << m_top, low_mask),
            rng.integers(0, low_mask + 1, 1 << m_top, dtype=np.uint32),
        ],
        axis=1,
    )
    bits = (e << np.uint32(23)) | top | low[None, :, :]
    bits = bits.reshape(-1)
    return np.concatenate([bits, bits | np.uint32(0x80000000)]).view(np.float32)


def _ties_and_neighbours(f, sample=None, rng=None):
    """Tie points of the format inside the binary32 range (exact, from the oracle; all of them,
    or those after ``sample`` random codes), as the nearest float32 values and the two float32
    values on either side."""
    n, es, rs, sc = f._kparams[:4]
    o = Oracle(n, es, rs, sc)
    if sample is None or (1 << (n - 1)) - 1 <= sample:
        t = [float(v) for v in o.tie_keys()]
    else:
        t = [float(o.tie_key(int(c))) for c in rng.integers(1, (1 << (n - 1)) - 1, sample)]
    t = np.array(t, dtype=np.float64)
    t = t[(t > 1e-38) & (t < 3e38)]
    d = t.astype(np.float32)
    xs, up, dn = [d], d, d
    for _ in range(2):
        up, dn = np.nextafter(up, np.float32(np.inf)), np.nextafter(dn, np.float32(0))
        xs += [up, dn]
    x = np.concatenate(xs)
    return np.concatenate([x, -x])


SPECIALS = np.array(
    [
        0.0,
        -0.0,
        np.inf,
        -np.inf,
        np.nan,
        -np.nan,
        1e-45,
        -1e-45,
        1.1754942e-38,
        -1.1754942e-38,
        1.1754944e-38,
        -1.1754944e-38,
        3.4028235e38,
        -3.4028235e38,
        1.0,
        -1.0,
        2.0**-126,
        2.0**-127,
        2.0**-149 * 3,
    ],
    dtype=np.float32,
)
NAN_PAYLOADS = np.array([0x7F800001, 0xFFC00001, 0x7FFFFFFF, 0xFFFFFFFF], dtype=np.uint32)


EXHAUSTIVE = [
    (8, 2, 7, 0),
    (8, 1, 3, 0),
    (6, 1, 3, -1),
    (8, 0, 7, 0),
    (5, 2, 4, 3),
    (9, 3, 2, -2),
    (10, 1, 1, 0),
    (12, 2, 11, 0),
]


@pytest.mark.parametrize("cfg", EXHAUSTIVE, ids=lambda c: "GP<{},{},{},{}>".format(*c))
def test_every_exponent_ties_and_specials(cfg):
    """(a) every binary32 exponent x 4096 mantissa tops x 3 low parts, both signs; every tie and
    its float32 neighbours; specials (±0, ±inf, NaNs, subnormals, ±max) — all bit-identical."""
    f = _gp(*cfg)
    assert _gp32(*cfg) is not None  # the binary32 path serves these formats
    rng = np.random.default_rng(sum(cfg) + 7)
    x = _every_exponent(rng)
    got = f.quantize(x)
    want = _ref_fast64(f, x)
    assert _same_bits(got, want), _first_diff(x, got, want)
    assert np.array_equal(f.encode(x), _ref_codes(f, x, readable=False))
    x = np.concatenate(
        [
            _ties_and_neighbours(f),
            SPECIALS,
            NAN_PAYLOADS.view(np.float32),
            rng.integers(1, 1 << 23, 1000, dtype=np.uint32).view(np.float32),
        ]
    )
    got = f.quantize(x)
    want = _ref_readable(f, x)
    assert _same_bits(got, want), _first_diff(x, got, want)
    assert np.array_equal(f.encode(x), _ref_codes(f, x, readable=True))
    assert _same_bits(got[np.isnan(x)], np.full(np.isnan(x).sum(), np.nan, np.float32))
    assert _same_bits(f.quantize(np.float32([-0.0])), np.float32([0.0]))


# (n, es, rs, sc) at and beyond the limits of the binary32 path: scale range
# [sc - rs 2^es, sc + rs 2^es - 1] inside [-126, 127]; minpos/maxpos binary32 values
BOUNDARY = [
    ((9, 3, 8, -62), True),  # smallest scale -126 (the regime bias reaches it)
    ((9, 3, 8, -63), False),  # -127: minpos would be subnormal
    ((9, 3, 8, 64), True),  # largest scale 64 + 63 = 127
    ((10, 3, 8, 64), True),
    ((12, 4, 5, 46), True),  # 46 + 80 - 1 = 125
    ((12, 4, 8, 0), False),  # scales -128 .. 127
    ((32, 2, 31, 0), True),  # posit<32,2>: fraction up to 27 bits, min/max are powers of two
    ((32, 3, 31, 0), False),  # posit<32,3>: 2^-240
    ((32, 0, 2, 0), False),  # maxpos 2^1 (2 - 2^-28) is not a binary32 value
    ((28, 0, 3, 5), False),  # maxpos needs 24 fraction bits
    ((27, 0, 3, 5), True),  # 23 fraction bits: exact
    ((16, 2, 15, 0), True),
    ((16, 1, 5, -3), True),
    ((24, 2, 4, 1), True),
    ((31, 4, 7, 10), True),  # scales -102 .. 121
    ((2, 0, 1, 0), True),
    ((3, 4, 2, 0), True),
]


@pytest.mark.parametrize("cfg,fast", BOUNDARY, ids=lambda c: str(c))
def test_grid_boundary_and_fallback(cfg, fast):
    """(b) random inputs over the whole binary32 range and around 1, near the format's extremes,
    for formats at the edge of the binary32 path's validity and beyond it (float64 fallback)."""
    n, es, rs, sc = cfg
    assert (_gp32(*cfg) is not None) == fast, cfg
    f = _gp(*cfg)
    rng = np.random.default_rng(n * 1000 + es * 100 + rs + sc)
    bits = rng.integers(0, 1 << 32, 200_000, dtype=np.uint64).astype(np.uint32)
    lo, hi = np.log2(f.minpos), np.log2(f.maxpos)
    ext = np.array([f.minpos, f.maxpos], dtype=np.float64)
    with np.errstate(over="ignore"):  # formats beyond binary32: their extremes overflow
        near = np.exp2(rng.uniform(lo - 3, hi + 3, 200_000)).astype(np.float32)
        ext32 = ext.astype(np.float32)
        edges = np.concatenate(
            [
                ext32,
                np.nextafter(ext32, np.float32(0)),
                np.nextafter(ext32, np.float32(np.inf)),
                (ext / 2).astype(np.float32),
                (ext * 2).astype(np.float32),
            ]
        )
    near *= np.where(rng.random(near.size) < 0.5, -1, 1).astype(np.float32)
    x = np.concatenate(
        [
            bits.view(np.float32),
            near,
            rng.standard_normal(100_000).astype(np.float32),
            edges,
            -edges,
            SPECIALS,
            _ties_and_neighbours(f, 2000, rng),
        ]
    )
    got = f.quantize(x)
    want = _ref_fast64(f, x)
    assert _same_bits(got, want), _first_diff(x, got, want)
    assert np.array_equal(f.encode(x), _ref_codes(f, x, readable=False))
    small = np.concatenate([x[::50], x[-30000:]])
    assert _same_bits(f.quantize(small), _ref_readable(f, small))
    assert np.array_equal(f.encode(small), _ref_codes(f, small, readable=True))


def test_float32_path_keeps_out_and_threads():
    """``out=`` and ``threads=`` reach the binary32 kernels with the same bits."""
    f = ln.Posit(8, 2)
    x = np.random.default_rng(3).standard_normal(300_001).astype(np.float32)
    out = np.empty_like(x)
    f.quantize(x, out=out)
    want = _ref_fast64(f, x)
    assert _same_bits(out, want)
    assert _same_bits(f.quantize(x, threads=2), want)
    assert np.array_equal(f.encode(x, threads=2), _ref_codes(f, x, readable=False))
    v = x[:300_000].reshape(3, -1)[:, ::2]  # strided view
    assert _same_bits(f.quantize(v).reshape(-1), _ref_fast64(f, v.reshape(-1)))


# --------------------------------------------------------------------------------------------
# LP: binary32 log2 + exact near-tie redo (tapered32.quantize_lp32)


def test_log2_mant32_error_bound_holds_for_every_mantissa():
    """The binary32 log2 of the mantissa is within LOG2_EPS of log2(1 + m/2^23) for all 2^23
    mantissas (float64 log2 as the reference, itself within 2^-52): the bound the near-tie
    window of the LP kernel rests on."""
    from lognum._kernels.tapered32 import LOG2_EPS, log2_mant32_all

    lg = np.empty(1 << 23, dtype=np.float32)
    log2_mant32_all(lg)
    ref = np.log2(1.0 + np.arange(1 << 23, dtype=np.float64) / 2.0**23)
    err = np.abs(lg.astype(np.float64) - ref)
    assert lg[0] == 0.0
    assert err.max() + 2.0**-50 <= LOG2_EPS, err.max()


def _lp_ref(f, x32, readable):
    """float32 LP quantize as the float64 kernels do it: encode (readable ``encode_ref`` or the
    fast ``encode_lp``), then the float32 value table of the codes."""
    from lognum.formats.tapered import _table32

    n, es, rs, sc, logm, sfi, sff = f._kparams
    with np.errstate(invalid="ignore"):
        x = x32.astype(np.float64)
    codes = np.empty(x.size, dtype=np.uint32)
    if readable:
        tl.encode_ref(x, codes, n, es, rs, 0, 1, sfi, np.uint64(sff))
    else:
        tl.encode_lp(x, codes, n, es, rs, sfi, np.uint64(sff))
    if n <= 20:
        return _table32(n, es, rs, sfi, sff)[codes]
    from lognum.formats.tapered import _kernels  # n > 20: no table; float64 decode, rounded

    _, (c_hi, c_lo) = _kernels()
    v = np.empty(x.size, dtype=np.float64)
    tl.decode_ref(codes, v, n, es, rs, 0, 1, sfi, np.uint64(sff), c_hi, c_lo)
    return v.astype(np.float32)


def _lp_kernel32(f, x32):
    """The binary32 LP arithmetic kernel itself (``quantize_lp32``): ``f.quantize`` serves
    n <= 12 from a threshold table (test_threshold.py), so its tests call it directly."""
    from lognum._kernels.tapered32 import BLOCK, quantize_lp32
    from lognum.formats.tapered import _lp32, _table32

    n, es, rs, sc, logm, sfi, sff = f._kparams
    consts, tab = _lp32(n, es, rs, sfi, sff)
    out = np.empty_like(x32)
    quantize_lp32(x32, out, consts, tab, _table32(n, es, rs, sfi, sff), BLOCK)
    return out


def _lp_ties(f, sample, rng):
    """float32 values nearest to LP tie points 2^lambda (irrational in general) and their
    float32 neighbours, for ``sample`` random adjacent code pairs (or all of them)."""
    n, es, rs = f.n, f.es, f.rs
    o = Oracle(n, es, rs, 0, True, Fraction(f.sf))
    cs = range(1, (1 << (n - 1)) - 1)
    if len(cs) > sample:
        cs = rng.integers(1, (1 << (n - 1)) - 1, sample)
    lam = [o.tie_key(int(c)) for c in cs]
    t = np.array([float(v) for v in lam if -125 < v < 127], dtype=np.float64)
    t = np.exp2(t)  # float64 2^lambda: within 2^-52 relative, enough to pick float32 neighbours
    d = t.astype(np.float32)
    xs, up, dn = [d], d, d
    for _ in range(2):
        up, dn = np.nextafter(up, np.float32(np.inf)), np.nextafter(dn, np.float32(0))
        xs += [up, dn]
    x = np.concatenate(xs)
    return np.concatenate([x, -x])


LP_FAST = [
    (8, 1, 5, 0.0),
    (6, 2, 5, 0.0),
    (8, 1, 5, 0.3),
    (5, 0, 2, -1.0),
    (12, 1, 3, 3.7),
    (4, 0, 1, 0.0),
    (10, 3, 2, -20.25),
    (16, 2, 15, 0.25),
    (7, 4, 3, 64.0),
]


@pytest.mark.parametrize("cfg", LP_FAST, ids=lambda c: "LP<{},{},{},{}>".format(*c))
def test_lp_every_exponent_ties_and_specials(cfg):
    """(a) LP: every binary32 exponent x 512 mantissa tops x 3 low parts, both signs; tie
    points and their float32 neighbours (these exercise the exact redo); specials."""
    from lognum.formats.tapered import _lp32

    f = ln.LogPosit(*cfg)
    n, es, rs, sc, logm, sfi, sff = f._kparams
    assert _lp32(n, es, rs, sfi, sff) is not None  # the binary32 kernel serves these formats
    rng = np.random.default_rng(int(sum(cfg) * 10) % 1000)
    x = _every_exponent(rng, 9)
    want = _lp_ref(f, x, readable=False)
    for got in (f.quantize(x), _lp_kernel32(f, x)):
        assert _same_bits(got, want), _first_diff(x, got, want)
    ties = _lp_ties(f, 3000, rng)
    x = np.concatenate(
        [
            ties,
            SPECIALS,
            NAN_PAYLOADS.view(np.float32),
            rng.integers(1, 1 << 23, 1000, dtype=np.uint32).view(np.float32),
            x[:: max(1, x.size // 20000)],
        ]
    )
    want = _lp_ref(f, x, readable=True)
    for got in (f.quantize(x), _lp_kernel32(f, x)):
        assert _same_bits(got, want), _first_diff(x, got, want)
    assert _same_bits(f.quantize(np.float32([-0.0])), np.float32([0.0]))
    assert _same_bits(_lp_kernel32(f, np.float32([-0.0])), np.float32([0.0]))


def test_lp_redo_path_is_exercised():
    """The tie inputs do reach the exact redo (the kernel reports how many it redid)."""
    from lognum._kernels.tapered32 import BLOCK, quantize_lp32
    from lognum.formats.tapered import _lp32, _table32

    f = ln.LogPosit(8, 1, 5, 0.3)
    n, es, rs, sc, logm, sfi, sff = f._kparams
    consts, tab = _lp32(n, es, rs, sfi, sff)
    x = _lp_ties(f, 10_000, np.random.default_rng(0))
    out = np.empty_like(x)
    ct = _table32(n, es, rs, sfi, sff)
    redone = quantize_lp32(x, out, consts, tab, ct, BLOCK)
    assert redone >= x.size // 10
    assert _same_bits(out, _lp_ref(f, x, readable=True))


LP_FALLBACK = [(20, 0, 2, 0.0), (24, 2, 5, 0.0), (18, 1, 8, 1.5), (19, 0, 3, -2.5)]


@pytest.mark.parametrize("cfg", LP_FAST + LP_FALLBACK, ids=lambda c: "LP<{},{},{},{}>".format(*c))
def test_lp_random_grid_and_fallback(cfg):
    """(b) random bit patterns, values spread over the format's range, normals; formats the
    binary32 kernel serves and formats it leaves to the float64 path (too many fraction bits
    for its 2^-21 log2, or n > 20)."""
    from lognum.formats.tapered import _lp32

    f = ln.LogPosit(*cfg)
    n, es, rs, sc, logm, sfi, sff = f._kparams
    assert (_lp32(n, es, rs, sfi, sff) is None) == (cfg in LP_FALLBACK)
    rng = np.random.default_rng(int(abs(sum(cfg)) * 7) % 1000)
    m = 100_000 if n <= 20 else 2_000  # n > 20: the float64 path decodes without a table
    lo, hi = np.log2(f.minpos), np.log2(f.maxpos)
    with np.errstate(over="ignore"):
        near = np.exp2(rng.uniform(lo - 3, hi + 3, m)).astype(np.float32)
    near *= np.where(rng.random(near.size) < 0.5, -1, 1).astype(np.float32)
    x = np.concatenate(
        [
            rng.integers(0, 1 << 32, m, dtype=np.uint64).astype(np.uint32).view(np.float32),
            near,
            rng.standard_normal(m // 2).astype(np.float32),
            SPECIALS,
        ]
    )
    want = _lp_ref(f, x, readable=False)
    gots = [f.quantize(x)] + ([_lp_kernel32(f, x)] if cfg not in LP_FALLBACK else [])
    for got in gots:
        assert _same_bits(got, want), _first_diff(x, got, want)
    small = x[::20]
    assert _same_bits(f.quantize(small), _lp_ref(f, small, readable=True))
