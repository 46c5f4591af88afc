"""The 资料库 tab's logic and the 状态 line: upload → ingest with per-file results, the report
list (searchable) and pickers, a report's section tree, and the index/LLM status (removal is
ui/removal.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from weakref import WeakKeyDictionary

from assistant.answer.llm import llm_config, reachable
from assistant.errors import AssistantError
from assistant.index.index import Index
from assistant.index.pending import status_line
from assistant.index.records import ReportSummary, resolve_path
from assistant.ingest.pipeline import IngestResult, failure, ingest
from assistant.models import DEFAULT_LIBRARY, UNKNOWN, Report
from assistant.ui.render import report_tree

REPORT_HEADERS = ["编号", "标题", "单位", "层级", "类别", "期间", "文种", "文件", "段落数"]
UNSHOWN = "未识别"  # how the page shows a metadata value the document does not reveal
RESULT_HEADERS = ["文件", "结果", "说明"]
REPLACED_NOTICE = "已替换同名文件的旧版本"
# Reports per page of the table (about two screens). Measured at 10,000 reports: the whole
# table as one value was 1.5 MB of JSON sent on every refresh, one page is 8 KB.
PAGE_ROWS = 50
# Choices a report picker holds at once; the rest are found by typing (the picker asks the
# server for matches). Every report as choices was 0.8 MB per picker (three on the page) at
# 10,000 reports; 200 are 17 KB.
PICKER_LIMIT = 200

Upload = tuple[str, str]  # (the temporary copy Gradio stored, the user's own file name)


class Outcome(StrEnum):
    """What an upload did with one file (the 结果 column)."""

    STORED = "已入库"
    REPLACED = "已替换"
    UNCHANGED = "未变化"
    FAILED = "失败"


def outcome_row(result: IngestResult, path: str, name: str) -> list[str]:
    """One file's row of the upload table: its name, what happened, and why or how much."""
    failed = dict(result.failed)
    if path in failed:
        return [name, Outcome.FAILED, failed[path]]
    if path in result.unchanged:
        return [name, Outcome.UNCHANGED, "内容与已入库版本相同"]
    reports = f"{result.file_reports.get(path, 0)} 篇报告"
    if path in result.replaced:
        return [name, Outcome.REPLACED, f"{REPLACED_NOTICE}（{reports}）"]
    return [name, Outcome.STORED, reports]


def uploads_of(payload: list[dict] | dict | None) -> list[Upload]:
    """Each file of a file box's raw event value (Gradio's FileData dicts) as its temporary
    copy and the user's own file name: Gradio copies an upload into a folder named by its
    content hash, under a name cleaned of some characters, so the copy's path says neither
    what the user called the file nor which earlier upload it is a new version of."""
    files = payload if isinstance(payload, list) else [payload] if payload else []
    return [(f["path"], f.get("orig_name") or Path(f["path"]).name) for f in files]


def upload(
    index: Index, files: list[Upload], progress: Callable[[float, str], None] | None = None,
    library: str = DEFAULT_LIBRARY,
) -> list[list[str]]:
    """Ingest uploaded files under their user's names into `library`, in upload order, one row
    per file (stored / replaced / unchanged / failed with why); never raises, so the page keeps
    its library list whatever a file does (a library the user may not write fails every file,
    with why). A file replaces what earlier uploads of its name stored."""
    names = {resolve_path(path): name for path, name in files}
    if not names:
        return []

    def step(done: float, total: int, path: str, detail: str = "") -> None:
        if progress:
            name = names.get(path, Path(path).name)
            progress(done / max(total, 1) * 0.5, f"读取 {name}" + (f"：{detail}" if detail else ""))

    def embedded(done: int, total: int) -> None:
        if progress:
            progress(0.5 + done / max(total, 1) * 0.5, f"向量化 {done}/{total} 段")

    try:
        result = ingest(list(names), index, step, embedded, names=names, library=library)
    except AssistantError as exc:  # the whole batch cannot run (e.g. the embedder is missing)
        return [[name, Outcome.FAILED, exc.message] for name in names.values()]
    except Exception as exc:  # a bug must not take the library page down with it
        return [[name, Outcome.FAILED, failure("无法入库", exc)] for name in names.values()]
    return [outcome_row(result, path, name) for path, name in names.items()]


def shown(value: str) -> str:
    """A metadata value as the page shows it: 「未识别」 for one the document does not reveal."""
    return UNSHOWN if value == UNKNOWN else value


def file_label(report: Report, names: dict[str, str]) -> str:
    """The file a report came from as its user knows it: the upload's own name, or the file's
    name on disk ("等 N 个文件" when several files hold the same report)."""
    if not report.source:
        return ""
    first = names.get(report.source[0], Path(report.source[0]).name)
    return first if len(report.source) == 1 else f"{first} 等 {len(report.source)} 个文件"


@dataclass
class Listing:
    """The library as the 资料库 tab lists it, made once per store generation: table rows,
    picker choices and the text a search is matched against, all in library order."""

    generation: int
    rows: list[list[object]]
    choices: list[tuple[str, str]]
    keys: list[str]

    def matching(self, text: str) -> list[int]:
        """Positions of the reports whose title, unit, level, category or file hold `text`."""
        text = text.strip()
        return [i for i, key in enumerate(self.keys) if text in key] if text else [
            *range(len(self.keys))]


# Per index, the Listing of each set of readable libraries (None: the whole library)
_LISTINGS: WeakKeyDictionary[Index, dict] = WeakKeyDictionary()


def listing(index: Index) -> Listing:
    """The library's current Listing as the index's caller sees it (rebuilt only when the store
    has changed)."""
    kept = _LISTINGS.setdefault(index.whole, {})
    cached = kept.get(index.readable)
    if cached is not None and cached.generation == index.store.generation:
        return cached
    with index.store.snapshot():
        generation, summaries = index.store.generation, index.store.list_reports()
        names = index.store.upload_names()
    rows = [[s.report.id[:12], s.report.title,
             *map(shown, (s.report.org, s.report.level, s.report.department, s.report.period,
                          s.report.kind)), file_label(s.report, names), s.chunks]
            for s in summaries]
    keys = ["\n".join(map(str, (*row[1:5], row[7]))) for row in rows]
    kept[index.readable] = made = Listing(generation, rows, choices(summaries, names), keys)
    return made


def choices(summaries: list[ReportSummary], names: dict[str, str]) -> list[tuple[str, str]]:
    """(label, id) per report for the pickers: its label, with its unit and file when another
    report has the same label, and its id when even those agree."""
    reports = [s.report for s in summaries]
    labels = [r.label for r in reports]
    same = Counter(labels)
    labels = [f"{label}（{shown(r.org)} · {file_label(r, names)}）" if same[label] > 1 else label
              for label, r in zip(labels, reports, strict=True)]
    same = Counter(labels)
    return [(f"{label}（{r.id[:8]}）" if same[label] > 1 else label, r.id)
            for label, r in zip(labels, reports, strict=True)]


def report_rows(index: Index, text: str = "") -> list[list[object]]:
    """The library's reports as table rows, filtered by `text` in title/unit/level/kind/file."""
    listed = listing(index)
    return [listed.rows[i] for i in listed.matching(text)]


def report_page(index: Index, text: str = "", page: int = 1) -> tuple[list[list[object]], str, int]:
    """One page of the filtered table: (its rows, 「第 p / n 页，共 N 篇」, the page shown —
    `page` brought within the pages there are)."""
    rows = report_rows(index, text)
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    page = min(max(1, int(page or 1)), pages)
    note = f"第 {page} / {pages} 页，共 {len(rows)} 篇" + ("（搜索结果）" if text.strip() else "")
    return rows[(page - 1) * PAGE_ROWS : page * PAGE_ROWS], note, page


def report_choices(index: Index, text: str = "", keep: str | Iterable[str] | None = None
                   ) -> list[tuple[str, str]]:
    """A picker's choices: the reports matching `text`, at most PICKER_LIMIT of them, and the
    ones in `keep` (chosen already: a picker's value must stay among its choices)."""
    listed = listing(index)
    shown_ids = [listed.choices[i] for i in listed.matching(text)[:PICKER_LIMIT]]
    kept = ({keep} if isinstance(keep, str) else set(keep or ())) - {rid for _, rid in shown_ids}
    return shown_ids + [c for c in listed.choices if c[1] in kept]


def report_view(index: Index, report_id: str) -> str:
    """A report's section tree (HTML), or a hint when nothing is chosen."""
    report = index.store.get_report(report_id) if report_id else None
    return report_tree(report) if report else "请选择一篇报告。"


def status(index: Index) -> str:
    """Index size, embedder, and whether an LLM is configured and reachable."""
    derived = index.derived()
    embedder = index.store.manifest_get("embedder") or "（尚未建立）"
    config = llm_config()
    if config is None:
        llm = "未配置（使用确定性摘录回答与提纲）"
    else:
        llm = (
            f"{config.model} @ {config.base_url}（{'可连接' if reachable(config) else '无法连接'}）"
        )
    waiting = status_line(index)  # progressive ingest: passages still to embed, time left
    return (
        f"**资料库**：{len(derived.reports)} 篇报告，{len(derived.chunks)} 个段落　"
        f"**向量模型**：{embedder}　**大模型**：{llm}" + (f"　**{waiting}**" if waiting else "")
    )
