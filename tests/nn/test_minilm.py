import numpy as np

from lognum.nn.quant import QuantPlan

from .refdata import reference_texts, requires_minilm

# tolerance of the NumPy forward pass against sentence-transformers 6.2.0 / torch 2.13.0 CPU
# (fixture tests/nn/data/minilm_reference.npz): max |d embedding| <= 1e-5, cosine >= 0.99999
ATOL = 1e-5


@requires_minilm
def test_embeddings_match_sentence_transformers():
    from lognum.nn.minilm import MiniLM

    texts, ref = reference_texts()
    m = MiniLM.load()
    emb = m.encode(texts)
    assert emb.shape == ref["embeddings"].shape
    assert np.abs(emb - ref["embeddings"]).max() <= ATOL
    assert (emb * ref["embeddings"]).sum(1).min() >= 0.99999


@requires_minilm
def test_weight_hook_changes_only_hooked_layer_and_capture():
    from lognum.nn.minilm import MiniLM

    m = MiniLM.load()
    assert len(m.linear_names) == 36
    ids = m.tokenize(["A short sentence.", "Another, slightly longer sentence here."])
    e0, _, b0 = m.forward_ids(ids, capture=True)
    assert len(b0) == 6
    # zeroing the last FFN2 weight leaves blocks 0..4 identical and changes block 5
    plan = QuantPlan({"encoder.layer.5.output.dense": lambda w: np.zeros_like(w)})
    e1, _, b1 = m.forward_ids(ids, plan, capture=True)
    for i in range(5):
        np.testing.assert_array_equal(b0[i], b1[i])
    assert np.abs(b0[5] - b1[5]).max() > 1e-3
    # an activation hook on the first query input changes the output
    plan = QuantPlan(acts={"encoder.layer.0.attention.self.query": lambda x: np.round(x)})
    e2, _, _ = m.forward_ids(ids, plan)
    assert np.abs(e2 - e0).max() > 1e-4
