"""Parsing files as users have them: other encodings of the samples, and a Word document."""

from __future__ import annotations

import docx

from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from tests.fixtures.paths import SAMPLE_FILES


def tree(report):
    return [(s.level, s.path[-1], s.role) for s in report.walk()]


def test_gbk_and_utf16_copies_give_identical_reports(tmp_path, sample_reports):
    for encoding in ("gb18030", "utf-16"):
        reports = []
        for path in SAMPLE_FILES:
            copy = tmp_path / f"{encoding}-{path.name}"
            copy.write_bytes(path.read_text("utf-8").encode(encoding))
            loaded = load_file(copy)
            assert loaded.encoding.replace("_", "").lower() in (encoding, "utf-16", "gb18030")
            reports += parse_file(loaded)
        assert [(r.id, r.title, tree(r), r.org) for r in reports] == [
            (r.id, r.title, tree(r), r.org) for r in sample_reports
        ]


def test_gbk_bytes_of_a_short_report(tmp_path):
    text = "县民政局2023年工作总结\n\n一、总体情况\n（一）兜底保障\n全年发放低保金XX万元。\n二、存在问题\n人手不足。\n"
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gbk"))
    [report] = parse_file(load_file(path))
    assert report.title == "县民政局2023年工作总结"
    assert tree(report) == [
        (1, "一、总体情况", "summary"),
        (2, "（一）兜底保障", "summary"),
        (1, "二、存在问题", "problem"),
    ]


def test_docx_with_word_headings_numbered_paragraphs_and_table(tmp_path):
    document = docx.Document()
    document.add_paragraph("县民政局2023年工作总结和2024年工作计划", style="Title")
    document.add_paragraph("2023年，县民政局围绕兜底保障开展工作。")
    document.add_paragraph("工作成效", style="Heading 1")
    document.add_paragraph("（一）社会救助")
    document.add_paragraph("一是低保扩围。二是临时救助及时。")
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [("项目", "户数", "金额"), ("低保", "120", "XX万元")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("（二）养老服务")
    document.add_paragraph("新建老年食堂3个。")
    document.add_paragraph("存在问题", style="Heading 1")
    document.add_paragraph("基层人手不足。")
    document.add_paragraph("二、2024年工作计划")
    document.add_paragraph("1.持续兜底保障。")
    path = tmp_path / "民政.docx"
    document.save(str(path))

    [report] = parse_file(load_file(path))
    assert report.title == "县民政局2023年工作总结和2024年工作计划"
    assert (report.org, report.level, report.department, report.kind) == ("县民政局", "县", "民政", "总结+计划")
    assert tree(report) == [
        (1, "工作成效", "summary"),
        (2, "（一）社会救助", "summary"),
        (2, "（二）养老服务", "summary"),
        (1, "存在问题", "problem"),
        (1, "二、2024年工作计划", "plan"),
        (2, "1.持续兜底保障", "plan"),
    ]
    relief = report.sections[0].children[0]
    assert relief.text.splitlines() == ["一是低保扩围。二是临时救助及时。", "项目 | 户数 | 金额", "低保 | 120 | XX万元"]
    assert relief.items == ["一是低保扩围。", "二是临时救助及时。"]
    assert report.preamble == "2023年，县民政局围绕兜底保障开展工作。"
