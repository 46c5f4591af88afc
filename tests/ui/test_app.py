"""The app's logic without a browser: rendering escapes document HTML and highlights support,
the exposure guard, and the chat, outline and library handlers over real indexes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from docx import Document

from assistant.index.index import Index
from assistant.ui import chat, library, outline_tab, removal
from assistant.ui.render import (
    answer_markdown,
    citation_card,
    context_html,
    esc_markdown,
    highlight,
    locate,
)
from assistant.ui.serve import exposure_error, is_loopback, launch, parse_auth
from tests.fixtures.fake_llm import Reply

GBK_REPORT = """县测试局2023年工作总结和2024年工作计划
一、2023年工作总结
（一）燃气安全专项整治扎实推进。全年排查燃气用户XX户，整改隐患XX处。
二、存在的问题
人员力量不足，<b>专业能力</b>有待提升。
三、2024年工作计划
（一）持续开展燃气安全检查。
"""


def test_highlight_escapes_and_marks_spans():
    text = "甲<script>alert(1)</script>乙。丙丁。"
    out = highlight(text, [(len(text) - 3, len(text))])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.endswith("<mark>丙丁。</mark>")


def test_card_and_answer_show_html_as_text():
    citation = {
        "n": 1,
        "report_title": "<img src=x onerror=alert(1)>局",
        "section_path": ["一、<i>总结</i>"],
        "text": "正文<b>加粗</b>",
        "spans": [[0, 2]],
    }
    card = citation_card(citation, "县<u>局</u>", "上下文<script>")
    assert "<img" not in card and "<i>" not in card and "<b>" not in card and "<script>" not in card
    assert "<mark>正文</mark>" in card and 'id="cite-1"' in card and "查看原文上下文" in card
    assert answer_markdown({"answer": "**县局**<script>x</script>", "notice": "<b>注意</b>"}) == (
        "**县局**&lt;script>x&lt;/script>\n\n> ⚠️ &lt;b>注意&lt;/b>"
    )
    assert esc_markdown("a & <b>") == "a &amp; &lt;b>"


def test_context_marks_the_cited_sentences_where_they_occur():
    context = "（一）经责审计成果运用不到位\n目前，各级<b>组织</b>的运用\n没有完善的机制。"
    assert locate(context, "（一）经责审计成果运用不到位。") == (0, 14)
    assert locate(context, "没有完善的机制。") == (len(context) - 8, len(context) - 1)
    assert locate(context, "不在上下文里") is None and locate(context, "。") is None
    out = context_html(context, ["（一）经责审计成果运用不到位。", "各级<b>组织</b>的运用没有"])
    assert out.startswith("<mark>（一）经责审计成果运用不到位</mark>\n目前，")
    assert "<mark>各级&lt;b&gt;组织&lt;/b&gt;的运用\n没有</mark>" in out and "<b>" not in out


@pytest.mark.parametrize(
    ("host", "auth", "insecure", "refused"),
    [
        ("127.0.0.1", None, False, False),
        ("localhost", None, False, False),
        ("::1", None, False, False),
        ("0.0.0.0", None, False, True),
        ("192.168.1.5", None, False, True),
        ("0.0.0.0", ("u", "p"), False, False),
        ("0.0.0.0", None, True, False),
    ],
)
def test_exposure_needs_a_password_off_loopback(host, auth, insecure, refused):
    assert (exposure_error(host, auth, insecure) is not None) == refused
    assert is_loopback(host) == (host in ("127.0.0.1", "localhost", "::1"))


def test_launch_refuses_an_exposed_host_without_a_password(tmp_path):
    with pytest.raises(ValueError, match="--auth USER:PASSWORD"):
        launch(tmp_path / "index", host="0.0.0.0", block=False)
    assert not (tmp_path / "index").exists()


def test_auth_value_parsing():
    assert parse_auth("admin:s3cr:et") == ("admin", "s3cr:et")
    assert parse_auth(None) is None
    for bad in ("admin", ":pw", "admin:"):
        with pytest.raises(ValueError):
            parse_auth(bad)


def test_chat_answers_with_cards_and_follow_up(sample_index):
    *_, (messages, cards, box) = chat.respond(sample_index, "区残联2023年做了哪些工作？", [])
    assert box == "" and [m["role"] for m in messages] == ["user", "assistant"]
    assert 'class="cite-card"' in cards and "区残联2023年工作总结" in cards
    *_, (messages, cards, _) = chat.respond(sample_index, "那2024年呢？", messages)
    assert len(messages) == 4 and "2024年工作谋划" in cards


def test_card_context_marks_the_support_in_the_whole_section(sample_index):
    *_, (_, cards, _) = chat.respond(sample_index, "县审计局存在哪些问题？", [])
    context = cards.split('class="cite-context">', 1)[1].split("</div>", 1)[0]
    assert "<mark>（一）经责审计成果运用不到位</mark>" in context and "人少事多" in context


def test_chat_streams_llm_tokens_then_shows_cards(sample_index, fake_llm):
    fake_llm.script(Reply("2023年区残联救助残疾大学生55人[1]。", pieces=4))
    updates = list(chat.respond(sample_index, "区残联2023年救助了多少残疾大学生？", []))
    partial = [m[-1]["content"] for m, cards, _ in updates[:-1]]
    assert len(partial) >= 2 and all(p.endswith("▌") for p in partial)
    assert all(cards == "" for _, cards, _ in updates[:-1])
    messages, cards, _ = updates[-1]
    assert '55人<a class="cite-ref" href="#cite-1">[1]</a>' in messages[-1]["content"] and 'id="cite-1"' in cards
    assert "可连接" in library.status(sample_index) and "fake-chat" in library.status(sample_index)


def test_chat_shows_a_question_with_html_as_text(sample_index):
    *_, (messages, _, _) = chat.respond(sample_index, "<b>县审计局</b>存在哪些问题？<script>", [])
    assert messages[0]["content"] == "&lt;b>县审计局&lt;/b>存在哪些问题？&lt;script>"


def test_chat_explains_an_empty_question(sample_index):
    *_, (messages, cards, _) = chat.respond(sample_index, "？？", [])
    assert messages[-1]["content"].startswith("⚠️ 问题只有标点") and cards == ""


def test_chat_filters_restrict_the_cards(sample_index):
    *_, (_, cards, _) = chat.respond(sample_index, "安全生产", [], level="区", role="plan")
    assert "区应急管理局" in cards and "镇2023年" not in cards


def test_outline_handler_writes_files_and_honours_exclusions(sample_index):
    text, choices, ticked, docx_path, plain_path, md_path = outline_tab.make_outline(
        sample_index, "县民政局2024年工作计划", [], None, []
    )
    assert text.startswith("# 县民政局2024年工作计划") and ticked == [rid for _, rid in choices]
    headings = [p.text for p in Document(docx_path).paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "一、2024年工作总体思路和目标"
    assert Path(md_path).read_text("utf-8").startswith("# 县民政局")
    # the annotated copy carries its sources as Word comments, the 不含来源 copy none
    assert list(Document(docx_path).comments) and not list(Document(plain_path).comments)
    assert "不含来源" in Path(plain_path).name
    dropped = ticked[0]
    _, again, *_ = outline_tab.make_outline(
        sample_index, "县民政局2024年工作计划", [], ticked[1:], ticked
    )
    assert dropped not in [rid for _, rid in again]
    error, *rest = outline_tab.make_outline(sample_index, "  ", [], None, [])
    assert error.startswith("⚠️") and rest == [[], [], None, None, None]


def test_library_upload_gbk_search_tree_and_remove(tmp_path):
    path = tmp_path / "县测试局.txt"
    path.write_bytes(GBK_REPORT.encode("gbk"))
    bad = tmp_path / "坏文件.docx"
    bad.write_bytes(b"not a zip")
    index = Index(tmp_path / "index")
    rows = library.upload(index, [(str(path), path.name), (str(bad), bad.name)])
    assert rows[0][:2] == ["县测试局.txt", "已入库"]
    assert rows[1][:2] == ["坏文件.docx", "失败"] and rows[1][2]
    assert library.upload(index, [(str(path), path.name)])[0][1] == "未变化"
    (listed,) = library.report_rows(index, "测试局")
    assert listed[1] == "县测试局2023年工作总结和2024年工作计划" and library.report_rows(index, "无此单位") == []
    rid = index.store.list_reports()[0].report.id
    tree = library.report_view(index, rid)
    assert "一、2023年工作总结　［总结］" in tree and "三、2024年工作计划　［计划］" in tree
    assert "1 篇报告，" in library.status(index) and "未配置" in library.status(index)
    assert removal.carry_out(index, removal.plan(index, rid, whole_file=True)).startswith("已删除 1 篇报告")
    assert library.report_rows(index) == [] and index.derived().chunks == []
    index.close()


def fresh_report(n: int) -> str:
    """A report whose passages no test embedded before (unique figures per run and section)."""
    stamp = time.time_ns()
    parts = [f"第{n}镇2023年工作总结"]
    for i, topic in enumerate(["农村公路养护", "饮水安全巩固", "森林防火巡查", "养老服务提升",
                               "人居环境整治", "招商引资推进"], 1):
        parts.append(f"{'一二三四五六'[i - 1]}、{topic}工作")
        parts.append(f"全年围绕{topic}开展专项行动{stamp % 97 + i}次，投入资金{stamp % 1000 + n}万元，"
                     f"覆盖村组{i * 7 + n}个，编号{stamp}-{n}-{i}，群众满意度明显提升。")
    return "\n".join(parts) + "\n"


def test_questions_are_answered_while_an_upload_is_ingested(tmp_path):
    path = tmp_path / "县测试局.txt"
    path.write_bytes(GBK_REPORT.encode("gbk"))
    index = Index(tmp_path / "index")
    library.upload(index, [(str(path), path.name)])
    folder = tmp_path / "new"
    folder.mkdir()
    for n in range(1, 5):  # about 30 passages to embed: several seconds on 2 cores
        (folder / f"镇{n}.txt").write_text(fresh_report(n), encoding="utf-8")
    files = [(str(p), p.name) for p in sorted(folder.iterdir())]
    uploading = threading.Thread(target=library.upload, args=(index, files))
    uploading.start()
    answered = during_upload = 0
    while uploading.is_alive() or answered < 3:
        *_, (messages, cards, _) = chat.respond(index, "燃气安全检查", [])
        assert 'class="cite-card"' in cards and messages[-1]["role"] == "assistant"
        answered += 1
        during_upload += uploading.is_alive()  # this answer finished before the upload did
    uploading.join()
    assert len(library.report_rows(index)) == 5
    assert during_upload >= 3  # answering did not wait for the whole ingest
    index.close()
