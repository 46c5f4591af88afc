"""Cited answers: retrieved passages → supporting sentences quoted verbatim, grouped by report.

Deterministic by default. With an LLM configured, the LLM writes the answer from the same
passages and its [n] citations are checked; any LLM failure falls back to this answer with
a one-line notice. Abstains plainly when the library cannot answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from assistant.answer.abstain import assess
from assistant.answer.figures import SENTENCE_END, asks_figure
from assistant.answer.listing import Subject, as_written, mentioning, mentions, subject_of
from assistant.answer.query import Filters, Query, content_words, key_terms, named_orgs, role_words
from assistant.answer.retrieve import query_for, search_query
from assistant.errors import AssistantError
from assistant.index.embed import embed_with_cache
from assistant.index.filtering import report_matches
from assistant.index.index import Index
from assistant.index.tokenize import normalize
from assistant.ingest.chunks import PATH_SEP, body_start
from assistant.models import UNKNOWN, Answer, Chunk, Citation, Hit, Role

ANSWER_HITS = 8  # passages retrieved for an answer
MAYBE_RELATED = 3  # reports offered as 可能相关 when declining
MAX_REPORTS = 6  # report lines in one answer
PASSAGES_PER_REPORT = 2
SECTION_PASSAGES = 4  # a section question lists more of that one report's section
QUOTES_PER_PASSAGE = 2
ON_TOPIC_SHARE = 0.5  # see on_topic
SECTION_QUOTES = 6  # a section question lists up to this many items of the section
TERM_WEIGHT = 0.5  # sentence score = TERM_WEIGHT × term overlap + (1 − TERM_WEIGHT) × similarity
SENTENCE = re.compile(rf"[^{SENTENCE_END}\n]+[{SENTENCE_END}]?")
# A list entry quotes at most about two lines of the chat column at 1280 px (~40 characters a
# line): a longer sentence is cut to its clauses that mention the subject (云南's 160-character
# list of industries for 低空经济).
MAX_LIST_QUOTE = 80
CLAUSE = re.compile(r"[^，,；;：:]+[，,；;：:]?")
FOLLOW_UP = re.compile(r"^(那|那么|还有|另外|再|其中|同样)|呢[？?]?$")
YEAR = re.compile(r"20\d{2}(?=年)")
MAX_FOLLOW_UP_CHARS = 20  # a follow-up this short borrows the previous question's subject
ROLE_NAMES = {Role.PROBLEM: "存在的问题", Role.PLAN: "工作计划", Role.HIGHLIGHT: "亮点", Role.SUMMARY: "工作成效"}


class QuestionError(AssistantError):
    exit_code = 2  # an unusable question is a usage error
    """A question that cannot be asked (empty, only punctuation)."""


def contextualise(question: str, history: list[str] | None, orgs: list[str] | None = None) -> str:
    """A short follow-up is read in the context of the previous question: a new year or a
    new unit replaces the previous one (「那2024年呢？」「那县财政局呢？」 after
    「区残联2023年做了哪些工作？」); anything else is read together with it."""
    if not history or len(question) > MAX_FOLLOW_UP_CHARS or not FOLLOW_UP.search(question):
        return question
    previous, replaced = history[-1], history[-1]
    years = YEAR.findall(question)
    if years and YEAR.search(previous):
        replaced = YEAR.sub(years[-1], replaced)
    new_units, old_units = named_orgs(question, orgs or []), named_orgs(previous, orgs or [])
    if new_units and old_units:
        replaced = replaced.replace(old_units[0], new_units[0])
    return replaced if replaced != previous else f"{previous} {question}"


def check_question(question: str) -> str:
    """The question stripped, or QuestionError when there is nothing to ask."""
    text = question.strip()
    if not re.search(r"[\w\u4e00-\u9fff]", text):
        if not text:
            raise QuestionError("问题为空：请输入要查询的内容")
        if all(unicodedata.category(ch).startswith("P") or ch.isspace() for ch in text):
            raise QuestionError("问题只有标点：请输入要查询的内容")
        raise QuestionError("问题中没有文字（只有符号或表情）：请用文字写出要查询的内容")
    return text


def _sentences(chunk: Chunk) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of a passage's body (its heading is in the path)."""
    start = body_start(chunk)
    return [(m.start(), m.end()) for m in SENTENCE.finditer(chunk.text, start) if m.group().strip()]


def term_weights(index: Index, query: Query) -> dict[str, float]:
    """The question's content terms, each weighted by its rarity in the library (IDF), so a
    sentence naming 燃气 outranks one that only shares 安全."""
    terms = key_terms(normalize(query.text))
    known = index.derived().sparse.idf(terms)
    top = max(known.values(), default=1.0)
    return {t: known.get(t, top) for t in terms}  # a term the index lacks is as rare as any


def term_share(weights: dict[str, float], text: str) -> float:
    """The weighted share of the terms that `text` contains (0 when there are none)."""
    total = sum(weights.values())
    text = normalize(text)
    return sum(w for t, w in weights.items() if t in text) / total if total else 0.0


def _score_sentences(index: Index, query: Query, hit: Hit, weights: dict[str, float]):
    """(score, start, end) of each sentence: weighted term overlap and similarity."""
    spans = _sentences(hit.chunk)
    if not spans:
        return []
    texts = [hit.chunk.text[a:b] for a, b in spans]
    vectors = embed_with_cache(index.embedder, index.cache, texts)
    similarity = vectors @ index.embedder.embed_query_vec(query.text)
    return [
        (TERM_WEIGHT * term_share(weights, text) + (1 - TERM_WEIGHT) * float(sim), a, b)
        for (a, b), text, sim in zip(spans, texts, similarity, strict=True)
    ]


def on_topic(hits: list[Hit], weights: dict[str, float]) -> list[Hit]:
    """For a question across reports about a topic, the passages that hold at least
    ON_TOPIC_SHARE of the best passage's share of its terms: a report that never mentions
    燃气 is not listed as one that does."""
    shares = [term_share(weights, h.chunk.text) for h in hits]
    best = max(shares, default=0.0)
    if best == 0.0:
        return hits
    return [h for h, share in zip(hits, shares, strict=True) if share >= ON_TOPIC_SHARE * best]


def topic_terms(query: Query) -> list[str]:
    """The question's key terms besides its units, kinds of region and part words: what it is
    about (残疾大学生), where 「县审计局存在哪些问题」 names none."""
    text = content_words(query)
    for _, pattern in role_words():
        text = pattern.sub(" ", text)
    return key_terms(text)


def _is_section_question(query: Query) -> bool:
    """「县审计局存在哪些问题」: one named unit, a part asked for, no topic and no figure within
    it (「那2024年呢？」 after 「区残联2023年救助了多少残疾大学生？」 still asks about them)."""
    return (bool(query.orgs) and not query.many and any(r in ROLE_NAMES for r in query.inferred.role)
            and not topic_terms(query) and not asks_figure(query.text))


def _pick(
    index: Index, query: Query, hit: Hit, section: bool, weights: dict[str, float]
) -> list[tuple[int, int]]:
    """The spans to quote from one passage, in text order."""
    if section:  # a section question: the opening sentence of each item / sub-heading
        spans = _sentences(hit.chunk)
        lines = [body_start(hit.chunk)] + [m.end() for m in re.finditer("\n", hit.chunk.text)]
        firsts = [s for s in spans if s[0] in lines or hit.chunk.text[s[0] : s[0] + 2].endswith("是")]
        return (firsts or spans)[:SECTION_QUOTES]
    scored = sorted(_score_sentences(index, query, hit, weights), reverse=True)
    scored = scored[:QUOTES_PER_PASSAGE]
    return sorted((a, b) for _, a, b in scored)


def _unit_named(index: Index, hit: Hit, query: Query) -> bool:
    return query.names_report(index.derived().reports[hit.chunk.report_id].report)


def _unit(index: Index, hit: Hit) -> str:
    report = index.derived().reports[hit.chunk.report_id].report
    return report.org if report.org != UNKNOWN else report.title


def list_scope(index: Index, query: Query) -> set[str]:
    """The reports a list question is about: its explicit filters, its units or kinds of
    region (直辖市), the levels it names (哪些乡镇)."""
    f, levels = query.filters, query.inferred.level
    return {rid for rid, s in index.derived().reports.items()
            if report_matches(s.report, f) and (not f.report_ids or rid in f.report_ids)
            and (query.names_report(s.report) if query.orgs else not levels or s.report.level in levels)}


def listed_hits(index: Index, query: Query, hits: list[Hit]) -> tuple[Subject, list[Hit]] | None:
    """For a question across reports naming its subject: one passage of every report in scope
    that mentions it — the best retrieved one where retrieval found it, else the report's first
    passage that does — retrieved reports first; None when the form names no subject or no
    report mentions it."""
    subject = subject_of(query.text) if query.across_reports else None
    if subject is None:
        return None
    found = mentioning(index, subject, list_scope(index, query))
    if not found:
        return None
    best: dict[str, Hit] = {}
    for hit in hits:  # a retrieved passage stands for its report if it says what its first does
        rid = hit.chunk.report_id
        if rid in found and mentions(subject, hit.chunk.text) and (
                as_written(subject, hit.chunk.text) or not as_written(subject, found[rid].text)):
            best.setdefault(rid, hit)
    rest = [Hit(chunk, 0.0, {"exact": 1}) for rid, chunk in found.items() if rid not in best]
    return subject, [*best.values(), *rest]


def compose(index: Index, query: Query, hits: list[Hit]) -> Answer:
    """The deterministic answer: a lead line, then one line per report with quotes and [n]."""
    listed = listed_hits(index, query, hits)
    if listed is not None:
        return _listing(index, query, *listed)
    section = _is_section_question(query)
    weights = term_weights(index, query)
    if not section:  # a report that never mentions 家庭医生 is not listed for it
        hits = on_topic(hits, weights)
    if section:  # "县审计局存在哪些问题": that part of that unit's report, when it was found
        asked = [r for r in query.inferred.role if r in ROLE_NAMES]
        hits = [h for h in hits if h.chunk.role in asked and _unit_named(index, h, query)] or hits
    by_report: dict[str, list[Hit]] = {}
    for hit in hits:
        group = by_report.setdefault(hit.chunk.report_id, [])
        if len(group) < (SECTION_PASSAGES if section else PASSAGES_PER_REPORT) and (
            len(by_report) <= MAX_REPORTS
        ):
            group.append(hit)
    by_report = {rid: group for rid, group in list(by_report.items())[:MAX_REPORTS] if group}
    citations: list[Citation] = []
    lines = []
    for group in by_report.values():
        parts = []
        for hit in group:
            spans = _pick(index, query, hit, section, weights)
            quotes = [hit.chunk.text[a:b].strip() for a, b in spans]
            citations.append(Citation(n=len(citations) + 1, hit=hit, quotes=quotes, spans=spans))
            path = PATH_SEP.join(hit.chunk.section_path)
            parts.append(f"{path}：「{'……'.join(quotes)}」[{len(citations)}]")
        lines.append(f"- **{_unit(index, group[0])}**（{group[0].chunk.report_title}）" + "；".join(parts))
    if section:
        role = next(r for r in query.inferred.role if r in ROLE_NAMES)
        lead = f"{query.orgs[0]}报告中关于{ROLE_NAMES[role]}的内容："
    elif len(by_report) > 1:
        lead = f"共有 {len(by_report)} 份报告涉及相关内容："
    else:
        lead = "资料库中的相关内容："
    return Answer(text="\n".join([lead, *lines]), citations=citations)


def _listing(index: Index, query: Query, subject: Subject, hits: list[Hit]) -> Answer:
    """Every report that mentions the subject, one line each: the unit, its best sentences
    about it, a citation; the lead says how many."""
    weights = term_weights(index, query)
    exact = [h for h in hits if as_written(subject, h.chunk.text)]
    loose = [h for h in hits if not as_written(subject, h.chunk.text)]
    citations: list[Citation] = []
    lines = []
    words = "”“".join(subject.words)
    for group, lead in ((exact, f"共有 {len(exact)} 份报告提到“{subject.text}”："),
                        (loose, f"另有 {len(loose)} 份报告提到“{words}”（未见“{subject.text}”原文）："
                         if exact else f"共有 {len(loose)} 份报告提到“{words}”：")):
        if group:
            lines.append(lead)
        for hit in group:
            n = len(citations) + 1
            spans = [s for s in _pick(index, query, hit, False, weights)
                     if mentions(subject, hit.chunk.text[s[0]:s[1]])] or _subject_sentences(index, hit, subject)
            spans = [_subject_clauses(hit.chunk.text, span, subject) for span in spans]
            quotes = [hit.chunk.text[a:b].strip() for a, b in spans]
            citations.append(Citation(n=n, hit=hit, quotes=quotes, spans=spans))
            path = PATH_SEP.join(hit.chunk.section_path)
            lines.append(f"- **{_unit(index, hit)}**（{hit.chunk.report_title}）{path}：「{'……'.join(quotes)}」[{n}]")
    return Answer(text="\n".join(lines), citations=citations)


def _subject_clauses(text: str, span: tuple[int, int], subject: Subject) -> tuple[int, int]:
    """A sentence longer than MAX_LIST_QUOTE cut to the run of its clauses from the first to
    the last that mentions the subject — as written, else by all its words — without the
    closing comma (the whole sentence when no clause alone mentions it)."""
    a, b = span
    if b - a <= MAX_LIST_QUOTE:
        return span
    clauses = [(m.start(), m.end()) for m in CLAUSE.finditer(text, a, b) if text[m.start():m.end()].strip()]
    holding = ([c for c in clauses if as_written(subject, text[c[0]:c[1]])]
               or [c for c in clauses if mentions(subject, text[c[0]:c[1]])])
    if not holding:
        return span
    end = holding[-1][1]
    while end > holding[0][0] + 1 and text[end - 1] in "，,；;：:":
        end -= 1
    return holding[0][0], end


def _subject_sentences(index: Index, hit: Hit, subject: Subject) -> list[tuple[int, int]]:
    """The passage's sentences holding the most of the subject's words, the rarer weighing
    more (燃气 before 安全), at most QUOTES_PER_PASSAGE, in text order."""
    words = subject.words
    weights = index.derived().sparse.idf(words) or dict.fromkeys(words, 1.0)
    scored = [(sum(weights.get(w, 0.0) for w in words if w in hit.chunk.text[a:b]), a, b)
              for a, b in _sentences(hit.chunk)]
    best = sorted((s for s in scored if s[0]), key=lambda s: (-s[0], s[1]))[:QUOTES_PER_PASSAGE]
    return sorted((a, b) for _, a, b in best) or _sentences(hit.chunk)[:1]


def abstention(reason: str, hits: list[Hit]) -> Answer:
    """「资料库中未找到……」 with the closest passages offered as 可能相关, not as the answer."""
    text = f"资料库中未找到能回答这个问题的内容（{reason}）。"
    closest = list({h.chunk.report_id: h for h in reversed(hits)}.values())[::-1]  # one a report
    closest = sorted(closest, key=hits.index)[:MAYBE_RELATED]
    if closest:
        text += "\n可能相关：" + "；".join(f"[{i}] {h.chunk.report_title}" for i, h in enumerate(closest, 1))
    citations = [Citation(n=i, hit=h) for i, h in enumerate(closest, 1)]
    return Answer(text=text, citations=citations, abstained=True)


def answer(
    index: Index,
    question: str,
    filters: Filters | None = None,
    history: list[str] | None = None,
    on_token: Callable[[str], None] | None = None,
) -> Answer:
    """Answer a question from the library with citations (LLM-written when one is configured)."""
    orgs = [s.report.org for s in index.derived().reports.values()]
    text = contextualise(check_question(question), history, orgs)
    query = query_for(index, text, filters)
    notice = f"问题过长，已截取前 {len(query.text)} 个字符" if query.truncated else ""
    hits = search_query(index, query, ANSWER_HITS)
    verdict = assess(index, query, hits)
    if verdict.abstain:
        result = abstention(verdict.reason, hits)
    else:
        result = _llm_or_compose(index, query, hits, on_token)
    result.notice = "；".join(n for n in (notice, verdict.caveat, result.notice) if n)
    return result


def _llm_or_compose(index: Index, query: Query, hits: list[Hit], on_token) -> Answer:
    """The LLM's checked answer when one is configured and works, else the deterministic one."""
    from assistant.answer import llm

    config = llm.llm_config()
    if config is None:
        return compose(index, query, hits)
    try:
        return llm.llm_answer(query.text, hits, on_token=on_token, config=config)
    except llm.LLMError as exc:
        fallback = compose(index, query, hits)
        fallback.notice = f"大模型不可用（{exc}），以下为检索摘录"
        return fallback
