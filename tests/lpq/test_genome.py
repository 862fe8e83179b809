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
            g = mutate_block(g0, list(range(6)), sp, rng, 0.5, 6, p_step=1.0, p_block=0.5,
                             p_down=p_down)  # fmt: skip
            dn = g[:, 0] - g0[:, 0]
            assert np.all(dn * sign >= 0)
