"""Aligning the examples' headings within one part (summary, problem, plan …) into themes.

Candidates are each example's second-level headings under that part (or the lead clauses of
its 一是/二是 items when it has no sub-headings); candidates of different examples that read
alike are grouped, and the groups that recur across examples become the outline's themes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import mean, pstdev

from assistant.models import Section
from assistant.outline.adapt import first_sentence, lead_clause, strip_item_mark
from assistant.outline.similarity import Similarity

# A leaf part whose heading only names the part ("下一步工作安排") is not a theme itself;
# its sentences stand in as (weak) candidates.
PART_HEADING = re.compile(
    r"总结|计划|打算|安排|谋划|思路|下一步|回顾|存在|问题|不足|亮点|^(?:\S{0,6})?工作(?:开展|推进)?情况$"
)
# A part with at most this many sub-headings, some of which have their own, is a container
# ("（一）主要指标 （二）重点工作推进情况 → 1. 2. 3."): its grandchildren are the themes.
MAX_CONTAINER_CHILDREN = 2
MAX_SENTENCE_CANDIDATES = 6  # sentences taken from a leaf part without headings or items
MAX_PASSAGES = 3  # passages kept per candidate for reference points
MIN_LEAD_CHARS = 18  # a shorter sentence ("加强队伍建设。") is a lead, not a theme of its own
CLUSTER_BODY_CHARS = 200  # body characters added to a heading when comparing candidates
# Two groups merge when their average likeness stands this many standard deviations above
# the mean likeness of candidates of different examples.
LINK_DEVIATIONS = 1.25
# Reports of different departments share few topics; their headings must be far more alike
# to count as one theme (安全生产 with 安全生产, not 农村电商 with 供销社改革).
FOREIGN_LINK_DEVIATIONS = 2.5


@dataclass
class Candidate:
    """One example heading within a part, with where it sits and what is written under it."""

    example: int  # rank of its example (0 = best)
    heading: str
    section: Section  # the section it heads, or that holds its item
    position: float  # relative position within its part, 0..1
    role: str  # the role of the example's top-level section it sits under
    passages: list[tuple[str, Section]] = field(default_factory=list)
    weak: bool = False  # taken from a sentence, not written as a heading
    children: list[Section] = field(default_factory=list)
    body: str = ""  # everything written under it, for comparing candidates

    def text(self) -> str:
        return f"{self.heading} {self.body[:CLUSTER_BODY_CHARS]}"


@dataclass
class Theme:
    """Candidates of different examples grouped as one topic."""

    members: list[Candidate]
    cohesion: float = 0.0

    @property
    def support(self) -> int:
        return len({m.example for m in self.members})

    @property
    def position(self) -> float:
        return mean(m.position for m in self.members)


def sentences(text: str) -> list[str]:
    """A body's sentences, each whole and on its own (never two joined: a point is one
    sentence of one source)."""
    parts = re.split(r"(?<=[。；;！？])", " ".join(text.split()))
    return [p.strip() for p in parts if len(p.strip()) > 1]


def _section_passages(section: Section) -> list[tuple[str, Section]]:
    """What is written under a heading: its items, its sub-headings' bodies, or its sentences."""
    if section.items:
        found = [(strip_item_mark(i), section) for i in section.items]
    elif section.children:
        found = [(c.text or c.heading, c) for c in section.children]
    else:
        found = [(s, section) for s in sentences(section.text)]
    return found[:MAX_PASSAGES]


def _item_passage(item: str) -> str:
    """An item's body after its lead sentence (the lead became the heading)."""
    body = strip_item_mark(item)
    lead = first_sentence(body, limit=10_000)
    rest = body[len(lead) :].lstrip("。；;，, ")
    return rest or body


Raw = tuple[str, Section, list[tuple[str, Section]], bool, list[Section], str]


def _full_text(section: Section) -> str:
    return " ".join(s.text for s in section.walk())


def _raw_candidates(part: Section) -> list[Raw]:
    """(heading, section, passages, weak, children, body) under one top-level section."""
    kids = part.children
    if kids and len(kids) <= MAX_CONTAINER_CHILDREN and any(k.children for k in kids):
        kids = [g for k in kids for g in (k.children or [k])]
    if kids:
        return [
            (k.heading, k, _section_passages(k), False, k.children, _full_text(k)) for k in kids
        ]
    if part.items:
        return [
            (lead_clause(i), part, [(_item_passage(i), part)], False, [], i) for i in part.items
        ]
    if part.marker and not PART_HEADING.search(part.heading):
        return [(part.heading, part, _section_passages(part), False, [], part.text)]
    found = [s for s in sentences(part.text) if len(s) >= MIN_LEAD_CHARS]
    if len(found) < 2:
        return []
    return [
        (lead_clause(s), part, [(s, part)], True, [], s) for s in found[:MAX_SENTENCE_CANDIDATES]
    ]


def candidates(tops: list[tuple[int, Section]]) -> list[Candidate]:
    """The candidate headings under top-level sections (rank of their example, section), with
    their relative positions within each example's sections."""
    found: list[Candidate] = []
    for rank in dict.fromkeys(r for r, _ in tops):
        raw = [(s.role, c) for r, s in tops if r == rank for c in _raw_candidates(s)]
        for i, (role, (heading, section, passages, weak, children, body)) in enumerate(raw):
            position = i / (len(raw) - 1) if len(raw) > 1 else 0.5
            found.append(
                Candidate(rank, heading, section, position, role, passages, weak, children, body)
            )
    return found


def _standardised(
    items: list[Candidate], texts: list[str], similarity: Similarity
) -> list[list[float]]:
    """Symmetric pairwise similarity in standard deviations above the cross-example mean."""
    raw = [similarity(t, texts) for t in texts]
    n = len(items)
    sym = [[(raw[i][j] + raw[j][i]) / 2 for j in range(n)] for i in range(n)]
    cross = [
        sym[i][j] for i in range(n) for j in range(i + 1, n) if items[i].example != items[j].example
    ]
    if len(cross) < 2 or pstdev(cross) == 0:
        return [[0.0] * n for _ in range(n)]
    mu, sigma = mean(cross), pstdev(cross)
    return [[(sym[i][j] - mu) / sigma for j in range(n)] for i in range(n)]


def _matrix(items: list[Candidate], similarity: Similarity) -> list[list[float]]:
    """Pairwise likeness: the mean of the headings' and the heading+body texts' standardised
    similarities, so the rule holds for bigram overlaps of 0.0x and embedding cosines of 0.8x
    alike, and a sparse heading overlap and a dense body overlap weigh the same."""
    by_head = _standardised(items, [c.heading for c in items], similarity)
    by_text = _standardised(items, [c.text() for c in items], similarity)
    n = len(items)
    return [[(by_head[i][j] + by_text[i][j]) / 2 for j in range(n)] for i in range(n)]


def group(
    items: list[Candidate], similarity: Similarity, threshold: float = LINK_DEVIATIONS
) -> list[Theme]:
    """Average-link grouping of candidates whose likeness reaches `threshold` (standard
    deviations above the cross-example mean); a group never holds two of one example's."""
    if not items:
        return []
    sim = _matrix(items, similarity)
    groups: list[list[int]] = [[i] for i in range(len(items))]

    def link(a: list[int], b: list[int]) -> float:
        return mean(sim[i][j] for i in a for j in b)

    while True:
        best, pair = threshold, None
        for x in range(len(groups)):
            for y in range(x + 1, len(groups)):
                if {items[i].example for i in groups[x]} & {items[j].example for j in groups[y]}:
                    continue
                score = link(groups[x], groups[y])
                if score >= best:
                    best, pair = score, (x, y)
        if pair is None:
            break
        x, y = pair
        groups[x] += groups.pop(y)
    themes = []
    for g in groups:
        pairs = [sim[i][j] for i in g for j in g if i < j]
        themes.append(Theme([items[i] for i in g], mean(pairs) if pairs else 0.0))
    return themes


def representative(theme: Theme, similarity: Similarity) -> Candidate:
    """The member heading that is both close to the others and from a well-ranked example:
    the least sum of its closeness rank and its example's rank (written headings first)."""
    members = theme.members
    if len(members) == 1:
        return members[0]
    texts = [m.heading for m in members]
    closeness = [mean(similarity(t, texts)) for t in texts]
    order = sorted(range(len(members)), key=lambda i: -closeness[i])
    close_rank = {i: r for r, i in enumerate(order)}
    by_example = sorted(range(len(members)), key=lambda i: members[i].example)
    example_rank = {i: r for r, i in enumerate(by_example)}

    def key(i: int) -> tuple:
        return (members[i].weak, close_rank[i] + example_rank[i], members[i].example)

    return members[min(range(len(members)), key=key)]
