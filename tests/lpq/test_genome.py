import numpy as np
import pytest

from lognum.lpq.genome import SearchSpace, crossover_block, mutate_block, rows_of_block


def _in_space(space, g, is_act=False):
    n, es, rs, sf = g
    lo, hi = space.rs_range(int(n))
    return n in space.n and es in space.es and lo <= rs <= hi and sf in space.sf_grid(is_act)


def test_random_and_mutation_stay_in_space():
    sp = SearchSpace(n=(3, 5, 8), es=(0, 2), rs_min=2, sf=(0, 1.5, 3), acts=True, act_sf=(-1, 0))
    rng = np.random.default_rng(1)
    g = sp.random_genome(4, rng)
    assert g.shape == (8, 4)
    for _ in range(300):
        g = mutate_block(g, list(range(8)), sp, rng, 0.5, 4)
        for r, row in enumerate(g):
            assert _in_space(sp, row, r >= 4), row


def test_crossover_and_mutation_only_touch_block():
    sp = SearchSpace()
    rng = np.random.default_rng(2)
    a, b = sp.random_genome(10, rng), sp.random_genome(10, rng)
    rows = rows_of_block([3, 4, 5], 10, False)
    for _ in range(50):
        c = mutate_block(crossover_block(a, b, rows, rng, 0.5), rows, sp, rng, 0.3, 10)
        outside = [i for i in range(10) if i not in rows]
        np.testing.assert_array_equal(c[outside], a[outside])
    assert rows_of_block([1], 10, True) == [1, 11]


def test_space_validation():
    with pytest.raises(ValueError, match="rs_min"):
        SearchSpace(n=(4, 5), rs_min=4)
    with pytest.raises(ValueError, match="n must"):
        SearchSpace(n=(2,))


def test_block_move_steps_one_field_in_every_row():
    sp = SearchSpace(n=(4, 5, 6, 7, 8), es=(0, 1, 2), sf=(2, 3, 4, 5, 6))
    rng = np.random.default_rng(3)
    base = np.tile([6.0, 1.0, 4.0, 4.0], (12, 1))  # interior of every grid: no clipping
    rows = [0, 2, 5, 7]
    for _ in range(100):
        g = mutate_block(base, rows, sp, rng, 0.3, 12, p_block=1.0)
        d = g - base
        changed = np.flatnonzero(np.any(d != 0, axis=0))
        assert len(changed) == 1  # one field ...
        col = d[:, changed[0]]
        assert np.all(col[rows] == col[rows[0]]) and abs(col[rows[0]]) == 1  # ... same +-1 step
        assert np.all(np.delete(col, rows) == 0)  # ... only in the block's rows


def test_p_down_steers_word_size_steps():
    sp = SearchSpace()
    rng = np.random.default_rng(4)
    g0 = np.tile([6.0, 1.0, 4.0, 4.0], (6, 1))
    for p_down, sign in ((1.0, -1), (0.0, 1)):
        for _ in range(200):
            g = mutate_block(
                g0, list(range(6)), sp, rng, 0.5, 6, p_step=1.0, p_block=0.5, p_down=p_down
            )
            dn = g[:, 0] - g0[:, 0]
            assert np.all(dn * sign >= 0)


def _avg(g, sizes):
    return float(np.sum(g[: len(sizes), 0] * sizes) / np.sum(sizes))


def test_enforce_budget_caps_average_bits_by_word_size_steps_only():
    sp = SearchSpace(max_avg_bits=5.5)
    sizes = np.array([1, 4, 1, 4, 1, 1, 2, 3], dtype=np.int64) * 1000
    rng = np.random.default_rng(5)
    for _ in range(200):
        g = sp.random_genome(len(sizes), rng)
        r = sp.enforce_budget(g, sizes, rng)
        assert _avg(r, sizes) <= 5.5 + 1e-12
        dn = g[:, 0] - r[:, 0]
        assert np.all(dn >= 0)  # word sizes only go down ...
        assert np.all(r[:, 0] >= min(sp.n))
        same = dn == 0
        np.testing.assert_array_equal(r[same], g[same])  # ... untouched rows keep their gene
        for row in r:
            assert _in_space(sp, row), row
        # it stops at the cap: some stepped layer, given its bit back, would break it
        if np.any(dn > 0):
            assert np.max(sizes[dn > 0]) / np.sum(sizes) + _avg(r, sizes) > 5.5
        else:
            assert _avg(g, sizes) <= 5.5


def test_enforce_budget_spares_protected_rows_and_needs_sizes():
    sp = SearchSpace(max_avg_bits=6.0)
    sizes = np.full(6, 100)
    g = np.tile([8.0, 1.0, 7.0, 4.0], (6, 1))
    r = sp.enforce_budget(g, sizes, np.random.default_rng(0), protect=(0, 1))
    np.testing.assert_array_equal(r[:2], g[:2])
    assert _avg(r, sizes) <= 6.0
    # every row protected: the cap still wins
    r = sp.enforce_budget(g, sizes, np.random.default_rng(0), protect=range(6))
    assert _avg(r, sizes) <= 6.0
    # no cap: the genome itself
    assert SearchSpace().enforce_budget(g, sizes, np.random.default_rng(0)) is g
    with pytest.raises(ValueError, match="sizes"):
        sp.random_candidate(6, np.random.default_rng(0), 0.5)
    with pytest.raises(ValueError, match="max_avg_bits"):
        SearchSpace(n=(4, 5, 6), max_avg_bits=3.5)


def test_uniform_candidates_stay_uniform_under_a_cap():
    sizes = np.array([1, 4, 2, 3] * 3) * 100
    capped = SearchSpace(max_avg_bits=6.0)
    for s in range(50):
        g = capped.random_genome(12, np.random.default_rng(s), shared=True)
        assert (g == g[0]).all() and g[0, 0] <= 6
        assert capped.random_candidate(12, np.random.default_rng(s), 1.0, sizes)[0, 0] <= 6
    # without a cap the draws are those of the plain sampler (saved runs stay reproducible)
    free = SearchSpace()
    words = {free.random_genome(12, np.random.default_rng(s), shared=True)[0, 0] for s in range(50)}
    assert max(words) == 8


def test_space_dict_roundtrip_with_and_without_cap():
    for sp in (SearchSpace(), SearchSpace(n=(4, 6), sf=(1.5, 3), max_avg_bits=5.25)):
        assert SearchSpace.from_dict(sp.to_dict()) == sp
    old = SearchSpace().to_dict()
    del old["max_avg_bits"]  # results saved before the cap existed
    assert SearchSpace.from_dict(old).max_avg_bits is None


def test_activation_word_sizes_are_their_own_grid():
    sp = SearchSpace(n=(4, 5, 6), acts=True, act_n=(8,), max_avg_bits=5.0)
    assert sp.n_max == 8
    rng = np.random.default_rng(0)
    sizes = np.array([10, 20, 30])
    for _ in range(20):
        g = sp.random_candidate(3, rng, 0.5, sizes)
        assert set(g[3:, 0]) == {8.0} and set(g[:3, 0]) <= {4.0, 5.0, 6.0}
        assert np.all(g[3:, 2] <= 7) and np.all(g[:3, 2] <= g[:3, 0] - 1)
        for r in range(6):
            m = sp.mutate_gene(g[r], rng, is_act=r >= 3)
            assert (m[0] == 8.0) if r >= 3 else (m[0] in (4.0, 5.0, 6.0))
    assert SearchSpace.from_dict(sp.to_dict()) == sp
    with pytest.raises(ValueError, match="act_n must be a non-empty set within"):
        SearchSpace(acts=True, act_n=(2,))
