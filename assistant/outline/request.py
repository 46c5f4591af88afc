"""What an outline request asks for: the target unit, its level and department, the years,
the period, the kind of document and the topics to stress.

「帮我写县民政局2024年工作计划的提纲，重点写养老服务」 → org 县民政局, level 县, department
民政, kind 计划, year 2024, focus [养老服务].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ingest.metadata import department_words, level_of
from assistant.models import UNKNOWN

YEAR = re.compile(r"(20\d{2})\s*年?")
SUMMARY_WORD = re.compile(r"总结|回顾|述职")
PLAN_WORD = re.compile(r"计划|打算|要点|安排|思路|谋划")
GOVERNMENT_REPORT = "政府工作报告"  # reviews the last year and plans this one (its title's year)
# The end of the words naming the document: its last kind word, with 的提纲 and the like.
DOC_END = re.compile(
    r"(?:总结|回顾|述职|计划|打算|要点|安排|思路|谋划|政府工作报告)"
    r"(?:的?(?:提纲|大纲|框架|目录|模板))?"
)
# Requests open with a verb phrase before the unit: 帮我写 / 请起草一份 / 我要写 …
LEAD_FILLER = re.compile(
    r"^(?:请你?|麻烦|帮忙|帮我|给我|我要|我想|需要|起草|草拟|拟写|撰写|生成|写|拟|一[份篇个]|关于)+"
)
# Where the unit's name ends: a year, a period, a topic or the kind of document begins.
ORG_END = re.compile(
    r"20\d{2}|上半年|下半年|全年|年度|政务公开|政府信息公开|党建|D建|(?:人民)?政府工作报告|工作|"
    r"总结|计划|打算|要点"
)
UNIT_TAIL = re.compile(
    r"(局|委|办|办公室|镇|乡|街道|县|区|市|省|社|联|院|会|中心|政府|队|所|部|厅|机关|单位|"
    r"支部|总支|党组|公司|集团|学校|医院|站|馆|社区|村)$"
)
# Words around the focus topics that are not topics themselves.
FOCUS_FILLER = re.compile(
    r"帮我|帮忙|请你?|麻烦|给我|我要|我想|需要|要求|重点写|重点|突出|侧重|着重|主要|多写|写写|写|"
    r"包括|涵盖|围绕|要有|体现|强调|内容|方面|部分|提纲|大纲|框架|的|一下|一些"
)
FOCUS_SPLIT = re.compile(r"[，,。；;、\s和及与以及]+")
TOPIC_KINDS = ("政务公开", "党建")  # departments that are also a kind of document
MIN_FOCUS_CHARS = 2


@dataclass
class OutlineRequest:
    """A parsed outline request; `kind` is 总结/计划/总结+计划/政府工作报告, or a topic kind
    (政务公开/党建) whose own 总结/计划 split is `doc_kind`."""

    text: str
    org: str = ""
    level: str = UNKNOWN
    department: str = UNKNOWN
    year: int | None = None  # the summary year, or the plan year of a plan
    plan_year: int | None = None
    period: str = "全年"  # 全年 or 上半年
    kind: str = "总结+计划"
    doc_kind: str = "总结+计划"
    focus: list[str] = field(default_factory=list)

    @property
    def topic(self) -> str:
        """政务公开 / 党建 for a topic report, else ""."""
        return self.kind if self.kind in TOPIC_KINDS else ""

    @property
    def wants_summary(self) -> bool:
        return "总结" in self.doc_kind or self.doc_kind == GOVERNMENT_REPORT

    @property
    def wants_plan(self) -> bool:
        return "计划" in self.doc_kind or self.doc_kind == GOVERNMENT_REPORT


def _org(title: str) -> str:
    """The unit named before the year/kind words, as written (XX placeholders kept)."""
    head = LEAD_FILLER.sub("", title)
    end = ORG_END.search(head)
    org = (head[: end.start()] if end else head).strip("：:，, 的")
    if org and not UNIT_TAIL.search(org) and not any(p.search(org) for _, p in department_words()):
        return ""
    return org


def _department(org: str, title: str) -> str:
    """Department kind from the unit and title words; a bare place (XX镇) is 综合."""
    for kind, pattern in department_words():
        if pattern.search(org) or pattern.search(title):
            return kind
    return "综合" if org and level_of(org) != UNKNOWN else UNKNOWN


def _doc_kind(title: str) -> str:
    if GOVERNMENT_REPORT in title:
        return GOVERNMENT_REPORT
    summary, plan = bool(SUMMARY_WORD.search(title)), bool(PLAN_WORD.search(title))
    if summary and plan:
        return "总结+计划"
    return "计划" if plan else "总结" if summary else "总结+计划"


def _focus(rest: str) -> list[str]:
    """Content words outside the document's name: the topics to stress."""
    parts = FOCUS_SPLIT.split(FOCUS_FILLER.sub(" ", rest))
    return list(dict.fromkeys(p for p in parts if len(re.sub(r"\W", "", p)) >= MIN_FOCUS_CHARS))


def parse_request(text: str) -> OutlineRequest:
    """Parse a free-text outline request (see the module docstring)."""
    clean = re.sub(r"\s+", "", text.strip())
    ends = list(DOC_END.finditer(clean))
    cut = ends[-1].end() if ends else len(clean)
    title, rest = clean[:cut], clean[cut:]
    org = _org(title)
    department = _department(org, title)
    doc_kind = _doc_kind(title)
    years = [int(y) for y in YEAR.findall(title)]
    year = years[0] if years else None
    plan_year = years[1] if len(years) > 1 else (year + 1 if year and "总结" in doc_kind else year)
    period = "上半年" if "半年" in title else "全年"
    if period == "上半年" and len(years) == 1:
        plan_year = year  # the plan of a 上半年 summary is for the second half of the same year
    if doc_kind == GOVERNMENT_REPORT and year:
        year, plan_year = year - 1, year  # 「2024年政府工作报告」 reviews 2023 and plans 2024
    return OutlineRequest(
        text=text,
        org=org,
        level=level_of(org) if org else UNKNOWN,
        department=department,
        year=year,
        plan_year=plan_year,
        period=period,
        kind=department if department in TOPIC_KINDS else doc_kind,
        doc_kind=doc_kind,
        focus=_focus(rest),
    )
