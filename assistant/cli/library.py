"""The library commands of `report-assistant`: ingest, reports, show and remove."""

from __future__ import annotations

import argparse
import sys

from assistant.cli.caller import index_for
from assistant.cli.registry import (
    JSON_FLAG,
    EmbedBar,
    ProgressBar,
    arg,
    clip,
    command,
    display_path,
    error,
    print_json,
    say,
    table,
)
from assistant.ingest.formats.scans import SCAN_NOTICE
from assistant.models import DEFAULT_LIBRARY, Report, Section

TITLE_WIDTH = 40  # display columns kept of a title in tables (CJK counts 2)


@command("ingest", "add files or folders (documents, saved web pages, scans: see README Formats)",
         arg("paths", nargs="+", metavar="PATH"),
         arg("--library", default=DEFAULT_LIBRARY, metavar="NAME",
             help=f"the library the reports go into (default {DEFAULT_LIBRARY})"),
         JSON_FLAG)
def ingest_cmd(args: argparse.Namespace) -> int:
    """Ingest, then a per-file summary table (or the DESIGN JSON); 1 if any input failed."""
    from assistant.ingest.pipeline import ingest

    bar = ProgressBar(enabled=not args.json and sys.stderr.isatty())
    waiting = EmbedBar(enabled=not args.json and sys.stderr.isatty())
    try:
        result = ingest(args.paths, index_for(args), progress=bar, embed_progress=waiting,
                        library=args.library)
    finally:
        bar.close()
        waiting.close()
    for path, why in result.failed:
        error(path, why)
    if args.json:
        print_json(result.to_dict())
    else:
        rows: list[list[object]] = [["stored", n, display_path(p), ""]
                                    for p, n in result.file_reports.items()]
        rows += [["unchanged", "", display_path(p), ""] for p in result.unchanged]
        rows += [["failed", "", display_path(p), why] for p, why in result.failed]
        headers = ["status", "reports", "file", "why"][: 4 if result.failed else 3]
        say(table(headers, [row[: len(headers)] for row in rows]))
        say(f"\n{len(result.added)} stored, {len(result.unchanged)} unchanged, "
              f"{len(result.failed)} failed; {result.reports} reports "
              f"({len(result.new_reports)} new), {result.chunks} chunks")
    return 1 if result.failed else 0


@command("reports", "list the reports in the index", JSON_FLAG)
def reports_cmd(args: argparse.Namespace) -> int:
    """A table of the stored reports (or the DESIGN JSON list)."""
    index = index_for(args)
    summaries = index.store.list_reports()
    index.close()
    if args.json:
        print_json([s.to_dict() for s in summaries])
        return 0
    rows = [[s.report.id[:12], clip(s.report.title, TITLE_WIDTH), s.report.org, s.report.level,
             s.report.department, s.report.period, s.report.kind, s.sections,
             f"{s.report.ocr.confidence:.2f}" if s.report.ocr else ""]
            for s in summaries]
    say(table(["id", "title", "org", "level", "department", "period", "kind", "sections", "ocr"],
                rows))
    say(f"\n{len(summaries)} reports")
    return 0


def heading_line(section: Section, depth: int) -> str:
    """One line of the `show` tree: marker + heading, role of top-level sections, items."""
    marked = section.heading
    if section.marker and not section.heading.startswith(section.marker):
        marked = section.marker + section.heading
    role = f"  [{section.role}]" if depth == 0 else ""
    items = f"  ({len(section.items)} items)" if section.items else ""
    return "  " * depth + marked + role + items


def tree_lines(sections: list[Section], depth: int = 0) -> list[str]:
    """The section tree, one indented line per heading."""
    lines: list[str] = []
    for section in sections:
        lines.append(heading_line(section, depth))
        lines += tree_lines(section.children, depth + 1)
    return lines


def render_report(report: Report) -> str:
    """Title, metadata lines, then the section tree."""
    meta = [("id", report.id), ("org", report.org), ("level", report.level),
            ("department", report.department), ("period", report.period),
            ("kind", report.kind), ("lines", f"{report.span[0]}-{report.span[1]}")]
    meta += [("source", display_path(p)) for p in report.source]
    if report.signoff:
        meta.append(("signoff", report.signoff))
    out = [report.title, *(f"{k}: {v}" for k, v in meta), ""]
    out += tree_lines(report.sections) or ["(no headings)"]
    if report.ocr:  # read by OCR: how sure the recogniser was, and the lines to check by eye
        out += ["", f"read by OCR: {report.ocr.pages} pages, mean confidence {report.ocr.confidence:.3f}"
                    f" — {SCAN_NOTICE}"]
        if report.ocr.low_lines:
            out += [f"low-confidence lines ({len(report.ocr.low_lines)}):"]
            out += [f"  {line}" for line in report.ocr.low_lines]
    if report.chrome:  # what the page-chrome step removed, so a user can check nothing real went
        out += ["", f"dropped as page chrome ({len(report.chrome)} lines):"]
        out += [f"  {line}" for line in report.chrome]
    return "\n".join(out)


@command("show", "print one report's metadata and section tree",
         arg("report_id", metavar="REPORT_ID", help="a report id or a unique prefix (6+ chars)"),
         JSON_FLAG)
def show_cmd(args: argparse.Namespace) -> int:
    """One report's metadata and heading tree (or the full report as JSON); 1 if unknown."""
    from assistant.index.records import report_to_dict

    index = index_for(args)
    report = index.store.get_report(args.report_id)
    index.close()
    if report is None:
        error(args.report_id, "no such report (or the prefix is ambiguous)")
        return 1
    if args.json:
        print_json(report_to_dict(report))
    else:
        say(render_report(report))
    return 0


@command("remove", "drop reports (by id) or files (by path) from the index",
         arg("items", nargs="+", metavar="ID_OR_PATH"), JSON_FLAG)
def remove_cmd(args: argparse.Namespace) -> int:
    """Remove reports/files; 1 if some input matched nothing."""
    from assistant.ingest.pipeline import remove

    index = index_for(args)
    removed, missing = remove(index, args.items)
    index.close()
    for item in missing:
        error(item, "no such report or ingested file")
    if args.json:
        print_json({"removed": removed})
    else:
        say(f"removed {len(removed)} reports" + "".join(f"\n  {r}" for r in removed))
    return 1 if missing else 0


