"""Lesson 13 (LPQ search): expected answers (enumeration, lognum.lpq, the tiny CNN)."""

from __future__ import annotations

import itertools

import numpy as np

from lognum.teach.checks import exercise


@exercise(
    "13.1",
    "size of the search space for 4 layers",
    hint="per layer: sum over n of (n - 2) rs values x 3 es x 6 sf; then to the 4th power.",
)
def _e1():
    from lognum.lpq import SearchSpace

    sp = SearchSpace(n=(3, 4, 5), es=(0, 1, 2), sf=(0, 1, 2, 3, 4, 5))
    rows = [
        (n, es, rs, sf)
        for n, es, sf in itertools.product(sp.n, sp.es, sp.sf)
        for rs in range(sp.rs_min, min(sp.rs_max, n - 1) + 1)
    ]
    return len(rows) ** 4


@exercise(
    "13.2",
    "L_C of word sizes (5, 4, 4, 3)",
    rtol=1e-12,
    hint="sum of n_l * size_l over 5 * sum of size_l.",
)
def _e2():
    from lognum.lpq.fitness import compression_loss
    from lognum.lpq.problems import TinyCNNProblem

    p = TinyCNNProblem(n_calib=128)
    g = np.array([[5, 1, 4, 3], [4, 1, 3, 3], [4, 1, 3, 3], [3, 1, 2, 3]], dtype=float)
    return compression_loss(g, np.asarray(p.layer_sizes), 5)


@exercise(
    "13.3",
    "accuracy of the best single LP<5,es,4,sf> format",
    rtol=0,
    atol=1e-12,
    hint="6 formats; quantize all four layers with each, keep the best accuracy on 300 "
    "test images.",
)
def _e3():
    from lognum.formats.logposit import LogPosit
    from lognum.nn.cnn import TinyCNN
    from lognum.nn.data import mnist_split
    from lognum.nn.quant import QuantPlan

    d = mnist_split()
    cnn = TinyCNN.load()
    x, y = d["x_test"][:300], d["y_test"][:300]
    accs = [
        float(
            np.mean(
                cnn.predict(x, QuantPlan(dict.fromkeys(cnn.linear_names, LogPosit(5, es, 4, sf))))
                == y
            )
        )
        for es, sf in itertools.product((0, 1, 2), (2, 3))
    ]
    return max(accs)
