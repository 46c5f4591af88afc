"""What a question implies: plan years from the library's periods steer roles."""

from __future__ import annotations

from assistant.answer.query import content_words, parse_query, plan_years
from assistant.models import UNKNOWN


def test_plan_years_are_the_years_after_summaries_that_nothing_summarises():
    assert plan_years(["2023年度", "2023年上半年"]) == {2024}
    assert plan_years(["2022年度", "2023年度"]) == {2024}
    assert plan_years([UNKNOWN]) == frozenset()


def test_a_planned_year_asks_for_plans():
    planned = plan_years(["2023年度"])
    assert parse_query("区残联2024年做了哪些工作？", planned=planned).inferred.role == ("plan",)
    assert parse_query("区残联2023年做了哪些工作？", planned=planned).inferred.role == ("summary",)
    assert parse_query("区残联2024年做了哪些工作？").inferred.role == ("summary",)


def test_a_summarised_year_with_plan_words_asks_for_the_summary():
    planned = plan_years(["2023年度"])
    assert "plan" not in parse_query("县审计局2023年计划安排了多少个审计项目？", planned=planned).inferred.role
    assert "plan" in parse_query("XX镇2023年下半年有什么计划？", planned=planned).inferred.role


def test_a_named_department_is_no_part_of_the_topic():
    # the report's unit reads 民政局, the question writes 洪湖市民政局: neither is looked for
    query = parse_query("洪湖市民政局2010年民政工作以什么为总抓手？", orgs=["民政局"])
    words = content_words(query)
    assert "洪湖" not in words and "总抓手" in words
    # a place alone may be a topic of the held unit's report (对口支援新疆)
    assert "新疆" in content_words(parse_query("江苏省对口支援新疆做了什么？", orgs=["江苏省"]))


def test_who_delivered_a_report_is_asked_of_its_speaker_line():
    from assistant.ingest.metadata import speaker_line

    assert parse_query("三明市2023年市本级决算报告是谁作的？").asks_speaker
    assert parse_query("魏庄镇的政府工作报告是哪位镇长作的？").asks_speaker
    assert not parse_query("七人普工作领导小组的组长是谁？").asks_speaker  # the body names them
    assert speaker_line("三明市财政局局长 苏迎平") and speaker_line("魏庄镇人民政府镇长 杨杰")
    assert not speaker_line("2020年2月成立由副区长李翔同志任组长的领导小组")
