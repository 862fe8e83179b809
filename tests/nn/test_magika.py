"""magika in NumPy: preprocessing rules, weights from the graph, and the forward pass against an
independent node-by-node evaluation of the ONNX graph (tests/nn/onnx_interp.py)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from lognum.nn.magika import (
    DATA_PACKAGES,
    features,
    model_dir,
    package_dir,
    read_blocks,
    uses_model,
)
from lognum.nn.quant import QuantPlan

# magika and onnx are installed by README command 2 (magika --no-deps; onnx via the test
# extra); without them these tests skip with the install line (a skip fails the run under CI).
requires_magika = pytest.mark.skipif(
    model_dir() is None or importlib.util.find_spec("onnx") is None,
    reason="needs `pip install --no-deps magika==1.0.3` and `pip install onnx`",
)


@pytest.fixture(scope="module")
def m():
    from lognum.nn.magika import Magika

    return Magika.load()


LOGITS = "jax2tf_get_logits_/pjit_get_logits_/MagikaV2/Dense_1/AddV2:0"


def _feat(data: bytes) -> np.ndarray:
    nb = min(4096, len(data))
    return features(data[:nb], data[len(data) - nb :], len(data))


def test_features_short_file_strips_and_pads():
    data = b" \t\n hello world \r\n"
    t = _feat(data)
    assert t.shape == (2048,) and t.dtype == np.int64
    beg, end = t[:1024], t[1024:]
    assert list(beg[:14]) == list(b"hello world \r\n") and (beg[14:] == 256).all()
    assert list(end[-15:]) == list(b" \t\n hello world") and (end[:-15] == 256).all()
    assert uses_model(t, len(data))
    assert not uses_model(_feat(b"abcdefg"), 7)  # shorter than min_file_size_for_dl
    assert not uses_model(_feat(b"      abc  "), 11)  # 8th token is padding after strip


def test_features_long_file_takes_first_and_last_1024_of_the_4096_blocks():
    rng = np.random.default_rng(0)
    body = bytes(rng.integers(33, 127, size=10000, dtype=np.uint8))
    data = b"\n" * 3000 + body + b" " * 5000  # head block loses 3000 bytes to lstrip
    t = _feat(data)
    head = data[:4096].lstrip()  # 1096 bytes left
    assert list(t[:1024]) == list(head[:1024])
    tail = data[-4096:].rstrip()  # only spaces: everything stripped -> all padding
    assert tail == b"" and (t[1024:] == 256).all()
    data2 = body + b"\t" * 100
    t2 = _feat(data2)
    assert list(t2[1024:]) == list(body[-1024:]) and list(t2[:1024]) == list(body[:1024])
    with pytest.raises(ValueError, match="head and tail"):
        features(b"abc", b"abcd", 4)


def test_read_blocks(tmp_path):
    p = tmp_path / "f.bin"
    p.write_bytes(bytes(range(256)) * 40)  # 10240 bytes
    head, tail, size = read_blocks(p)
    assert size == 10240 and head == p.read_bytes()[:4096] and tail == p.read_bytes()[-4096:]


def _files() -> list[Path]:
    root = package_dir("magika")
    d = model_dir()
    return [root / "magika.py", d / "config.min.json", d / "model.onnx", d / "README.md"]


@requires_magika
def test_weights_read_from_the_graph(m):
    shapes = {k: v.shape for k, v in m.W.items()}
    assert shapes["dense0.weight"] == (64, 257) and shapes["conv0.weight"] == (512, 256, 5)
    assert shapes["dense1.weight"] == (214, 512) and shapes["ln0.gamma"] == (512,)
    assert sum(v.size for v in m.W.values()) == 784214
    assert m.eps == pytest.approx({"ln0": 1e-6, "ln1": 1e-6})
    assert len(m.labels) == 214 and m.labels[0] == "3gp" and "python" in m.labels
    assert m.extension_labels()["py"] == "python"


@requires_magika
def test_forward_matches_onnx_graph_node_by_node(m):
    import onnx

    from tests.nn import onnx_interp

    x = np.stack([m.tokens_of(p)[0] for p in _files()] + [_feat(b"int main(void) { return 0; }")])
    z, blocks = m.forward(x, capture=True)
    ref = onnx_interp.run(
        onnx.load(str(model_dir() / "model.onnx")),
        {"bytes": x.astype(np.int32)},
        ["target_label", LOGITS],
    )
    zr = ref[LOGITS]
    assert z.shape == zr.shape == (5, 214)
    assert np.abs(z - zr).max() <= 1e-5 * np.abs(zr).max()
    assert np.abs(m.probabilities(x) - ref["target_label"]).max() <= 1e-5
    assert (z.argmax(1) == zr.argmax(1)).all()
    assert [m.labels[i] for i in z.argmax(1)[:4]] == ["python", "json", "onnx", "markdown"]
    assert blocks[0].shape == (5, 512, 256) and blocks[1].shape == (5, 512)


@requires_magika
def test_quantization_hooks(m):
    x = np.stack([m.tokens_of(p)[0] for p in _files()[:2]])
    z0 = m.forward(x)[0]
    seen = {}

    class Rec(QuantPlan):
        def act(self, name, a):
            seen[name] = a.shape
            return a

    assert np.array_equal(m.forward(x, Rec())[0], z0)
    assert seen == {"conv0": (2, 512, 256), "dense1": (2, 512)}
    for nm in m.linear_names:
        zq = m.forward(x, QuantPlan({nm: lambda w: np.round(w * 4) / 4}))[0]
        assert not np.allclose(zq, z0, atol=1e-3), nm
    zero = m.forward(x, QuantPlan(acts={"dense1": np.zeros_like}))[0]
    np.testing.assert_allclose(zero, np.broadcast_to(m.W["dense1.bias"], zero.shape), atol=1e-6)
    with pytest.raises(ValueError, match="tokens must"):
        m.forward(np.zeros((1, 100), dtype=np.int64))
    with pytest.raises(ValueError, match="tokens must"):
        m.forward(np.full((1, 2048), 257))


@requires_magika
def test_package_files_deterministic_disjoint_and_labelled_by_extension(m):
    from lognum.nn.magika import package_files, package_key

    test, calib = package_files(m, per_label=3, n_calib=6)
    assert (test, calib) == package_files(m, per_label=3, n_calib=6)
    ext = m.extension_labels()
    assert {Path(p).suffix.lstrip(".").lower() for p, _ in test} <= set(ext)
    assert all(ext[Path(p).suffix.lstrip(".").lower()] == lab for p, lab in test)
    labs = [lab for _, lab in test]
    assert labs == sorted(labs) and max(labs.count(v) for v in set(labs)) == 3
    assert {"python", "json", "cpp", "onnx"} <= set(labs)
    assert len(calib) == 6 and not set(calib) & {p for p, _ in test}
    other, _ = package_files(m, per_label=3, seed=1)
    assert other != test
    x = np.stack([m.tokens_of(p)[0] for p, _ in test if _ in ("python", "onnx")])
    y = [lab for _, lab in test if lab in ("python", "onnx")]
    assert [m.labels[i] for i in m.predict(x, batch=4)] == y
    keys = [package_key(p) for p, _ in test]
    assert all(k.split("/")[0] in DATA_PACKAGES for k in keys)
    assert package_key(package_dir("magika") / "magika.py") == "magika/magika.py"
    with pytest.raises(ValueError, match="not inside"):
        package_key("/nonexistent/file.py")
    with pytest.raises(ValueError, match="per_label"):
        package_files(m, per_label=0)
