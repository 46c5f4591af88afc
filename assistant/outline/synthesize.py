"""A draft outline from example reports: the parts of the document asked for (shapes.py, data
in the lexicon), themes that recur across the examples within each part, 公文 numbering, and
the example sections behind every heading. Deterministic: no language model."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.ingest.metadata import department_words
from assistant.models import UNKNOWN, Outline, OutlineNode, OutlineSource, Report, Role, Section
from assistant.outline.adapt import first_sentence, mask_numbers, retarget
from assistant.outline.examples import (
    Example,
    business_of,
    foreign_business,
    profile,
    report_year,
)
from assistant.outline.layout import MAX_LEVEL, number_nodes, outline_title
from assistant.outline.request import OutlineRequest
from assistant.outline.shapes import Filling, Part, fill, shape
from assistant.outline.similarity import Similarity, bigram_jaccard
from assistant.outline.themes import (
    FOREIGN_LINK_DEVIATIONS,
    LINK_DEVIATIONS,
    Candidate,
    Theme,
    group,
    representative,
    sentences,
)

MAX_THEMES = 6  # second-level headings per part: more reads as a copy of one report
MIN_THEMES = 4  # fewer recurring themes than this are topped up from the best example
MAX_CLAIMED_THEMES = 3  # themes of a part claimed by words (保障措施): a closing part, not a body
FOREIGN_CAP = 3  # themes per part when all come from other departments' reports
MIN_SUPPORT = 2  # with at least MANY_EXAMPLES examples, a theme must recur in this many
MANY_EXAMPLES = 3
MAX_POINTS = 4  # reference points per theme or opening part …
MIN_POINTS = 2  # … of which the target department's examples give at least this many if they can
MIN_POINT_CHARS = 18  # a shorter sentence is a lead ("经济增长更稳健"): the one it leads is taken
MIN_POINT_LENGTH = 4  # anything shorter is a fragment, not a point
MAX_SUBHEADINGS = 4  # third-level headings taken from the representative's own sub-headings
EMPTY_PART_NOTE = "参考范文中没有可参考的“{part}”内容，请结合本单位实际补写。"
FOREIGN_PART_NOTE = "同类范文没有“{part}”的内容，该部分取自其他单位的范文，请结合本单位实际改写。"


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


def point_text(passage: str, heading: str = "") -> str:
    """The first sentence of a passage that says more than its heading, as written (cut only
    at a clause end), numbers masked — past a short lead sentence ("经济增长更稳健。") to the
    one it leads when there is one; "" when there is none."""
    found = []
    for sentence in sentences(passage) or [passage]:
        text = mask_numbers(first_sentence(sentence).strip("，,"))
        if len(text) >= MIN_POINT_LENGTH and not (heading and text in heading):
            found.append(text)
    return next((t for t in found if len(t) >= MIN_POINT_CHARS), found[0] if found else "")


def _points(
    theme: Theme, heading: str, examples: list[Example], own: set[int], business: re.Pattern[str]
) -> list[tuple[str, OutlineSource]]:
    """2–4 reference points, round-robin over the theme's examples (the target department's
    first), each one sentence of one source with numbers masked (one that only spells out the
    heading is kept only when there is nothing else); another department's example adds points
    only while the target department's give fewer than MIN_POINTS, and none about its own
    business (`business`) unless no example is of the target's department."""
    queue: list[tuple[tuple[str, Section], Candidate]] = []
    for mine in (True, False):
        members = sorted(
            (m for m in theme.members if (m.example in own) == mine), key=lambda m: m.example
        )
        depth = max((len(m.passages) for m in members), default=0)
        queue += [(m.passages[d], m) for d in range(depth) for m in members if d < len(m.passages)]
    points: list[tuple[str, OutlineSource]] = []
    echoes: list[tuple[str, OutlineSource]] = []  # sentences that open with the heading's words
    mine_here = any(m.example in own for m in theme.members)
    for (passage, section), member in queue:
        text = point_text(passage, heading)
        if not text or any(text == t for t, _ in points):
            continue
        foreign = member.example not in own
        if own and foreign and (business.search(text) or (mine_here and len(points) >= MIN_POINTS)):
            continue
        point = (text, source(examples[member.example].report, section))
        (echoes if heading in text else points).append(point)
        if len(points) == MAX_POINTS:
            break
    return points or echoes[:1]


def _salutation_cut(sentence: str) -> str:
    """A sentence without the address that opens a speech (「各位代表，2024年是……」)."""
    head, comma, rest = sentence.partition("，")
    salutes = [p for kind, p in lexicon.keyed_patterns("front_matter.txt") if kind == "salutation"]
    return rest if comma and any(p.match(head + comma) for p in salutes) else sentence


def _lead_points(
    filling: Filling, examples: list[Example], own: set[int]
) -> list[tuple[str, OutlineSource]]:
    """Up to MAX_POINTS opening sentences, round-robin over the examples (own department's
    first), each one sentence of one source with numbers masked."""
    ranks = sorted({r for r, _, _ in filling.leads}, key=lambda r: (r not in own, r))
    by_rank = {r: [(t, s) for q, t, s in filling.leads if q == r] for r in ranks}
    depth = max((len(v) for v in by_rank.values()), default=0)
    points: list[tuple[str, OutlineSource]] = []
    for d in range(depth):
        for rank in ranks:
            if d < len(by_rank[rank]) and len(points) < MAX_POINTS:
                text, section = by_rank[rank][d]
                text = point_text(_salutation_cut(text))
                if text and all(text != t for t, _ in points):
                    points.append((text, source(examples[rank].report, section)))
    return points


def _focused(theme: Theme, focus: list[str]) -> bool:
    return any(
        f in m.heading or any(f in p for p, _ in m.passages) for m in theme.members for f in focus
    )


def select_themes(
    themes: list[Theme],
    holders: int,
    focus: list[str],
    relevance: dict[int, float],
    own: set[int],
    cap: int = MAX_THEMES,
) -> list[Theme]:
    """Recurring themes (and those on the request's focus), capped, recurring ones first.

    `holders` is how many examples have the part; `relevance` maps id(theme) to how well it
    fits the target; `own` holds the ranks of examples of the target's own department. With
    fewer than MANY_EXAMPLES holders every theme may stand; themes drawn only from other
    departments' reports are held to FOREIGN_CAP, the most generic first. The kept themes run
    by how many examples share them, then in the examples' order.
    """
    need = MIN_SUPPORT if holders >= MANY_EXAMPLES else 1

    def mine(t: Theme) -> bool:
        return any(m.example in own for m in t.members)

    def key(t: Theme) -> tuple:
        best_rank = min(m.example for m in t.members)
        fit = relevance.get(id(t), 0.0)
        return (not _focused(t, focus), -t.support, not mine(t), best_rank, -fit, -t.cohesion)

    cap = cap if any(mine(t) for t in themes) else min(cap, FOREIGN_CAP)
    ranked = sorted(themes, key=key)
    kept = [t for t in ranked if t.support >= need or _focused(t, focus)][:cap]
    kept += [t for t in ranked if t not in kept][: max(0, min(cap, MIN_THEMES) - len(kept))]
    return sorted(kept, key=lambda t: (-t.support, t.position))


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
    level: int,
    request: OutlineRequest,
    examples: list[Example],
    similarity: Similarity,
) -> list[OutlineNode]:
    """A theme's heading at `level`, its reference points and its representative's own
    sub-headings one level below (none below the third)."""
    rep: Candidate = representative(theme, similarity)
    report = examples[rep.example].report
    shift = _shift(rep.role, report, request)
    heading = retarget(mask_numbers(rep.heading, keep_years=True), report, request, shift)
    members = sorted(theme.members, key=lambda m: m.example)
    node = OutlineNode(
        heading, level, [source(examples[m.example].report, m.section) for m in members]
    )
    own = {i for i, e in enumerate(examples) if e.report.department == request.department}
    node.points = _points(theme, rep.heading, examples, own, foreign_business(request.department))
    if level >= MAX_LEVEL:
        return [node]
    subs = [
        OutlineNode(
            retarget(mask_numbers(c.heading, keep_years=True), report, request, shift),
            level + 1,
            [source(report, c)],
        )
        for c in rep.children[:MAX_SUBHEADINGS]
    ]
    return [node, *subs]


def _part_nodes(
    part: Part,
    filling: Filling,
    request: OutlineRequest,
    examples: list[Example],
    similarity: Similarity,
    notes: list[str],
) -> list[OutlineNode]:
    """One part of the outline: its heading with its opening points and its themes below it,
    or (a spread part) its themes as top-level parts; its heading with a note when no example
    has it."""
    heading = part.heading(request)
    own = {i for i, e in enumerate(examples) if e.report.department == request.department}
    own_ids = {examples[i].report.id for i in own}
    found = filling.found
    holders = {c.example for c in found}
    link = LINK_DEVIATIONS if holders & own else FOREIGN_LINK_DEVIATIONS
    themes = own_business(group(native(found, request, examples), similarity, link), request, own)
    relevance = _relevance(themes, request, examples, similarity)
    cap = MAX_THEMES if part.words is None else MAX_CLAIMED_THEMES
    chosen = select_themes(themes, len(holders), request.focus, relevance, own, cap)
    level = 1 if part.spread else 2
    below = [n for t in chosen for n in _theme_nodes(t, level, request, examples, similarity)]
    lead_points = _lead_points(filling, examples, own)
    drawn = {s.report_id in own_ids for n in below for s in n.sources}
    drawn |= {s.report_id in own_ids for _, s in lead_points}
    if own and drawn == {False}:
        notes.append(FOREIGN_PART_NOTE.format(part=heading))
    if part.spread and below:
        return below
    held = {(r, s.path[0]) for r, s in filling.tops}
    used = [m for t in chosen for m in t.members]
    sections = filling.tops + [
        (m.example, m.section) for m in used if (m.example, m.section.path[0]) not in held
    ]
    sources = [source(examples[r].report, s) for r, s in sections]
    sources += [s for _, s in lead_points if s not in sources]
    top = OutlineNode(heading, 1, sources, lead_points)
    for echo in [n for n in below if n.level == 2 and n.heading == heading]:
        below.remove(echo)  # a claimed section headed like the part itself: its points lead it
        top.points += [p for p in echo.points if p not in top.points][
            : MAX_POINTS - len(top.points)
        ]
    if not (below or top.points):
        top.sources, top.note = [], EMPTY_PART_NOTE.format(part=heading)
    return [top, *below]


def build_outline(
    request: OutlineRequest, examples: list[Example], similarity: Similarity | None = None
) -> Outline:
    """The draft outline for a request from its chosen examples (see the module docstring)."""
    similarity = similarity or bigram_jaccard
    if request.topic and any(e.report.department == request.topic for e in examples):
        examples = [e for e in examples if e.report.department == request.topic or e.pinned]
    outline = Outline(outline_title(request), examples=[e.report.id for e in examples])
    outline.notes = notes(request, examples)
    parts = shape(request)
    fillings = fill(parts, [e.report for e in examples], [e.only for e in examples])
    for part in parts:
        outline.nodes += _part_nodes(
            part, fillings[part.key], request, examples, similarity, outline.notes
        )
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


def _foreign_words(department: str) -> re.Pattern[str]:
    """Words naming any department other than `department` (财政, 供销, 国资 …)."""
    others = [(k, p.pattern) for k, p in department_words() if k != department]
    return re.compile("|".join(f"{k}|{p}" for k, p in others))


def own_business(themes: list[Theme], request: OutlineRequest, own: set[int]) -> list[Theme]:
    """Drop themes drawn only from other departments' examples that are about those
    departments' own business (a 教育局 plan gets no 财政收支 theme, an 应急管理局 plan no
    无障碍环境建设); all of them stay only when no example is of the target's department (the
    part would otherwise be empty for a unit the library has no reports of)."""
    business = foreign_business(request.department)
    kept = [
        t
        for t in themes
        if any(m.example in own for m in t.members)
        or not any(business_of(m, business) for m in t.members)
    ]
    return kept if kept or own else themes


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
    listed = "；".join(f"{e.label}（{e.reason}）" for e in examples)
    found.append(f"参考范文按部门、层级、文种和标题相似度选出：{listed}。")
    return found
