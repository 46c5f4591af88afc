"""Rewriting example text for the target: lead clauses as headings, other units' names and
years swapped for the target's, and every number masked as XX in reference points."""

from __future__ import annotations

import re

from assistant.index.tokenize import PARTY_D
from assistant.ingest.metadata import canonical_org, regions
from assistant.models import UNKNOWN, Report
from assistant.outline.request import OutlineRequest

ITEM_MARK = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}是|第[一二三四五六七八九十]{1,3}[，,、]|其[一二三四五六七八九十][，,、])"
)
SENTENCE_END = re.compile(r"[。；;！？!?]")
# A heading taken from a passage is cut to this many characters (at a comma when it can be).
MAX_HEADING_CHARS = 28
# A reference point is the first sentence of a passage, cut to this many characters.
MAX_POINT_CHARS = 90
# Arabic numbers (half- or full-width, with decimals, ranges' parts and a trailing %) → XX.
NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?\s*([%％])?")
XX_RUN = re.compile(r"(?:XX|X){2,}")
YEAR = re.compile(r"(20\d{2})(?=\s*年)")
LEVEL_CHARS = "乡镇县区市省"
MIN_ALIAS = 2  # shortest alias of a region replaced in headings
# How a unit of each level speaks of its own area (全县, 我镇 …) in the first person.
SELF_WORDS = re.compile(r"(全|我|本)(乡|镇|街道|县|区|市)")


def strip_item_mark(text: str) -> str:
    """An item's text without its 一是/第一， mark."""
    return ITEM_MARK.sub("", text, count=1).strip()


def first_sentence(text: str, limit: int = MAX_POINT_CHARS) -> str:
    """The first sentence of a passage (without its end mark); a longer one than `limit` is
    cut at a clause end (a comma), never inside a clause."""
    text = " ".join(text.split())
    m = SENTENCE_END.search(text)
    sentence = text[: m.start()] if m else text
    if len(sentence) > limit:
        comma = sentence.rfind("，", 0, limit)
        if comma <= limit // 2:
            comma = sentence.find("，", limit)
        sentence = sentence[:comma] if comma > 0 else sentence
    return sentence.strip()


def lead_clause(text: str) -> str:
    """A heading from an 一是… item or a sentence: its first sentence, short enough to head."""
    sentence = first_sentence(strip_item_mark(text), limit=10_000)
    if len(sentence) <= MAX_HEADING_CHARS:
        return sentence
    clauses = [c for c in re.split(r"[，,：:]", sentence) if c]
    heading = ""
    for clause in clauses:
        if len(heading) + len(clause) + 1 > MAX_HEADING_CHARS:
            break
        heading = f"{heading}，{clause}" if heading else clause
    return heading or sentence[:MAX_HEADING_CHARS]


def mask_numbers(text: str, keep_years: bool = False) -> str:
    """Every Arabic number (decimals and percentages included) replaced by XX; years too,
    unless `keep_years` (headings keep theirs, shifted to the target's)."""

    def mask(m: re.Match[str]) -> str:
        if keep_years and YEAR.match(m.string, m.start()):
            return m.group(0)
        return "XX%" if m.group(1) else "XX"

    return XX_RUN.sub("XX", NUMBER.sub(mask, text))


def target_place(request: OutlineRequest) -> str:
    """How the target's own area is named: the place itself (XX镇), else XX + its level."""
    org = request.org
    if org and org[-1] in LEVEL_CHARS and len(org) > 1:
        return org
    return f"XX{request.level}" if request.level in LEVEL_CHARS or request.level == "街道" else ""


def _self_level(request: OutlineRequest) -> str:
    """The level word a target uses for its own area (县 for 县民政局)."""
    return request.level if request.level not in (UNKNOWN, "省") else ""


def _names_of(org: str) -> list[str]:
    """A unit's names, longest first: a provincial region's canonical name and its aliases of
    two or more characters (one-character abbreviations such as 滇 occur inside other words)."""
    canonical = canonical_org(org)
    names = {org, *(n for n, c in regions().items() if c == canonical and len(n) >= MIN_ALIAS)}
    return sorted(names, key=len, reverse=True)


def retarget(text: str, report: Report, request: OutlineRequest, year_shift: int) -> str:
    """An example heading rewritten for the target: the example's unit → the target (a
    province by any of its names: 内蒙古 → XX省), its own place (XX镇, 全镇) → the target's,
    years shifted by `year_shift`."""
    if request.org and report.org not in (UNKNOWN, "") and len(report.org) > 1:
        for name in _names_of(report.org):
            text = text.replace(name, request.org)
    place, level = target_place(request), _self_level(request)
    if place and report.level not in (UNKNOWN, ""):
        text = text.replace(f"XX{report.level}", place)
    if level:
        text = SELF_WORDS.sub(lambda m: m.group(1) + level, text)
    text = PARTY_D.sub("党", text)
    if year_shift:
        text = YEAR.sub(lambda m: str(int(m.group(1)) + year_shift), text)
    return text
