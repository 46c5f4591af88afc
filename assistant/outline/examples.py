"""Choosing the example reports an outline is drawn from, each with the reason in Chinese.

A report scores for sharing the request's department, its level (乡/镇/街道 and 县/区 count as
close), its kind of unit (a bureau or a whole government), having the parts the request needs
(a plan request needs a plan part), its period (上半年 with 上半年) and the similarity of the
request to its title and top headings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from assistant.ingest.metadata import department_business
from assistant.models import UNKNOWN, Report, Role
from assistant.outline.request import TOPIC_KINDS, OutlineRequest
from assistant.outline.shapes import Part, claimed, shape
from assistant.outline.similarity import Similarity, bigram_jaccard
from assistant.outline.themes import Candidate

DEPARTMENT_MATCH = 3.0  # the strongest signal: a 民政 plan reads like other 民政 plans
UNIT_TYPE_MATCH = 1.0  # a bureau like a bureau, a township government like a government
LEVEL_SAME = 2.0
LEVEL_CLOSE = 1.2  # 乡/镇/街道 among themselves, 县/区 among themselves
LEVEL_NEAR = 0.4  # adjacent tiers (县/区 and 市, 乡镇 and 县/区)
PART_PRESENT = 0.5  # per part the request needs (summary, problem, plan) that the report has
PLAN_MISSING = -2.0  # a plan request cannot be drafted from a report without a plan part
PERIOD_MATCH = 2.0  # 上半年 request and 上半年 report
PERIOD_MISMATCH = -0.5  # 上半年 report for a whole-year request (or the reverse)
SIMILARITY_WEIGHT = 2.0  # times the request-to-title/headings similarity (0..1)
SIMILAR_TITLE = 0.15  # a similarity above this is worth saying in the reason
FOCUS_HIT = 0.5  # per focus topic the report's text mentions …
MAX_FOCUS_BONUS = 1.0  # … up to this much
# A theme drawn only from other departments' examples whose members' bodies name those
# departments' own business this often (低保, 残疾 …) is their business even when its heading
# is generic: 「优化无障碍环境建设」's body names 残疾人 throughout.
BODY_BUSINESS_HITS = 3
BUREAU_TAIL = re.compile(r"(局|委|办|办公室|社|联|中心|院|所|队|部|厅|公司|馆)$")
LEVEL_GROUPS = (("乡", "镇", "街道"), ("县", "区"), ("市",), ("省",))
YEAR_IN_PERIOD = re.compile(r"(20\d{2})")
ROLE_NAMES = {Role.SUMMARY: "总结", Role.HIGHLIGHT: "亮点", Role.PROBLEM: "问题", Role.PLAN: "计划"}


SHARED_WORK = ("党建", "政务公开")  # every unit reports on these: never another's business


def foreign_business(department: str) -> re.Pattern[str]:
    """Words of another department kind's own business (收支, 合作社, 低保 …), leaving out
    the work every unit shares (党建, 政务公开)."""
    rows = department_business()
    return re.compile("|".join(p.pattern for k, p in rows if k not in (department, *SHARED_WORK)))


def business_of(member: Candidate, business: re.Pattern[str]) -> bool:
    """Whether a candidate is about another department's own business: its heading names it,
    or its body does at least BODY_BUSINESS_HITS times."""
    return bool(business.search(member.heading)) or (
        len(business.findall(member.body)) >= BODY_BUSINESS_HITS
    )


@dataclass
class Example:
    """A chosen example report, its score and why it was chosen."""

    report: Report
    score: float
    reason: str
    pinned: bool = False
    only: tuple[str, ...] = ()  # the outline parts it was added for; () = every part
    label: str = ""  # how lists show it: its title, with unit and file when titles repeat

    def __post_init__(self) -> None:
        self.label = self.label or self.report.label


def tell_apart(examples: list[Example]) -> None:
    """Label examples sharing a title with their unit and file (and, within one file, the line
    the report starts on), so two 「镇2023年工作总结及2024年工作计划」 can be told apart."""
    repeats = Counter(e.report.label for e in examples)
    for example in examples:
        report = example.report
        if repeats[report.label] < 2:
            continue
        files = Counter(tuple(e.report.source) for e in examples if e.report.label == report.label)
        where = [report.org] if report.org != UNKNOWN and report.org not in report.title else []
        where += [PurePath(report.source[0]).name] if report.source else []
        if files[tuple(report.source)] > 1:
            where.append(f"第{report.span[0]}行起")
        example.label = f"{report.title}（{'，'.join(where)}）"


def report_year(report: Report) -> int | None:
    """The year a report's period names (2023 for 2023年度/2023年上半年)."""
    m = YEAR_IN_PERIOD.search(report.period)
    return int(m.group(1)) if m else None


def roles_of(report: Report) -> set[str]:
    """The roles of a report's top-level sections."""
    return {s.role for s in report.sections}


def needed_roles(request: OutlineRequest) -> tuple[str, ...]:
    """The parts an outline of this request must have examples for."""
    return ((Role.SUMMARY, Role.PROBLEM) if request.wants_summary else ()) + (
        (Role.PLAN,) if request.wants_plan else ()
    )


def _group(level: str) -> int:
    return next((i for i, g in enumerate(LEVEL_GROUPS) if level in g), -10)


def _is_bureau(org: str, department: str) -> bool:
    """A department (局, 委, 社 …) rather than a whole government or its topic report."""
    if BUREAU_TAIL.search(org):
        return True
    if org and org[-1] in "乡镇道县区市省":
        return False
    return department not in ("综合", UNKNOWN, *TOPIC_KINDS)


def _level_score(request: OutlineRequest, report: Report) -> tuple[float, str]:
    if request.level == UNKNOWN or report.level == UNKNOWN:
        return 0.0, ""
    bureaus = _is_bureau(request.org, request.department), _is_bureau(report.org, report.department)
    unit = "部门" if all(bureaus) else ""
    if report.level == request.level:
        return LEVEL_SAME, f"同为{report.level}级{unit}"
    gap = abs(_group(report.level) - _group(request.level))
    if gap == 0:
        return LEVEL_CLOSE, f"层级相近（{report.level}级{unit}）"
    return (LEVEL_NEAR, "") if gap == 1 else (0.0, "")


def _score(request: OutlineRequest, report: Report, similarity: float) -> tuple[float, list[str]]:
    """A report's score for a request and the reasons worth telling the user."""
    score, reasons = 0.0, []
    points, why = _level_score(request, report)
    score += points
    reasons += [why] if why else []
    if request.department not in (UNKNOWN,) and report.department == request.department:
        score += DEPARTMENT_MATCH
        reasons.append(
            "同为综合性政府报告" if report.department == "综合" else f"同为{report.department}"
        )
    if _is_bureau(request.org, request.department) == _is_bureau(report.org, report.department):
        score += UNIT_TYPE_MATCH
    roles = roles_of(report)
    for role in needed_roles(request):
        score += PART_PRESENT if role in roles else 0.0
    if request.wants_plan:
        score += 0.0 if Role.PLAN in roles else PLAN_MISSING
        reasons += ["含计划部分"] if Role.PLAN in roles else []
    half = "上半年" in report.period
    if (request.period == "上半年") == half:
        score += PERIOD_MATCH if half else 0.0
        reasons += ["同为上半年总结"] if half else []
    else:
        score += PERIOD_MISMATCH
    score += SIMILARITY_WEIGHT * similarity
    reasons += ["标题与要求相近"] if similarity >= SIMILAR_TITLE else []
    text = "".join(s.text + "".join(s.items) for s in report.walk())
    hits = [f for f in request.focus if f in text]
    score += min(MAX_FOCUS_BONUS, FOCUS_HIT * len(hits))
    reasons += [f"涉及{'、'.join(hits)}"] if hits else []
    return score, reasons


def profile(report: Report) -> str:
    """A report's title and top two heading levels, the text a request is compared with."""
    heads = [s.heading for s in report.sections] + [
        c.heading for s in report.sections for c in s.children
    ]
    return " ".join([report.title, *heads])


def shortlist(request: OutlineRequest, reports: Sequence[Report], n: int, k: int,
              keep: Sequence[str] = ()) -> list[str]:
    """The ids of a large library's reports whose trees an outline reads: the `n` that score
    best, the `k` examples (and spares for missing parts) `choose_examples` picks, and those
    in `keep`, all judged on `reports` as given (skeletons: outline/skeleton.py). A library of
    at most `n` reports is shortlisted whole."""
    if len(reports) <= n:
        return [r.id for r in reports]
    profiles = [profile(r) for r in reports]
    sims = bigram_jaccard(request.text, profiles)
    scores = [_score(request, r, sim)[0] for r, sim in zip(reports, sims, strict=True)]
    best = {reports[i].id for i in sorted(range(len(reports)), key=lambda i: -scores[i])[:n]}
    known = dict(zip(profiles, sims, strict=True))  # choose_examples compares the same profiles

    def similarity(text: str, others: list[str]) -> list[float]:
        return [known[o] if o in known else bigram_jaccard(text, [o])[0] for o in others]

    chosen = choose_examples(request, reports, k, keep, similarity=similarity)
    wanted = best | set(keep) | {e.report.id for e in chosen}
    return [r.id for r in reports if r.id in wanted]


def choose_examples(
    request: OutlineRequest,
    reports: Sequence[Report],
    k: int = 4,
    pinned: Sequence[str] = (),
    excluded: Sequence[str] = (),
    similarity: Similarity | None = None,
) -> list[Example]:
    """The k best example reports for a request, pinned ones always in, excluded never.

    A topic request (政务公开/党建) draws only on reports of that topic when there are any.
    """
    similarity = similarity or bigram_jaccard
    pool = [r for r in reports if r.id not in set(excluded)]
    if request.topic and any(r.department == request.topic for r in pool):
        pool = [r for r in pool if r.department == request.topic or r.id in set(pinned)]
    sims = similarity(request.text, [profile(r) for r in pool]) if pool else []
    scored = []
    for report, sim in zip(pool, sims, strict=True):
        score, reasons = _score(request, report, sim)
        scored.append(Example(report, round(score, 3), "；".join(reasons) or "最接近的可用报告"))
    scored.sort(key=lambda e: -e.score)
    chosen = [e for e in scored if e.report.id in set(pinned)]
    for example in chosen:
        example.pinned = True
        example.reason = "；".join(["用户指定", *([example.reason] if example.reason else [])])
    chosen += [e for e in scored if not e.pinned][: max(0, k - len(chosen))]
    _cover_roles(request, chosen, scored)
    _cover_parts(request, chosen, scored)
    tell_apart(chosen)
    return chosen


def _cover_parts(request: OutlineRequest, chosen: list[Example], scored: list[Example]) -> None:
    """Add, for a claiming part of the request's shape (保障措施, 总体思路和目标) that no chosen
    example has, the best other report that has it in words not about another department's
    own business, used for that part only."""
    parts, business = shape(request), foreign_business(request.department)

    def has(part: Part, report: Report) -> bool:
        found, leads = claimed(part, parts, report)
        return any(not business_of(c, business) for c in found) or bool(leads)

    for part in parts:
        if part.words is None:
            continue
        holders = [e for e in chosen if has(part, e.report)]
        if any(not e.only or part.key in e.only for e in holders):
            continue
        spares = (e for e in scored if e not in chosen and has(part, e.report))
        holder = holders[0] if holders else next(spares, None)
        if holder is None:
            continue
        if holder not in chosen:
            chosen.append(holder)
        holder.only += (part.key,)
        holder.reason += f"；补充“{part.heading(request)}”的写法"


def _cover_roles(request: OutlineRequest, chosen: list[Example], scored: list[Example]) -> None:
    """Swap in the best report holding a needed part none of the chosen ones has."""
    for role in needed_roles(request):
        if any(role in roles_of(e.report) for e in chosen):
            continue
        spare = next((e for e in scored if e not in chosen and role in roles_of(e.report)), None)
        if spare is None:
            continue
        held = [r for r in needed_roles(request) if r != role]
        droppable = [
            e
            for e in chosen
            if not e.pinned
            and all(any(r in roles_of(o.report) for o in chosen if o is not e) for r in held)
        ]
        if droppable and len(chosen) > 1:
            chosen.remove(droppable[-1])
        spare.reason += f"；补充{ROLE_NAMES[role]}部分"
        chosen.append(spare)
