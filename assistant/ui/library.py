"""The 资料库 tab's logic and the 状态 line: upload → ingest with per-file results, the report
list (searchable) and pickers, a report's section tree, and the index/LLM status (removal is
ui/removal.py)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from assistant.answer.llm import llm_config, reachable
from assistant.errors import AssistantError
from assistant.index.index import Index
from assistant.index.pending import status_line
from assistant.index.records import resolve_path
from assistant.ingest.pipeline import IngestResult, failure, ingest
from assistant.models import UNKNOWN, Report
from assistant.ui.render import report_tree

REPORT_HEADERS = ["编号", "标题", "单位", "层级", "类别", "期间", "文种", "文件", "段落数"]
UNSHOWN = "未识别"  # how the page shows a metadata value the document does not reveal
RESULT_HEADERS = ["文件", "结果", "说明"]
REPLACED_NOTICE = "已替换同名文件的旧版本"

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
    index: Index, files: list[Upload], progress: Callable[[float, str], None] | None = None
) -> list[list[str]]:
    """Ingest uploaded files under their user's names, in upload order, one row per file
    (stored / replaced / unchanged / failed with why); never raises, so the page keeps its
    library list whatever a file does. A file replaces what earlier uploads of its name stored."""
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
        result = ingest(list(names), index, step, embedded, names=names)
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


def report_rows(index: Index, text: str = "") -> list[list[object]]:
    """The library's reports as table rows, filtered by `text` in title/unit/level/kind/file."""
    names, rows = index.store.upload_names(), []
    for s in index.store.list_reports():
        r = s.report
        row = [r.id[:12], r.title, *map(shown, (r.org, r.level, r.department, r.period, r.kind)),
               file_label(r, names), s.chunks]
        if not text or any(text in str(v) for v in (*row[1:5], row[7])):
            rows.append(row)
    return rows


def report_choices(index: Index) -> list[tuple[str, str]]:
    """(label, id) of every report for the library's pickers: its label, with its unit and
    file when another report has the same label, and its id when even those agree."""
    names = index.store.upload_names()
    reports = [s.report for s in index.store.list_reports()]
    labels = [r.label for r in reports]
    labels = [f"{label}（{shown(r.org)} · {file_label(r, names)}）" if labels.count(label) > 1
              else label for label, r in zip(labels, reports, strict=True)]
    return [(f"{label}（{r.id[:8]}）" if labels.count(label) > 1 else label, r.id)
            for label, r in zip(labels, reports, strict=True)]


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
