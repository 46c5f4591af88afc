"""The 问答 tab over real indexes: what streams is escaped like the final message, [n] marks link to
their cards, and fields a document does not reveal show as 「未识别」."""

from __future__ import annotations

from assistant.models import UNKNOWN, Report
from assistant.ui import chat
from assistant.ui.render import answer_markdown, citation_card, report_tree
from tests.fixtures.fake_llm import Reply

LEAKY = "<img src=http://127.0.0.1:9/leak?q=县残联> ![图](http://127.0.0.1:9/md.png) <b>粗</b>"


def test_streamed_llm_text_is_escaped_like_the_final_message(sample_index, fake_llm):
    fake_llm.script(Reply(LEAKY, pieces=6))
    updates = list(chat.respond(sample_index, "区残联2023年救助了多少残疾大学生？", []))
    partial = [m[-1]["content"] for m, _, _ in updates[:-1]]
    assert len(partial) >= 3 and any("&lt;img src=" in p for p in partial)
    assert not any("<img" in p or "<b>" in p or "![" in p for p in partial)
    final = updates[-1][0][-1]["content"]  # no citation: the deterministic answer, with why
    assert "<img" not in final and "大模型不可用" in final


def test_citation_marks_link_to_their_cards_and_nothing_else():
    text = answer_markdown({"answer": "甲[1]乙[3]，川府发[2023]号，丙[2]", "citations": [{"n": 1}, {"n": 2}]})
    assert text.count('<a class="cite-ref"') == 2 and 'href="#cite-2">[2]</a>' in text
    assert "乙[3]" in text and "[2023]" in text


def test_a_second_lead_of_a_list_answer_is_not_part_of_the_entry_before_it():
    text = answer_markdown({"answer": "共有 1 份报告提到“低空经济”：\n- **江苏省**：「低空经济」[1]\n"
                                      "另有 1 份报告提到“低空”“经济”：\n- **北京市**：「低空安全」[2]",
                            "citations": [{"n": 1}, {"n": 2}]})
    assert "[1]</a>\n\n另有 1 份" in text


def test_unknown_fields_show_as_unrecognised():
    citation = {"n": 1, "report_title": "2023年工作总结", "section_path": ["一、工作总结"], "text": "正文"}
    assert '<div class="cite-meta">单位未识别 · 一、工作总结</div>' in citation_card(citation, UNKNOWN, "")
    assert '<div class="cite-meta">县审计局 · 一、工作总结</div>' in citation_card(citation, "县审计局", "")
    tree = report_tree(Report(id="r1", title="2023年工作总结", level="市"))
    assert "单位：未识别　层级：市　类别：未识别　期间：未识别　文种：未识别" in tree
    assert UNKNOWN not in tree
