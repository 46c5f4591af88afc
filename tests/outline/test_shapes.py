"""Outlines shaped like the document asked for (issue 14): parts from the lexicon's shapes, a
plan's tasks at the top level with its 保障措施, a half-year summary's 下半年打算, points that
are one sentence of one source, no other department's own business, same-title examples told
apart, and a 政府工作报告 from the web corpus."""

from __future__ import annotations

import pytest

from assistant import lexicon
from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from assistant.models import Outline, Report
from assistant.outline import make_outline, parse_request
from assistant.outline.adapt import mask_numbers
from assistant.outline.shapes import shape
from tests.fixtures.paths import WEB_CORPUS

PLAN = "帮我写一份县民政局2024年工作计划的提纲"
TOWN_HALF = "XX镇2024年上半年工作总结"
EMERGENCY = ("区应急管理局2024年工作计划", "区应急管理局2023年工作总结和2024年工作计划")
REQUESTS = (
    PLAN,
    TOWN_HALF,
    *EMERGENCY,
    "县民政局2023年工作总结和2024年工作计划",
    "乡政务公开工作总结及下一年计划",
    "县教育局2024年工作计划",
)
GLUED = "落实事实无人抚养儿童助学项目：继续强化殡葬管理服务"  # two sentences joined (issue 14)


def tops(outline: Outline) -> list[str]:
    return [n.heading for n in outline.nodes if n.level == 1]


def top_role(reports: dict[str, Report], report_id: str, path: list[str]) -> str:
    return next(s.role for s in reports[report_id].sections if s.path[0] == path[0])


def test_plan_puts_its_tasks_at_the_top_between_aims_and_safeguards(outline_of, sample_reports):
    outline, examples = outline_of(PLAN)
    heads = tops(outline)
    assert len(heads) >= 3
    assert heads[0] == "一、2024年工作总体思路和目标" and heads[-1].endswith("、保障措施")
    reports = {r.id: r for r in sample_reports}
    minzheng = {e.report.id for e in examples if e.report.department == "民政"}
    tasks = [n for n in outline.nodes if n.level == 1 and n.heading in heads[1:-1]]
    assert len(tasks) >= 3 and any("养老" in n.heading for n in tasks)
    for task in tasks:  # themes of the examples' plan parts, shared by the 民政 examples
        assert {s.report_id for s in task.sources} & minzheng
        assert all(top_role(reports, s.report_id, s.section_path) == "plan" for s in task.sources)
        assert task.points


def test_part_no_example_has_is_kept_with_a_note(outline_of):
    outline, _ = outline_of("区应急管理局2023年工作总结")
    problems = next(n for n in outline.nodes if n.heading == "二、存在的问题")
    assert problems.note == "参考范文中没有可参考的“存在的问题”内容，请结合本单位实际补写。"
    assert not problems.sources and outline.nodes[outline.nodes.index(problems) + 1].level == 1


def test_part_the_examples_lack_is_drawn_from_one_more_report(outline_of, sample_reports):
    outline, examples = outline_of(PLAN)
    added = [e for e in examples if e.only]
    assert added and all(set(e.only) <= {"思路", "保障"} for e in added)
    assert any("补充“保障措施”的写法" in e.reason for e in added)
    nodes = outline.nodes
    start = next(i for i, n in enumerate(nodes) if n.heading.endswith("保障措施"))
    safeguards = nodes[start:]
    assert safeguards[0].sources and not safeguards[0].note and len(safeguards) >= 2
    added_ids = {e.report.id for e in added}
    tasks = nodes[1:start]
    assert not {s.report_id for n in tasks for s in n.sources} & added_ids  # that part only
    assert {s.report_id for n in safeguards for s in n.sources} <= added_ids


def test_safeguards_are_claimed_from_plan_sub_headings(outline_of, sample_reports):
    outline, _ = outline_of("乡政务公开工作总结及下一年计划")
    nodes = outline.nodes
    start = next(i for i, n in enumerate(nodes) if n.heading.endswith("保障措施"))
    safeguards = [n.heading for n in nodes[start + 1 :] if n.level == 2]
    assert any("队伍建设" in h for h in safeguards) and any("考核" in h for h in safeguards)
    tasks = nodes[next(i for i, n in enumerate(nodes) if n.heading.endswith("重点任务")) : start]
    assert not any("队伍建设" in n.heading for n in tasks)


def test_half_year_summary_has_second_half_plans(outline_of, sample_reports):
    outline, examples = outline_of(TOWN_HALF)
    assert tops(outline) == [
        "一、2024年上半年主要工作及成效",
        "二、存在的问题",
        "三、下半年工作打算",
    ]
    nodes = outline.nodes
    plans = nodes[[n.heading for n in nodes].index("三、下半年工作打算") + 1 :]
    half = examples[0].report
    assert half.period == "2023年上半年"
    assert len(plans) >= 2 and any(half.id in {s.report_id for s in n.sources} for n in plans)


@pytest.mark.parametrize("request_text", REQUESTS)
def test_every_point_is_one_sentence_of_its_one_source(outline_of, sample_reports, request_text):
    reports = {r.id: r for r in sample_reports}
    outline, _ = outline_of(request_text)
    points = [p for n in outline.nodes for p in n.points]
    assert points
    for text, src in points:
        section = next(s for s in reports[src.report_id].walk() if s.path == src.section_path)
        written = [section.heading, section.text, *section.items]
        assert any(text in mask_numbers(" ".join(w.split())) for w in written), (text, src)
    assert not any(GLUED in t for t, _ in points)


@pytest.mark.parametrize("request_text", EMERGENCY)
def test_emergency_outline_takes_no_disabled_persons_federation_business(outline_of, request_text):
    outline, examples = outline_of(request_text)
    assert "残联" in {e.report.department for e in examples}  # it is an example …
    business = dict(lexicon.keyed_patterns("department_business.txt"))["残联"]
    texts = [n.heading for n in outline.nodes] + [t for n in outline.nodes for t, _ in n.points]
    assert not [t for t in texts if business.search(t)]  # … but its own business is left out
    assert not any("无障碍" in t for t in texts)


def test_recurring_themes_come_first(outline_of):
    outline, _ = outline_of(TOWN_HALF)
    nodes = outline.nodes
    end = [n.heading for n in nodes].index("二、存在的问题")
    support = [len({s.report_id for s in n.sources}) for n in nodes[1:end] if n.level == 2]
    assert support == sorted(support, reverse=True) and support[0] >= 3


def test_examples_with_the_same_title_are_told_apart(outline_of):
    outline, examples = outline_of(TOWN_HALF)
    same = [e for e in examples if e.report.title == "镇2023年工作总结及2024年工作计划"]
    assert len(same) == 2
    labels = [e.label for e in same]
    assert labels[0] != labels[1] and all("XX镇" in label for label in labels)
    assert all(label in outline.notes[-1] for label in labels)


def test_government_report_shape_on_the_web_corpus():
    reports = [r for p in sorted(WEB_CORPUS.glob("*.txt")) for r in parse_file(load_file(p))]
    outline, examples = make_outline("XX省2026年政府工作报告", reports)
    assert outline.title == "XX省2026年政府工作报告" and len(examples) == 4
    assert tops(outline) == [
        "一、2025年工作回顾",
        "二、2026年工作总体要求和主要目标",
        "三、2026年重点工作",
        "四、加强政府自身建设",
    ]
    assert all(n.sources and not n.note for n in outline.nodes if n.level == 1)
    names = ("云南", "内蒙古", "四川", "海南", "江苏", "广东", "宁夏", "北京")
    assert not [n.heading for n in outline.nodes if any(p in n.heading for p in names)]
    aims = next(n for n in outline.nodes if n.heading.startswith("二、"))
    assert aims.points  # the plans' opening 总体要求 sentences


def test_shapes_are_lexicon_data(tmp_path, monkeypatch, sample_reports):
    (tmp_path / "outline_shapes.txt").write_text("计划\t^任务|保障\n", encoding="utf-8")
    monkeypatch.setenv("REPORT_ASSISTANT_LEXICON", str(tmp_path))
    lexicon.clear()
    try:
        assert [p.key for p in shape(parse_request(PLAN))] == ["任务", "保障"]
        outline, _ = make_outline(PLAN, sample_reports)
        assert not any("总体思路" in h for h in tops(outline))
        assert tops(outline)[-1].endswith("、保障措施")
    finally:
        monkeypatch.delenv("REPORT_ASSISTANT_LEXICON")
        lexicon.clear()
    assert [p.key for p in shape(parse_request(PLAN))] == ["思路", "任务", "保障"]
