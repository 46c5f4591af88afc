"""Figures: whether a question asks for one (多少, 占比, 排第几), and how well a passage states
one about the question's subject — read by abstention (is the figure in the library at all?)
and by ranking (the passage that states it first)."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.answer.query import synonym_groups
from assistant.index.tokenize import normalize

# A sentence ends at a full stop, a semicolon or a mark, full-width or half-width: pages copied
# from the web write 「…5545万元;工业产值…」 as often as 「…；…」.
SENTENCE_END = "。！？；;!?"
SENTENCE = re.compile(rf"[^{SENTENCE_END}\n]+")
# A number as reports write it: digits, a redaction (XX万元), or Chinese numerals with a unit.
NUMBER = re.compile(r"\d|[XＸ]{2}|[一二三四五六七八九十两百千万亿]+[个项家所起人次条座处户名位倍成]")


def asks_figure(text: str) -> bool:
    """The question asks for a figure (figure_words.txt: 多少, 占比, 排第几)."""
    return any(p.search(text) for p in lexicon.patterns("figure_words.txt"))


def mentions(term: str, text: str) -> bool:
    """`text` holds the term or one of its synonyms (修路: 公路, 道路)."""
    return term in text or any(s in text for s in synonym_groups().get(term, ()))


def stated_share(text: str, weights: dict[str, float], only: re.Pattern[str] | None = None) -> float:
    """The best share of the terms' weight (idf) that one sentence of `text` holding a number
    (and matching `only`, if given) mentions: how fully the passage states a figure about them
    (0 without a number)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    best = 0.0
    for sentence in SENTENCE.findall(normalize(text)):
        if NUMBER.search(sentence) and (only is None or only.search(sentence)):
            best = max(best, sum(w for t, w in weights.items() if mentions(t, sentence)) / total)
    return best
