"""Hybrid retrieval: dense (FAISS) + sparse (BM25) fused by rank, shaped by what the question implies.

1. Both retrievers return their best CANDIDATES passages (within the hard filters).
2. Reciprocal-rank fusion merges them (robust to the two scores' different scales).
3. Soft boosts from the question: a named organisation, level, department, section role and
   period raise matching passages.
4. A question about many units ("哪些乡镇…") gets at most one passage per report at the top.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from assistant.answer.figures import asks_figure, stated_share
from assistant.answer.listing import mentions, subject_of
from assistant.answer.query import (
    MANY_WORDS,
    Filters,
    Query,
    about_one_year,
    content_words,
    expand,
    glossary_pattern,
    key_terms,
    parse_query,
    period_words,
    plan_years,
    reviewed_years,
)
from assistant.answer.units import named_units, reports_of
from assistant.index.filtering import matches
from assistant.index.index import Derived, Index
from assistant.index.tokenize import normalize, tokenize
from assistant.ingest.chunks import PATH_SEP
from assistant.ingest.metadata import speaker_line
from assistant.models import Chunk, Hit, Role

CANDIDATES = 100  # passages each retriever contributes to fusion
RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al. 2009): damps the head of each list
DENSE_WEIGHT = 1.0  # the two retrievers count equally: each wins on different question kinds
SPARSE_WEIGHT = 1.0
# Multipliers for passages matching what the question implies. A named organisation is the
# strongest signal ("县审计局存在哪些问题" is about that one report); the rest only reorder.
ORG_BOOST = 3.0
ROLE_BOOST = 1.5
LEVEL_BOOST = 1.4
DEPARTMENT_BOOST = 1.4
PERIOD_BOOST = 1.3
# In a question about many units, each further passage of one report weighs this much less.
REPEAT_DECAY = 0.7
HEADING_ONLY_PENALTY = 0.8
# A heading list asked for (「分哪几块」) goes first: on the web dev set, neutral (1.0) gave
# recall@5 0.810 / mrr@10 0.707, this 0.810 / 0.728; the sample set is unchanged either way.
OVERVIEW_BOOST = 1.25
# A question about many units (not about a part such as their problems) names a topic ("燃气安全"): passages holding more of its rare terms
# (IDF-weighted share) are raised by up to this factor, so each report's on-topic passage wins.
COVERAGE_BOOST = 1.0  # overview passages list sub-headings: useful, but rarely the fact
# A question naming its unit (「洪湖市民政局…以什么为总抓手」): every passage of that unit's
# reports is raised alike (ORG_BOOST), so among them the share of the question's other key
# terms (its topic, the unit's name left out) is raised by up to this factor. Chosen on the
# tune halves (mrr@10 at 0.5 / 1.0: local 0.833 / 0.854, web 0.783 / 0.778, samples+web
# 0.887 / 0.887); the report halves at 1.0: local 0.813 → 0.852, web 0.920 → 0.957, samples
# 0.895 → 0.894.
UNIT_COVERAGE_BOOST = 1.0
# 「哪些乡镇在抓养老服务」 wants what each did, which a list of headings or item leads
# (「三是养老服务水平不断提升」) only names: sample set with 0.8 here 0.947 / 0.894, with this
# 0.950 / 0.897 (web unchanged).
TOPIC_LIST_PENALTY = 0.5
# A passage of a report's explanatory notes (名词解释) defines a term it shares with the question:
# unless a definition is asked for, it is not what the unit did. On the web dev set the notes
# were first for 哪些省份提到了“灯塔工厂” and 挑大梁; the sample set has no notes.
GLOSSARY_PENALTY = 0.5
# A question about one year's targets or results (「今年的增长目标分别是多少」) wants that year's
# section, not the five-year plan's (「“十五五”时期主要目标」) beside it in a plan-start year's report.
SPAN_PENALTY = 0.7
# A list question names its subject (「哪些报告讲到了森林防火」): a passage that mentions it
# answers, a merely similar one does not.
SUBJECT_BOOST = 2.0
# 「决算报告是谁作的」: only the passage with the speaker line names the person; as strong as a
# named unit (ORG_BOOST), since every passage of that unit's report is raised alike.
SPEAKER_BOOST = 3.0
# A figure question's passage is weighted up by the share of the subject's idf that one of its
# sentences with a number holds (figures.stated_share): 1 + this × share.
FIGURE_BOOST = 1.0
# … when that sentence holds at least half of it: a number beside one of the subject's words
# (「已签约项目18个」 for 「家庭医生签约率」) states another figure.
MIN_STATED_SHARE = 0.5


def _achievement(role: str, wanted: tuple[str, ...]) -> bool:
    """A highlight part reports what was done, so it answers a question about results too."""
    return role == Role.HIGHLIGHT and Role.SUMMARY in wanted


def _boost(query: Query, chunk: Chunk, derived: Derived, one_year: bool) -> float:
    """The product of the soft boosts that apply to one passage."""
    report = derived.reports[chunk.report_id].report
    factor = 1.0
    if chunk.heading_only:  # a list of headings: the answer to 「分哪几块」, noise otherwise
        if query.overview:
            factor = OVERVIEW_BOOST
        else:
            factor = TOPIC_LIST_PENALTY if query.topical else HEADING_ONLY_PENALTY
    if not query.defines and chunk.section_path and glossary_pattern("heading").search(
        chunk.section_path[0]
    ):
        factor *= GLOSSARY_PENALTY
    if query.names_report(report):
        factor *= ORG_BOOST
    if query.asks_speaker and any(speaker_line(line) for line in chunk.text.split("\n")):
        factor *= SPEAKER_BOOST
    if one_year and period_words("span").search(PATH_SEP.join(chunk.section_path)):
        factor *= SPAN_PENALTY
    inferred = query.inferred
    roles = inferred.role or query.year_roles
    if roles and (chunk.role in roles or _achievement(chunk.role, roles)):
        factor *= ROLE_BOOST
    if inferred.level and report.level in inferred.level:
        factor *= LEVEL_BOOST
    if inferred.department and report.department in inferred.department:
        factor *= DEPARTMENT_BOOST
    if inferred.period and matches(report.period, inferred.period):
        factor *= PERIOD_BOOST
    return factor


def fuse(rankings: Iterable[tuple[float, list[int]]]) -> dict[int, tuple[float, dict[int, int]]]:
    """Reciprocal-rank fusion of (weight, ranked positions) lists → position: (score, ranks)."""
    fused: dict[int, tuple[float, dict[int, int]]] = {}
    for which, (weight, positions) in enumerate(rankings):
        for rank, pos in enumerate(positions, start=1):
            score, ranks = fused.get(pos, (0.0, {}))
            fused[pos] = (score + weight / (RRF_K + rank), {**ranks, which: rank})
    return fused


def diversify(hits: list[Hit], k: int) -> list[Hit]:
    """Each further passage of an already chosen report counts REPEAT_DECAY times less."""
    chosen: list[Hit] = []
    pool = list(hits)
    taken: dict[str, int] = {}
    while pool and len(chosen) < k:
        best = max(pool, key=lambda h: h.score * REPEAT_DECAY ** taken.get(h.chunk.report_id, 0))
        pool.remove(best)
        chosen.append(best)
        taken[best.chunk.report_id] = taken.get(best.chunk.report_id, 0) + 1
    return chosen


def region_kind_filters(derived: Derived, query: Query) -> Filters:
    """A kind of region asked (直辖市, 东北三省) is a hard filter: only its units' reports."""
    if not query.region_kind:
        return query.filters
    ids = tuple(rid for rid, s in derived.reports.items() if s.report.org in query.orgs)
    wanted = tuple(i for i in ids if not query.filters.report_ids or i in query.filters.report_ids)
    return replace(query.filters, report_ids=wanted or ("",))


def each_report_once(hits: list[Hit], k: int) -> list[Hit]:
    """Each report's best passage first, in score order, then the second ones: a question over
    a kind of region sees every unit of that kind once before any unit twice."""
    seen: dict[str, int] = {}
    ranked = []
    for hit in hits:
        ranked.append((seen.get(hit.chunk.report_id, 0), -hit.score, len(ranked), hit))
        seen[hit.chunk.report_id] = seen.get(hit.chunk.report_id, 0) + 1
    return [hit for *_, hit in sorted(ranked, key=lambda r: r[:3])][:k]


def search_query(index: Index, query: Query, k: int = 10) -> list[Hit]:
    """Ranked passages for a parsed query."""
    derived = index.derived()
    if not derived.chunks or not query.text.strip():
        return []
    allowed = derived.filters.restrict(region_kind_filters(derived, query))
    if allowed is not None and not allowed:
        return []
    text = normalize(query.text)
    qvec = index.embedder.embed_query_vec(text)
    dense_pos = [] if derived.dense is None else derived.dense.search(qvec, CANDIDATES, allowed)[1].tolist()
    tokens = expand(tokenize(text))
    sparse_pos = derived.sparse.search(tokens, CANDIDATES, allowed)[1].tolist()
    fused = fuse([(DENSE_WEIGHT, dense_pos), (SPARSE_WEIGHT, sparse_pos)])
    terms = key_terms(normalize(content_words(query)))  # the question's topic within its units
    candidates = list(fused)
    if query.topical:
        coverage, weight = derived.sparse.term_coverage(key_terms(text), candidates), COVERAGE_BOOST
    elif query.orgs and not query.many:  # within the named unit's reports, its topic decides
        coverage, weight = derived.sparse.term_coverage(terms, candidates), UNIT_COVERAGE_BOOST
    else:
        coverage, weight = None, 0.0
    # a figure asked: the passage with a sentence stating a number about the subject first
    figure = derived.sparse.idf(terms) if asks_figure(query.text) else {}
    subject = subject_of(query.text) if query.across_reports else None
    one_year = about_one_year(query.text)
    hits = []
    for slot, (pos, (score, ranks)) in enumerate(fused.items()):
        chunk = derived.chunks[pos]
        names = {0: "dense", 1: "sparse"}
        if coverage is not None:
            score *= 1 + weight * float(coverage[slot])
        if subject is not None and mentions(subject, chunk.text):
            score *= SUBJECT_BOOST
        if figure and (share := stated_share(chunk.text, figure)) >= MIN_STATED_SHARE:
            score *= 1 + FIGURE_BOOST * share
        hits.append(
            Hit(chunk, score * _boost(query, chunk, derived, one_year),
                {names[w]: r for w, r in ranks.items()})
        )
    hits.sort(key=lambda h: h.score, reverse=True)
    if query.region_kind:
        return each_report_once(hits, k)
    return diversify(hits, k) if query.across_reports else hits[:k]


def search(
    index: Index, question: str, k: int = 10, filters: Filters | None = None
) -> list[Hit]:
    """Ranked passages for a question, within explicit filters."""
    return search_query(index, query_for(index, question, filters), k)


def query_for(index: Index, question: str, filters: Filters | None = None) -> Query:
    """A question parsed against the library: its units and the years it only plans for. A
    unit named otherwise than its reports name it (淄博财政局 for 淄博市财政局, 平潭 for
    平潭综合实验区…) is found through the gazetteer and the grammar of unit names."""
    orgs, planned, reviewed = index.derived().memo("years", lambda: library_years(index))
    query = parse_query(question, filters, orgs, planned, reviewed)
    units = named_units(query.text)
    # 「江苏省民政厅…」 asks for a department of 江苏省, not for 江苏省's own report
    departments = {d.name for u in units if u.department for d in u.divisions}
    kept = tuple(o for o in query.orgs if o not in departments)
    if kept:
        return replace(query, orgs=kept) if kept != query.orgs else query
    held = [(u, own) for u in units if not u.below and (own := reports_of(index, u))]
    reports = [r for _, own in held for r in own]
    if not reports:
        return replace(query, orgs=()) if query.orgs else query
    # the reports by id too: a report whose unit was not found (unknown) is held for the unit its
    # text names, and raising its org would raise every such report with it
    orgs = tuple(dict.fromkeys(r.org for r in reports))
    return replace(query, orgs=orgs, unit_reports=tuple(dict.fromkeys(r.id for r in reports)),
                   unit_names=tuple(u.text for u, _ in held),
                   many=bool(MANY_WORDS.search(query.text)) and len(orgs) != 1)


def library_years(index: Index) -> tuple[list[str], frozenset[int], frozenset[int]]:
    """The library's distinct units, the years it only plans for and those it reviews: read
    once per library change (at 10,000 reports, ~30 ms a question read from every report)."""
    reports = [s.report for s in index.derived().reports.values()]
    periods = list(dict.fromkeys(r.period for r in reports))
    return (list(dict.fromkeys(r.org for r in reports)), plan_years(periods),
            reviewed_years(periods))


def hit_to_dict(index: Index, hit: Hit, rank: int | None = None) -> dict:
    """DESIGN.md's `search --json` fields of one hit (rank only when given)."""
    chunk = hit.chunk
    summary = index.derived().reports.get(chunk.report_id)
    row = {
        "score": round(hit.score, 6),
        "chunk_id": chunk.id,
        "report_id": chunk.report_id,
        "report_title": chunk.report_title,
        "section_path": chunk.section_path,
        "text": chunk.text,
        "source": summary.report.source[0] if summary and summary.report.source else "",
        "span": list(chunk.span),
    }
    return {"rank": rank, **row} if rank is not None else row
