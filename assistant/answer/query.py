"""Understanding a question: explicit filters, and the filters its words imply.

Explicit filters (CLI options, UI dropdowns) are hard: passages outside them are never
returned. Inferred ones are soft: they raise matching passages in the ranking, so a wrong
guess costs a little order, not the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from assistant import lexicon
from assistant.answer.units import named_units
from assistant.index.tokenize import tokenize
from assistant.ingest.metadata import department_words, regions
from assistant.lexicon.divisions import mentions
from assistant.models import Filters, Report, Role

MAX_QUESTION_CHARS = 500  # longer questions are truncated (with a notice) before retrieval

# "2024年计划" names the plan year; "2023年" the summary year of the sample corpus' reports.
PLAN_YEAR = re.compile(r"(20\d{2})\s*年?(?:度)?\s*(?:工作)?(?:计划|打算|安排|思路|谋划)")
MANY_WORDS = re.compile(r"哪些|哪几|各(?:个|地|单位|乡|镇|县|区|部门)|分别|都有|多个|共同|普遍|有没有.*(?:单位|乡镇)")


@cache
def synonym_groups() -> dict[str, tuple[str, ...]]:
    """term → the other members of its group, from the lexicon's synonyms.txt."""
    groups = lexicon.groups("synonyms.txt")
    return {term: tuple(t for t in group if t != term) for group in groups for term in group}


def expand(tokens: list[str]) -> list[str]:
    """Query tokens plus the synonyms of those that have some."""
    groups = synonym_groups()
    return tokens + [s for t in tokens for s in groups.get(t, ()) if s not in tokens]


def generic_words() -> frozenset[str]:
    """Words every question may carry (question_generic.txt): no key term of any question (read
    each call: the lexicon caches the file, and a cleared lexicon is read again)."""
    return frozenset(w for group in lexicon.groups("question_generic.txt") for w in group)


def key_terms(text: str) -> list[str]:
    """The distinct content terms of a question: what a passage must mention to answer it."""
    generic = generic_words()
    return [t for t in dict.fromkeys(tokenize(text)) if len(t) >= 2 and t not in generic and not t.isdigit()]


def whole_terms(terms: list[str]) -> list[str]:
    """The terms no other term contains (碳中和, not 中和; 常住人口, not 人口): the words the
    question uses, not the parts the tokenizer also gives."""
    return [t for t in terms if not any(t != o and t in o for o in terms)]


@dataclass
class Query:
    """A question with its explicit filters and what its words imply."""

    text: str
    filters: Filters = field(default_factory=Filters)
    inferred: Filters = field(default_factory=Filters)
    orgs: tuple[str, ...] = ()  # organisations named in the question ("县审计局")
    unit_reports: tuple[str, ...] = ()  # the ids of its named units' reports, when resolved
    unit_names: tuple[str, ...] = ()  # those units as the question writes them (无为市)
    region_kind: bool = False  # its orgs are the library's units of a kind of region (直辖市)
    many: bool = False  # asks across reports ("哪些乡镇…")
    truncated: bool = False
    overview: bool = False  # asks for a part's areas or items ("分哪几块")
    defines: bool = False  # asks what a term means ("什么是灯塔工厂")
    asks_speaker: bool = False  # asks who delivered the report ("决算报告是谁作的")
    # the parts its year points to (「海南省2025年接待了多少入境游客」: a reviewed year, the
    # review part, not the next year's plan restating the same indicators); a soft boost only,
    # never read as asking for that part
    year_roles: tuple[str, ...] = ()

    def names_report(self, report: Report) -> bool:
        """The report is of a unit the question names: by id when its units were resolved
        against the library, else by its unit's name."""
        if self.unit_reports:
            return report.id in self.unit_reports
        return bool(self.orgs) and report.org in self.orgs

    @property
    def across_reports(self) -> bool:
        """Asks across reports: "哪些乡镇…", or several levels and no named unit."""
        return self.many or (len(self.inferred.level) > 1 and not self.orgs)

    @property
    def topical(self) -> bool:
        """Across reports about a topic (燃气安全), not about a part (their problems, plans)."""
        return self.across_reports and not set(self.inferred.role) & {Role.PROBLEM, Role.PLAN, Role.HIGHLIGHT}


def level_words() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    """(pattern, the levels it means) from the lexicon's question_levels.txt."""
    return [(re.compile(row.split("\t", 1)[1]), tuple(row.split("\t", 1)[0].split("|")))
            for row in lexicon.entries("question_levels.txt")]


def role_words() -> list[tuple[str, re.Pattern[str]]]:
    """(role, pattern) of the question words asking for each part (question_roles.txt)."""
    return [(Role(role), pattern) for role, pattern in lexicon.keyed_patterns("question_roles.txt")]


def own_levels(text: str) -> tuple[str, ...]:
    """The level of the asker's own government a question names by its level alone (「区里的
    碳达峰工作」: 区), from question_own_level.txt."""
    return tuple(level for level, pattern in lexicon.keyed_patterns("question_own_level.txt")
                 if pattern.search(text))


def _levels(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for pattern, levels in level_words():
        if pattern.search(text):
            found += [lv for lv in levels if lv not in found]
    return tuple(found)


def _departments(text: str) -> tuple[str, ...]:
    return tuple(kind for kind, pattern in department_words() if pattern.search(text))


def reviewed_years(periods: Iterable[str]) -> frozenset[int]:
    """The years the library's reports review (their periods)."""
    return frozenset(int(y) for p in periods for y in re.findall(r"20\d{2}", p))


def plan_years(periods: Iterable[str]) -> frozenset[int]:
    """Years the library only plans for: the year after a summarised year that no report
    summarises (2023年度 reports hold the 2024 plans)."""
    summarised = reviewed_years(periods)
    return frozenset(y + 1 for y in summarised) - summarised


def _roles(text: str, planned: frozenset[int] = frozenset()) -> tuple[str, ...]:
    roles = [role for role, pattern in role_words() if pattern.search(text)]
    years = {int(y) for y in re.findall(r"(20\d{2})\s*年", text)}
    asks_planned = bool(years & planned)
    if (PLAN_YEAR.search(text) or asks_planned) and Role.PLAN not in roles:
        roles.append(Role.PLAN)
    if asks_planned:  # "区残联2024年做了哪些工作" can only be answered by its 2024 plan
        roles = [r for r in roles if r != Role.SUMMARY]
    elif years and planned and Role.PLAN in roles and "下半年" not in text:
        # "2023年计划安排了多少项目" asks a summary's figure, not a plan
        roles = [r for r in roles if r != Role.PLAN]
    if Role.PROBLEM in roles or Role.HIGHLIGHT in roles:  # "存在哪些问题" is about problems only
        roles = [r for r in roles if r != Role.SUMMARY]
    return tuple(roles)


def _year_roles(text: str, roles: tuple[str, ...], reviewed: frozenset[int]) -> tuple[str, ...]:
    """SUMMARY when the question's years are all reviewed by the library and its words ask
    for no part."""
    years = {int(y) for y in re.findall(r"(20\d{2})\s*年", text)}
    return (Role.SUMMARY,) if years and years <= reviewed and not roles else ()


def _period(text: str) -> tuple[str, ...]:
    half = re.search(r"(上|下)半年", text)
    return ("上半年",) if half and half.group(1) == "上" else ()


def org_names(org: str) -> list[str]:
    """The names a question may use for a unit: itself, and a provincial region's other names
    of two characters or more (江苏省: 江苏; 内蒙古自治区: 内蒙古, 内蒙)."""
    return [org] + [alias for alias, canonical in regions().items()
                    if canonical == org and alias != org and len(alias) >= 2]


def glossary_pattern(key: str) -> re.Pattern[str]:
    """The glossary.txt pattern of `key`: `heading` (a notes part) or `question` (定义 words)."""
    return dict(lexicon.keyed_patterns("glossary.txt"))[key]


def region_groups() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """(question pattern, member regions) of the kinds of region (region_groups.txt)."""
    return tuple((re.compile(key), members) for key, members in lexicon.table("region_groups.txt"))


def grouped_orgs(text: str, orgs: list[str]) -> tuple[str, ...]:
    """The library's regions of each kind of region the question names (直辖市, 西部省区)."""
    found = [m for pattern, members in region_groups() if pattern.search(text) for m in members]
    return tuple(o for o in dict.fromkeys(found) if o in set(orgs))


def _place_ends(text: str) -> tuple[set[int], set[tuple[int, str]]]:
    """Where the question's place names end, and (end − 1, last character) of each: the
    positions a unit named by its level alone may not start at."""
    found = mentions(text, trusted=True)
    return {m.end for m in found}, {(m.end - 1, m.text[-1]) for m in found}


def _names_in(name: str, text: str, ends: tuple[set[int], set[tuple[int, str]]]) -> bool:
    """The question names the unit: a unit named by its level alone (市民政局) is not named by
    a question about another place's (洪湖市民政局)."""
    if name[0] not in "省市县区乡镇":
        return name in text
    after, last = ends
    # 洪湖|市民政局 and 洪湖市|民政局: the level character starts or ends a place's name
    return any(m.start() not in after and (m.start(), name[0]) not in last
               for m in re.finditer(re.escape(name), text))


def named_orgs(text: str, orgs: list[str]) -> tuple[str, ...]:
    """Organisations of the library named in the question (by any of their names), longest
    match first."""
    ends = _place_ends(text)  # once per question, not once per unit of the library
    named = {o: [n for n in org_names(o) if _names_in(n, text, ends)] for o in set(orgs)
             if len(o) >= 3 and "XX" not in o}
    hits = {o: max(map(len, names)) for o, names in named.items() if names}
    found = sorted(hits, key=lambda o: (hits[o], len(o)), reverse=True)
    return tuple(o for o in found if not any(o != f and o in f for f in found))


def parse_query(
    text: str,
    filters: Filters | None = None,
    orgs: list[str] | None = None,
    planned: frozenset[int] = frozenset(),
    reviewed: frozenset[int] = frozenset(),
) -> Query:
    """Normalise a question (trim, cap its length) and infer soft filters from its words;
    `orgs` are the library's units, `planned` the years it only has plans for, `reviewed` the
    years its reports review."""
    clean = " ".join(text.split())
    truncated = len(clean) > MAX_QUESTION_CHARS
    clean = clean[:MAX_QUESTION_CHARS]
    inferred = Filters(
        level=_levels(clean),
        department=_departments(clean),
        role=_roles(clean, planned),
        period=_period(clean),
    )
    named = named_orgs(clean, orgs or [])
    grouped = () if named else grouped_orgs(clean, orgs or [])
    return Query(
        text=clean,
        filters=filters or Filters(),
        inferred=inferred,
        orgs=named or grouped,
        region_kind=bool(grouped) and not named,
        # "县审计局有哪些问题" is one report's; "西部省区…" asks each of its regions
        many=(bool(MANY_WORDS.search(clean)) and len(named) != 1) or len(grouped) > 1,
        truncated=truncated,
        overview=any(p.search(clean) for p in lexicon.patterns("overview_words.txt")),
        defines=bool(glossary_pattern("question").search(clean)),
        asks_speaker=any(p.search(clean) for p in lexicon.patterns("speaker_words.txt")),
        year_roles=_year_roles(clean, inferred.role, reviewed),
    )


def content_words(query: Query) -> str:
    """The question without the names of its units and kinds of region (直辖市, 江苏): those
    are checked against the library's reports, not looked for in the passages — its units'
    names as written too (洪湖市民政局 for a report whose unit reads 民政局, 无为市 for one whose
    unit was not found): a department or township named is never the topic, nor a place the
    library holds reports of, while another place may be (江苏's 对口支援新疆)."""
    text = query.text
    for unit in sorted(named_units(text), key=lambda u: u.start, reverse=True):
        if unit.department or unit.text in query.unit_names:
            text = text[: unit.start] + " " + text[unit.end:]
    for pattern, _ in region_groups():
        text = pattern.sub(" ", text)
    for name in sorted({n for org in query.orgs for n in org_names(org)}, key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def period_words(key: str) -> re.Pattern[str]:
    """The words of one kind of time in periods.txt (whole, part, target, outcome, one_year,
    span) as one pattern."""
    return dict(lexicon.keyed_patterns("periods.txt"))[key]


def about_one_year(text: str) -> bool:
    """The question is about one year (今年, 2026年) and not about a plan of several."""
    return bool(period_words("one_year").search(text)) and not period_words("span").search(text)
