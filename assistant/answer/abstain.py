"""Deciding that the library cannot answer: say so instead of presenting weak passages.

Plain reasons a user can check: the question names a unit the library has no report of
(淄博, 平潭公安局, 国务院, 县教育局), a genre or period its reports are not (述职, 上半年), a year
no report covers (2022, 2025), a figure no passage of the named unit states, or key terms
that appear in none of the retrieved passages while the passages are only loosely similar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant import lexicon
from assistant.answer.figures import asks_figure, mentions, stated_share
from assistant.answer.listing import WHETHER, mentioning, subject_of
from assistant.answer.query import (
    Query,
    content_words,
    key_terms,
    own_levels,
    period_words,
    synonym_groups,
    whole_terms,
)
from assistant.answer.units import (
    NamedUnit,
    display_name,
    named_units,
    report_openings,
    reports_of,
    stand_ins,
    unheld_unit,
)
from assistant.index.index import Index
from assistant.index.tokenize import normalize
from assistant.ingest.chunks import context_text
from assistant.models import Hit, Kind, Report, Role

YEAR = re.compile(r"(20\d{2})\s*年")
TITLE_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
# A figure asked of a named unit is stated only if one of its passages has a sentence with a
# number holding at least this IDF-weighted share of the question's key terms the library
# knows. Chosen on the tuning half of the dev sets only (benchmarks/retrieval.py halves): its
# figure questions without an answer score 0.00 and 0.12, the lowest with one 0.20 — the
# midpoint of that gap; the report half is read for the result, never to move it.
MIN_FIGURE_SHARE = 0.16
# Below this share of key terms found in the passages, the question is about something else …
MIN_TERM_COVERAGE = 0.5
# … unless a passage is at least this similar to the question (cosine, multilingual-e5-small).
MIN_SIMILARITY = 0.86


@dataclass
class Verdict:
    abstain: bool
    reason: str = ""
    caveat: str = ""  # answered, with what the user must check (a report that names no place)


def term_coverage(question: str, hits: list[Hit]) -> float:
    """Share of the question's key terms (or their synonyms) found in the retrieved passages
    (1.0 if it has none)."""
    terms = key_terms(question)
    if not terms:
        return 1.0
    haystack = normalize("".join(context_text(h.chunk) for h in hits))
    return sum(mentions(t, haystack) for t in terms) / len(terms)


def figure_share(index: Index, query: Query, hits: list[Hit]) -> float | None:
    """For a question asking for a figure (多少, 占比, 排第几): the best IDF-weighted share of
    its key terms in one sentence that states a number, among the passages of the units it
    names; None when the question asks for no figure. A target asked (目标, 计划, 预计) is
    stated by a plan's passage or a sentence saying it is one, not by a result (「2024年规上
    工业产值的目标」 is not 「1-9月实现规上工业产值29.74亿元」)."""
    if not asks_figure(query.text):
        return None
    terms = key_terms(content_words(query))
    if not terms:
        return None
    # a term the library never uses is a paraphrase's word (小龙虾 for 稻虾): no evidence either way
    weights = index.derived().sparse.idf(terms)
    if not weights:
        return None
    own = [h for h in hits if h.chunk.report_id in _named_reports(index, query)] or hits
    target = period_words("target")
    only = target if target.search(query.text) else None
    return max((stated_share(h.chunk.text, weights, None if h.chunk.role == Role.PLAN else only)
                for h in own), default=0.0)


def _unknown_terms(query: Query, index: Index, named: Named) -> str:
    """Every content term of the question (and its synonyms) is absent from the reports it is
    about: the whole library (「碳达峰碳中和」 in a library of county reports that never use
    them), or its named units' reports (沙洋县财政局's 房地产税), or, naming none, the reports of
    the level a question names its own government by (「区里的碳达峰工作」: the 区 reports). Not
    every level a question implies (县级部门, 乡镇): on the sample set that declined an
    answerable question of its report half."""
    terms = key_terms(content_words(query))
    if not terms:
        return ""
    said = "”“".join(whole_terms(terms)[:3])
    words = terms + [s for t in terms for s in synonym_groups().get(t, ())]
    if not index.derived().sparse.idf(words):
        return f"资料库中的报告没有提到“{said}”"
    held, own = named
    levels = own_levels(query.text) if not held else ()
    scope = own or [s.report for s in index.derived().reports.values() if s.report.level in levels]
    if not scope or _any_mentions(index, {r.id for r in scope}, terms):
        return ""
    whose = display_name(held[0][0]) if held else "、".join(f"{lv}级" for lv in levels)
    return f"资料库中{whose}的报告没有提到“{said}”"


def _any_mentions(index: Index, report_ids: set[str], terms: list[str]) -> bool:
    """One passage of these reports (its title and section path too) mentions one of the terms."""
    return any(any(mentions(t, normalize(context_text(c))) for t in terms)
               for c in index.derived().chunks if c.report_id in report_ids)


def _named_reports(index: Index, query: Query) -> set[str]:
    return {rid for rid, s in index.derived().reports.items() if query.names_report(s.report)}


def best_similarity(index: Index, question: str, hits: list[Hit]) -> float:
    """Highest cosine similarity between the question and a retrieved passage."""
    if not hits:
        return 0.0
    vectors = index.embed_chunks([h.chunk for h in hits])
    return float(np.max(vectors @ index.embedder.embed_query_vec(question)))


def _heading_words(report: Report, openings: dict[str, str]) -> str:
    """A report's title, period, opening words and parts' headings: where its genre and
    period are written."""
    return f"{report.title} {report.period} {openings.get(report.id, '')}"


def _unheld_genre(query: Query, index: Index, named: Named) -> str:
    """A genre or period asked (述职, 上半年, 工作要点) that none of the reports the question is
    about — its named units', else the library's — is of (genres.txt), read in their titles and
    openings, with the marks a genre shows there when unnamed (genre_marks.txt)."""
    asked = [(genre, p) for genre, p in lexicon.keyed_patterns("genres.txt") if p.search(query.text)]
    if not asked:
        return ""
    held, own = named
    scope = own or [s.report for s in index.derived().reports.values()]
    openings = report_openings(index)
    marks = dict(lexicon.keyed_patterns("genre_marks.txt"))
    for genre, pattern in asked:
        shows = [p for p in (pattern, marks.get(genre)) if p is not None]
        if not any(p.search(_heading_words(r, openings)) for r in scope for p in shows):
            return f"资料库中没有{display_name(held[0][0]) if held else ''}的{genre}"
    return ""


# The units a question names that the library holds, with their reports; and all those reports
Named = tuple[list[tuple[NamedUnit, list[Report]]], list[Report]]


def _named_scope(index: Index, query: Query) -> Named:
    """The named units and their reports (none when the question names no held unit): those the
    grammar of unit names finds, else the library's units the question writes by their whole
    name (平潭综合实验区财政金融局, too long a department for that grammar)."""
    held = [(u, own) for u in named_units(query.text) if (own := reports_of(index, u))]
    if not held and query.orgs and not query.region_kind:
        reports = [s.report for s in index.derived().reports.values()]
        held = [(NamedUnit(org), own) for org in query.orgs if (own := [r for r in reports if r.org == org])]
    return held, [r for _, own in held for r in own]


def _part_year_only(query: Query, index: Index, named: Named) -> str:
    """A whole year's result asked (「全年收入完成多少」, not a target) of units whose every
    report covers only part of a year (上半年总结): their reports cannot state it."""
    text = query.text
    if not period_words("whole").search(text) or period_words("target").search(text):
        return ""
    held, scope = named
    part, openings = period_words("part"), report_openings(index)
    if scope and all(part.search(_heading_words(r, openings)) for r in scope):
        return f"资料库中{display_name(held[0][0])}的报告只涉及部分时段，没有全年的情况"
    return ""


def _planned_only_year(query: Query, named: Named) -> str:
    """What was actually done in a year (「2019年实际完成」) asked of units whose reports only
    plan that year (a 2018 review with the 2019 plan): a plan cannot state it."""
    text = query.text
    asked = {int(y) for y in YEAR.findall(text)}
    if not asked or not period_words("outcome").search(text) or period_words("target").search(text):
        return ""
    held, scope = named
    dated = [r for r in scope if YEAR.search(r.period)]
    if not dated or len(dated) < len(scope):
        return ""
    reviewed = {int(y) for r in dated for y in YEAR.findall(r.period)}
    planned = {y for r in dated for y in report_years(r)} - reviewed
    for year in sorted(asked):
        if year in planned:
            return f"资料库中{display_name(held[0][0])}的报告只有{year}年的计划，没有{year}年的完成情况"
    return ""


def report_years(report: Report) -> set[int]:
    """The years a report speaks for: those its title names (「2024工作计划」 too), its period,
    and the year after the period when it also plans (总结+计划)."""
    period = {int(y) for y in YEAR.findall(report.period)}
    planned = {y + 1 for y in period} if report.kind == Kind.BOTH else set()
    return {int(y) for y in TITLE_YEAR.findall(report.title)} | period | planned


def _unknown_year(query: Query, index: Index) -> str:
    """A year no report covers — among the named units' reports when the question names some
    (区残联 has 2023 and 2024 even when a province's 2025 report is in the library too), where a
    named unit's report covers the years it states figures for as well."""
    asked = [int(y) for y in YEAR.findall(query.text)]
    if not asked:
        return ""
    derived = index.derived()
    reports = [s.report for s in derived.reports.values()]
    named = [r for r in reports if query.names_report(r)]
    years = {y for r in (named or reports) for y in report_years(r)}
    if named and not set(asked) <= years:  # a report states other years' figures too (比2022年
        ids = {r.id for r in named}        # 增长, a table's 2022年 column): read only when needed
        years |= {int(y) for c in derived.chunks if c.report_id in ids for y in YEAR.findall(c.text)}
    for year in asked:
        if years and year not in years:
            return f"资料库中的报告不涉及{year}年"
    return ""


def _unmentioned_subject(query: Query, index: Index, named: Named) -> str:
    """A question whether or which reports mention a subject (「有没有讲怎么应对欧盟碳关税」,
    「哪些省份提到了…」; not 「讲到了哪些问题」, which asks what was said) that no report it is
    about — its named units', else the library's — mentions, as written or by all its words:
    the answer is that none does."""
    asks = query.across_reports or any(p.search(query.text) for p in WHETHER)
    subject = subject_of(query.text) if asks else None
    if subject is None:
        return ""
    held, scope = named
    if mentioning(index, subject, {r.id for r in scope} if scope else None):
        return ""
    whose = f"{display_name(held[0][0])}的" if held else ""
    return f"资料库中{whose}报告没有提到“{'”“'.join(subject.words)}”"


# A stand-in report answers for the unit only when one of its passages holds this many of the
# question's topic words, and all of them: a bare 「工作总结讲了哪些重点工作」 has none to check.
MIN_STAND_IN_TERMS = 2


def _stated_by_stand_in(index: Index, query: Query, unit: NamedUnit) -> Report | None:
    """A department the library has no report of by name, whose kind and level a report that
    names no place has (stand_ins), and one passage of that report states every topic word of
    the question (「太湖县应急局办了几期安全知识培训班」: 「举办13期安全知识培训班」) — the words
    of its title (genre, period) not counted."""
    terms = [t for t in whole_terms(key_terms(content_words(query))) if not asks_figure(t)]
    topics = {r.id: (r, topic) for r in stand_ins(index, unit)
              if len(topic := [t for t in terms if t not in normalize(r.title)]) >= MIN_STAND_IN_TERMS}
    for c in index.derived().chunks:  # one pass for every stand-in: a big library has many
        if c.report_id in topics:
            report, topic = topics[c.report_id]
            text = normalize(c.text)
            if all(mentions(t, text) for t in topic):
                return report
    return None


def assess(index: Index, query: Query, hits: list[Hit]) -> Verdict:
    """Abstain, with the reason, when the library evidently cannot answer the question."""
    if not hits:
        return Verdict(True, "资料库中没有相关段落")
    unit = unheld_unit(index, query.text)
    stand_in = _stated_by_stand_in(index, query, unit) if unit else None
    caveat = (f"资料库中没有注明为{display_name(unit)}的报告，以下出自一份未注明地名的"
              f"{stand_in.org}报告，请核对是否为同一单位") if unit and stand_in else ""
    missing = None if stand_in else unit
    named = _named_scope(index, query) if missing is None else ([], [])
    reason = ((f"资料库中没有{display_name(missing)}的报告" if missing else "")
              or _unheld_genre(query, index, named)
              or _part_year_only(query, index, named) or _unknown_year(query, index)
              or _planned_only_year(query, named) or _unknown_terms(query, index, named)
              or _unmentioned_subject(query, index, named))
    if reason:
        return Verdict(True, reason)
    share = figure_share(index, query, hits[:5]) if query.orgs else None
    if share is not None and share < MIN_FIGURE_SHARE:
        return Verdict(True, f"{query.orgs[0]}的报告中没有给出这个数字")
    coverage = term_coverage(content_words(query), hits[:5])
    if coverage < MIN_TERM_COVERAGE and best_similarity(index, query.text, hits[:5]) < MIN_SIMILARITY:
        return Verdict(True, "检索到的段落与问题的关键词不符")
    return Verdict(False, caveat=caveat)
