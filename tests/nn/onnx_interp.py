"""A tiny generic ONNX interpreter in NumPy for the ops of magika's graph (test oracle).

It runs the graph node by node from the ONNX protobuf (``onnx`` parses the file; nothing of
:mod:`lognum.nn.magika` is used), so it checks the hand-written forward pass independently:
op order, shapes, constants and epsilons all come from the graph.
"""

from __future__ import annotations

import numpy as np

_NP = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


def _axes(node, inputs, attrs, pos=1):
    if len(inputs) > pos and inputs[pos] is not None:
        return tuple(int(a) for a in inputs[pos])
    a = attrs.get("axes")
    return None if a is None else tuple(int(v) for v in a)


def _conv(x, w, attrs):
    if attrs.get("group", 1) != 1 or any(attrs.get("pads", [0])):
        raise NotImplementedError("Conv: only group=1, no padding")
    if any(s != 1 for s in attrs.get("strides", [1])) or any(
        d != 1 for d in attrs.get("dilations", [1])
    ):
        raise NotImplementedError("Conv: only stride 1, dilation 1")
    kh, kw = w.shape[2:]
    ho, wo = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    out = np.zeros((x.shape[0], w.shape[0], ho, wo), dtype=np.float32)
    for i in range(kh):  # direct convolution: one tap at a time
        for j in range(kw):
            out += np.einsum("oc,bchw->bohw", w[:, :, i, j], x[:, :, i : i + ho, j : j + wo])
    return out


def _slice(x, starts, ends, axes=None, steps=None):
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    sl = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps, strict=True):
        sl[int(a)] = slice(int(s), int(min(e, 2**62)), int(st))
    return x[tuple(sl)]


def run(model, feeds: dict[str, np.ndarray], outputs: list[str] | None = None) -> dict:
    """Evaluate ``model`` (an ``onnx.ModelProto``); returns every requested value by name."""
    from onnx import helper, numpy_helper

    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update(feeds)
    for nd in model.graph.node:
        a = {x.name: helper.get_attribute_value(x) for x in nd.attribute}
        ins = [env[i] if i else None for i in nd.input]
        op = nd.op_type
        if op == "Reshape":
            shp = [int(s) for s in ins[1]]
            shp = [ins[0].shape[k] if s == 0 else s for k, s in enumerate(shp)]
            r = ins[0].reshape(shp)
        elif op == "Shape":
            r = np.array(ins[0].shape, dtype=np.int64)
        elif op == "Cast":
            r = ins[0].astype(_NP[a["to"]])
        elif op == "Slice":
            r = _slice(ins[0], *[None if v is None else list(v) for v in ins[1:]])
        elif op == "Concat":
            r = np.concatenate(ins, axis=a["axis"])
        elif op == "Expand":
            r = ins[0] * np.ones([int(s) for s in ins[1]], dtype=ins[0].dtype)
        elif op == "Equal":
            r = ins[0] == ins[1]
        elif op == "MatMul":
            r = np.matmul(ins[0], ins[1])
        elif op in ("Add", "Sub", "Mul", "Div"):
            f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op]
            r = f(ins[0], ins[1])
        elif op == "Max":
            r = ins[0]
            for v in ins[1:]:
                r = np.maximum(r, v)
        elif op in ("Tanh", "Sqrt", "Exp", "Reciprocal"):
            f = {"Tanh": np.tanh, "Sqrt": np.sqrt, "Exp": np.exp, "Reciprocal": np.reciprocal}
            r = f[op](ins[0])
        elif op in ("ReduceSum", "ReduceMax", "ReduceMean"):
            ax = _axes(nd, ins, a)
            f = {"ReduceSum": np.sum, "ReduceMax": np.max, "ReduceMean": np.mean}[op]
            r = f(ins[0], axis=ax, keepdims=bool(a.get("keepdims", 1)))
        elif op == "Unsqueeze":
            r = np.expand_dims(ins[0], _axes(nd, ins, a))
        elif op == "Squeeze":
            r = np.squeeze(ins[0], axis=_axes(nd, ins, a))
        elif op == "Transpose":
            r = np.transpose(ins[0], a["perm"])
        elif op == "Conv":
            if len(ins) > 2 and ins[2] is not None:
                raise NotImplementedError("Conv with bias")
            r = _conv(ins[0], ins[1], a)
        elif op == "GlobalMaxPool":
            r = ins[0].max(axis=tuple(range(2, ins[0].ndim)), keepdims=True)
        else:
            raise NotImplementedError(f"ONNX op {op}")
        env[nd.output[0]] = np.asarray(r)
    names = outputs or [o.name for o in model.graph.output]
    return {n: env[n] for n in names}
