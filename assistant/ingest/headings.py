"""The heading grammar of Chinese work reports: which line opens a section, at which rank.

Ranks follow 公文 numbering: 一、 > （一） > 1. > （1） > ①. Full- and half-width marks are
equivalent; a heading may run inline with its body ("（一）标题。正文…"): it ends at the first
sentence end, or at a colon close to its start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_NUM = "一二三四五六七八九十百零〇"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Width folding for the characters that carry structure: digits, brackets, dot, comma, colon.
_FOLD = str.maketrans("０１２３４５６７８９（）．，：；", "0123456789().,:;")

RANK_PART = 0.5  # 第一部分 / 第一篇: above 一、, which a part may hold
RANK_CN = 1  # 一、
RANK_CN_PAREN = 2  # （一）
RANK_DIGIT = 3  # 1.  1、  1．
RANK_DIGIT_PAREN = 4  # （1）
RANK_CIRCLED = 5  # ①

_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (RANK_PART, re.compile(rf"^(第[{CN_NUM}]{{1,3}}(?:部分|篇)[、.:]?)")),
    (RANK_CN, re.compile(rf"^([{CN_NUM}]{{1,3}}[、.])")),
    (RANK_CN_PAREN, re.compile(rf"^(\(\s*[{CN_NUM}]{{1,3}}\s*\)[、.]?)")),
    # "1." but not a decimal ("1.5万") nor a date or range ("1-9月", "2023年").
    (RANK_DIGIT, re.compile(r"^(\d{1,2}[.、](?!\d))")),
    (RANK_DIGIT_PAREN, re.compile(r"^(\(\s*\d{1,2}\s*\)[、.]?)")),
    (RANK_CIRCLED, re.compile(rf"^([{CIRCLED}][、.]?)")),
]

# An inline heading ends at the first of these; a colon counts only this close to the start.
_SENTENCE_END = "。！？!?"
_COLON_WINDOW = 24
# A first sentence longer than this is a numbered paragraph: its first clause is the heading
# and the whole sentence stays in the body.
MAX_HEADING_CHARS = 30
# A heading line with no body after it may be longer before it counts as a paragraph.
MAX_STANDALONE_HEADING_CHARS = 60
_CLAUSE_END = "，,；;"


def fold(text: str) -> str:
    """Full-width digits and structural punctuation to half-width, for matching only."""
    return text.translate(_FOLD)


@dataclass
class Heading:
    """A heading found at the start of a line."""

    rank: float  # RANK_* below: a smaller rank holds the larger ones
    marker: str  # as written in the source
    title: str  # heading text without marker and trailing punctuation
    rest: str  # body text that followed on the same line
    line: str = ""  # the heading part of the line as written, when a body follows it


def split_inline(text: str) -> tuple[str, str]:
    """Split "标题。正文…" into (标题, 正文…); a colon close to the start also ends the title."""
    for i, ch in enumerate(text):
        if ch in _SENTENCE_END:
            return text[:i].strip(), text[i + 1 :].strip()
        if ch in "：:" and i <= _COLON_WINDOW:
            return text[:i].strip(), text[i + 1 :].strip()
    return text.strip(), ""


def parse_heading(line: str) -> Heading | None:
    """Return the numbered heading that opens `line`, or None for body text."""
    stripped = line.strip()
    folded = fold(stripped)
    for rank, pattern in _PATTERNS:
        m = pattern.match(folded)
        if not m:
            continue
        marker = stripped[: m.end()].strip()
        body = stripped[m.end() :].strip()
        if not body or body[0] in "是，,。":  # 一是 / 一，are enumerations, not headings
            return None
        title, rest = split_inline(body)
        title = title.rstrip("，,；;、")
        if len(title) > (MAX_HEADING_CHARS if rest else MAX_STANDALONE_HEADING_CHARS):
            clause = next((i for i, ch in enumerate(title) if ch in _CLAUSE_END), len(title))
            if not 2 <= clause <= MAX_STANDALONE_HEADING_CHARS:
                return None
            title, rest = title[:clause], body
        line = stripped[: len(stripped) - len(rest)] if rest else ""
        return Heading(rank=rank, marker=marker, title=title, rest=rest, line=line) if title else None
    return None
