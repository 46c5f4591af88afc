"""Section-aware chunking of the sample reports: boundaries, paths, sizes, stable ids."""

from __future__ import annotations

from assistant.ingest.chunks import MAX_CHARS, PATH_SEP, chunk_report, context_text


def test_chunks_stay_in_their_report_and_size(sample_reports):
    for report in sample_reports:
        chunks = chunk_report(report)
        assert chunks, report.title
        paths = {tuple(s.path) for s in report.walk()} | {("引言",)}
        for chunk in chunks:
            assert chunk.report_id == report.id and chunk.report_title == report.title
            assert tuple(chunk.section_path) in paths
            assert len(chunk.text) <= MAX_CHARS
    sizes = [len(c.text) for r in sample_reports for c in chunk_report(r) if not c.heading_only]
    assert sorted(sizes)[len(sizes) // 2] >= 150  # median passage is at least 150 characters


def test_small_section_is_one_passage_with_its_subheadings(report_by_title):
    audit = report_by_title("县审计局2023年工作总结和2024工作计划")
    problem = [c for c in chunk_report(audit) if c.section_path == ["四、制约经济社会发展或影响工作成效的问题"]]
    assert len(problem) == 1
    text = problem[0].text
    for heading in ("（一）经责审计成果运用不到位", "（二）内部审计独立性不强", "（三）人少事多的矛盾较为突出"):
        assert heading in text
    assert problem[0].role == "problem"


def test_long_section_splits_at_items(report_by_title):
    r = report_by_title("基层党组织2023年度工作总结暨2024年工作计划")
    path = ["一、2023年工作总结", "(二)统筹推进,基层治理成效明显"]
    chunks = [c for c in chunk_report(r) if c.section_path == path]
    pieces = [c for c in chunks if not c.heading_only]
    heading = "(二)统筹推进,基层治理成效明显\n"
    assert len(pieces) >= 3 and pieces[0].text.startswith(heading)
    texts = [pieces[0].text.removeprefix(heading), *(p.text for p in pieces[1:])]
    assert all(t.startswith(("一是", "二是", "三是", "四是", "五是", "六是", "七是")) for t in texts)
    joined = "".join(t.replace("\n", "") for t in texts)
    assert joined == r.sections[0].children[1].text.replace("\n", "")
    # and one passage lists the items' lead clauses, the answer to 「分哪几个方面」
    (leads,) = [c for c in chunks if c.heading_only]
    assert leads.text.split("\n") == [
        "一是强化人员培训,提升社区工作者综合素质", "二是齐抓共进,推动社会组织协商议事",
        "三是聚焦安全生产,深入开展排查整治", "四是全面铺开,着力推动平安建设",
        "五是挂图推进,扎实开展第五次全国经济普查工作", "六是围绕主线,不断提升民族宗教工作水平",
        "七是强化宣传,圆满完成征兵工作"]


def test_overview_passage_lists_subheadings(report_by_title):
    r = report_by_title("区残联2023年工作总结和2024年工作计划")
    overview = [c for c in chunk_report(r) if c.heading_only and c.section_path == ["二、2024年工作谋划"]]
    assert len(overview) == 1
    assert overview[0].text.splitlines()[0] == "1.D建引领夯实残疾人事业发展基础"


def test_context_text_carries_title_and_path(report_by_title):
    r = report_by_title("区残联2023年工作总结和2024年工作计划")
    chunk = next(c for c in chunk_report(r) if "救助残疾大学生55人" in c.text)
    context = context_text(chunk)
    assert context.startswith("区残联2023年工作总结和2024年工作计划\n")
    assert PATH_SEP.join(chunk.section_path) in context


def test_ids_are_stable_and_unique(sample_reports):
    first = [c.id for r in sample_reports for c in chunk_report(r)]
    again = [c.id for r in sample_reports for c in chunk_report(r)]
    assert first == again and len(set(first)) == len(first)
