import numpy as np

from lognum.nn.tokenizer import WordPieceTokenizer, basic_tokenize

from .refdata import reference_texts, requires_minilm


def test_basic_tokenize_hand_trace():
    # lower-case, accents stripped, punctuation split, control chars dropped, CJK isolated
    assert basic_tokenize("Héllo,World!\x07 a–b 東京") == [
        "hello",
        ",",
        "world",
        "!",
        "a",
        "–",
        "b",
        "東",
        "京",
    ]


def test_wordpiece_greedy_longest_match():
    vocab = {
        t: i
        for i, t in enumerate(["[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "unaff", "##a"])
    }
    tok = WordPieceTokenizer(vocab)
    # greedy longest match: "unaff" + "##able"
    assert tok.encode("unaffable") == [1, 6, 5, 2]
    # unmatchable remainder -> whole word [UNK]
    assert tok.encode("unx") == [1, 0, 2]
    # truncation to max_len ids in total
    assert tok.encode("un un un un", max_len=4) == [1, 3, 3, 2]


@requires_minilm
def test_ids_match_hf_tokenizer_fixture():
    from lognum.nn.minilm import MiniLM

    texts, ref = reference_texts()
    m = MiniLM.load()
    ids = m.tokenize(texts)
    lens = ref["lengths"]
    flat = np.split(ref["ids"], np.cumsum(lens)[:-1])
    for i, t in enumerate(texts):
        assert ids[i] == list(flat[i]), t[:40]
