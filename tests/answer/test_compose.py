"""Deterministic cited answers on the sample index: quotes verbatim, citations resolve, abstention."""

from __future__ import annotations

import pytest

from assistant.answer.compose import QuestionError, answer, check_question, contextualise
from assistant.answer.evaluate import answer_checks, citations_resolve, load_qa
from assistant.answer.result import answer_dict
from tests.fixtures.paths import DEV_QA


def check_citations(result):
    """Every [n] in the text resolves to a citation whose quotes stand verbatim in its passage."""
    assert citations_resolve(result), result.text


def test_fact_question(sample_index):
    result = answer(sample_index, "区残联2023年救助了多少残疾大学生？")
    assert not result.abstained
    check_citations(result)
    first = result.citations[0]
    assert first.hit.chunk.report_title.startswith("区残联")
    assert any("救助残疾大学生55人" in q for q in first.quotes)


def test_section_question_lists_the_section_items(sample_index):
    result = answer(sample_index, "县审计局存在哪些问题？")
    check_citations(result)
    assert result.text.splitlines()[0] == "县审计局报告中关于存在的问题的内容："
    first = result.citations[0]
    assert first.hit.chunk.section_path == ["四、制约经济社会发展或影响工作成效的问题"]
    assert [q[:3] for q in first.quotes] == ["（一）", "（二）", "（三）"]


def test_many_report_question_one_line_per_report(sample_index):
    result = answer(sample_index, "哪些乡镇提到了燃气安全？")
    check_citations(result)
    lines = [ln for ln in result.text.splitlines() if ln.startswith("- ")]
    assert len(lines) >= 3
    exact = [c for c in result.citations if "燃气安全" in c.hit.chunk.text]
    assert result.text.startswith(f"共有 {len(exact)} 份报告提到“燃气安全”")  # as written first
    # every listed report mentions the topic, and its quote is the sentence that does
    assert all("燃气" in c.hit.chunk.text for c in result.citations)
    assert all("燃气" in "".join(c.quotes) for c in result.citations)


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("县教育局2023年新建了几所学校？", "县教育局"),
        ("县财政局2022年一般公共预算收入是多少？", "2022"),
        ("哪些单位在推进人工智能大模型应用？", "关键词"),
        # no report of the library uses the question's words at all
        ("区里的碳达峰碳中和工作是怎么推进的？", "没有提到“碳达峰”“碳中和”"),
        # the named unit's passages state no number about the figure's subject
        ("县商务局2023年离岛免税购物额度是多少？", "县商务局的报告中没有给出这个数字"),
    ],
)
def test_unanswerable_questions_abstain(sample_index, question, reason):
    result = answer(sample_index, question)
    assert result.abstained
    assert result.text.startswith("资料库中未找到") and reason in result.text
    assert "可能相关" in result.text


@pytest.mark.parametrize(
    "question",
    ["区残联2023年救助了多少残疾大学生？", "县审计局对多少名领导干部做了经济责任审计？",
     "有个乡专门给过冬的鸟留了口粮田，一共多大面积？"],  # a paraphrase's words the library lacks
)
def test_figures_the_reports_state_are_answered(sample_index, question):
    assert not answer(sample_index, question).abstained


def test_answer_json_shape(sample_index):
    data = answer_dict(sample_index, answer(sample_index, "区民政局2024年的工作安排是什么？"))
    assert set(data) >= {"answer", "citations", "abstained"}
    citation = data["citations"][0]
    assert set(citation) >= {"n", "score", "chunk_id", "report_id", "report_title", "section_path", "text", "source"}
    assert citation["source"].endswith(".txt")


@pytest.mark.parametrize("question", ["", "   ", "？？！。", "..."])
def test_empty_questions_get_a_clear_message(sample_index, question):
    with pytest.raises(QuestionError, match="问题"):
        answer(sample_index, question)


def test_very_long_question_is_truncated_with_notice(sample_index):
    result = answer(sample_index, "县审计局存在哪些问题" * 1000)
    assert "已截取" in result.notice
    assert result.citations


def test_follow_up_reads_the_previous_question():
    previous = ["区残联2023年做了哪些工作？"]
    assert contextualise("那2024年呢？", previous) == "区残联2024年做了哪些工作？"
    assert contextualise("那县财政局呢？", previous, ["区残联", "县财政局"]) == "县财政局2023年做了哪些工作？"
    assert contextualise("还有养老服务呢？", previous) == "区残联2023年做了哪些工作？ 还有养老服务呢？"
    assert contextualise("县审计局存在哪些问题？", ["区残联2023年做了哪些工作？"]) == "县审计局存在哪些问题？"


def test_citations_resolve_rejects_unknown_marks_and_moved_quotes(sample_index):
    result = answer(sample_index, "县审计局存在哪些问题？")
    assert citations_resolve(result)
    result.text += "[99]"
    assert not citations_resolve(result)
    result.text = result.text.removesuffix("[99]")
    first = result.citations[0]
    first.spans = [(a + 1, b + 1) for a, b in first.spans]
    assert not citations_resolve(result)


def test_dev_questions_of_every_kind_get_resolving_citations(sample_index):
    items = load_qa(DEV_QA)
    kinds = {item.type for item in items}
    sample = [next(i for i in items if i.type == kind) for kind in sorted(kinds)]
    sample += [i for i in items if i.type == "multi"][1:4]
    checks = answer_checks(sample_index, sample)
    assert checks["citations_resolve"] == 1.0
    assert 0 < checks["latency_p50"] <= checks["latency_p95"]


def test_question_messages_say_what_the_question_lacks():
    for question, message in [("", "问题为空"), ("？！。", "问题只有标点"), ("🙂🙂", "问题中没有文字")]:
        with pytest.raises(QuestionError, match=message):
            check_question(question)


def test_a_year_a_report_states_figures_for_is_answered(tmp_path):
    """「县卫健委2022年县域内就诊率是多少」 of a 2023 report whose table compares with 2022:
    the year is stated, so the table answers instead of 「不涉及2022年」."""
    import docx

    from assistant.index.index import Index
    from assistant.ingest.pipeline import ingest

    document = docx.Document()
    document.add_paragraph("县卫健委2023年工作总结")
    document.add_paragraph("一、主要指标完成情况")
    document.add_paragraph("全县医疗卫生服务能力稳步提升，主要指标与上年对比如下：")
    table = document.add_table(rows=4, cols=3)
    for row, cells in zip(table.rows, [("指标", "2022年", "2023年"), ("县域内就诊率", "88.5%", "90.2%"),
                                       ("家庭医生签约率", "41.3%", "45.6%"), ("孕产妇系统管理率", "93.1%", "95.0%")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("二、2024年工作计划")
    document.add_paragraph("一是推进紧密型县域医共体建设，县域内就诊率力争达到91%。")
    path = tmp_path / "县卫健委2023年工作总结.docx"
    document.save(str(path))
    index = Index(tmp_path / "ix")
    ingest([path], index)
    result = answer(index, "县卫健委2022年县域内就诊率是多少？")
    assert not result.abstained, result.text
    assert any("88.5%" in c.hit.chunk.text for c in result.citations)
    assert answer(index, "县卫健委2019年县域内就诊率是多少？").abstained  # a year it never states


def test_only_reports_that_mention_the_topic_are_listed(sample_index):
    result = answer(sample_index, "家庭医生签约率是多少？")
    assert result.citations and all("家庭医生" in c.hit.chunk.text for c in result.citations)


def test_a_follow_up_keeps_the_topic_and_changes_the_year(sample_index):
    first = "区残联2023年救助了多少残疾大学生？"
    result = answer(sample_index, "那2024年呢？", history=[first])
    assert not result.abstained
    quotes = "".join("".join(c.quotes) for c in result.citations)
    assert "做好残疾大学生和中专生助学工作" in quotes


def test_maybe_related_names_each_report_once(sample_index):
    result = answer(sample_index, "区里的碳达峰碳中和工作是怎么推进的？")
    assert result.abstained
    ids = [c.hit.chunk.report_id for c in result.citations]
    assert ids and len(ids) == len(set(ids))
