"""The first start in headless Chromium: on a fresh index and an empty vector cache, the first
question asked as soon as the page is up is answered from the samples, or told that the
library is being built — never 「未找到」."""

from __future__ import annotations

import time
import urllib.request

from benchmarks.first_start import first_serve
from tests.fixtures.browser import BROWSER_TEST, CHROMIUM_VIEWPORT, LOCALE, WAIT_MS, shot
from tests.fixtures.network import free_port
from tests.fixtures.paths import SAMPLE_REPORT_COUNT
from tests.ui.test_serve import START_TIMEOUT, wait_for

pytestmark = BROWSER_TEST


def test_the_first_question_after_the_first_start_is_answered(browser, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    start = time.perf_counter()
    proc = first_serve(tmp_path, port)
    context = browser.new_context(viewport=CHROMIUM_VIEWPORT, locale=LOCALE)
    try:
        wait_for(lambda: urllib.request.urlopen(url, timeout=2).status == 200, START_TIMEOUT)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#question textarea", timeout=WAIT_MS)
        page.fill("#question textarea", "县审计局存在哪些问题？")
        page.click("#ask")
        asked = time.perf_counter() - start
        page.wait_for_function(
            "document.querySelector(\"#chatbot [data-testid='bot']\")?.innerText.length > 10",
            timeout=WAIT_MS,
        )
        answered = time.perf_counter() - start
        reply = page.inner_text("#chatbot [data-testid='bot']")
        shot(page, "16-first-question-after-first-start")
        print(f"first start: question asked {asked:.1f} s, answered {answered:.1f} s after start")
        assert "未找到" not in reply
        assert "县审计局报告中关于存在的问题的内容" in reply or "资料库正在建立（已完成" in reply
        page.wait_for_function(
            f"document.querySelector('#status')?.innerText.includes('{SAMPLE_REPORT_COUNT} 篇报告')",
            timeout=START_TIMEOUT * 1000,
        )
        print(f"first start: samples searchable {time.perf_counter() - start:.1f} s after start")
    finally:
        context.close()
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    built = next(line for line in output.splitlines() if "示例资料库已建立" in line)
    print(built)
    assert f"示例资料库已建立：{SAMPLE_REPORT_COUNT} 篇报告" in built
