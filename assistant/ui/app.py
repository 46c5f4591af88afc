"""The Gradio app, built by one function (launching is ui/serve.py's job): 问答, 提纲 and
资料库 tabs and a 状态 line. Event handlers only call ui/chat.py, ui/outline_tab.py and
ui/library.py, which call the same assistant functions as the CLI."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from assistant import settings

settings.quiet_gradio()
UPLOADS = settings.gradio_uploads()

import gradio as gr  # noqa: E402
from gradio.events import Dependency  # noqa: E402

from assistant.index.index import CallerIndex, Index  # noqa: E402
from assistant.ingest.load import SUPPORTED_SUFFIXES  # noqa: E402
from assistant.models import UNKNOWN, Role  # noqa: E402
from assistant.ui import accounts_tab, chat, library, outline_tab, removal  # noqa: E402
from assistant.ui.render import CARD_CSS  # noqa: E402
from assistant.ui.startup import Startup  # noqa: E402
from assistant.ui.viewer import Viewer  # noqa: E402

MAX_UPLOAD_MB = 50  # the loader refuses larger files anyway: a report is a few MB at most

LEVELS = [("全部", ""), *((lv, lv) for lv in ("乡", "镇", "街道", "县", "区", "市", "省"))]
ROLES = [
    ("全部", ""),
    ("总结", Role.SUMMARY),
    ("亮点", Role.HIGHLIGHT),
    ("问题", Role.PROBLEM),
    ("计划", Role.PLAN),
]
CONCURRENCY = 4  # events served at once per handler (the rest queue)
STATUS_SECONDS = 2.0  # how often the page refreshes the status while the first start builds


def _choices(index: Index | CallerIndex, field: str) -> list[tuple[str, str]]:
    """(label, value) of the values one metadata field takes in the library."""
    values = sorted(
        {getattr(s.report, field) for s in index.derived().reports.values()} - {UNKNOWN}
    )
    return [("全部", ""), *((v, v) for v in values)]


def _chat_tab(seen: Viewer, startup: Startup) -> tuple[gr.Dropdown, gr.Dropdown]:
    """The 问答 tab (its answers say when the first-start build is still running); returns
    its department and period filters (refreshed with the library)."""
    index = seen(None)
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="问答", height=520, elem_id="chatbot", sanitize_html=True,
                autoscroll=False,  # app.js scrolls to the start of a new answer instead
            )
            with gr.Row():
                question = gr.Textbox(
                    label="问题",  # the example table's column header
                    placeholder="用中文提问，例如：哪些乡镇提到了燃气安全？",
                    show_label=False,
                    scale=5,
                    elem_id="question",
                    max_length=20000,
                )
                ask = gr.Button("提问", variant="primary", scale=1, elem_id="ask")
            with gr.Row():
                level = gr.Dropdown(LEVELS, value="", label="层级")
                department = gr.Dropdown(_choices(index, "department"), value="", label="部门类别")
                role = gr.Dropdown(ROLES, value="", label="章节")
                period = gr.Dropdown(_choices(index, "period"), value="", label="期间")
            gr.Examples(chat.EXAMPLE_QUESTIONS, inputs=[question], label="示例问题")
            clear = gr.Button("清空对话", size="sm")
        with gr.Column(scale=2):
            gr.Markdown("#### 引用段落")
            citations = gr.HTML(elem_id="citations")

    def respond(q, history, lv, dept, rl, per, request: gr.Request):
        if not (q or "").strip():  # nothing asked: a hint, and no empty bubble in the chat
            gr.Info(chat.EMPTY_HINT, title="提示")
            yield gr.skip(), gr.skip(), gr.skip()
            return
        yield from chat.respond(seen(request), q, history, lv, dept, rl, per, startup)

    inputs = [question, chatbot, level, department, role, period]
    outputs = [chatbot, citations, question]
    ask.click(respond, inputs, outputs, api_name="ask", concurrency_limit=CONCURRENCY)
    question.submit(respond, inputs, outputs, api_visibility="private")
    clear.click(lambda: ([], "", ""), None, outputs, api_visibility="private")
    return department, period


def _outline_tab(seen: Viewer) -> gr.Dropdown:
    """The 提纲 tab; returns its picker of pinned examples (refreshed with the library)."""
    shown = gr.State([])
    with gr.Row():
        request = gr.Textbox(
            label="要写的文稿",
            placeholder="例如：县民政局2024年工作计划；XX镇2024年上半年工作总结",
            scale=4,
            elem_id="outline-request",
        )
        go = gr.Button("生成提纲", variant="primary", scale=1, elem_id="outline-go")
    with gr.Row():
        examples = gr.CheckboxGroup(
            [], label="参考范文（取消勾选后重新生成即排除）", elem_id="outline-examples"
        )
        pinned = report_picker(seen, "指定参考范文（可选）", "outline-pinned", multiselect=True)
    with gr.Row():
        docx = gr.DownloadButton("下载 .docx（批注标明来源）", elem_id="download-docx", interactive=False)
        plain = gr.DownloadButton(
            "下载 .docx（不含来源）", elem_id="download-docx-plain", interactive=False
        )
        md = gr.DownloadButton("下载 .md", elem_id="download-md", interactive=False)
    body = gr.Markdown(elem_id="outline-body")

    def generate(req, pins, kept, offered, request: gr.Request):
        text, choices, ticked, *paths = outline_tab.make_outline(seen(request), req, pins, kept,
                                                                 offered)
        files = [gr.DownloadButton(value=path, interactive=path is not None) for path in paths]
        return (
            text,
            gr.CheckboxGroup(choices=choices, value=ticked),
            [r for _, r in choices],
            *files,
        )

    go.click(
        generate,
        [request, pinned, examples, shown],
        [body, examples, shown, docx, plain, md],
        api_name="outline",
    )
    request.submit(
        generate,
        [request, pinned, examples, shown],
        [body, examples, shown, docx, plain, md],
        api_visibility="private",
    )
    return pinned


def _library_tab(seen: Viewer, views: list, view_updates: Callable[..., tuple]):
    """The 资料库 tab; returns (what its refresh reads: the search box and the pickers' choices,
    every view of the library, their refresh, and the controls only a writer sees)."""
    index = seen(None)
    kinds = " / ".join(SUPPORTED_SUFFIXES)
    mine = gr.Markdown(elem_id="my-libraries")
    target = gr.Dropdown([], label="上传到资料库", elem_id="upload-library", visible=False)
    with gr.Row(visible=not seen.accounts) as uploads:
        files = gr.File(
            label=f"上传报告（{kinds}，可多选；单个文件不超过 {MAX_UPLOAD_MB} MB；同名文件替换旧版本）",
            file_count="multiple",
            elem_id="upload-files",
        )
        folder = gr.File(
            label=f"上传文件夹（单个文件不超过 {MAX_UPLOAD_MB} MB）",
            file_count="directory",
            elem_id="upload-folder",
        )
    results = gr.Dataframe(
        headers=library.RESULT_HEADERS, label="入库结果", elem_id="ingest-results"
    )
    search = gr.Textbox(label="搜索报告（标题、单位、层级、文件）", elem_id="report-search")
    rows, note, _ = library.report_page(index)
    table = gr.Dataframe(rows, headers=library.REPORT_HEADERS, label="报告列表", elem_id="reports")
    page = gr.State(1)
    with gr.Row(elem_id="reports-pager"):
        earlier = gr.Button("上一页", size="sm", elem_id="reports-prev", scale=0)
        where = gr.Markdown(note, elem_id="reports-page")
        later = gr.Button("下一页", size="sm", elem_id="reports-next", scale=0)
    with gr.Row():
        chosen = report_picker(seen, "查看报告（可输入标题或单位筛选）", "report-pick")
    tree = gr.HTML(elem_id="report-tree")
    doomed, removal_done, removing = _removal_controls(seen)
    listed = [table, where, page]
    writers = [mine, target, uploads, removing]
    outputs = [*views, *listed, chosen, doomed, *writers]

    def turn(ix, text: str, at: int, step: int = 0) -> tuple:
        """The table at page `at` + `step` of the reports matching `text`."""
        return library.report_page(ix, text or "", at + step)

    def refresh(text: str = "", pins=None, picked=None, doomed_id=None, upload_to=None,
                request: gr.Request | None = None, clear: bool = False):
        """Every view of the library as the page's user sees it, the table back at its first
        page; the pickers list the reports matching the search text and keep their choices (or
        drop them: `clear`); the upload and removal controls only for a user who may write."""
        ix = seen(request)
        if clear:
            pickers = [gr.Dropdown(choices=library.report_choices(ix, text or ""), value=None)] * 2
        else:
            pickers = [gr.Dropdown(choices=library.report_choices(ix, text or "", value))
                       for value in (picked, doomed_id)]
        return (*view_updates(ix, pins), *turn(ix, text, 1), *pickers,
                *accounts_tab.writer_controls(seen, request, upload_to))

    def add(payload, text, pins, picked, doomed_id, upload_to, request: gr.Request,
            progress=gr.Progress()):  # noqa: B008 (Gradio injects it)
        """Ingest one upload into the chosen library; the box is emptied (the table says what
        became of each file), so the next upload holds only its own files."""
        uploads = library.uploads_of(payload)
        ix = seen(request)
        rows = library.upload(ix, uploads, lambda f, d: progress(f, desc=d),
                              library=accounts_tab.upload_library(ix, upload_to))
        return rows, None, *refresh(text, pins, picked, doomed_id, upload_to, request)

    # views[-1]: the 提纲 tab's pinned examples
    state = [search, views[-1], chosen, doomed, target]
    for source in (files, folder):  # raw values (files checked and cached): the user's names
        source.upload(
            add,
            [source, *state],
            [results, source, *outputs],
            preprocess=False,
            api_visibility="private",
        )

    def searched(t, picked, doomed_id, request: gr.Request):
        ix = seen(request)
        return (*turn(ix, t, 1),
                *(gr.Dropdown(choices=library.report_choices(ix, t, v)) for v in (picked, doomed_id)))

    search.change(searched, [search, chosen, doomed], [*listed, chosen, doomed],
                  api_name="reports")
    for button, step in ((earlier, -1), (later, 1)):
        def paged(t, at, request: gr.Request, s=step):
            return turn(seen(request), t, at, s)

        button.click(paged, [search, page], listed, api_visibility="private")

    def viewed(rid, request: gr.Request):
        return library.report_view(seen(request), rid)

    chosen.change(viewed, [chosen], [tree], api_name="report")

    def after_removal(text, pins, picked, doomed_id, upload_to, request: gr.Request):
        return refresh(text, pins, picked, doomed_id, upload_to, request, clear=True)

    removal_done.then(after_removal, state, outputs, api_visibility="private")
    return state, outputs, refresh


def report_picker(seen: Viewer, label: str, elem_id: str, **options) -> gr.Dropdown:
    """A picker of the library's reports. Past PICKER_LIMIT reports it lists only some: what is
    typed into it asks the server for the matching ones (its choice kept among them)."""
    picker = gr.Dropdown(library.report_choices(seen(None)), value=[] if options.get("multiselect")
                         else None, label=label, elem_id=elem_id, **options)

    def matches(value, typed: gr.KeyUpData, request: gr.Request):
        index = seen(request)
        if len(library.listing(index).rows) <= library.PICKER_LIMIT:
            return gr.skip()  # every report is listed: the browser filters them itself
        return gr.Dropdown(choices=library.report_choices(index, typed.input_value, value))

    picker.key_up(matches, [picker], [picker], show_progress="hidden", trigger_mode="always_last",
                  api_visibility="private")
    return picker


def _removal_controls(seen: Viewer) -> tuple[gr.Dropdown, Dependency, gr.Group]:
    """删除报告: its own picker and button; the button only shows what would go (title, unit,
    file) and the removal waits for 确认删除. Returns the picker, the removal's event (the
    library's views refresh after it) and the group (shown only to a user who may write)."""
    planned = gr.State(removal.Plan())
    with gr.Group(visible=not seen.accounts) as group:
        with gr.Row():
            doomed = report_picker(seen, "要删除的报告", "remove-pick", scale=3)
            with gr.Column(scale=1):
                whole_file = gr.Checkbox(
                    label="删除整个来源文件", value=False, elem_id="remove-whole"
                )
                ask = gr.Button("删除…", variant="stop", elem_id="remove")
        shown = gr.Markdown(elem_id="remove-preview")
        with gr.Row(visible=False) as confirm_row:
            confirm = gr.Button("确认删除", variant="stop", elem_id="remove-confirm")
            cancel = gr.Button("取消", elem_id="remove-cancel")
    removed = gr.Markdown(elem_id="removed")

    def propose(rid, whole, request: gr.Request):
        index = seen(request)
        plan = removal.plan(index, rid, whole)
        return plan, removal.preview(index, plan), gr.Row(visible=bool(plan.items))

    def hide():
        return removal.Plan(), "", gr.Row(visible=False)

    def carry_out(plan, request: gr.Request):
        return removal.carry_out(seen(request), plan), *hide()

    hidden = [planned, shown, confirm_row]
    ask.click(propose, [doomed, whole_file], hidden, api_visibility="private")
    for changed in (doomed, whole_file):  # what was shown no longer matches the choice
        changed.change(hide, None, hidden, api_visibility="private")
    cancel.click(hide, None, hidden, api_visibility="private")
    done = confirm.click(carry_out, [planned], [removed, *hidden], api_visibility="private")
    return doomed, done, group


def build_app(index: Index, startup: Startup | None = None) -> gr.Blocks:
    """The whole app over one index (not launched); `startup` reports a first-start build.
    Every page load (and a first start, while it runs) refreshes the library's views. Once the
    library has accounts, every handler answers as the logged-in user (ui/accounts_tab.py):
    what the page is built with before a login shows no report."""
    startup = startup or Startup()
    seen = Viewer(index)

    def status_text(ix) -> str:
        return "　".join(t for t in (startup.text(), library.status(ix)) if t)

    def view_updates(ix, pins=None) -> tuple:
        """The status, the question filters and the pinned-examples picker (keeping `pins`)."""
        filters = (gr.Dropdown(choices=_choices(ix, f)) for f in ("department", "period"))
        return status_text(ix), *filters, gr.Dropdown(choices=library.report_choices(ix, keep=pins))

    with gr.Blocks(title="工作总结范文助手") as app:
        gr.Markdown("## 工作总结范文助手　<small>检索范文、引用原文、生成提纲</small>")
        status = gr.Markdown(status_text(seen(None)), elem_id="status")
        with gr.Tab("问答"):
            department, period = _chat_tab(seen, startup)
        with gr.Tab("提纲"):
            pinned = _outline_tab(seen)
        with gr.Tab("资料库"):
            state, views, refresh = _library_tab(
                seen, [status, department, period, pinned], view_updates
            )
        with gr.Tab("用户", visible=False) as users_tab:
            users_view = accounts_tab.build(seen)

        def loaded(text, pins, picked, doomed_id, upload_to, request: gr.Request):
            return (*refresh(text, pins, picked, doomed_id, upload_to, request),
                    *accounts_tab.admin_view(seen, request))

        def ticked(text, pins, picked, doomed_id, upload_to, request: gr.Request):
            return (*refresh(text, pins, picked, doomed_id, upload_to, request),
                    gr.Timer(active=startup.running))

        timer = gr.Timer(STATUS_SECONDS, active=startup.running)
        app.load(loaded, state, [*views, users_tab, *users_view], api_visibility="private")
        timer.tick(ticked, state, [*views, timer], api_visibility="private")
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app


ASSETS = resources.files("assistant.ui")  # app.css, app.js and picker_filter.js, installed with the package
CSS = CARD_CSS + ASSETS.joinpath("app.css").read_text("utf-8")
# Gradio runs one function at page load: each script is one, called in turn
JS = "() => {" + "".join(f"({ASSETS.joinpath(name).read_text('utf-8')})();"
                         for name in ("app.js", "picker_filter.js")) + "}"


def launch_options() -> dict:
    """The page options Gradio takes at launch (ui/serve.py and the browser tests pass them):
    our styles and scripts, and no footer (its links — API, Gradio, settings — are English
    and not for our users)."""
    return {"css": CSS, "js": JS, "footer_links": []}
