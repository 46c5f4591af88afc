"""Removing reports from the 资料库 tab in two steps: a plan that shows what will go (title,
unit, file) and asks to confirm, then the removal of exactly what was shown, so a mis-click or
a picker changed meanwhile never deletes anything unseen."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.index.index import Index
from assistant.ingest.pipeline import remove
from assistant.models import Report
from assistant.ui.library import file_label, shown
from assistant.ui.render import esc_markdown

NOTHING_CHOSEN = "请先在「要删除的报告」中选择一篇报告。"


@dataclass
class Plan:
    """What a confirmed removal will remove: `items` for `remove` (a report id, or the paths
    of its files) and the reports that go with them."""

    items: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)


def plan(index: Index, report_id: str | None, whole_file: bool) -> Plan:
    """The removal of one report, or of every report only its file(s) hold; empty when no
    report is chosen (or it is gone)."""
    report = index.store.get_report(report_id) if report_id else None
    if report is None:
        return Plan()
    if not (whole_file and report.source):
        return Plan([report.id], [report])
    paths = set(report.source)
    going = [s.report for s in index.store.list_reports() if set(s.report.source) <= paths]
    return Plan(sorted(paths), going)


def preview(index: Index, planned: Plan) -> str:
    """Markdown listing what a confirmed removal deletes: each report's title, unit and file."""
    if not planned.reports:
        return NOTHING_CHOSEN
    names = index.store.upload_names()
    lines = [
        f"- {esc_markdown(r.title)}　单位：{esc_markdown(shown(r.org))}"
        f"　文件：{esc_markdown(file_label(r, names))}"
        for r in planned.reports
    ]
    head = f"**确认删除以下 {len(planned.reports)} 篇报告？** 删除后需重新上传文件才能恢复。"
    return "\n".join([head, "", *lines])


def carry_out(index: Index, planned: Plan) -> str:
    """Remove what the plan names; a one-line result."""
    if not planned.items:
        return NOTHING_CHOSEN
    removed, _ = remove(index, planned.items)
    titles = "、".join(r.label for r in planned.reports if r.id in removed)
    return f"已删除 {len(removed)} 篇报告：{esc_markdown(titles)}" if removed else "报告已不在资料库中。"
