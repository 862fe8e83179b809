"""Pure-Python BERT (uncased) basic + WordPiece tokenizer.

Reproduces the tokenizer of all-MiniLM-L6-v2 (HF ``BertTokenizer`` / ``tokenizers``
``BertNormalizer`` + ``BertPreTokenizer`` + ``WordPiece``) as described in
the model's tokenizer files:

1. basic tokenizer: drop U+0000, U+FFFD and control characters (category ``C*`` except
   ``\\t \\n \\r``); surround CJK ideographs with spaces; map whitespace to a space; lowercase;
   NFD-normalise and drop combining marks (``Mn``); split on whitespace, then split off every
   punctuation character (ASCII 33-47, 58-64, 91-96, 123-126 and category ``P*``);
2. WordPiece: greedy longest match from the left, continuation pieces prefixed ``##``; a word
   longer than 100 characters or with an unmatchable remainder becomes ``[UNK]``;
3. truncate to ``max_len - 2`` ids and wrap as ``[CLS] ... [SEP]``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def _is_whitespace(ch: str) -> bool:
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def basic_tokenize(text: str) -> list[str]:
    """Split ``text`` into lower-cased, accent-stripped words and punctuation marks."""
    chars = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if _is_whitespace(ch):
            chars.append(" ")
        elif _is_cjk(cp):
            chars.append(f" {ch} ")
        else:
            chars.append(ch)
    text = "".join(chars).lower()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    out: list[str] = []
    for word in text.split():
        cur = ""
        for ch in word:
            if _is_punctuation(ch):
                if cur:
                    out.append(cur)
                    cur = ""
                out.append(ch)
            else:
                cur += ch
        if cur:
            out.append(cur)
    return out


class WordPieceTokenizer:
    """BERT WordPiece tokenizer over a ``vocab.txt`` (one token per line, id = line number)."""

    def __init__(
        self,
        vocab: dict[str, int],
        unk_token: str = "[UNK]",
        cls_token: str = "[CLS]",
        sep_token: str = "[SEP]",
        max_chars_per_word: int = 100,
    ) -> None:
        for tok in (unk_token, cls_token, sep_token):
            if tok not in vocab:
                raise ValueError(f"vocab must contain the special token {tok!r}")
        self.vocab = vocab
        self.unk_id = vocab[unk_token]
        self.cls_id = vocab[cls_token]
        self.sep_id = vocab[sep_token]
        self.max_chars_per_word = int(max_chars_per_word)
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_file(cls, path: str | Path) -> WordPieceTokenizer:
        """Read a ``vocab.txt`` (UTF-8, one token per line)."""
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines = lines[:-1]
        return cls({tok: i for i, tok in enumerate(lines)})

    def wordpiece(self, word: str) -> list[int]:
        """Greedy longest-match-first WordPiece ids of one basic token."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        if len(word) > self.max_chars_per_word:
            ids = [self.unk_id]
        else:
            ids = []
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]
                        break
                    end -= 1
                if found is None:
                    ids = [self.unk_id]
                    break
                ids.append(found)
                start = end
        self._cache[word] = ids
        return ids

    def encode(self, text: str, max_len: int = 256) -> list[int]:
        """Token ids ``[CLS] ... [SEP]`` of ``text``, truncated to ``max_len`` ids in total."""
        if int(max_len) < 2:
            raise ValueError(f"max_len must be >= 2, got {max_len}")
        ids: list[int] = []
        for word in basic_tokenize(text):
            ids.extend(self.wordpiece(word))
            if len(ids) >= max_len - 2:
                break
        return [self.cls_id, *ids[: max_len - 2], self.sep_id]
