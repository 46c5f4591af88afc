"""Draft outlines from the sample reports: request parsing, example choice, the outline's
parts, numbering and sources, and its Markdown / Word / JSON forms."""

from __future__ import annotations

import json
import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from assistant.models import Outline, Report
from assistant.outline import choose_examples, make_outline, parse_request
from assistant.outline.adapt import lead_clause, mask_numbers, retarget
from assistant.outline.export import to_docx, to_json, to_markdown
from assistant.outline.similarity import bigram_jaccard

MINZHENG = "县民政局2023年工作总结和2024年工作计划"
TOWN_HALF = "XX镇2024年上半年工作总结"
OPENNESS = "乡政务公开工作总结及下一年计划"
EDUCATION = "县教育局2023年工作总结和2024年工作计划"
LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")
LEVEL3 = re.compile(r"^\d+\.")
ANY_DIGIT = re.compile(r"[0-9０-９]")


def by_id(reports: list[Report]) -> dict[str, Report]:
    return {r.id: r for r in reports}


def tops(outline: Outline) -> list[str]:
    return [n.heading for n in outline.nodes if n.level == 1]


# --- requests -------------------------------------------------------------------------


def test_parse_plan_request_with_focus():
    req = parse_request("帮我写县民政局2024年工作计划的提纲，重点写养老服务")
    assert (req.org, req.level, req.department) == ("县民政局", "县", "民政")
    assert (req.kind, req.doc_kind, req.year, req.plan_year) == ("计划", "计划", 2024, 2024)
    assert req.period == "全年" and req.focus == ["养老服务"]


def test_parse_half_year_summary_keeps_placeholder():
    req = parse_request(TOWN_HALF)
    assert (req.org, req.level, req.department) == ("XX镇", "镇", "综合")
    assert (req.kind, req.year, req.period) == ("总结", 2024, "上半年")


def test_parse_topic_request_records_summary_and_plan():
    req = parse_request(OPENNESS)
    assert (req.org, req.level, req.department) == ("乡", "乡", "政务公开")
    assert (req.kind, req.doc_kind, req.topic) == ("政务公开", "总结+计划", "政务公开")
    assert req.year is None and req.focus == []


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("县直机关2023年党建工作总结", "县直机关"),
        ("XX社区2024年工作计划", "XX社区"),
        ("帮我写一份2024年工作计划", ""),
    ],
)
def test_parse_unit_names_of_many_shapes(text, org):
    assert parse_request(text).org == org


def test_parse_summary_and_plan_years():
    req = parse_request(EDUCATION)
    assert (req.org, req.department, req.kind) == ("县教育局", "教育", "总结+计划")
    assert (req.year, req.plan_year) == (2023, 2024)


# --- examples -------------------------------------------------------------------------


def test_minzheng_examples_are_other_civil_affairs_bureaus(sample_reports):
    examples = choose_examples(parse_request(MINZHENG), sample_reports)
    orgs = [e.report.org for e in examples]
    assert orgs[:2] == ["区民政局", "市民政局"] and len([e for e in examples if not e.only]) == 4
    assert all("补充“" in e.reason for e in examples if e.only)  # added for one part only
    assert "同为民政" in examples[0].reason and "含计划部分" in examples[0].reason
    assert all(e.reason for e in examples)


def test_half_year_town_report_is_among_examples(outline_of):
    _, examples = outline_of(TOWN_HALF)
    assert examples[0].report.period == "2023年上半年" and examples[0].report.level == "镇"
    assert "同为上半年总结" in examples[0].reason


def test_openness_report_is_chosen_first(outline_of):
    outline, examples = outline_of(OPENNESS)
    first = examples[0].report
    assert (first.department, first.level) == ("政务公开", "乡")
    assert outline.examples[0] == first.id


def test_pinned_and_excluded_are_honoured(sample_reports):
    audit = next(r for r in sample_reports if r.org == "县审计局")
    district = next(r for r in sample_reports if r.org == "区民政局")
    outline, examples = make_outline(
        MINZHENG, sample_reports, pinned=[audit.id], excluded=[district.id]
    )
    ids = [e.report.id for e in examples]
    assert audit.id in ids and district.id not in ids
    assert audit.id in outline.examples and district.id not in outline.examples
    assert all(s.report_id != district.id for n in outline.nodes for s in n.sources)
    assert all(src.report_id != district.id for n in outline.nodes for _, src in n.points)
    assert next(e for e in examples if e.report.id == audit.id).reason.startswith("用户指定")


def test_plan_request_needs_examples_with_plans(sample_reports):
    examples = choose_examples(parse_request("帮我写县民政局2024年工作计划的提纲"), sample_reports)
    assert all(any(s.role == "plan" for s in e.report.sections) for e in examples)


# --- the outline ----------------------------------------------------------------------


def test_minzheng_parts_years_and_order(outline_of):
    outline, _ = outline_of(MINZHENG)
    assert outline.title == MINZHENG
    assert tops(outline) == [
        "一、2023年主要工作及成效",
        "二、存在的问题",
        "三、2024年工作总体思路和目标",
        "四、2024年重点任务",
        "五、保障措施",
    ]


def test_every_node_has_a_source_resolving_to_a_real_section(outline_of, sample_reports):
    reports = by_id(sample_reports)
    for text in (MINZHENG, TOWN_HALF, OPENNESS, EDUCATION):
        outline, examples = outline_of(text)
        chosen = {e.report.id for e in examples}
        for node in outline.nodes:
            assert node.sources or node.note.startswith("参考范文中没有可参考的"), node.heading
            for src in [*node.sources, *(s for _, s in node.points)]:
                report = reports[src.report_id]
                assert src.report_id in chosen and src.report_title == report.title
                assert src.section_path in [s.path for s in report.walk()], src


def test_numbering_is_gongwen_and_restarts_under_each_parent(outline_of):
    for text in (MINZHENG, TOWN_HALF, EDUCATION):
        outline, _ = outline_of(text)
        assert outline.nodes[0].level == 1
        counts = [0, 0, 0]
        for node in outline.nodes:
            pattern = {1: LEVEL1, 2: LEVEL2, 3: LEVEL3}[node.level]
            assert pattern.match(node.heading), node.heading
            counts[node.level - 1] += 1
            counts[node.level :] = [0] * (3 - node.level)
            if node.level == 2 and counts[1] == 1:
                assert node.heading.startswith("（一）")
        assert tops(outline)[0].startswith("一、")


def test_minzheng_themes_recur_across_civil_affairs_examples(outline_of):
    outline, examples = outline_of(MINZHENG)
    plan = outline.nodes[[n.heading for n in outline.nodes].index("四、2024年重点任务") + 1 :]
    plan = plan[: next(i for i, n in enumerate(plan) if n.level == 1)]
    themes = [n for n in plan if n.level == 2]
    assert 2 <= len(themes) <= 6
    minzheng = {e.report.id for e in examples if e.report.department == "民政"}
    assert all(len({s.report_id for s in n.sources} & minzheng) == 2 for n in themes)
    assert any("养老" in n.heading for n in themes)


def test_half_year_headings_say_half_year(outline_of):
    outline, _ = outline_of(TOWN_HALF)
    assert outline.title == TOWN_HALF
    assert tops(outline) == [
        "一、2024年上半年主要工作及成效",
        "二、存在的问题",
        "三、下半年工作打算",
    ]


def test_topic_outline_draws_only_on_its_topic(outline_of, sample_reports):
    outline, examples = outline_of(OPENNESS)
    assert {e.report.department for e in examples} == {"政务公开"}
    assert [h.split("、", 1)[1] for h in tops(outline)] == [
        "主要工作及成效",
        "存在的问题",
        "工作总体思路和目标",
        "重点任务",
        "保障措施",
    ]
    assert any("政务公开" in n.heading for n in outline.nodes if n.level == 2)


def test_absent_department_is_noted_and_still_outlined(outline_of):
    outline, examples = outline_of(EDUCATION)
    assert any("资料库中没有教育类报告，以下参考相近单位" in note for note in outline.notes)
    assert examples and all(e.report.level == "县" for e in examples if not e.only)
    assert tops(outline)[0] == "一、2023年主要工作及成效" and tops(outline)[-1] == "五、保障措施"
    assert sum(n.level == 2 for n in outline.nodes) >= 6


def test_plan_outline_only_uses_plan_parts(outline_of, sample_reports):
    outline, _ = outline_of("帮我写县民政局2024年工作计划的提纲，重点写养老服务")
    assert tops(outline)[0] == "一、2024年工作总体思路和目标"
    reports = by_id(sample_reports)
    for node in outline.nodes:
        for src in node.sources:
            top = next(
                s for s in reports[src.report_id].sections if s.path[0] == src.section_path[0]
            )
            assert top.role == "plan"
    assert any("养老" in n.heading for n in outline.nodes)


def test_points_mask_every_number(outline_of):
    for text in (MINZHENG, TOWN_HALF, OPENNESS, EDUCATION):
        outline, _ = outline_of(text)
        points = [p for n in outline.nodes for p, _ in n.points]
        assert points
        assert not [p for p in points if ANY_DIGIT.search(p)]
    themes = [n for n in outline_of(MINZHENG)[0].nodes if n.level == 2]
    assert all(len(n.points) <= 4 for n in themes)  # none when all are another unit's business
    assert sum(len(n.points) >= 2 for n in themes) >= len(themes) // 2


def test_notes_say_why_examples_were_chosen(outline_of):
    outline, examples = outline_of(MINZHENG)
    assert any(
        examples[0].report.title in note and examples[0].reason in note for note in outline.notes
    )


def test_custom_similarity_is_used_and_deterministic(sample_reports):
    calls = []

    def similarity(text: str, texts: list[str]) -> list[float]:
        calls.append(text)
        return bigram_jaccard(text, texts)

    first, _ = make_outline(MINZHENG, sample_reports, similarity=similarity)
    again, _ = make_outline(MINZHENG, sample_reports)
    assert calls and to_json(first) == to_json(again)


# --- adapting example text ------------------------------------------------------------


def test_mask_numbers_covers_decimals_percent_and_full_width():
    assert (
        mask_numbers("增长8.5%，新建23个，覆盖率100％，１２户")
        == "增长XX%，新建XX个，覆盖率XX%，XX户"
    )
    assert mask_numbers("2024年计划XX万元", keep_years=True) == "2024年计划XX万元"


def test_retarget_swaps_units_and_years(sample_reports):
    district = next(r for r in sample_reports if r.org == "区民政局")
    request = parse_request("县民政局2024年工作总结和2025年工作计划")
    text = retarget("区民政局2023年全区D建工作", district, request, year_shift=1)
    assert text == "县民政局2024年全县党建工作"
    town = next(r for r in sample_reports if r.org == "XX镇")
    assert (
        retarget("打造平安XX镇", town, parse_request("城关镇2024年工作总结"), 0) == "打造平安城关镇"
    )


def test_lead_clause_of_an_item():
    item = "一是聚焦弱势群体，织密扎牢基本民生保障网。提高低保保障和特困供养标准。"
    assert lead_clause(item) == "聚焦弱势群体，织密扎牢基本民生保障网"


# --- exports --------------------------------------------------------------------------


def test_markdown_lists_headings_sources_points_and_examples(outline_of):
    outline, examples = outline_of(MINZHENG)
    md = to_markdown(outline, examples)
    assert md.startswith(f"# {outline.title}\n")
    assert "## 一、2023年主要工作及成效" in md and "### （一）" in md
    assert "来源：" in md and " › " in md and "- 参考要点：" in md
    tail = md.split("## 参考范文", 1)[1]
    assert all(e.report.title in tail and e.reason in tail for e in examples)


def test_docx_headings_in_order_and_title_centred(outline_of, tmp_path):
    outline, _ = outline_of(MINZHENG)
    path = to_docx(outline, tmp_path / "outline.docx")
    doc = Document(str(path))
    headings = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert [p.text for p in headings] == [n.heading for n in outline.nodes]
    assert [int(p.style.name.split()[-1]) for p in headings] == [n.level for n in outline.nodes]
    title = doc.paragraphs[0]
    assert title.text == outline.title and title.style.name == "Title"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("参考要点：") for t in texts)
    assert not any(t.startswith("来源：") or "参考来源" in t for t in texts)


def test_json_shape_matches_design(outline_of):
    outline, _ = outline_of(MINZHENG)
    data = json.loads(json.dumps(to_json(outline), ensure_ascii=False))
    assert {"title", "nodes", "examples"} <= set(data)
    assert data["title"] == outline.title and data["examples"] == outline.examples
    for node in data["nodes"]:
        assert {"heading", "level", "sources"} <= set(node)
        assert isinstance(node["level"], int)
        for src in node["sources"]:
            assert set(src) == {"report_id", "report_title", "section_path"}
            assert isinstance(src["section_path"], list)


def test_absent_department_gets_no_other_departments_business(outline_of):
    outline, _ = outline_of("县教育局2024年工作计划")
    headings = " ".join(n.heading for n in outline.nodes)
    for word in ("收支", "合作社", "农资", "生产资料", "审计", "电商", "低保"):
        assert word not in headings, word
    assert any("安全生产" in n.heading for n in outline.nodes)


def test_part_missing_from_same_department_examples_is_noted(outline_of):
    outline, _ = outline_of(MINZHENG)
    assert any(n.startswith("同类范文没有“存在的问题”的内容") for n in outline.notes)


def test_a_large_library_reads_only_a_shortlist_of_trees(sample_index, monkeypatch):
    import assistant.outline as outline_module

    request = "市审计局2023年工作总结"
    whole = [e.report.id for e in outline_module.outline_for_index(sample_index, request)[1]]
    read = []
    get_report = sample_index.store.get_report
    monkeypatch.setattr(sample_index.store, "get_report", lambda rid: read.append(rid) or get_report(rid))
    monkeypatch.setattr(outline_module, "SHORTLIST", 6)
    pinned = sample_index.store.list_reports()[-1].report  # a poor fit, pinned: read and used
    _, examples = outline_module.outline_for_index(sample_index, request)
    library = len(sample_index.store.list_reports())
    assert [e.report.id for e in examples] == whole and 6 <= len(read) < library
    read.clear()
    _, examples = outline_module.outline_for_index(sample_index, request, [pinned.id])
    assert pinned.id in [e.report.id for e in examples] and len(read) < library
