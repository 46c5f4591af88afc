"""Questions across the library about a subject (「哪些省份提到了低空经济？」): every report
that mentions it, found by reading the whole library, not only the top passages.

The subject is what the question's form names: a quoted term as written (“苏超”), else the
words after 提到/提及/涉及/有没有 — alternatives split at 或/和/、 — or the question's topic
words. A report mentions the subject when one of its passages holds every word of one
alternative (低空 and 经济; 燃气 and 安全), or the quoted term as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.index.index import Index
from assistant.index.tokenize import normalize, stopwords, tokenize
from assistant.models import Chunk

QUOTED = re.compile(r"[“\"「『‘']([^”\"」』’']{2,20})[”\"」』’']")
# the subject named after a verb of mentioning, up to the end of the clause
WHETHER = (re.compile(r"(?:有没有|是否有)([^，。？！?!,；;]{2,30})"),)  # whether it is said at all
MENTIONED = (re.compile(r"(?:提到|提及|涉及|说到|讲到)(?:了|过)?([^，。？！?!,；;]{2,30})"), *WHETHER)
ALTERNATIVES = re.compile(r"或者|或是|还是|以及|或|和|与|及|、|/")
# words of the clause that are no part of its subject (「…的内容」, 「…方面的工作」)
TRAILING = re.compile(r"(?:的)?(?:相关)?(?:内容|工作|情况|事情|方面|问题|做法|举措|措施|进展)?(?:吗|呢)?$")
MIN_WORD_CHARS = 2  # a one-character word (的, 省) says nothing about the subject


@dataclass
class Subject:
    """What a list question asks the library for: alternatives, each a set of words."""

    text: str  # as the question writes it
    alternatives: list[list[str]]
    exact: bool  # quoted: matched as written
    phrases: list[str] = field(default_factory=list)  # each alternative as written (低空经济)

    @property
    def words(self) -> list[str]:
        """Every word of every alternative, once each, in order."""
        return list(dict.fromkeys(w for alternative in self.alternatives for w in alternative))


def subject_of(question: str) -> Subject | None:
    """The subject a list question names (None when its form names none)."""
    quoted = QUOTED.findall(question)
    if quoted:
        return Subject("、".join(quoted), [[q] for q in quoted], True, quoted)
    m = next((m for pattern in MENTIONED if (m := pattern.search(question))), None)
    if not m:
        return None
    phrase = TRAILING.sub("", m.group(1).strip())
    parts = [p.strip() for p in ALTERNATIVES.split(phrase) if p.strip()]
    pairs = [(p, _words(p)) for p in parts]
    pairs = [(p, words) for p, words in pairs if words]
    if not pairs:
        return None
    return Subject(phrase, [w for _, w in pairs], False, [normalize(p) for p, _ in pairs])


def _words(phrase: str) -> list[str]:
    """The smallest content words of a phrase (燃气安全: 燃气, 安全; 乡贤), so a passage that
    speaks of 燃气 and its 安全 in other words mentions it too."""
    stop = stopwords()
    words = [w for w in tokenize(phrase) if len(w) >= MIN_WORD_CHARS and w not in stop]
    return list(dict.fromkeys(w for w in words if not any(o != w and o in w for o in words)))


def _holds_words(subject: Subject, normalized: str) -> bool:
    return any(all(w in normalized for w in words) for words in subject.alternatives)


def _holds_phrase(subject: Subject, normalized: str) -> bool:
    return any(p in normalized for p in subject.phrases)


def mentions(subject: Subject, text: str) -> bool:
    """The text holds every word of one of the subject's alternatives."""
    return _holds_words(subject, normalize(text))


def as_written(subject: Subject, text: str) -> bool:
    """The text holds one of the subject's alternatives exactly as the question writes it."""
    return _holds_phrase(subject, normalize(text))


def mentioning(index: Index, subject: Subject, report_ids: set[str] | None = None) -> dict[str, Chunk]:
    """report id → the passage of it that mentions the subject — its first holding the words
    as written, else its first holding them at all — over the whole library (or the given
    reports), in library order."""
    found: dict[str, Chunk] = {}
    exact: set[str] = set()
    for chunk in index.derived().chunks:
        rid = chunk.report_id
        if rid in exact or (report_ids is not None and rid not in report_ids):
            continue
        text = normalize(chunk.text)  # once a passage: the whole library is read
        if _holds_phrase(subject, text):
            found[rid] = chunk
            exact.add(rid)
        elif rid not in found and _holds_words(subject, text):
            found[rid] = chunk
    return found
