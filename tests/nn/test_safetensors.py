import json
import struct

import numpy as np
import pytest

from lognum.nn.safetensors import load_safetensors


def _write(path, tensors, extra_header=None):
    header, blobs, off = {}, [], 0
    codes = {np.dtype("<f4"): "F32", np.dtype("<f2"): "F16", np.dtype("<i8"): "I64"}
    for name, a in tensors.items():
        b = np.ascontiguousarray(a).tobytes()
        header[name] = {
            "dtype": codes[a.dtype],
            "shape": list(a.shape),
            "data_offsets": [off, off + len(b)],
        }
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"format": "pt"}
    if extra_header:
        header.update(extra_header)
    h = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def test_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    t = {
        "a.weight": rng.standard_normal((3, 5)).astype("<f4"),
        "b": np.arange(7, dtype="<i8"),
        "h": rng.standard_normal(4).astype("<f2"),
    }
    _write(tmp_path / "x.safetensors", t)
    got = load_safetensors(tmp_path / "x.safetensors")
    assert set(got) == set(t)
    for k in t:
        assert got[k].dtype == t[k].dtype and got[k].shape == t[k].shape
        np.testing.assert_array_equal(got[k], t[k])
    got["a.weight"][0, 0] = 1.0  # copies are writable


def test_bad_dtype(tmp_path):
    h = json.dumps({"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}).encode()
    (tmp_path / "y.safetensors").write_bytes(struct.pack("<Q", len(h)) + h + bytes(8))
    with pytest.raises(ValueError, match="dtype"):
        load_safetensors(tmp_path / "y.safetensors")


def test_truncated(tmp_path):
    (tmp_path / "z.safetensors").write_bytes(b"\x01\x02")
    with pytest.raises(ValueError):
        load_safetensors(tmp_path / "z.safetensors")
