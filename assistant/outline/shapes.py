"""The shape of the document a request asks for — its parts, their headings and where each is
filled from in the examples — read from the lexicon's outline_*.txt files (data, not code),
and the examples' sections handed to those parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import lexicon
from assistant.models import Report, Section
from assistant.outline.request import OutlineRequest
from assistant.outline.themes import Candidate, candidates, sentences

LEAD = "lead"  # the pseudo-role of a section's opening text, before its first sub-heading
SPREAD_MARK = "^"  # a part written ^name in outline_shapes.txt spreads its themes to the top


@dataclass(frozen=True)
class Part:
    """One part of an outline's shape."""

    key: str  # 成效, 问题, 任务 …
    template: str  # heading with {year} / {plan_year}
    roles: tuple[str, ...]  # example section roles it draws from
    words: re.Pattern[str] | None  # heading words that claim a section for it (None: a home)
    spread: bool = False  # its themes are the outline's top-level parts

    @property
    def lead(self) -> bool:
        """Whether it takes the opening text of its roles' sections."""
        return LEAD in self.roles

    def heading(self, request: OutlineRequest) -> str:
        """The part's heading with the request's years (「2024年重点任务」, or 「重点任务」)."""
        year = f"{request.year}年" if request.year else ""
        plan_year = f"{request.plan_year}年" if request.plan_year else ""
        return self.template.format(year=year, plan_year=plan_year)


def shape_key(request: OutlineRequest) -> str:
    """Which shape a request asks for: 政府工作报告, 半年 (a half-year summary) or its kind."""
    if request.doc_kind == "政府工作报告":
        return request.doc_kind
    if request.period == "上半年" and request.wants_summary:
        return "半年"
    return request.doc_kind


def shape(request: OutlineRequest) -> list[Part]:
    """The parts of the outline for a request, in order."""
    headings = dict((k, ws[0] if ws else k) for k, ws in lexicon.table("outline_part_headings.txt"))
    roles = dict(lexicon.table("outline_part_roles.txt"))
    words = dict(lexicon.keyed_patterns("outline_part_words.txt"))
    names = lexicon.words("outline_shapes.txt", shape_key(request))
    return [
        Part(key, headings.get(key, key), roles.get(key, ()), words.get(key), name != key)
        for name in names
        if (key := name.removeprefix(SPREAD_MARK))
    ]


def home(parts: list[Part], role: str) -> Part | None:
    """The part that takes a role's sections by default: the first listing it without words."""
    return next((p for p in parts if role in p.roles and p.words is None), None)


def claimant(parts: list[Part], role: str, heading: str) -> Part | None:
    """The part whose words claim a heading of a section of `role`, if any."""
    return next(
        (p for p in parts if role in p.roles and p.words is not None and p.words.search(heading)),
        None,
    )


@dataclass
class Filling:
    """What one outline part is drawn from: the examples' top-level sections, the candidate
    headings under them, and opening sentences (rank of the example, sentence, section)."""

    tops: list[tuple[int, Section]] = field(default_factory=list)
    found: list[Candidate] = field(default_factory=list)
    leads: list[tuple[int, str, Section]] = field(default_factory=list)


def fill(
    parts: list[Part], reports: list[Report], only: list[tuple[str, ...]] | None = None
) -> dict[str, Filling]:
    """Every example section handed to the part of the shape it belongs to: a role's sections to
    its home part, unless a part's words claim them (a whole top-level section only when its
    report has another section of that role), sub-headings the same way, and the opening text
    of a home part's sections to the part taking leads of that role. `only[i]`, when not
    empty, names the parts report i may serve (an example added for one part)."""
    fillings = {p.key: Filling() for p in parts}
    only = only or [()] * len(reports)
    for rank, report in enumerate(reports):
        sections = report.sections
        for section in sections:
            base, claim = home(parts, section.role), claimant(parts, section.role, section.heading)
            alone = sum(s.role == section.role for s in sections) == 1
            part = claim if claim and (base is None or not alone) else base
            if part is None:
                continue
            fillings[part.key].tops.append((rank, section))
            opener = next((p for p in parts if p.lead and section.role in p.roles), None)
            if opener and part is base and section.children and section.text:
                leads = [(rank, t, section) for t in sentences(section.text)]
                fillings[opener.key].leads += leads
    for part in parts:
        for found in candidates(fillings[part.key].tops):
            claim = claimant(parts, found.role, found.heading) if part.words is None else None
            fillings[(claim or part).key].found.append(found)
    for key, filling in fillings.items():  # an example added for one part serves that part only
        serves = {rank for rank, parts_of in enumerate(only) if not parts_of or key in parts_of}
        filling.tops = [(r, s) for r, s in filling.tops if r in serves]
        filling.found = [c for c in filling.found if c.example in serves]
        filling.leads = [lead for lead in filling.leads if lead[0] in serves]
    return fillings


def claimed(part: Part, parts: list[Part], report: Report) -> tuple[list[Candidate], list[str]]:
    """The sub-headings and opening sentences of a report that a claiming part would take."""
    filling = fill(parts, [report])[part.key]
    return filling.found, [t for _, t, _ in filling.leads]
