"""Synthetic per-item values for the report tests (the human ratings are the real ones)."""

import numpy as np


def synthetic_items(quality: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-item values of a configuration whose fidelity grows with ``quality`` (< 1): the
    embedding cosines sit ``1 - quality`` below 1 on average, and the pair similarities scatter
    around the human ratings by ``2 - quality`` times a task scale."""
    from lognum.lpq.report import human_ratings_offline

    h = human_ratings_offline()
    n = rng.standard_normal
    return {
        "lee_cos_fp": 1 - (1 - quality) * rng.random(50),
        "lee_pair_cos": h["lee"] + (2 - quality) * 0.3 * n(1225),
        "wordsim353_cos": h["wordsim353"] + (2 - quality) * 3 * n(353),
        "simlex999_cos": h["simlex999"] + (2 - quality) * 3 * n(999),
        "pol_cos_fp": 1 - (1 - quality) * rng.random(200),
        "pol_cv_correct": (rng.random(200) < 0.7).astype(float),
        "pol_zs_correct": (rng.random(200) < 0.6).astype(float),
    }
