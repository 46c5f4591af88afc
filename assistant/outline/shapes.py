"""The shape of the document a request asks for — its parts, their headings and where each is
filled from in the examples — read from the lexicon's outline_*.txt files (data, not code)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import lexicon
from assistant.outline.request import OutlineRequest

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
