"""A draft outline from example reports: parts by the request's kind, themes that recur
across the examples within each part, 公文 numbering, and the example sections behind every
heading. Deterministic: no language model."""

from __future__ import annotations

import re

from assistant.ingest.metadata import department_business, department_words
from assistant.models import UNKNOWN, Outline, OutlineNode, OutlineSource, Report, Role, Section
from assistant.outline.adapt import first_sentence, mask_numbers, retarget
from assistant.outline.examples import Example, profile, report_year
from assistant.outline.layout import number_nodes, outline_title, part_heading
from assistant.outline.request import OutlineRequest
from assistant.outline.similarity import Similarity, bigram_jaccard
from assistant.outline.themes import (
    FOREIGN_LINK_DEVIATIONS,
    LINK_DEVIATIONS,
    Candidate,
    Theme,
    candidates,
    group,
    representative,
)

MAX_THEMES = 6  # second-level headings per part: more reads as a copy of one report
MIN_THEMES = 4  # fewer recurring themes than this are topped up from the best example
FOREIGN_CAP = 3  # themes per part when all come from other departments' reports
MIN_SUPPORT = 2  # with at least MANY_EXAMPLES examples, a theme must recur in this many
MANY_EXAMPLES = 3
MAX_POINTS = 4  # reference points per theme …
MIN_POINT_CHARS = 18  # … a shorter first sentence is a lead ("提高养老服务质量") and takes the next
MIN_POINT_LENGTH = 4  # anything shorter is a fragment, not a point
MAX_SUBHEADINGS = 4  # third-level headings taken from the representative's own sub-headings
ROLE_LABELS = {Role.SUMMARY: "总结", Role.HIGHLIGHT: "亮点", Role.PROBLEM: "存在问题", Role.PLAN: "计划"}


def parts(request: OutlineRequest, examples: list[Example]) -> list[str]:
    """The roles of the outline's top-level parts, in order."""
    roles: list[str] = []
    if request.wants_summary:
        have = sum(any(s.role == Role.HIGHLIGHT for s in e.report.sections) for e in examples)
        enough = have >= 1 if request.doc_kind == "总结" else have * 2 >= len(examples) and have > 0
        roles += [Role.SUMMARY, *([Role.HIGHLIGHT] if enough else []), Role.PROBLEM]
    return roles + ([Role.PLAN] if request.wants_plan else [])


def _shift(role: str, report: Report, request: OutlineRequest) -> int:
    """Years to add to an example's years so they read as the target's."""
    year = report_year(report)
    if year is None or request.year is None:
        return 0
    if role != Role.PLAN:
        return request.year - year
    example_plan = year if "上半年" in report.period else year + 1
    return (request.plan_year or request.year) - example_plan


def source(report: Report, section: Section) -> OutlineSource:
    return OutlineSource(report.id, report.title, list(section.path))


def _point_text(passage: str) -> str:
    """A passage's first sentence, a short lead joined to the next, numbers masked."""
    text = first_sentence(passage)
    rest = passage[len(text) :].lstrip("。；;，,： ")
    if len(text) < MIN_POINT_CHARS and rest:
        text = f"{text.rstrip('：:')}：{first_sentence(rest)}"
    return mask_numbers(text.strip("，,"))


def _points(
    theme: Theme, heading: str, examples: list[Example], own: set[int], business: re.Pattern[str]
) -> list[tuple[str, OutlineSource]]:
    """2–4 reference points, round-robin over the theme's examples (the target department's
    first), numbers masked; a point that only repeats the heading is kept only when there is
    nothing else, and one about another department's own business (`business`) only when
    no example of the target's department shares the theme."""
    queue: list[tuple[tuple[str, Section], Candidate]] = []
    for mine in (True, False):
        members = sorted(
            (m for m in theme.members if (m.example in own) == mine), key=lambda m: m.example
        )
        depth = max((len(m.passages) for m in members), default=0)
        queue += [(m.passages[d], m) for d in range(depth) for m in members if d < len(m.passages)]
    points: list[tuple[str, OutlineSource]] = []
    echoes: list[tuple[str, OutlineSource]] = []
    mine_here = any(m.example in own for m in theme.members)
    for (passage, section), member in queue:
        text = _point_text(passage)
        point = (text, source(examples[member.example].report, section))
        if len(text) < MIN_POINT_LENGTH or any(text == t for t, _ in points):
            continue
        if mine_here and member.example not in own and business.search(text):
            continue
        (echoes if text in heading or heading in text else points).append(point)
        if len(points) == MAX_POINTS:
            break
    return points or echoes[:1]


def _focused(theme: Theme, focus: list[str]) -> bool:
    return any(
        f in m.heading or any(f in p for p, _ in m.passages) for m in theme.members for f in focus
    )


def select_themes(
    themes: list[Theme], holders: int, focus: list[str], relevance: dict[int, float], own: set[int]
) -> list[Theme]:
    """Recurring themes (and those on the request's focus), capped, in the examples' order.

    `holders` is how many examples have the part; `relevance` maps id(theme) to how well it
    fits the target; `own` holds the ranks of examples of the target's own department. With
    fewer than MANY_EXAMPLES holders every theme may stand; themes drawn only from other
    departments' reports are held to FOREIGN_CAP, the most generic first.
    """
    need = MIN_SUPPORT if holders >= MANY_EXAMPLES else 1

    def mine(t: Theme) -> bool:
        return any(m.example in own for m in t.members)

    def key(t: Theme) -> tuple:
        best_rank = min(m.example for m in t.members)
        fit = relevance.get(id(t), 0.0)
        return (not _focused(t, focus), -t.support, not mine(t), best_rank, -fit, -t.cohesion)

    cap = MAX_THEMES if any(mine(t) for t in themes) else FOREIGN_CAP
    ranked = sorted(themes, key=key)
    kept = [t for t in ranked if t.support >= need or _focused(t, focus)][:cap]
    kept += [t for t in ranked if t not in kept][: max(0, min(cap, MIN_THEMES) - len(kept))]
    return sorted(kept, key=lambda t: t.position)


def _relevance(
    themes: list[Theme], request: OutlineRequest, examples: list[Example], similarity: Similarity
) -> dict[int, float]:
    """How well each theme fits the target: its similarity to the request (with its focus)
    and to the examples of the target's own department."""
    own = [e.report for e in examples if e.report.department == request.department]
    target = " ".join([request.text, *request.focus, *(profile(r) for r in own)])
    texts = [" ".join(m.text() for m in t.members) for t in themes]
    return dict(zip(map(id, themes), similarity(target, texts), strict=True)) if themes else {}


def _theme_nodes(
    theme: Theme,
    role: str,
    request: OutlineRequest,
    examples: list[Example],
    similarity: Similarity,
) -> list[OutlineNode]:
    rep: Candidate = representative(theme, similarity)
    report = examples[rep.example].report
    shift = _shift(role, report, request)
    heading = retarget(mask_numbers(rep.heading, keep_years=True), report, request, shift)
    members = sorted(theme.members, key=lambda m: m.example)
    node = OutlineNode(heading, 2, [source(examples[m.example].report, m.section) for m in members])
    own = {i for i, e in enumerate(examples) if e.report.department == request.department}
    node.points = _points(theme, rep.heading, examples, own, _foreign_business(request.department))
    subs = [
        OutlineNode(
            retarget(mask_numbers(c.heading, keep_years=True), report, request, shift),
            3,
            [source(report, c)],
        )
        for c in rep.children[:MAX_SUBHEADINGS]
    ]
    return [node, *subs]


def build_outline(
    request: OutlineRequest, examples: list[Example], similarity: Similarity | None = None
) -> Outline:
    """The draft outline for a request from its chosen examples (see the module docstring)."""
    similarity = similarity or bigram_jaccard
    if request.topic and any(e.report.department == request.topic for e in examples):
        examples = [e for e in examples if e.report.department == request.topic or e.pinned]
    outline = Outline(outline_title(request), examples=[e.report.id for e in examples])
    outline.notes = notes(request, examples)
    for role in parts(request, examples):
        tops = [(e, s) for e in examples for s in e.report.sections if s.role == role]
        if not tops:
            outline.notes.append(
                f"参考范文均无“{ROLE_LABELS[role]}”部分，提纲未列出，请按实际补写。"
            )
            continue
        top = OutlineNode(part_heading(role, request), 1, [source(e.report, s) for e, s in tops])
        outline.nodes.append(top)
        own = {i for i, e in enumerate(examples) if e.report.department == request.department}
        holders = {examples.index(e) for e, _ in tops}
        link = LINK_DEVIATIONS if holders & own else FOREIGN_LINK_DEVIATIONS
        if own and not holders & own:
            outline.notes.append(
                f"同类范文没有“{ROLE_LABELS[role]}”部分，该部分取自其他单位的范文，请结合本单位实际改写。"
            )
        themes = group(native(candidates(examples, role), request, examples), similarity, link)
        themes = own_business(themes, request, own)
        relevance = _relevance(themes, request, examples, similarity)
        for theme in select_themes(themes, len(holders), request.focus, relevance, own):
            outline.nodes += _theme_nodes(theme, role, request, examples, similarity)
    number_nodes(outline.nodes)
    missing = [
        f
        for f in request.focus
        if not any(f in n.heading or any(f in p for p, _ in n.points) for n in outline.nodes)
    ]
    if missing:
        outline.notes.append(
            f"参考范文中未见“{'、'.join(missing)}”的相关写法，请结合本单位实际补充。"
        )
    return outline


SHARED_WORK = ("党建", "政务公开")  # every unit reports on these: never another's business


def _foreign_words(department: str) -> re.Pattern[str]:
    """Words naming any department other than `department` (财政, 供销, 国资 …)."""
    others = [(k, p.pattern) for k, p in department_words() if k != department]
    return re.compile("|".join(f"{k}|{p}" for k, p in others))


def _foreign_business(department: str) -> re.Pattern[str]:
    """Words of another department kind's own business (收支, 合作社, 低保 …), leaving out
    the work every unit shares (党建, 政务公开)."""
    rows = department_business()
    return re.compile("|".join(p.pattern for k, p in rows if k not in (department, *SHARED_WORK)))


def own_business(themes: list[Theme], request: OutlineRequest, own: set[int]) -> list[Theme]:
    """Drop themes drawn only from other departments' examples whose headings are about those
    departments' own business (a 教育局 plan gets no 财政收支 theme); never all of them."""
    business = _foreign_business(request.department)
    kept = [
        t
        for t in themes
        if any(m.example in own for m in t.members)
        or not any(business.search(m.heading) for m in t.members)
    ]
    return kept or themes


def native(
    found: list[Candidate], request: OutlineRequest, examples: list[Example]
) -> list[Candidate]:
    """Drop headings about another department's own business (财政收支…) taken from examples
    of other departments; a part left empty keeps them all."""
    foreign = _foreign_words(request.department)
    kept = [
        c
        for c in found
        if examples[c.example].report.department == request.department
        or not foreign.search(c.heading)
    ]
    return kept or found


def notes(request: OutlineRequest, examples: list[Example]) -> list[str]:
    """Why these examples: an absent department, a thin topic, the examples' reasons."""
    found: list[str] = []
    if request.department not in ("综合", UNKNOWN) and all(
        e.report.department != request.department for e in examples
    ):
        found.append(f"资料库中没有{request.department}类报告，以下参考相近单位。")
    if len(examples) == 1:
        found.append("资料库中同类报告仅此一篇，提纲基本沿用其结构。")
    listed = "；".join(f"{e.report.title}（{e.reason}）" for e in examples)
    found.append(f"参考范文按部门、层级、文种和标题相似度选出：{listed}。")
    return found
