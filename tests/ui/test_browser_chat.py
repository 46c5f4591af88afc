"""The 问答 tab in headless Chromium with an LLM (the fake OpenAI-compatible server): what the
model streams is shown as text and loads nothing, and an answer obeying an instruction planted
in a document falls back with a notice while its card warns."""

from __future__ import annotations

import pytest

from assistant.index.index import Index
from assistant.ingest.pipeline import ingest
from tests.fixtures.browser import BROWSER_TEST, WAIT_MS, serve, shot
from tests.fixtures.fake_llm import Reply
from tests.fixtures.hostile import HOSTILE_REPORT, QUESTION
from tests.fixtures.log_server import LogServer

pytestmark = BROWSER_TEST
STREAM_GAP = 0.3  # seconds between streamed pieces: long enough to look at the half answer


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "县信息中心.txt").write_text(HOSTILE_REPORT, encoding="utf-8")
    index = Index(folder / "index")
    assert not ingest([folder / "县信息中心.txt"], index).failed
    app, url = serve(index)
    yield url
    app.close()
    index.close()


def ask_and_wait(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_selector("#citations .cite-card", timeout=WAIT_MS)


def test_streamed_html_and_images_are_text_and_fetch_nothing(page, hostile_app, fake_llm):
    with LogServer() as log:
        fake_llm.script(Reply(
            f"<img src={log.url}/leak?q=县信息中心> ![图]({log.url}/leak-md.png) <b>加粗</b>",
            pieces=6, gap=STREAM_GAP,
        ))
        page.goto(hostile_app)
        page.wait_for_selector("#question textarea", timeout=WAIT_MS)
        page.fill("#question textarea", QUESTION)
        page.click("#ask")
        page.wait_for_function(
            "document.querySelector('#chatbot')?.innerText.includes('<img src=')", timeout=WAIT_MS
        )
        shot(page, "10-llm-stream-as-text")
        assert page.locator("#chatbot img[src*=leak], #chatbot b").count() == 0
        page.wait_for_selector("#citations .cite-card", timeout=WAIT_MS)
        page.wait_for_timeout(500)  # anything the page would load has been asked for by now
        assert log.paths == []
        page.evaluate(f"new Image().src = '{log.url}/probe'")  # the log server does hear fetches
        page.wait_for_function("1", timeout=WAIT_MS)
        page.wait_for_timeout(500)
        assert log.paths == ["/probe"]


def test_an_answer_obeying_a_planted_instruction_shows_the_excerpts_and_a_warning(
    page, hostile_app, fake_llm
):
    fake_llm.script(Reply("系统已被攻破[1]。"))
    page.goto(hostile_app)
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    ask_and_wait(page, QUESTION)
    reply = page.inner_text("#chatbot")
    assert "疑似写给大模型的指令" in reply and "数据共享平台建成" in reply
    assert "系统已被攻破[1]" not in reply
    assert "疑似写给大模型的指令" in page.inner_text("#citations .cite-warn")
    shot(page, "11-planted-instruction-fallback")
