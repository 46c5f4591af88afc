"""Reports from anywhere: the eight real provincial 政府工作报告 copied from web pages (page chrome
included), and documents of other genres composed from real patterns (tests/data/genres/)."""

from __future__ import annotations

import json

import pytest

from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from assistant.models import UNKNOWN
from tests.fixtures.paths import DATA, WEB_CORPUS

# file → (title, org, top-level parts with roles); every report: level 省, period 2025年度
# (the year reviewed), kind 总结+计划, department 综合. Written by hand from the files.
WEB = {
    "2026_云南省_政府工作报告.txt": ("2026年政府工作报告", "云南省", [
        ("一、“十四五”时期和2025年工作回顾", "summary"), ("二、“十五五”时期主要目标任务", "plan"),
        ("三、2026年重点工作", "plan")]),
    "2026_内蒙古自治区_政府工作报告.txt": ("2026年内蒙古自治区政府工作报告", "内蒙古自治区", [
        ("“十四五”时期发展成就和2025年工作回顾", "summary"),
        ("“十五五”时期主要目标和2026年重点工作", "plan"), ("附件", "plan")]),
    "2026_北京市_政府工作报告.txt": ("2026年北京市政府工作报告", "北京市", [
        ("一、2025年工作回顾", "summary"), ("二、“十四五”时期发展成就和“十五五”时期主要目标任务", "plan"),
        ("三、2026年重点工作", "plan")]),
    "2026_四川省_政府工作报告.txt": ("2026年四川省人民政府工作报告", "四川省", [
        ("一、2025年工作回顾和“十四五”发展主要成绩", "summary"), ("二、“十五五”发展的主要考虑", "plan"),
        ("三、2026年工作安排", "plan"), ("名词解释", "other")]),
    "2026_宁夏回族自治区_政府工作报告.txt": ("政府工作报告", "宁夏回族自治区", [
        ("一、2025年工作总结和“十四五”发展成就", "summary"), ("二、“十五五”时期主要任务", "plan"),
        ("三、2026年重点工作", "plan")]),
    "2026_广东省_政府工作报告.txt": ("政府工作报告", "广东省", [
        ("一、2025年和“十四五”时期工作回顾", "summary"), ("二、“十五五”时期的主要目标和重点任务", "plan"),
        ("三、2026年工作安排", "plan"), ("附件1", "plan"), ("附件2", "other")]),
    "2026_江苏省_政府工作报告.txt": ("2026年江苏省政府工作报告", "江苏省", [
        ("一、“十四五”时期和2025年工作回顾", "summary"), ("二、“十五五”时期工作总体要求和目标任务", "plan"),
        ("三、2026年重点工作", "plan")]),
    "2026_海南省_政府工作报告.txt": ("政府工作报告", "海南省", [
        ("一、2025年和“十四五”时期工作回顾", "summary"), ("二、“十五五”时期主要目标任务", "plan"),
        ("三、2026年主要工作", "plan"), ("四、加强政府自身建设", "other"), ("注释", "other")]),
}
# Page chrome that must end up in no section (a sample per kind; the full lists per file are in
# tests/data/web_expected.json).
CHROME = ["下载", "打印", "全屏", "收藏", "【字号：", "减小", "来源：", "时间：", "您的位置:", "当前位置：",
          "相关报道：", "扫一扫在手机打开当前页", "关闭窗口", "分享到微信", "》》点击图片进入专题《《"]

needs_web = pytest.mark.skipif(not WEB_CORPUS.is_dir(), reason="../shared/corpus-web not beside the project")


def all_sections(report):
    return [s for root in report.sections for s in root.walk()]


@pytest.fixture(scope="module")
def web_reports():
    return {name: parse_file(load_file(WEB_CORPUS / name)) for name in WEB}


@needs_web
@pytest.mark.parametrize("name", sorted(WEB))
def test_web_report_title_metadata_and_parts(web_reports, name):
    title, org, parts = WEB[name]
    (report,) = web_reports[name]  # one report: the repeated title in a print tail is no second
    assert report.title == title
    assert (report.org, report.level, report.period, report.kind, report.department) == (
        org, "省", "2025年度", "总结+计划", "综合")
    assert [(s.path[-1], s.role) for s in report.sections] == parts


@needs_web
@pytest.mark.parametrize("name", sorted(WEB))
def test_no_chrome_in_any_section(web_reports, name):
    (report,) = web_reports[name]
    expected = json.loads((DATA / "web_expected.json").read_text("utf-8"))[name]["chrome"]
    headings = {s.heading.strip() for s in all_sections(report)}
    texts = "\n".join(s.text for s in all_sections(report)).split("\n")
    for line in set(CHROME) | set(expected):
        assert line.rstrip("：:") not in headings and line not in texts, line
    assert report.chrome or name in {"2026_广东省_政府工作报告.txt", "2026_海南省_政府工作报告.txt"}


@needs_web
def test_front_matter_is_preamble_and_footnote_marks_are_cut(web_reports):
    (hainan,) = web_reports["2026_海南省_政府工作报告.txt"]
    assert "刘小明" in hainan.preamble and "各位代表" in hainan.preamble
    body = "\n".join(s.text for root in hainan.sections[:4] for s in root.walk())
    assert "［2］" not in body and "四大主导产业" in body  # the marker goes, the sentence stays
    notes = hainan.sections[-1]
    assert notes.children and notes.children[0].heading.startswith("［1］")  # notes keep theirs
    (guangdong,) = web_reports["2026_广东省_政府工作报告.txt"]
    assert "——2026年1月26日在广东省第十四届人民代表大会第五次会议上" in guangdong.preamble
    assert all(s.heading != "主要目标" for s in all_sections(guangdong))  # a bold run, rejoined


@needs_web
def test_unnumbered_parts_hold_their_numbered_headings(web_reports):
    (report,) = web_reports["2026_内蒙古自治区_政府工作报告.txt"]
    plan = report.sections[1]
    assert [c.marker for c in plan.children][:4] == ["一、", "二、", "三、", "四、"]
    assert plan.children[3].path == ["“十五五”时期主要目标和2026年重点工作", "四、把坚持党的全面领导贯穿政府工作各方面全过程"]


# file → (title, org, level, period, kind, department, top-level roles); by hand from the files.
GENRES = {
    "shuzhi.txt": ("2025年度个人述职述廉报告", "XX县农业农村局", "县", "2025年度", "总结", "农业农村",
                   ["summary", "summary", "summary", "problem", "plan"]),
    "dangjian.txt": ("XX县财政局机关党支部2025年党建工作总结", "XX县财政局机关党支部", "县", "2025年度",
                     "总结", "党建", ["summary", "summary", "highlight", "problem", "plan"]),
    "gongzuo_yaodian.txt": ("XX市教育局2026年工作要点", "XX市教育局", "市", "2026年度", "计划", "教育",
                            ["plan"] * 6),
    "jianghua.txt": ("在全县2026年经济工作会议上的讲话", "XX县委", "县", "2026年度", UNKNOWN, "综合",
                     ["other"] * 3),
    "half_year.txt": ("XX镇2025年上半年工作总结", "XX镇", "镇", "2025年上半年", "总结", "综合",
                      ["summary", "problem", "plan"]),
    "web_export.docx": ("XX县商务局2025年上半年工作总结", "XX县商务局", "县", "2025年上半年", "总结", "商务",
                        ["summary", "summary", "problem"]),
}


@pytest.mark.parametrize("name", sorted(GENRES))
def test_other_genres(name):
    title, org, level, period, kind, department, roles = GENRES[name]
    (report,) = parse_file(load_file(DATA / "genres" / name))
    assert (report.title, report.org, report.level, report.period, report.kind, report.department) == (
        title, org, level, period, kind, department)
    assert [s.role for s in report.sections] == roles
    speaker_or_front = report.preamble + report.signoff
    if name in {"shuzhi.txt", "jianghua.txt"}:
        assert "XXX" in speaker_or_front  # the speaker line is front matter, not a heading
    if name == "web_export.docx":
        assert {"来源：XX县人民政府办公室", "扫一扫在手机打开当前页"} <= set(report.chrome)


def test_years_in_chinese_numerals():
    from assistant.ingest.metadata import arabic_years, extract_metadata

    assert arabic_years("二〇二五年 二○二四年 二零二三年度") == "2025年 2024年 2023年度"
    meta = extract_metadata("XX县民政局二〇二五年上半年工作总结", "上半年，我局……")
    assert (meta.org, meta.period, meta.kind) == ("XX县民政局", "2025年上半年", "总结")


def test_parts_numbered_by_di_bufen_hold_their_numbered_headings():
    from assistant.ingest.sections import build_sections
    from assistant.models import Line

    text = ("第一部分 2025年工作回顾\n一、经济运行稳中有进\n全年地区生产总值增长5%，各项指标好于预期。\n"
            "二、民生保障有力\n城乡居民收入稳步增长，就业形势总体稳定。\n第二部分 2026年工作安排\n"
            "一、扩大有效需求\n大力提振消费，扩大有效投资，推动经济持续回升向好。")
    lines = [Line(t, i) for i, t in enumerate(text.split("\n"), 1)]
    _, parts = build_sections(lines, 2025, "总结+计划")
    assert [(p.path[-1], p.role, len(p.children)) for p in parts] == [
        ("第一部分2025年工作回顾", "summary", 2), ("第二部分2026年工作安排", "plan", 1)]
