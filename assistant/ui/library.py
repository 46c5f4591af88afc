"""The 资料库 tab's logic and the 状态 line: upload → ingest with per-file results, the report
list (searchable), a report's section tree, removal, and the index/LLM status."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.answer.llm import llm_config, reachable
from assistant.index.index import Index
from assistant.index.pending import status_line
from assistant.ingest.pipeline import ingest, remove
from assistant.ui.render import report_tree

REPORT_HEADERS = ["编号", "标题", "单位", "层级", "类别", "期间", "文种", "段落数"]
RESULT_HEADERS = ["文件", "结果", "说明"]


def upload(
    index: Index, paths: list[str], progress: Callable[[float, str], None] | None = None
) -> list[list[str]]:
    """Ingest uploaded files; one row per file: stored / unchanged / failed with why."""
    if not paths:
        return []
    names = {str(Path(p).resolve()): Path(p).name for p in paths}

    def step(done: int, total: int, path: str) -> None:
        if progress:
            progress(done / max(total, 1) * 0.5, f"读取 {Path(path).name}")

    def embedded(done: int, total: int) -> None:
        if progress:
            progress(0.5 + done / max(total, 1) * 0.5, f"向量化 {done}/{total} 段")

    result = ingest(paths, index, progress=step, embed_progress=embedded)
    name = lambda p: names.get(str(Path(p).resolve()), Path(p).name)  # noqa: E731
    rows = [[name(p), "已入库", f"{result.file_reports.get(p, 0)} 篇报告"] for p in result.added]
    rows += [[name(p), "未变化", "内容与已入库版本相同"] for p in result.unchanged]
    rows += [[name(p), "失败", why] for p, why in result.failed]
    return rows


def report_rows(index: Index, text: str = "") -> list[list[object]]:
    """The library's reports as table rows, filtered by `text` in title/unit/department."""
    rows = []
    for s in index.store.list_reports():
        r = s.report
        row = [r.id[:12], r.title, r.org, r.level, r.department, r.period, r.kind, s.chunks]
        if not text or any(text in str(v) for v in row[1:5]):
            rows.append(row)
    return rows


def report_view(index: Index, report_id: str) -> str:
    """A report's section tree (HTML), or a hint when nothing is chosen."""
    report = index.store.get_report(report_id) if report_id else None
    return report_tree(report) if report else "请选择一篇报告。"


def remove_report(index: Index, report_id: str, whole_file: bool) -> str:
    """Remove a report, or every report of its source file(s); a one-line result."""
    report = index.store.get_report(report_id) if report_id else None
    if report is None:
        return "请先选择要删除的报告。"
    items = list(report.source) if whole_file and report.source else [report.id]
    removed, _ = remove(index, items)
    what = "所在文件" if whole_file else "报告"
    return f"已删除{what}：{report.label}（共 {len(removed)} 篇报告）"


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
