"""Parsing the real sample corpus: splitting, cleaning, section trees, roles, metadata."""

from __future__ import annotations

import re

from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from assistant.models import UNKNOWN, Line, LoadedFile
from tests.fixtures.paths import SAMPLE_FILES, SAMPLE_REPORT_COUNT

TITLES = [
    "XX镇2023年上半年工作总结及下半年工作计划",
    "基层党组织2023年度工作总结暨2024年工作计划",
    "县财政局2023年工作总结和2024年工作计划",
    "县供销合作社联合社2023年工作总结及2024年工作计划",
    "镇2023年工作总结和2024年工作计划",
    "镇2023年工作总结及2024年工作计划",
    "2023年工作总结和2024年工作计划",
    "区残联2023年工作总结和2024年工作计划",
    "区民政局2023年工作总结暨2024年工作计划",
    "区应急管理局2023年工作总结和2024年工作计划",
    "市2023年工作总结及2024年工作计划",
    "市国资委2023年D建工作总结2024年工作计划",
    "市民政局2023年度工作总结和2024年工作计划",
    "县商务局2023年度工作总结和2024年度工作计划",
    "县审计局2023年工作总结和2024工作计划",
    "县统计局2023年工作总结和2024年工作计划",
    "乡2023年度工作总结及2024年度工作计划",
    "乡2023年工作总结及2024年工作计划",
    "乡2023年政务公开工作总结及2024年工作计划",
    "镇2023年工作总结及2024年工作计划",
]

# (org, level, department, period, kind), checked by hand against each report's text.
METADATA = {
    0: ("XX镇", "镇", "综合", "2023年上半年", "总结+计划"),
    1: ("城区街道", "街道", "党建", "2023年度", "总结+计划"),
    2: ("县财政局", "县", "财政", "2023年度", "总结+计划"),
    3: ("县供销合作社联合社", "县", "供销", "2023年度", "总结+计划"),
    4: ("XX镇", "镇", "综合", "2023年度", "总结+计划"),
    6: (UNKNOWN, "市", "文旅", "2023年度", "总结+计划"),
    7: ("区残联", "区", "残联", "2023年度", "总结+计划"),
    8: ("区民政局", "区", "民政", "2023年度", "总结+计划"),
    9: ("区应急管理局", "区", "应急", "2023年度", "总结+计划"),
    10: ("XX市", "市", "水利", "2023年度", "总结+计划"),
    11: ("市国资委", "市", "党建", "2023年度", "总结+计划"),
    12: ("市民政局", "市", "民政", "2023年度", "总结+计划"),
    13: ("县商务局", "县", "商务", "2023年度", "总结+计划"),
    14: ("县审计局", "县", "审计", "2023年度", "总结+计划"),
    15: ("县统计局", "县", "统计", "2023年度", "总结+计划"),
    16: ("XX乡", "乡", "综合", "2023年度", "总结+计划"),
    18: ("XX乡", "乡", "政务公开", "2023年度", "总结+计划"),
}


def tree(report):
    """(level, path entry, role) of every section, depth first."""
    return [(s.level, s.path[-1], s.role) for s in report.walk()]


def all_text(report) -> str:
    parts = [report.title, report.preamble]
    for s in report.walk():
        parts += [s.heading, s.text, *s.items]
    return "\n".join(parts)


def test_sample_corpus_yields_the_20_reports_in_order(sample_reports):
    assert [r.title for r in sample_reports] == TITLES


def test_no_paywall_ads_or_toc_lines_remain(sample_reports):
    toc_line = re.compile(r"^\d+\.\S+计划$|\t\d+$|^目\s*录$")
    for report in sample_reports:
        text = all_text(report)
        assert "##paid" not in text and "哒哒" not in text and "素材库" not in text
        assert not any(toc_line.search(line) for line in text.splitlines()), report.title


def test_real_lines_mentioning_ad_words_are_kept(report_by_title):
    text = all_text(report_by_title("基层党组织2023年度工作总结暨2024年工作计划"))
    assert "发布公众号559篇" in text


def test_mid_sentence_paywall_marker_is_cut_without_losing_text(report_by_title):
    text = all_text(report_by_title("市2023年工作总结及2024年工作计划"))
    assert "二是水利改革成效显著。主动为企服务" in text


def test_metadata_of_each_report(sample_reports):
    for index, expected in METADATA.items():
        r = sample_reports[index]
        assert (r.org, r.level, r.department, r.period, r.kind) == expected, r.title


def test_ascii_paren_headings_tree(report_by_title):
    r = report_by_title("基层党组织2023年度工作总结暨2024年工作计划")
    top = [(s.path[-1], s.role) for s in r.sections]
    assert top == [
        ("一、2023年工作总结", "summary"),
        ("二、围绕重点,深挖特色亮点出成效", "highlight"),
        ("三、存在问题与不足", "problem"),
        ("四、2024年工作计划", "plan"),
    ]
    assert [c.path[-1] for c in r.sections[2].children] == [
        "(一)部分社区工作者基层治理综合素质还不够高",
        "(二)劳务移民收入仍有较大提升空间",
        "(三)老旧小区基础设施陈旧,年久失修,存在安全隐患",
        "(四)信访缠访问题突出",
    ]
    first = r.sections[0].children[0]
    assert first.path == ["一、2023年工作总结", "(一)党建引领,夯实建功主阵地"]
    assert first.level == 2 and len(first.items) == 6
    assert first.items[1].startswith("二是党风廉政建设持续施策")
    assert len(r.sections[0].children) == 6 and len(r.sections[3].children) == 5


def test_inline_items_and_topic_headings_without_org_in_title(report_by_title):
    r = report_by_title("2023年工作总结和2024年工作计划")
    assert tree(r) == [
        (1, "一、2023年工作总结", "summary"),
        (2, "（一）文化事业服务效能稳步提升", "summary"),
        (2, "（二）乡村旅游市场活力梯次提升", "summary"),
        (2, "（三）体育事业竞争力全面夯实", "summary"),
        (2, "（四）重点项目建设平稳推进", "summary"),
        (2, "（五）文物保护工作筑牢安全防线", "summary"),
        (2, "（六）文化市场监管保障市场稳定", "summary"),
        (1, "二、存在的问题", "problem"),
        (2, "重点文旅基础设施欠账较多", "problem"),
        (2, "文旅产业经费投入不足", "problem"),
        (2, "专业人才缺少", "problem"),
        (1, "三、2024年工作计划", "plan"),
        (2, "提升公共文化服务水平", "plan"),
        (2, "推进体育设施建设", "plan"),
        (2, "提高乡村旅游品质", "plan"),
        (2, "做好文物保护工作", "plan"),
        (2, "推动重点项目建设", "plan"),
        (2, "加强非遗保护与传承", "plan"),
    ]
    items = r.sections[0].children[0].items
    assert [i[:2] for i in items] == ["一是", "二是", "三是", "四是", "五是", "六是"]
    assert items[0] == "一是市级图书馆、文化馆利用现有资源，举办文艺演出、展示展览、讲座培训、读书阅读等文化活动49场。"
    assert r.sections[1].children[0].text.startswith("重点文化旅游设施")


def test_unnumbered_topic_paragraphs_become_headings(report_by_title):
    r = report_by_title("镇2023年工作总结和2024年工作计划")
    assert tree(r) == [
        (1, "一、2023年工作开展情况", "summary"),
        (2, "抓项目求质效，经济发展有活力", "summary"),
        (2, "坚持生态宜居，乡村面貌有看头", "summary"),
        (2, "聚焦社会治理，乡村善治有势头", "summary"),
        (2, "增进民生福祉，人民生活有奔头", "summary"),
        (2, "抓落实转作风，自身建设有突破", "summary"),
        (1, "二、下一年工作思路", "plan"),
        (2, "坚持产业驱动", "plan"),
        (2, "坚持生态提质", "plan"),
        (2, "坚持政策保障", "plan"),
        (2, "坚持社会治理", "plan"),
    ]
    # the paragraph without a lead of its own stays with the topic before it
    assert "新建人民健身广场" in r.sections[0].children[3].text


def test_digit_headings_under_chinese_numerals(report_by_title):
    r = report_by_title("县财政局2023年工作总结和2024年工作计划")
    assert tree(r) == [
        (1, "一、2023年工作总结", "summary"),
        (2, "1.财政收支运行平稳", "summary"),
        (2, "2.助力发展更加有为", "summary"),
        (2, "3.国资管理提质增效", "summary"),
        (2, "4.普惠金融高质量发展", "summary"),
        (2, "5.争资争项取得突破", "summary"),
        (2, "6.重点改革有序推进", "summary"),
        (1, "二、存在的主要问题和工作建议", "problem"),
        (1, "三、2024年工作计划", "plan"),
        (2, "（一）完成年度收支目标", "plan"),
        (2, "（二）强化国资国企管理", "plan"),
        (2, "（三）加大金融工作力度", "plan"),
    ]
    problems = r.sections[1]
    assert problems.text.startswith("存在问题：一是财政收支平衡难度大。")
    assert [i[:2] for i in problems.items] == ["一是", "二是"]


def test_three_level_tree_and_roles(report_by_title):
    r = report_by_title("区残联2023年工作总结和2024年工作计划")
    assert [s.path[-1] for s in r.sections] == ["一、2023年指标任务和重点工作完成情况", "二、2024年工作谋划"]
    assert [s.role for s in r.sections] == ["summary", "plan"]
    business = r.sections[0].children[1]
    assert business.path == ["一、2023年指标任务和重点工作完成情况", "(二)业务工作"]
    assert [c.level for c in business.children] == [3] * 12
    assert business.children[7].path[-1] == "8.高等教育阶段及中等职业教育残疾学生资助"
    assert "救助残疾大学生55人" in business.children[7].text


def test_report_without_numbered_top_level(report_by_title):
    r = report_by_title("市民政局2023年度工作总结和2024年工作计划")
    assert tree(r) == [(1, "全年重点工作开展情况", "summary"), (1, "2024年工作谋划", "plan")]
    assert len(r.sections[0].items) == 6 and len(r.sections[1].items) == 6


def test_audit_roles_and_signoff(report_by_title):
    audit = report_by_title("县审计局2023年工作总结和2024工作计划")
    assert [s.role for s in audit.sections] == ["summary", "highlight", "highlight", "problem", "plan"]
    civil = report_by_title("区民政局2023年工作总结暨2024年工作计划")
    assert civil.signoff == "XX市XX区民政局 2023年12月15日"
    assert "2023年12月15日" not in all_text(civil)


def test_ids_are_stable_content_fingerprints(sample_reports):
    again = [r for path in SAMPLE_FILES for r in parse_file(load_file(path))]
    assert [r.id for r in again] == [r.id for r in sample_reports]
    assert len({r.id for r in sample_reports}) == SAMPLE_REPORT_COUNT


def _as_loaded(text: str, name: str = "x.txt") -> LoadedFile:
    lines = [Line(t, i + 1) for i, t in enumerate(text.splitlines())]
    return LoadedFile(path=name, lines=lines, encoding="utf-8", content_hash="")


def test_without_toc_titles_are_found_by_shape():
    for path in SAMPLE_FILES:
        text = path.read_text("utf-8")
        with_toc = [r.title for r in parse_file(_as_loaded(text))]
        body = text.split("\n\n", 1)[1] if path.name.startswith("000") else text.split("\n\n\n", 2)[2]
        assert "目录" not in body[:200] and "目 录" not in body[:200]
        assert [r.title for r in parse_file(_as_loaded(body))] == with_toc


def test_single_report_file_is_one_report():
    text = "县民政局2023年工作总结\n\n一、工作成效\n（一）兜底保障\n全年发放低保金XX万元。\n二、存在问题\n人手不足。\n三、2024年工作计划\n持续做好兜底保障。\n"
    [report] = parse_file(_as_loaded(text))
    assert report.title == "县民政局2023年工作总结"
    assert (report.org, report.level, report.department, report.kind) == ("县民政局", "县", "民政", "总结")
    assert [s.role for s in report.sections] == ["summary", "problem", "plan"]


def test_file_without_title_uses_its_name():
    text = "一、工作成效\n全年发放低保金XX万元，惠及群众。\n二、存在问题\n人手不足。\n"
    [report] = parse_file(_as_loaded(text, "/tmp/民政工作.txt"))
    assert report.title == "民政工作"
    assert [s.heading for s in report.sections] == ["工作成效", "存在问题"]
