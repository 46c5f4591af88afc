"""The units a question names, resolved against the library: a unit with no report — a city or
county inside a held province, 国务院, a bureau of a held place, a genre or half-year the unit
has no report of — is declined by name; the same questions of held units are answered."""

from __future__ import annotations

import shutil

import pytest

from assistant.answer.compose import answer
from assistant.answer.units import named_units
from assistant.lexicon.divisions import divisions, mentions, short_name
from tests.fixtures.paths import DATA, WEB_CORPUS

needs_web = pytest.mark.skipif(not WEB_CORPUS.is_dir(), reason="../shared/corpus-web not beside the project")
JIANGSU = "2026_江苏省_政府工作报告.txt"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """平潭's 财政金融局, 东山县统计局, a 县应急管理局, a 市财政局 whose text names 中山 only in a
    slogan, a 民政厅's 述职 that names 江苏 only in its text (tests/data/shapes) and 江苏省's report."""
    from assistant.index.index import Index
    from assistant.ingest.pipeline import ingest

    folder = tmp_path_factory.mktemp("units-files")
    for name in ("zwgk_header.txt", "zwgk_table.txt", "oneline_body.txt", "placeless_city.txt",
                 "provincial_shuzhi.txt"):
        shutil.copy(DATA / "shapes" / name, folder / name)
    shutil.copy(WEB_CORPUS / JIANGSU, folder / JIANGSU)
    index = Index(tmp_path_factory.mktemp("units-index"))
    assert not ingest([folder], index).failed
    return index


def test_the_gazetteer_is_national_data_with_short_names():
    levels = {d.level for d in divisions()}
    assert levels == {"省", "市", "县"} and len(divisions()) > 3000
    assert short_name("370300", "淄博市") == "淄博"
    assert short_name("222400", "延边朝鲜族自治州") == "延边"
    assert short_name("130321", "青龙满族自治县") == "青龙"
    assert short_name("500233", "忠县") == ""  # one character is no name
    # today's divisions (上党区, since 2018) and those gone since that past reports name (长治县);
    # a renamed one (临安市, now 临安区) is found by its short name
    names = {d.name for d in divisions()}
    assert {"上党区", "长治县", "临安区"} <= names and "临安市" not in names
    assert [d.name for m in mentions("临安市民政局", trusted=True) for d in m.divisions] == ["临安区"]
    assert not any(d.name.endswith("开发区") for d in divisions())  # the statistics' own zones


def test_short_names_count_only_where_they_are_places():
    assert [m.text for m in mentions("淄博2024年计划")] == ["淄博"]
    assert mentions("平安建设取得新成效") == [] and mentions("开放型经济") == []
    # 新建 is no place here (新建区's short name); 县供销社 is the county's 供销社, placeless
    units = named_units("县供销社2024年计划新建多少个村级服务网点？")
    assert [(u.text, u.divisions) for u in units] == [("县供销社", ())]
    assert [u.text for u in named_units("新建区财政局2024年计划")] == ["新建区财政局"]


@pytest.mark.parametrize(("question", "units"), [
    ("平潭公安局2023年破获了多少起案件？", ["平潭公安局"]),
    ("淄博市财政局今年有哪些重点工作", ["淄博市财政局"]),
    ("东湖街道办事处的工作总结", ["东湖街道办事处"]),
    ("城关镇今年的工作", ["城关镇"]),
    ("国务院2026年的经济增长目标是多少", ["国务院"]),
    ("哪些乡镇提到了乡贤？", []),
    ("七星镇镇长的述职报告", ["七星镇"]),  # a numeral leads many townships' names
    ("五马街道今年的工作", ["五马街道"]),
    ("五大镇和百强镇的做法", []),  # a numeral and a measure word name none
    # a county's name leading a street's is the street's (清水河县 is in 内蒙古)
    ("金安区清水河街道2021年的工作", ["金安区清水河街道"]),
    ("振兴街道办事处2008年的工作", ["振兴街道办事处"]),
    ("搞海虾淡养的那个镇有哪些制约发展的问题？", []),
    ("民政部门2023年在儿童关爱保护方面做了什么？", []),
    # a township whose name begins as 下/上 do (下半年) after its county's short name
    ("仙居下各镇2023年拿到了什么荣誉？", ["仙居下各镇"]),
    ("县里下半年的计划", []),
])
def test_units_by_the_grammar_of_their_names(question, units):
    assert [u.text for u in named_units(question)] == units


def test_a_short_place_name_before_a_unit_names_that_place():
    # the tagger does not take 泰顺 for a place here; the township after it says it is one
    (unit,) = named_units("泰顺三魁镇新招引了几家总部回归企业？")
    assert (unit.department, [d.name for d in unit.divisions]) == ("三魁镇", ["泰顺县"])
    assert named_units("推进民政局改革") == ()  # no place before the department


def test_a_townships_name_that_is_a_countys_is_not_that_county():
    from assistant.answer.units import report_divisions
    from assistant.models import Report

    street = Report(id="r", title="振兴街道2008年工作总结", org="振兴街道", level="街道")
    assert report_divisions(street) == ()  # not 丹东's 振兴区
    nested = Report(id="s", title="金安区清水河街道2021年工作报告", org="金安区清水河街道", level="街道")
    assert [d.name for d in report_divisions(nested)] == ["金安区"]


def test_a_township_asked_with_its_kind_written_once_is_its_report():
    from assistant.answer.units import same_township

    assert same_township("木镇", "木镇镇") and same_township("东柳街道", "鄞州区东柳街道")
    assert not same_township("木镇", "大木镇") and not same_township("城关镇", "城东镇")


@needs_web
@pytest.mark.parametrize(("question", "name"), [
    ("苏州市2026年地区生产总值增长目标是多少？", "苏州市"),  # a 地级市 of a held province
    ("江苏苏州2026年要建多少个口袋公园？", "苏州市"),
    ("昆山市2026年的经济增长目标是多少？", "昆山市"),  # a 县级市
    ("国务院2026年的经济增长目标是多少？", "国务院"),
    ("平潭公安局2023年破获了多少起电信诈骗案件？", "平潭公安局"),  # a bureau of a held place
    ("淄博市2024年工作计划有哪些重点？", "淄博市"),
    # a report naming itself by level only (县应急管理局) is no named county's: 泰顺县's is
    # declined when the question has no topic that report states
    ("泰顺县应急管理局2023年工作总结和2024年工作计划是什么？", "泰顺县应急管理局"),
    # … nor a county's whose other units' reports name it (东山县统计局 is in)
    ("东山县应急管理局2023年签订了多少份安全生产责任书？", "东山县应急管理局"),
    ("平潭综合实验区财政金融局的述职报告讲了哪些内容？", "述职报告"),
    ("县应急管理局2023年上半年工作总结提到了哪些成绩？", "上半年"),
    ("珠海市上半年一般公共预算收入是多少？", "珠海市"),  # a city the placeless report never names
    # a subject only 江苏省's report speaks of, asked of a unit whose reports do not, or of
    # the asker's own government by its level (县里: the library's 县 reports)
    ("东山县统计局的碳达峰工作是怎么推进的？", "东山县统计局"),
    ("县里的碳达峰工作是怎么推进的？", "县级"),
])
def test_a_unit_genre_or_period_the_library_lacks_is_declined_by_name(library, question, name):
    result = answer(library, question)
    assert result.abstained, result.text
    assert name in result.text.splitlines()[0]


@needs_web
@pytest.mark.parametrize("question", [
    "江苏省2026年地区生产总值增长目标是多少？",
    "江苏今年在苏州等地推进了哪些重大项目？",  # 苏州 spoken of in 江苏's question
    "平潭综合实验区财政金融局2024年怎么盘活存量资金？",
    "东山县统计局2023年统计服务方面做了什么？",
    "县应急管理局2023年排查整改了多少条隐患？",
    "江苏省的碳达峰工作是怎么推进的？",
    # a 厅 is a province's: the 民政厅 述职 whose text names 江苏 is 江苏's 述职报告
    "民政厅厅长述职时是怎么形容江苏的？",
    # a report of a city's unit (市财政局) that names no place but 中山 in its text stands for 中山
    "中山市上半年一般公共预算收入是多少？",
])
def test_the_same_questions_of_held_units_are_answered(library, question):
    result = answer(library, question)
    assert not result.abstained, result.text


@needs_web
def test_a_report_naming_no_place_answers_for_a_unit_of_its_kind_with_a_caveat(library):
    """The library's 县应急管理局 report names no county: asked for 泰顺县应急管理局's figure
    that it states, the answer quotes it and says it may be another county's."""
    result = answer(library, "泰顺县应急管理局2023年签订了多少份安全生产责任书？")
    assert not result.abstained and "186份" in result.text
    assert "没有注明为泰顺县应急管理局的报告" in result.notice and "县应急管理局" in result.notice


@needs_web
def test_a_unit_named_otherwise_than_its_report_gets_its_report_first(library):
    from assistant.answer.retrieve import query_for, search_query

    query = query_for(library, "平潭财政金融局2024年怎么盘活存量资金？")
    assert query.orgs == ("平潭综合实验区财政金融局",)
    top = search_query(library, query, 3)[0]
    assert library.derived().reports[top.chunk.report_id].report.org == "平潭综合实验区财政金融局"
    # a department of 江苏省 is not 江苏省's own report: no boost for the government's report
    assert "江苏省" not in query_for(library, "江苏省民政厅2026年养老服务有什么安排？").orgs


@needs_web
def test_a_kind_of_region_is_a_hard_filter(library):
    from assistant.answer.retrieve import query_for, search_query

    query = query_for(library, "东部地区各省2026年在扩大内需上分别有什么举措？")
    assert query.region_kind and query.orgs == ("江苏省",)
    hits = search_query(library, query, 10)
    reports = library.derived().reports
    assert hits and {reports[h.chunk.report_id].report.org for h in hits} == {"江苏省"}
