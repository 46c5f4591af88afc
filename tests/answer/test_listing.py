"""List questions across the library (「哪些乡镇提到了乡贤？」): the answer lists every report in
scope whose passages mention the subject — checked here by a plain substring scan of the stored
passages — one entry each, however many there are."""

from __future__ import annotations

from assistant.answer.compose import answer
from assistant.answer.listing import subject_of


def reports_containing(index, words: list[str], levels: tuple[str, ...] = ()) -> set[str]:
    derived = index.derived()
    return {c.report_id for c in derived.chunks if all(w in c.text for w in words)
            and (not levels or derived.reports[c.report_id].report.level in levels)}


def listed(result) -> list[str]:
    return [c.hit.chunk.report_id for c in result.citations]


def test_the_subject_is_read_from_the_questions_form():
    assert subject_of("哪些省份提到了低空经济？").alternatives == [["低空", "经济"]]
    assert subject_of("哪些省份办起了“苏超”联赛？").alternatives == [["苏超"]]
    assert subject_of("哪些单位提到了老年助餐或老年食堂？").alternatives == [["老年", "助餐"], ["老年", "食堂"]]
    assert subject_of("有没有乡镇涉及殡葬改革的内容？").text == "殡葬改革"
    assert subject_of("县财政局2023年做了什么？") is None


def test_every_report_that_mentions_the_subject_is_listed_once(sample_index):
    result = answer(sample_index, "哪些乡镇提到了乡贤？")
    expected = reports_containing(sample_index, ["乡贤"], ("乡", "镇", "街道"))
    assert len(expected) >= 3
    assert sorted(listed(result)) == sorted(expected)  # every one, each once
    assert result.text.startswith(f"共有 {len(expected)} 份报告提到“乡贤”")
    assert all("乡贤" in "".join(c.quotes) for c in result.citations)


def test_a_quoted_term_is_matched_as_written_across_the_library(sample_index):
    result = answer(sample_index, "哪些单位提到了“三件套”？")
    expected = reports_containing(sample_index, ["三件套"])
    assert expected and sorted(listed(result)) == sorted(expected)
    assert all("三件套" in c.hit.chunk.text for c in result.citations)


def test_the_list_is_not_cut_at_the_answers_usual_length(sample_index):
    from assistant.answer.compose import MAX_REPORTS

    result = answer(sample_index, "哪些单位提到了安全生产？")
    expected = reports_containing(sample_index, ["安全", "生产"])
    assert len(expected) > MAX_REPORTS and len(set(listed(result))) == len(expected)


def test_reports_saying_it_as_written_come_first_and_are_counted_apart(sample_index):
    result = answer(sample_index, "哪些乡镇提到了燃气安全？")
    written = reports_containing(sample_index, ["燃气安全"], ("乡", "镇", "街道"))
    loose = reports_containing(sample_index, ["燃气", "安全"], ("乡", "镇", "街道")) - written
    assert written and loose
    assert result.text.startswith(f"共有 {len(written)} 份报告提到“燃气安全”")
    assert f"另有 {len(loose)} 份报告提到“燃气”“安全”" in result.text
    ids = listed(result)
    assert set(ids[: len(written)]) == written and set(ids[len(written):]) == loose


def test_a_long_sentence_is_quoted_by_its_clauses_that_mention_the_subject():
    from assistant.answer.compose import MAX_LIST_QUOTE, _subject_clauses
    from assistant.answer.listing import subject_of

    subject = subject_of("哪些省份提到了低空经济？")
    text = ("坚持智能化、绿色化、融合化方向，以科技创新为引领，以先进制造业为骨干，做强做优做大绿色铝、"
            "硅光伏、磷化工等资源型产业，立足实际发展生物医药、数字经济、低空经济等新兴产业，"
            "推动园区经济高质量发展，非烟非能工业增加值比重大幅提高。")
    a, b = _subject_clauses(text, (0, len(text)), subject)
    assert text[a:b] == "立足实际发展生物医药、数字经济、低空经济等新兴产业"  # not 园区经济
    short = "低空经济产业链集聚更多关键企业，起降设施增至3592个。"
    assert len(short) <= MAX_LIST_QUOTE and _subject_clauses(short, (0, len(short)), subject) == (0, len(short))
