"""The app in a real headless browser (Debian's chromium driven by Playwright): a question
shows citation cards and their context, a GBK upload becomes searchable, an outline downloads
as .docx, login is required when auth is on; and 20 concurrent API questions all get answers.
Screenshots of each state go to artifacts/."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from docx import Document

from assistant.index.index import Index
from assistant.ui.startup import Startup
from tests.fixtures.browser import BROWSER_TEST, LOCALE, WAIT_MS, serve, shot
from tests.fixtures.paths import SAMPLE_REPORT_COUNT

GBK_REPORT = """县测试局2023年工作总结和2024年工作计划
一、2023年工作总结
（一）窨井盖专项整治扎实推进。全年排查窨井盖XX处，更换破损窨井盖XX个。
二、存在的问题
人员力量不足，专业能力有待提升。
三、2024年工作计划
（一）持续开展窨井盖安全检查。
"""

pytestmark = BROWSER_TEST


def settled(page, elem_id: str) -> None:
    """Wait until the component `elem_id` shows no pending-event spinner."""
    page.wait_for_function(
        f"!document.querySelector('#{elem_id} .progress-text')", timeout=WAIT_MS
    )


def pick(page, elem_id: str, label: str) -> None:
    """Choose the option starting with `label` in the dropdown `elem_id`."""
    page.click(f"#{elem_id} input")
    page.locator("[role=option]", has_text=label).first.click()


def ask(page, question: str) -> float:
    """Type a question, press 提问, wait for the first citation card; seconds it took."""
    page.fill("#question textarea", question)
    start = time.perf_counter()
    page.click("#ask")
    page.wait_for_selector("#citations .cite-card", timeout=WAIT_MS)
    return time.perf_counter() - start


def test_question_shows_citation_cards_and_context(page, sample_app):
    page.goto(sample_app)
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    assert "20 篇报告" in page.inner_text("#status")
    seconds = ask(page, "县审计局存在哪些问题？")
    print(f"question → first citation card: {seconds:.2f} s")
    heads = page.locator("#citations .cite-head").all_inner_texts()
    assert heads[0] == "[1] 县审计局2023年工作总结和2024工作计划"
    assert "四、制约经济社会发展或影响工作成效的问题" in page.inner_text("#citations .cite-meta >> nth=0")
    assert page.locator("#citations mark").count() >= 1
    assert "县审计局报告中关于存在的问题的内容" in page.inner_text("#chatbot")
    shot(page, "1-answer-with-citations")
    context = page.locator("#citations .cite-context").first
    assert not context.is_visible()
    page.locator("#citations details summary").first.click()
    assert context.is_visible() and "人少事多的矛盾较为突出" in context.inner_text()
    assert "经责审计成果运用不到位" in context.locator("mark").first.inner_text()
    shot(page, "2-citation-context")


def test_follow_up_question_in_context(page, sample_app):
    page.goto(sample_app)
    page.wait_for_selector("#question textarea", timeout=WAIT_MS)
    ask(page, "区残联2023年做了哪些工作？")
    page.fill("#question textarea", "那2024年呢？")
    page.click("#ask")
    page.wait_for_function(
        "document.querySelector('#citations')?.innerText.includes('2024年工作谋划')", timeout=WAIT_MS
    )
    shot(page, "3-follow-up")


def test_gbk_upload_is_listed_searchable_and_removable(page, browser, tmp_path):
    index = Index(tmp_path / "index")
    app, url = serve(index)
    path = tmp_path / "县测试局.txt"
    path.write_bytes(GBK_REPORT.encode("gbk"))
    title = "县测试局2023年工作总结和2024年工作计划"
    try:
        page.goto(url)
        page.get_by_role("tab", name="资料库").click()
        page.locator("#upload-files input[type=file]").set_input_files(str(path))
        page.wait_for_function(
            "document.querySelector('#ingest-results')?.innerText.includes('已入库')", timeout=WAIT_MS
        )
        page.fill("#report-search textarea, #report-search input", "测试局")
        settled(page, "reports")
        assert title in page.inner_text("#reports")
        pick(page, "report-pick", title)
        page.wait_for_function(
            "document.querySelector('#report-tree')?.innerText.includes('［问题］')", timeout=WAIT_MS
        )
        assert "三、2024年工作计划　［计划］" in page.inner_text("#report-tree")
        shot(page, "4-upload-listed-tree")
        later = page.context.new_page()  # a page opened after the upload sees it too
        later.goto(url)
        later.wait_for_function(
            "document.querySelector('#status')?.innerText.includes('1 篇报告')", timeout=WAIT_MS
        )
        later.close()
        page.get_by_role("tab", name="问答").click()
        ask(page, "哪些单位在整治窨井盖？")
        assert title in page.inner_text("#citations")
        shot(page, "5-upload-searchable")
        page.get_by_role("tab", name="资料库").click()
        pick(page, "remove-pick", title)
        page.click("#remove")
        page.locator("#remove-confirm").wait_for(state="visible", timeout=WAIT_MS)
        preview = page.inner_text("#remove-preview")
        assert "确认删除以下 1 篇报告" in preview and title in preview
        assert "单位：县测试局" in preview and "文件：县测试局.txt" in preview
        assert len(index.store.list_reports()) == 1  # asked, nothing deleted yet
        shot(page, "12-remove-asks-to-confirm")
        page.click("#remove-cancel")
        page.locator("#remove-confirm").wait_for(state="hidden", timeout=WAIT_MS)
        assert len(index.store.list_reports()) == 1 and title in page.inner_text("#reports")
        page.click("#remove")
        page.click("#remove-confirm")
        page.wait_for_function(
            "document.querySelector('#removed')?.innerText.includes('已删除 1 篇报告')", timeout=WAIT_MS
        )
        settled(page, "reports")
        assert title not in page.inner_text("#reports") and index.store.list_reports() == []
        assert not page.locator("#remove-confirm").is_visible()
    finally:
        app.close()
        index.close()


def results_rows(page) -> list[list[str]]:
    """The upload results table as rows of cell texts."""
    rows = page.locator("#ingest-results [role=row][data-index]").all()
    return [[c.strip() for c in r.locator("[role=gridcell]").all_inner_texts()] for r in rows]


def test_upload_with_a_failing_file_shows_every_outcome_and_replaces_by_name(page, tmp_path):
    index = Index(tmp_path / "index")
    app, url = serve(index)
    mine = tmp_path / "mine"
    mine.mkdir()
    good = mine / "县测试局（定稿）.txt"
    good.write_bytes(GBK_REPORT.encode("gbk"))
    bad = mine / "坏文件.docx"
    bad.write_bytes(b"not a zip")
    title = "县测试局2023年工作总结和2024年工作计划"
    try:
        page.goto(url)
        page.get_by_role("tab", name="资料库").click()
        page.locator("#upload-files input[type=file]").set_input_files([str(good), str(bad)])
        page.wait_for_function(
            "document.querySelector('#ingest-results')?.innerText.includes('失败')", timeout=WAIT_MS
        )
        settled(page, "reports")
        rows = results_rows(page)
        assert [r[:2] for r in rows] == [["县测试局（定稿）.txt", "已入库"], ["坏文件.docx", "失败"]]
        assert "不是" in rows[1][2] or "无法" in rows[1][2]
        assert title in page.inner_text("#reports") and "Error" not in page.inner_text("body")
        shot(page, "10-upload-with-a-failing-file")
        good.write_bytes(GBK_REPORT.replace("窨井盖XX处", "窨井盖一百二十处").encode("gbk"))
        page.locator("#upload-files input[type=file]").set_input_files([str(good)])
        page.wait_for_function(
            "document.querySelector('#ingest-results')?.innerText.includes('已替换')", timeout=WAIT_MS
        )
        settled(page, "reports")
        assert results_rows(page) == [["县测试局（定稿）.txt", "已替换", "已替换同名文件的旧版本（1 篇报告）"]]
        assert page.inner_text("#reports").count(title) == 1
        (only,) = index.store.list_reports()
        assert any("一百二十处" in c.text for c in index.store.chunks(only.report.id))
        shot(page, "11-reupload-replaced")
    finally:
        app.close()
        index.close()


def test_pickers_filter_on_chinese_input(page, sample_app):
    page.goto(sample_app)
    page.get_by_role("tab", name="资料库").click()
    for picker in ("report-pick", "remove-pick"):
        box = page.locator(f"#{picker} input")
        box.click()
        listbox = f"#{box.get_attribute('aria-controls')}"
        options = page.locator(f"{listbox} [role=option]:visible")
        options.first.wait_for(timeout=WAIT_MS)
        assert options.count() == SAMPLE_REPORT_COUNT
        box.fill("审计")  # text committed without a keystroke of its own, as an IME does
        page.wait_for_function(
            f"[...document.querySelectorAll('{listbox} [role=option]')]"
            ".filter(o => o.offsetParent).length === 1",
            timeout=WAIT_MS,
        )
        assert options.all_inner_texts() == ["县审计局2023年工作总结和2024工作计划"]
        shot(page, f"13-{picker}-filtered")
        page.keyboard.press("Escape")


def test_oversized_upload_is_refused_with_the_limit(page, tmp_path):
    index = Index(tmp_path / "index")
    app, url = serve(index, max_file_size="1kb")
    path = tmp_path / "很长的报告.txt"
    path.write_text("县测试局2023年工作总结\n一、工作总结\n" + "开展工作。" * 400, encoding="utf-8")
    try:
        page.goto(url)
        page.get_by_role("tab", name="资料库").click()
        page.locator("#upload-files input[type=file]").set_input_files(str(path))
        page.get_by_text("很长的报告.txt").wait_for(state="visible", timeout=WAIT_MS)
        page.wait_for_timeout(500)  # the toast slides in
        shot(page, "9-upload-too-large", full_page=False)  # the toast is fixed to the viewport
        assert "1.0 Kb" in page.inner_text("body") and index.store.list_reports() == []
    finally:
        app.close()
        index.close()


def test_first_start_progress_shows_on_the_page(page, tmp_path):
    index = Index(tmp_path / "index")
    startup = Startup(True, "首次启动，正在建立示例资料库：向量化 128/303 段")
    app, url = serve(index, startup=startup)
    path = tmp_path / "县测试局.txt"
    path.write_bytes(GBK_REPORT.encode("gbk"))
    try:
        page.goto(url)
        page.wait_for_selector("#question textarea", timeout=WAIT_MS)
        assert "向量化 128/303 段" in page.inner_text("#status")
        shot(page, "0-first-start-progress")
        from assistant.ingest.pipeline import ingest

        ingest([path], index)
        startup.running = False
        page.wait_for_function(
            "document.querySelector('#status')?.innerText.includes('1 篇报告')", timeout=WAIT_MS
        )
        assert "首次启动" not in page.inner_text("#status")
    finally:
        app.close()
        index.close()


def test_outline_downloads_as_docx(page, sample_app, tmp_path):
    page.goto(sample_app)
    page.get_by_role("tab", name="提纲").click()
    page.fill("#outline-request textarea, #outline-request input", "县民政局2023年工作总结和2024年工作计划")
    page.click("#outline-go")
    page.wait_for_function(
        "document.querySelector('#outline-body')?.innerText.includes('一、2023年主要工作及成效')",
        timeout=WAIT_MS,
    )
    assert "区民政局2023年工作总结暨2024年工作计划" in page.inner_text("#outline-examples")
    shot(page, "6-outline")
    with page.expect_download(timeout=WAIT_MS) as download:
        page.click("#download-docx")
    target = tmp_path / "outline.docx"
    download.value.save_as(target)
    headings = [p.text for p in Document(str(target)).paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "一、2023年主要工作及成效" and any(h.startswith("（一）") for h in headings)


def test_login_required_when_auth_is_on(browser, sample_index):
    app, url = serve(sample_index, auth=("官员", "正确密码"))
    try:
        for password, admitted in (("错误密码", False), ("正确密码", True)):
            context = browser.new_context(viewport={"width": 1200, "height": 800}, locale=LOCALE)
            page = context.new_page()
            page.goto(url)
            page.locator("input[type=text], input[name=username]").first.fill("官员")
            page.locator("input[type=password]").first.fill(password)
            page.locator("button[type=submit], button:has-text('Login'), button:has-text('登录')").first.click()
            if admitted:
                page.wait_for_selector("#question textarea", timeout=WAIT_MS)
                shot(page, "8-login-accepted")
            else:
                page.wait_for_timeout(1500)
                assert page.locator("#question textarea").count() == 0
                assert "凭据不正确" in page.inner_text("body")
                shot(page, "7-login-refused")
            context.close()
    finally:
        app.close()


def test_twenty_concurrent_questions_all_get_answers(sample_app):
    from gradio_client import Client

    questions = [
        "哪些乡镇提到了燃气安全？",
        "县审计局存在哪些问题？",
        "区残联2023年救助了多少残疾大学生？",
        "区民政局2024年的工作安排是什么？",
    ] * 5

    def one(question: str) -> str:
        client = Client(sample_app, verbose=False)
        _, cards, _ = client.predict(question, [], "", "", "", "", api_name="/ask")
        return cards

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, questions))
    assert len(results) == SAMPLE_REPORT_COUNT and all('class="cite-card"' in cards for cards in results)


def test_a_large_library_is_paged_and_its_pickers_ask_the_server(page, sample_index, monkeypatch):
    """The sample library as if it were large: 8 rows a page, 5 reports a picker."""
    from assistant.ui import library

    monkeypatch.setattr(library, "PAGE_ROWS", 8)
    monkeypatch.setattr(library, "PICKER_LIMIT", 5)
    app, url = serve(sample_index)
    try:
        page.goto(url)
        page.get_by_role("tab", name="资料库").click()
        page.wait_for_selector("#reports-page", timeout=WAIT_MS)
        assert f"第 1 / 3 页，共 {SAMPLE_REPORT_COUNT} 篇" in page.inner_text("#reports-page")
        first = page.inner_text("#reports")
        page.click("#reports-next")
        page.wait_for_function(
            "document.querySelector('#reports-page')?.innerText.includes('第 2 / 3 页')",
            timeout=WAIT_MS)
        settled(page, "reports")
        assert page.inner_text("#reports") != first
        shot(page, "14-library-page-2")
        box = page.locator("#report-pick input")
        box.click()
        listbox = f"#{box.get_attribute('aria-controls')}"
        options = page.locator(f"{listbox} [role=option]:visible")
        options.first.wait_for(timeout=WAIT_MS)
        assert options.count() == 5  # the first five of the library only
        box.fill("残联")  # not among the five listed: the server is asked for matches
        page.wait_for_function(
            f"[...document.querySelectorAll('{listbox} [role=option]')]"
            ".some(o => o.offsetParent && o.innerText.includes('残联'))", timeout=WAIT_MS)
        page.locator(f"{listbox} [role=option]", has_text="残联").first.click()
        page.wait_for_function(
            "document.querySelector('#report-tree')?.innerText.includes('［计划］')", timeout=WAIT_MS)
        shot(page, "15-picker-found-by-server")
    finally:
        app.close()


def test_a_long_list_answer_folds_after_its_first_screen(page, sample_app):
    """「哪些单位提到了安全生产？」 lists more reports than a screen holds: the first six show, the
    rest open with 展开全部 — all of them in the page, each with its citation link."""
    from assistant.ui.render import FIRST_SCREEN_ENTRIES

    page.goto(sample_app)
    ask(page, "哪些单位提到了安全生产？")
    page.wait_for_selector("#chatbot summary", timeout=WAIT_MS)
    summary = page.locator("#chatbot summary").last
    assert "展开全部" in summary.inner_text()
    folded = page.locator("#chatbot details").last
    hidden = folded.locator("a.cite-ref")
    assert hidden.count() >= 1 and not hidden.first.is_visible()
    summary.click()
    assert hidden.first.is_visible()
    shot(page, "12-list-answer-expanded")
    total = page.locator("#chatbot .message").last.locator("a.cite-ref").count()
    assert total == FIRST_SCREEN_ENTRIES + hidden.count()
