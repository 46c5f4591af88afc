"""What a report's period and genre cannot answer (tests/data/periods: documents built from
real patterns — a bureau's half-year summary, a town's 政府工作报告 reviewing one year and
planning the next, a 述职 speech that never says 述职): a whole year's result asked of a
half-year report, an outcome asked of a year only planned, and a subject no report mentions
are declined by name; targets, reviewed years and the 述职 itself are answered."""

from __future__ import annotations

import shutil

import pytest

from assistant.answer.compose import answer
from tests.fixtures.paths import DATA


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from assistant.index.index import Index
    from assistant.ingest.pipeline import ingest

    folder = tmp_path_factory.mktemp("periods-files")
    for path in (DATA / "periods").glob("*.txt"):
        shutil.copy(path, folder / path.name)
    index = Index(tmp_path_factory.mktemp("periods-index"))
    assert not ingest([folder], index).failed
    return index


def test_a_town_report_delivered_in_2019_reviews_2018(library):
    town = next(s.report for s in library.store.list_reports() if s.report.org == "龙潭镇")
    assert (town.period, town.kind) == ("2018年度", "总结+计划")


@pytest.mark.parametrize(("question", "reason"), [
    ("江门市财政局2024年全年一般公共预算收入完成多少？", "没有全年的情况"),
    ("龙潭镇2019年实际完成财政收入多少？", "只有2019年的计划"),
    ("这些报告里有没有讲怎么应对欧盟碳关税？", "没有提到"),
])
def test_what_the_period_or_the_library_cannot_say_is_declined(library, question, reason):
    result = answer(library, question)
    assert result.abstained and reason in result.text, result.text


@pytest.mark.parametrize("question", [
    "江门市财政局2024年全年一般公共预算收入目标是多少？",  # a target the half-year report states
    "江门市财政局上半年一般公共预算收入是多少？",
    "龙潭镇2018年实际完成财政收入多少？",
    "龙潭镇2019年财政收入计划完成多少？",
    "舞阳县粮食局长述职中讲到他上任时系统存在哪些问题？",  # a 述职 that never says 述职
    "这些报告里有没有讲到高龄津贴？",
])
def test_what_the_reports_do_say_is_answered(library, question):
    result = answer(library, question)
    assert not result.abstained and result.citations, result.text


def test_a_target_asked_is_stated_only_by_a_sentence_that_says_it_is_one():
    from assistant.answer.figures import stated_share
    from assistant.answer.query import period_words

    weights = {"规上": 1.0, "产值": 1.0}
    result = "1-9月全镇实现规上工业产值29.74亿元,同比增长31.3%。"
    goal = "2024年力争规上工业产值突破40亿元。"
    target = period_words("target")
    assert stated_share(result, weights) == 1.0
    assert stated_share(result, weights, target) == 0.0
    assert stated_share(goal, weights, target) == 1.0


def test_a_half_width_semicolon_ends_a_sentence_as_the_full_width_one_does():
    from assistant.answer.figures import stated_share

    weights = {"限上": 1.0, "销售额": 1.0}
    text = "全镇固定资产投资同比增长20.1%;规模以上工业总产值84亿元;限上商业商品销售额"
    assert stated_share(text, weights) == 0.0
    assert stated_share(text.replace(";", "；"), weights) == 0.0
    assert stated_share(text + "12亿元。", weights) == 1.0
