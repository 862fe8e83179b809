"""Minimal NumPy reader for the safetensors format (no ``safetensors`` dependency).

Layout (the safetensors format): an 8-byte little-endian unsigned header length ``N``, a UTF-8
JSON header of ``N`` bytes mapping tensor names to ``{"dtype", "shape", "data_offsets"}``
(offsets relative to the end of the header), then the raw little-endian tensor data.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

_DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
}


def load_safetensors(path: str | Path, copy: bool = True) -> dict[str, np.ndarray]:
    """Read every tensor of a ``.safetensors`` file into a dict of NumPy arrays.

    ``copy=False`` returns read-only views on one buffer (fast); the default copies each
    tensor into its own writable, aligned array.
    """
    buf = Path(path).read_bytes()
    if len(buf) < 8:
        raise ValueError(f"path {path!s} is not a safetensors file (shorter than 8 bytes)")
    (hlen,) = struct.unpack("<Q", buf[:8])
    if hlen > len(buf) - 8:
        raise ValueError(f"path {path!s}: header length {hlen} exceeds the file size")
    header = json.loads(buf[8 : 8 + hlen])
    base = 8 + hlen
    out: dict[str, np.ndarray] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] not in _DTYPES:
            raise ValueError(f"tensor {name!r}: dtype {meta['dtype']!r} not in {sorted(_DTYPES)}")
        dt = np.dtype(_DTYPES[meta["dtype"]])
        start, stop = meta["data_offsets"]
        shape = tuple(int(s) for s in meta["shape"])
        count = int(np.prod(shape, dtype=np.int64))
        if (stop - start) != count * dt.itemsize:
            raise ValueError(f"tensor {name!r}: data_offsets do not match shape and dtype")
        arr = np.frombuffer(buf, dtype=dt, count=count, offset=base + start).reshape(shape)
        out[name] = arr.astype(dt.newbyteorder("="), copy=True) if copy else arr
    return out
