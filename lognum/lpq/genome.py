"""LPQ genome: per-layer LP parameters ``<n, es, rs, sf>`` and the genetic operators.

Chromosome (LPQ poster, docs/lpq.md): for every layer ``L_i`` the tuple
``(n, es, rs, sf)``; a candidate is the concatenation over all layers.  Here a genome is a
float64 array of shape ``(T, 4)`` with columns ``n, es, rs, sf``; ``T`` is the number of
layers (weights only) or twice that when activation formats are searched too (rows
``0..L-1`` weights, ``L..2L-1`` input activations of the same layers).

The poster does not give the operators, rates or ranges [U]; the ones below are a documented
reconstruction: uniform per-layer crossover restricted to a block of layers, and mutation that
re-draws or steps one field of a layer's tuple (parameters of :class:`GAConfig` in
:mod:`lognum.lpq.ga`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class SearchSpace:
    """Ranges of the per-layer LP parameters (user-given; defaults documented here).

    * ``n``: word sizes (default 4..8);
    * ``es``: exponent sizes (default 0..2);
    * ``rs``: regime run-length caps, ``rs_min <= rs <= min(rs_max, n - 1)`` (default 2..n-1);
    * ``sf``: scale factors (value multiplied by ``2^-sf``; default integers 0..8, which
      centres the format between 1 and 2^-8 -- MiniLM weights have std 0.02-0.1);
    * ``acts``: also search a format for the input activations of every layer
      (``act_sf`` is then the sf grid of the activations, default -4..4, and ``act_n`` their
      word sizes, default ``None``: the weights' ``n``; e.g. ``act_n=(8,)`` for W?A8);
    * ``max_avg_bits``: optional cap on the average weight bits ``sum n_l |theta_l| / sum
      |theta_l|`` (a memory budget; ``None``, the default, means no cap).  Every candidate
      the searches generate is repaired into the cap by :meth:`enforce_budget`.  With a cap
      the compression loss still counts bits below it; a small ``lam`` then makes the
      search spend the budget on fidelity instead of going below it.
    """

    n: tuple[int, ...] = (4, 5, 6, 7, 8)
    es: tuple[int, ...] = (0, 1, 2)
    rs_min: int = 2
    rs_max: int = 31
    sf: tuple[float, ...] = tuple(float(s) for s in range(0, 9))
    acts: bool = False
    act_sf: tuple[float, ...] = tuple(float(s) for s in range(-4, 5))
    max_avg_bits: float | None = None
    act_n: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if not self.n or min(self.n) < 3 or max(self.n) > 16:
            raise ValueError(f"n must be a non-empty set within [3, 16], got {self.n}")
        if not self.es or min(self.es) < 0 or max(self.es) > 4:
            raise ValueError(f"es must be a non-empty set within [0, 4], got {self.es}")
        if not 1 <= self.rs_min <= min(self.n) - 1:
            raise ValueError(
                f"rs_min must be in [1, min(n) - 1 = {min(self.n) - 1}], got {self.rs_min}"
            )
        if self.rs_max < self.rs_min:
            raise ValueError(f"rs_max must be >= rs_min = {self.rs_min}, got {self.rs_max}")
        if not self.sf or not self.act_sf:
            raise ValueError("sf and act_sf must be non-empty")
        if self.max_avg_bits is not None and not min(self.n) <= self.max_avg_bits:
            raise ValueError(
                f"max_avg_bits must be >= min(n) = {min(self.n)} or None, got {self.max_avg_bits}"
            )
        if self.act_n is not None:
            if not self.act_n or min(self.act_n) < 3 or max(self.act_n) > 16:
                raise ValueError(f"act_n must be a non-empty set within [3, 16], got {self.act_n}")
            if not self.rs_min <= min(self.act_n) - 1:
                raise ValueError(f"rs_min must be <= min(act_n) - 1, got {self.rs_min}")
            object.__setattr__(self, "act_n", tuple(sorted(int(v) for v in self.act_n)))
        object.__setattr__(self, "n", tuple(sorted(int(v) for v in self.n)))
        object.__setattr__(self, "es", tuple(sorted(int(v) for v in self.es)))
        object.__setattr__(self, "sf", tuple(sorted(float(v) for v in self.sf)))
        object.__setattr__(self, "act_sf", tuple(sorted(float(v) for v in self.act_sf)))

    @property
    def n_max(self) -> int:
        return max(self.n + (self.act_n if self.acts and self.act_n else ()))

    def rs_range(self, n: int) -> tuple[int, int]:
        """Allowed ``rs`` for word size ``n``: ``[rs_min, min(rs_max, n - 1)]``."""
        return self.rs_min, min(self.rs_max, int(n) - 1)

    def sf_grid(self, is_act: bool) -> tuple[float, ...]:
        return self.act_sf if is_act else self.sf

    def n_grid(self, is_act: bool) -> tuple[int, ...]:
        return self.act_n if (is_act and self.act_n is not None) else self.n

    def random_gene(
        self, rng: np.random.Generator, is_act: bool = False, n_max: float | None = None
    ) -> np.ndarray:
        """A uniformly random ``(n, es, rs, sf)`` (rs uniform in its range for the drawn n);
        ``n_max`` restricts ``n`` to the word sizes ``<= n_max``."""
        ng = self.n_grid(is_act)
        ns = ng if n_max is None else tuple(v for v in ng if v <= n_max)
        n = ns[rng.integers(len(ns))]
        es = self.es[rng.integers(len(self.es))]
        lo, hi = self.rs_range(n)
        rs = int(rng.integers(lo, hi + 1))
        grid = self.sf_grid(is_act)
        return np.array([n, es, rs, grid[rng.integers(len(grid))]], dtype=np.float64)

    def random_genome(
        self, n_layers: int, rng: np.random.Generator, shared: bool = False
    ) -> np.ndarray:
        """A random genome for ``n_layers`` layers (``2 n_layers`` rows if ``acts``).

        ``shared=False``: every layer draws its own gene (i.i.d.); ``shared=True``: one random
        gene for all weight rows (and one for all activation rows) -- a random *uniform*
        candidate, whose word size is drawn within ``max_avg_bits`` when a cap is set (so
        that it stays uniform).  :func:`random_candidate` mixes the two.
        """
        if shared:
            w = self.random_gene(rng, n_max=self.max_avg_bits)
            a = self.random_gene(rng, True)
            rows = [w] * n_layers + ([a] * n_layers if self.acts else [])
            return np.vstack(rows)
        rows = [self.random_gene(rng) for _ in range(n_layers)]
        if self.acts:
            rows += [self.random_gene(rng, True) for _ in range(n_layers)]
        return np.vstack(rows)

    def random_candidate(
        self,
        n_layers: int,
        rng: np.random.Generator,
        p_shared: float,
        sizes: np.ndarray | None = None,
    ) -> np.ndarray:
        """Initial-population / random-search sampler: with probability ``p_shared`` a random
        uniform candidate (one gene for all layers), otherwise i.i.d. genes per layer; then
        repaired into ``max_avg_bits`` (:meth:`enforce_budget`, needs the layer ``sizes``)."""
        g = self.random_genome(n_layers, rng, shared=bool(rng.random() < p_shared))
        if self.max_avg_bits is not None:
            if sizes is None:
                raise ValueError("sizes (weights per layer) are needed when max_avg_bits is set")
            g = self.enforce_budget(g, sizes, rng)
        return g

    def enforce_budget(
        self,
        genome: np.ndarray,
        sizes: np.ndarray,
        rng: np.random.Generator,
        protect: tuple[int, ...] | list[int] = (),
    ) -> np.ndarray:
        """Repair ``genome`` into ``max_avg_bits``: while the average weight bits exceed the
        cap, one weight row drawn uniformly from those above ``min(n)`` (rows in ``protect``
        only when no other row is left) loses one word-size step (``rs`` repaired); it stops
        as soon as the cap holds.  No cap: ``genome`` itself.
        """
        if self.max_avg_bits is None:
            return genome
        sizes = np.asarray(sizes, dtype=np.float64)
        L = len(sizes)
        g = genome.copy()
        cap = self.max_avg_bits * float(np.sum(sizes)) * (1 + 1e-12)
        total = float(np.sum(g[:L, 0] * sizes))
        lo = min(self.n)
        keep = set(int(r) for r in protect)
        while total > cap:
            free = [r for r in range(L) if g[r, 0] > lo]
            cand = [r for r in free if r not in keep] or free
            r = cand[int(rng.integers(len(cand)))]
            old = g[r, 0]
            g[r] = self.step_field(g[r], 0, -1)
            total -= (old - g[r, 0]) * sizes[r]
        return g

    def repair(self, gene: np.ndarray, is_act: bool = False) -> np.ndarray:
        """Clip a gene into the space (``rs`` into its range for the gene's ``n``)."""
        g = gene.copy()
        g[0] = min(self.n_grid(is_act), key=lambda v: abs(v - g[0]))
        g[1] = min(self.es, key=lambda v: abs(v - g[1]))
        lo, hi = self.rs_range(int(g[0]))
        g[2] = float(np.clip(round(g[2]), lo, hi))
        grid = self.sf_grid(is_act)
        g[3] = min(grid, key=lambda v: abs(v - g[3]))
        return g

    def mutate_gene(
        self,
        gene: np.ndarray,
        rng: np.random.Generator,
        is_act: bool = False,
        p_step: float = 0.8,
        p_down: float = 0.5,
    ) -> np.ndarray:
        """Change one field: with probability ``p_step`` a step of +-1 along its grid, else a
        uniform re-draw of that field.  A step of ``n`` goes down (one bit less) with
        probability ``p_down``; the other fields step either way with probability 1/2."""
        g = gene.copy()
        f = int(rng.integers(4))
        grids = (self.n_grid(is_act), self.es, None, self.sf_grid(is_act))
        if f == 2:
            lo, hi = self.rs_range(int(g[0]))
            grid = tuple(range(lo, hi + 1))
        else:
            grid = grids[f]
        if rng.random() < p_step:
            i = int(np.argmin([abs(v - g[f]) for v in grid]))
            i = int(np.clip(i + step_direction(f, rng, p_down), 0, len(grid) - 1))
        else:
            i = int(rng.integers(len(grid)))
        g[f] = grid[i]
        return self.repair(g, is_act)

    def step_field(
        self, gene: np.ndarray, f: int, direction: int, is_act: bool = False
    ) -> np.ndarray:
        """Move field ``f`` of ``gene`` by ``direction`` (+-1) along its grid, then repair."""
        g = gene.copy()
        if f == 2:
            lo, hi = self.rs_range(int(g[0]))
            grid = tuple(range(lo, hi + 1))
        else:
            grid = (self.n_grid(is_act), self.es, None, self.sf_grid(is_act))[f]
        i = int(np.argmin([abs(v - g[f]) for v in grid]))
        g[f] = grid[int(np.clip(i + direction, 0, len(grid) - 1))]
        return self.repair(g, is_act)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> SearchSpace:
        d = dict(d)
        for k in ("n", "es", "sf", "act_sf", "act_n"):
            if d.get(k) is not None:
                d[k] = tuple(d[k])
        return cls(**d)


def rows_of_block(block: list[int], n_layers: int, acts: bool) -> list[int]:
    """Genome rows of the layers in ``block`` (weights, and activations if searched)."""
    rows = list(block)
    if acts:
        rows += [n_layers + i for i in block]
    return rows


def crossover_block(
    best: np.ndarray, other: np.ndarray, rows: list[int], rng: np.random.Generator, p: float = 0.5
) -> np.ndarray:
    """Child = ``best`` outside ``rows``; inside, each row from ``other`` with probability ``p``."""
    child = best.copy()
    for r in rows:
        if rng.random() < p:
            child[r] = other[r]
    return child


def step_direction(f: int, rng: np.random.Generator, p_down: float = 0.5) -> int:
    """Direction (+-1) of a step of field ``f``: for ``n`` (f = 0) down with probability
    ``p_down``, for the other fields either way with probability 1/2."""
    return -1 if rng.random() < (p_down if f == 0 else 0.5) else 1


def mutate_block(
    genome: np.ndarray,
    rows: list[int],
    space: SearchSpace,
    rng: np.random.Generator,
    p: float,
    n_layers: int,
    p_step: float = 0.8,
    p_block: float = 0.0,
    p_down: float = 0.5,
) -> np.ndarray:
    """Mutate each row in ``rows`` with probability ``p`` (at least one row is mutated).

    With probability ``p_block`` the mutation is instead a *block move*: one field, chosen at
    random, steps by the same +-1 in every row of the block (e.g. one bit less for the whole
    block), which changes the fitness coherently instead of one layer at a time.  Steps of
    ``n`` go down with probability ``p_down`` (:func:`step_direction`).
    """
    g = genome.copy()
    if rows and rng.random() < p_block:
        f = int(rng.integers(4))
        d = step_direction(f, rng, p_down)
        for r in rows:
            g[r] = space.step_field(g[r], f, d, is_act=r >= n_layers)
        return g
    hit = [r for r in rows if rng.random() < p]
    if not hit and rows:
        hit = [rows[int(rng.integers(len(rows)))]]
    for r in hit:
        g[r] = space.mutate_gene(g[r], rng, is_act=r >= n_layers, p_step=p_step, p_down=p_down)
    return g


def average_bits(genome: np.ndarray, sizes: np.ndarray) -> float:
    """Average weight bits ``sum n_l |theta_l| / sum |theta_l|`` over the weight rows."""
    sizes = np.asarray(sizes, dtype=np.float64)
    return float(np.sum(genome[: len(sizes), 0] * sizes) / np.sum(sizes))
