"""The units a question names, resolved against the units the library has reports of.

A unit is a place (any division of China, by full or short name: 淄博, 昆山市, 四川省), a
department of a place or of a level (平潭公安局, 县教育局), a township or street named with its
kind (城关镇, 东湖街道), or a national body (国务院). A named unit the library holds no report of
is declined by name — unless the question also names a held unit and the other place lies
outside it (江苏省's 对口支援新疆 is a topic of 江苏's report, not a request for 新疆's).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant import lexicon
from assistant.index.index import Index
from assistant.index.tokenize import get_tokenizer
from assistant.ingest.metadata import canonical_org, department_words
from assistant.lexicon.divisions import (
    LEVEL_COUNTY,
    Division,
    Mention,
    is_full,
    mentions,
)
from assistant.models import UNKNOWN, Report

# What a unit's name ends with (局, 委员会, 街道办事处 …), longest first.
UNIT_KIND = ("街道办事处|管理委员会|委员会|联合会|管委会|办公室|管理局|中心|街道|局|委|办|厅|院|所|队"
             "|社|联|镇|乡")
# The department right after a place (平潭公安局, 淄博市财政局, 东湖街道办事处): the longest
# name of at most 8 characters ending in a unit kind, with no function word in it and led by none.
DEPARTMENT = re.compile(r"(?=([^\s的和与及或在、，。？！0-9“”\"‘’'《》（）()【】]{1,8}))")
DEPARTMENT_END = re.compile(rf"(?:{UNIT_KIND})$")
NOT_DEPARTMENT = re.compile(r"^(?:今|去|明|对|各|全|有|是|将|要|如|怎|哪|什|为|把|从|上|下|近|年)")
# A level word followed by a department (县教育局, 区残联): a unit of that level.
LEVEL_UNIT = re.compile(r"(?<![\u4e00-\u9fff])(?:县|区|市|省)(?!级)([\u4e00-\u9fff]{1,8}?(?:局|委|中心|办|院|所|队|联|社))")
# Some unit inside a place, not named (「深圳那个区」, 「磐安的一个镇」, 「淄博某县」).
BELOW = re.compile(r"(?:那个|这个|某个|某|的一个|的某个|下面的|下辖的|一个)(?:区|县|市|镇|乡|街道)")
# A township or street named with its kind (城关镇, 东湖街道): two to four characters first,
# none of them a pronoun or particle (「搞海虾淡养的那个镇」, 「哪些乡镇」 name none).
NAME_CHAR = r"[^\W\d_a-zA-Z的那这哪某个些在和与是有了也都就对把被从向给]"
TOWNSHIP = re.compile(rf"({NAME_CHAR}{{2,4}}?(?:街道办事处|街道|镇|乡))")
PLACE_END = ("省", "市", "县", "区", "旗")  # what a place's full name ends with
REDACTED = "XX"  # a unit's name left out of a shared copy (XX市, XX镇)
TOWNSHIP_END = re.compile(r"(?:街道办事处|街道|镇|乡)$")
TOWNSHIP_KIND = re.compile(r"街道|镇|乡(?!村)")  # right after a name: a township's (乡村 is no kind)


@dataclass(frozen=True)
class NamedUnit:
    """A unit named in a question: as written, its place's divisions, its department part."""

    text: str
    divisions: tuple[Division, ...] = ()
    department: str = ""
    below: bool = False  # asks for some unit inside the place (「深圳那个区」, 「磐安的一个镇」)
    start: int = 0  # where the question names it
    end: int = 0


def _national_bodies() -> tuple[re.Pattern[str], ...]:
    return lexicon.patterns("national_units.txt")


def _word_bounds(text: str) -> set[int]:
    """Where jieba's words start and end: a township's name is whole words (「工作要点要求镇街」
    holds no township: 镇街 is one word)."""
    bounds, pos = {0}, 0
    for word in get_tokenizer().cut(text):
        pos += len(word)
        bounds.add(pos)
    return bounds


def generic_township(name: str) -> bool:
    """「…镇/乡/街道」 words that name no township (各乡镇, 小城镇, 城乡, 三个镇): township_generic.txt."""
    def words(key: str) -> tuple[str, ...]:
        return lexicon.words("township_generic.txt", key)

    counted = name.startswith(words("numeral")) and name[1:].startswith(words("measure"))
    return counted or name.startswith(words("prefix")) or name.endswith(words("word"))


def department_after(text: str, start: int) -> str:
    """The department named at `start` (right after a place), "" when none is."""
    m = DEPARTMENT.match(text, start)
    if not m:
        return ""
    run = m.group(1)
    name = next((run[:n] for n in range(len(run), 0, -1) if DEPARTMENT_END.search(run[:n])), "")
    # 「仙居下各镇」: a township's own name may begin as a time or pronoun word would (下, 上)
    township = bool(TOWNSHIP.fullmatch(name)) and not generic_township(name)
    if NOT_DEPARTMENT.match(run) and not township:
        return ""
    # 「民政厅厅长」: the unit is 民政厅, its head's title repeats the kind
    return name[:-1] if len(name) >= 2 and name[-1] == name[-2] else name


def _place_by_itself(m: Mention, before: Mention | None) -> bool:
    """A place name that names a unit without a department after it: a province or prefecture,
    or a county by its full name of three characters or more (昆山市), or right after the
    place it lies in (苏州昆山). A county's short or two-character name alone is as often a
    word (新建, 城区, 永安) and names a unit only with a department after it (新建区财政局)."""
    if any(d.level != LEVEL_COUNTY for d in m.divisions):
        return True
    if len(m.text) > 2 and is_full(m.text):
        return True
    return before is not None and before.end == m.start and any(
        d.within(p) for d in m.divisions for p in before.divisions)


@lru_cache(maxsize=256)
def named_units(text: str) -> tuple[NamedUnit, ...]:
    """Every unit the question names, left to right (kept for the last questions: a question's
    retrieval and its abstention both read them)."""
    spans: list[tuple[int, int, NamedUnit]] = []

    def add(start: int, end: int, unit: NamedUnit) -> None:
        if not any(a < end and start < b for a, b, _ in spans):
            spans.append((start, end, replace(unit, start=start, end=end)))

    found = _places(text)
    for i, m in enumerate(found):
        inner = found[i + 1] if i + 1 < len(found) else None
        if inner and inner.start == m.end and any(
                d.within(p) for d in inner.divisions for p in m.divisions):
            continue  # 南昌东湖区, 江苏苏州: the unit is the inner place
        department = department_after(text, m.end)
        if township_word(text, m):
            continue  # 清水河街道 is a street, not 清水河县's: the township pattern names it
        below = BELOW.match(text, m.end)
        if not department and not below and not _place_by_itself(m, found[i - 1] if i else None):
            continue
        add(m.start, m.end + len(department),
            NamedUnit(m.text + department, m.divisions, department, bool(below) and not department))
    for m in LEVEL_UNIT.finditer(text):
        add(m.start(), m.end(), NamedUnit(m.group(0), (), m.group(1)))
    bounds = _word_bounds(text)
    for m in TOWNSHIP.finditer(text):
        if not generic_township(m.group(1)) and m.start() in bounds and m.end() in bounds:
            add(m.start(), m.end(), NamedUnit(m.group(1), (), m.group(1)))
    for pattern in _national_bodies():
        for m in pattern.finditer(text):
            add(m.start(), m.end(), NamedUnit(m.group(0)))
    return tuple(unit for _, _, unit in sorted(spans, key=lambda s: s[0]))


def _places(text: str) -> list[Mention]:
    """The places the question names: those the tagger takes for places, and a short name it
    does not right before a unit's name (泰顺三魁镇, 仙居民政局: a township, or a department
    of a known kind) — a place's short name is the way officials write a unit of it."""
    tagged = mentions(text)
    spans = [(m.start, m.end) for m in tagged]
    more = [m for m in mentions(text, trusted=True)
            if not any(a < m.end and m.start < b for a, b in spans) and _unit_after(text, m.end)]
    return sorted(tagged + more, key=lambda m: m.start)


def _unit_after(text: str, end: int) -> bool:
    """A township (三魁镇) or a department of a known kind (民政局) is named at `end`."""
    department = department_after(text, end)
    return bool(department) and (bool(TOWNSHIP.fullmatch(department)) or bool(_kinds(department)))


MAX_NAMES_KEPT = 512  # names whose reports are kept per library (a few per question)


def township_word(text: str, m: Mention) -> bool:
    """The place's name is the first word of a township's or street's (清水河街道, 振兴街道: not
    清水河县 or 振兴区): a kind of township follows it at once."""
    return not m.text.endswith(PLACE_END) and bool(TOWNSHIP_KIND.match(text, m.end))


def report_divisions(report: Report) -> tuple[Division, ...]:
    """The divisions a report is of: those its unit's name and its title name (a township's
    name that is also a county's is not that county)."""
    found = [m for m in mentions(report.org, trusted=True) if not township_word(report.org, m)]
    found += [m for m in mentions(report.title, full_only=True) if not township_word(report.title, m)]
    return tuple(dict.fromkeys(d for m in found for d in m.divisions[:1]
                               if len(m.divisions) == 1 or m.text == d.name))


def library_units(index: Index) -> dict[str, tuple[Report, tuple[Division, ...]]]:
    """report id → (report, its divisions), once per library change."""
    derived = index.derived()
    return derived.memo("units", lambda: {rid: (s.report, report_divisions(s.report))
                                          for rid, s in derived.reports.items()})


# A report whose title was not found says what it is in its opening words (「2024年上半年，市
# 财政局…」): this many characters of its first passage are read with its title and period.
OPENING_CHARS = 60


def report_openings(index: Index) -> dict[str, str]:
    """report id → its opening words and its parts' headings (「一、2025年上半年工作总结」),
    where a report without its title says what it is, once per library change."""
    derived = index.derived()

    def build() -> dict[str, str]:
        openings: dict[str, str] = {}
        parts: dict[str, dict[str, None]] = {}
        for c in derived.chunks:
            openings.setdefault(c.report_id, c.text[:OPENING_CHARS])
            if c.section_path:
                parts.setdefault(c.report_id, {})[c.section_path[0]] = None
        return {rid: " ".join([text, *parts.get(rid, ())]) for rid, text in openings.items()}

    return derived.memo("openings", build)


def _department_core(department: str) -> str:
    """The department's own words (公安局: 公安; 东湖街道: 东湖)."""
    return re.sub(rf"(?:{UNIT_KIND})$", "", department) or department


def _kinds(department: str) -> set[str]:
    """The department kinds (财政, 民政 …) a department's name reveals (departments.txt)."""
    return {kind for kind, pattern in department_words() if pattern.search(department)}


def _of_department(department: str) -> Callable[[Report], bool]:
    """Whether a report is of this department: its core words in the unit or title, or its
    kind (the department's patterns are read once, not once per report of the library)."""
    kinds, core = _kinds(department), _department_core(department)
    return lambda r: core in r.org or core in r.title or (bool(kinds) and r.department in kinds)


def _holders(index: Index) -> dict[str, frozenset[str]]:
    """division code → the ids of the library's reports of that division, once per change."""
    def build() -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for rid, (_, divisions) in library_units(index).items():
            for d in divisions:
                found.setdefault(d.code, set()).add(rid)
        return {code: frozenset(ids) for code, ids in found.items()}

    return index.derived().memo("holders", build)


def reports_of(index: Index, unit: NamedUnit) -> list[Report]:
    """The library's reports of this unit: those whose unit (its name, its places) is this one,
    and those whose metadata names no place (a title left out, an org not found) but whose
    text names this unit as the question writes it, or its place with a report of the same
    department. For some unit inside a place (「深圳那个区」), a placeless report naming the
    place counts too (区应急管理局's report that speaks of 「深圳市XX区」)."""
    units = library_units(index)
    if unit.divisions:
        holders = _holders(index)
        ids = frozenset().union(*(holders.get(d.code, frozenset()) for d in unit.divisions))
        own = [r for rid, (r, _) in units.items() if rid in ids]
        if unit.department:
            same, names = _of_department(unit.department), _namer(index, written_forms(unit))
            own = [r for r in own if same(r) or names(r)]
    elif unit.department:
        same = _of_department(unit.department)
        own = [r for r, _ in units.values() if same(r) or unit.text in r.org]
    else:
        own = [r for r, _ in units.values() if unit.text in r.org or unit.text in r.title]
    if not unit.divisions and not unit.department:
        return own  # a national body (国务院): every report speaks of it, none is its
    mine = {r.id for r in own}
    placeless = [r for r, ds in units.values() if not ds and r.id not in mine]
    match = _namer(index, [unit.text]) if unit.below else _placeless_match(index, unit)
    return own + [r for r in placeless if match(r)]


def written_forms(unit: NamedUnit) -> list[str]:
    """The ways a report may write the unit's name: as asked, with its place's full or short
    name before its department (洪湖民政局, 洪湖市民政局)."""
    forms = [unit.text]
    for d in unit.divisions[:1]:
        forms += [n + unit.department for n in (d.name, d.short) if n]
    return list(dict.fromkeys(f for f in forms if len(f) >= 3))


def _placeless_match(index: Index, unit: NamedUnit) -> Callable[[Report], bool]:
    """Whether a report whose metadata names no place is this unit's: its text writes the
    unit's name, its unit is the asked township or street (鄞州区东柳街道: 东柳街道) or the
    asked department named alone (江苏省民政厅: 民政厅), or its text names the unit's place
    and the report is of the asked department's kind or names the department too (舞阳 …
    粮食局) — or, for a place asked by itself, is of a unit of the place's level (中山 … 市财政局)."""
    writes = _namer(index, written_forms(unit))
    if not unit.divisions:
        return writes
    names_place = _namer(index, [n for d in unit.divisions[:1] for n in (d.name, d.short) if n])
    if not unit.department:
        # a place asked by itself (中山市, 江苏): a report of a unit of its level (市财政局, 民政厅)
        # whose text names it, by its short name too (「绿美中山」)
        levels = _levels_of(unit.divisions[0])
        return lambda r: writes(r) or (r.level in levels and known(r) and names_place(r))
    kinds = _kinds(unit.department)
    township = not kinds and TOWNSHIP_END.search(unit.department)
    names_department = _namer(index, [unit.department])

    def match(report: Report) -> bool:
        if writes(report) or (township and same_township(unit.department, report.org)):
            return True
        if report.org == unit.department:
            return True  # a report naming its unit by the department alone (民政厅) may be this one
        same = report.department in kinds or names_department(report)
        return same and names_place(report)

    return match


def known(report: Report) -> bool:
    """The report's unit was found and is not redacted (XX市 may be any city)."""
    return report.org != UNKNOWN and REDACTED not in report.org


def same_township(asked: str, org: str) -> bool:
    """A township asked is the report's unit: the same, after the place it lies in (鄞州区东柳街道:
    东柳街道, not 大木镇: 木镇), or with its kind written once where its name ends in that kind
    (木镇 for 木镇镇)."""
    if org == asked or org == asked + asked[-1]:
        return True
    return org.endswith(asked) and org[: -len(asked)].endswith(PLACE_END)


def _namer(index: Index, names: list[str]) -> Callable[[Report], bool]:
    """Whether a report's title or passages hold one of the names (each name's reports read
    at most once for all the reports asked about, and only when a title lacks it)."""
    saying: dict[str, frozenset[str]] = {}

    def names_it(report: Report) -> bool:
        for n in names:
            if n in report.title:
                return True
            if n not in saying:
                saying[n] = _reports_saying(index, n)
            if report.id in saying[n]:
                return True
        return False

    return names_it


def _reports_saying(index: Index, name: str) -> frozenset[str]:
    """The reports whose passages hold the name: one pass over the library per name, kept until
    the library changes (a question names few units; a library of 10,000 reports has 230,000
    passages, too many to read for every report asked about)."""
    derived = index.derived()
    names: dict[str, frozenset[str]] = derived.memo("saying", dict)
    if name not in names:
        if len(names) >= MAX_NAMES_KEPT:
            names.clear()
        names[name] = frozenset(c.report_id for c in derived.chunks if name in c.text)
    return names[name]


def holds(index: Index, unit: NamedUnit) -> bool:
    """The library has a report of this unit."""
    return bool(reports_of(index, unit))


def unheld_unit(index: Index, text: str) -> NamedUnit | None:
    """The first unit the question asks about that the library has no report of (None when
    every unit it asks about is held). Beside a held unit, another place is a topic
    of its report (江苏's 对口支援新疆, 在苏州等地) unless it has a department (平潭公安局); a
    place written right after the place it lies in is the unit itself (江苏苏州: 苏州,
    named_units)."""
    units = named_units(text)
    held = [u for u in units if holds(index, u)]
    for unit in units:
        if unit in held:
            continue
        if held and unit.divisions and not unit.department:
            continue
        return unit
    return None


def stand_ins(index: Index, unit: NamedUnit) -> list[Report]:
    """Reports that may be this department's though they name no place: of its kind and of
    its place's level (太湖县应急局: a 县应急管理局's report that names no county) — none when
    the library holds reports of the place: they name it, so would its department's (平潭公安局
    beside 平潭's other bureaus is not in the library)."""
    kinds = _kinds(unit.department) if unit.department else set()
    holders = _holders(index)
    if not kinds or not unit.divisions or any(d.code in holders for d in unit.divisions):
        return []
    levels = _levels_of(unit.divisions[0])
    return [r for r, ds in library_units(index).values()
            if not ds and known(r) and r.department in kinds and r.level in levels]


def _levels_of(division: Division) -> set[str]:
    """The levels a report of a unit of this place has: a county's by its name (鄞州区: 区,
    昆山市: 市), a province's or prefecture's by its level."""
    return {division.name[-1] if division.level == LEVEL_COUNTY else division.level}


def display_name(unit: NamedUnit) -> str:
    """A unit's name for a refusal: the full name of an unambiguous place (淄博: 淄博市)."""
    if len(unit.divisions) == 1 and not unit.department:
        return canonical_org(unit.divisions[0].name)
    return unit.text
