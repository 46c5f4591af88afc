"""Text normalisation and jieba tokenisation for BM25.

`normalize` is shared by every text that gets matched (chunk embedding text, BM25 tokens and
queries), so that a query written with full-width digits or the "D" redaction for 党 meets the
same form as the corpus. `tokenize` turns a normalised text into BM25 terms.
"""

from __future__ import annotations

import logging
import re
import threading

import jieba

from assistant import lexicon

# CJK Unified Ideographs and Extension A: the characters a Chinese word is made of.
CJK = "\u3400-\u4dbf\u4e00-\u9fff"

# Full-width ASCII letters and digits (Ａ-Ｚ ａ-ｚ ０-９), the ideographic space and ％ mapped to
# their half-width forms. Full-width punctuation (，。：；（）…) is left alone on purpose: it
# is ordinary Chinese punctuation and heading marks such as （一） rely on it, which NFKC
# would destroy (it also turns ① into 1).
FULL_TO_HALF = str.maketrans(
    {
        **{chr(code): chr(code - 0xFEE0) for code in range(0xFF10, 0xFF1A)},
        **{chr(code): chr(code - 0xFEE0) for code in range(0xFF21, 0xFF3B)},
        **{chr(code): chr(code - 0xFEE0) for code in range(0xFF41, 0xFF5B)},
        "\u3000": " ",
        "％": "%",
    }
)

# Characters after which a D is a grade, not the redacted 党: C级/D级危房, D类, D型, D栋 …
GRADE_SUFFIXES = "级类型栋座幢区档"

# The redaction "D" for 党 (D建, D委, 全面从严治D …): a capital D that touches a CJK character
# on at least one side and is not part of a Latin word or number (DNA, FDI, 3D, ID, GDP, PDF).
PARTY_D = re.compile(
    rf"(?<![A-Za-z0-9])"  # not the end of a Latin word or a number: 3D, FDI, GDP
    rf"(?:(?<=[{CJK}])D|D(?=[{CJK}]))"  # next to a Chinese character on the left or right
    rf"(?![A-Za-z0-9{GRADE_SUFFIXES}])"  # not the start of a Latin word (DNA) nor a grade (D级)
)

# A token is a term only if it holds a letter, digit or Chinese character; this drops
# punctuation and whitespace tokens that jieba emits as words of their own.
WORD_CHAR = re.compile(r"\w")

USER_DICT = "user_dict.txt"  # government terms kept whole, one per line (package data)
STOPWORDS = "stopwords.txt"  # minimal function/question words dropped from BM25 terms

# jieba's HMM guesses new words from unknown character runs; it can cut the same phrase one way
# in a query and another in a passage. Measured on the sample corpus (heading → body BM25,
# 127 pairs): MRR@10 0.254 without HMM vs 0.251 with it, so it stays off (also deterministic).
SEARCH_HMM = False

_tokenizer: jieba.Tokenizer | None = None
_tokenizer_lock = threading.Lock()


def normalize(text: str) -> str:
    """Full-width letters/digits to half-width, the D redaction back to 党, Latin lower-cased.

    Idempotent, so callers may normalise text that was already normalised.
    """
    text = text.translate(FULL_TO_HALF)
    text = PARTY_D.sub("党", text)
    return text.lower()


def terms_version() -> str:
    """A fingerprint of what decides BM25 terms (user dictionary, stopwords): an index whose
    BM25 was built under another one is rebuilt."""
    return lexicon.fingerprint(lexicon.TERM_FILES)


def stopwords() -> frozenset[str]:
    """The stopword set from the lexicon's stopwords.txt."""
    return frozenset(lexicon.entries(STOPWORDS))


def get_tokenizer() -> jieba.Tokenizer:
    """The module's own jieba.Tokenizer with the user dictionary, built once on first use.

    A private instance keeps our dictionary out of the global `jieba` state other code may use.
    """
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            logging.getLogger("jieba").setLevel(logging.WARNING)  # no "Building prefix dict…"
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for row in lexicon.entries(USER_DICT):
                word, _, freq = row.partition(" ")
                tokenizer.add_word(word, int(freq) if freq.strip() else None)
            _tokenizer = tokenizer
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """BM25 terms of a text: normalised, cut for search, without punctuation and stopwords.

    Search mode also emits the parts of long words (乡村振兴 → 乡村, 振兴, 乡村振兴), so a query
    for either the whole term or a part of it matches. Single characters are kept (证, 债 …).
    """
    stop = stopwords()
    words = get_tokenizer().cut_for_search(normalize(text), HMM=SEARCH_HMM)
    return [w for w in words if WORD_CHAR.search(w) and w not in stop]
