"""The words and numbers of an outline's frame: its title adapted to the target's years and
period, and 公文 numbering (一、 / （一） / 1.)."""

from __future__ import annotations

from assistant.models import OutlineNode
from assistant.outline.request import GOVERNMENT_REPORT, OutlineRequest

NUMERALS = "一二三四五六七八九十"
MAX_LEVEL = 3  # 一、 / （一） / 1.


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二 (enough for outline numbering)."""
    if n <= 10:
        return NUMERALS[n - 1]
    return (
        ("" if n < 20 else NUMERALS[n // 10 - 1]) + "十" + (NUMERALS[n % 10 - 1] if n % 10 else "")
    )


def number(level: int, n: int) -> str:
    """公文 numbering: 一、 / （一） / 1."""
    return f"{cn_number(n)}、" if level == 1 else f"（{cn_number(n)}）" if level == 2 else f"{n}."


def outline_title(request: OutlineRequest) -> str:
    """The document the request asks for, e.g. 县民政局2023年工作总结和2024年工作计划."""
    org, topic = request.org, request.topic
    year = f"{request.year}年" if request.year else ""
    half = "上半年" if request.period == "上半年" else ""
    plan = plan_heading(request)
    if request.doc_kind == GOVERNMENT_REPORT:
        return f"{org}{f'{request.plan_year}年' if request.plan_year else ''}政府工作报告"
    if request.doc_kind == "计划":
        return f"{org}{plan.replace('工作计划', f'{topic}工作计划')}"
    summary = f"{org}{year}{half}{topic}工作总结"
    return f"{summary}和{plan}" if request.wants_plan else summary


def plan_heading(request: OutlineRequest) -> str:
    if request.period == "上半年":
        return f"{request.plan_year or ''}{'年' if request.plan_year else ''}下半年工作计划"
    return f"{request.plan_year}年工作计划" if request.plan_year else "下一年工作计划"


def number_nodes(nodes: list[OutlineNode]) -> None:
    """Prefix every heading with its 公文 number, counting within its parent."""
    counters = [0] * MAX_LEVEL
    for node in nodes:
        counters[node.level - 1] += 1
        counters[node.level :] = [0] * (MAX_LEVEL - node.level)
        node.heading = number(node.level, counters[node.level - 1]) + node.heading
