"""The `report-assistant` command line: each command parses nothing, makes one core call, prints.

Commands register with @command(name, help, *args) into COMMANDS; adding one (search, ask,
outline, eval, serve) is one small decorated function.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.models import Report, Section

Handler = Callable[[argparse.Namespace], int]
Arg = tuple[tuple[str, ...], dict]

INDEX_ENV = "REPORT_ASSISTANT_INDEX"
DEFAULT_INDEX = "./index"
TITLE_WIDTH = 40  # display columns kept of a title in tables (CJK counts 2)


@dataclass
class Command:
    """A subcommand: its help line, its arguments and the function that runs it."""

    name: str
    help: str
    handler: Handler
    args: tuple[Arg, ...]


COMMANDS: dict[str, Command] = {}


def arg(*flags: str, **kwargs: object) -> Arg:
    """An argument spec, passed as-is to argparse's add_argument."""
    return flags, kwargs


JSON_FLAG = arg("--json", action="store_true", help="print JSON (UTF-8, not escaped)")


def command(name: str, help: str, *args: Arg) -> Callable[[Handler], Handler]:
    """Register the decorated handler as subcommand `name` with the given arguments."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = Command(name, help, handler, args)
        return handler

    return register


# -- output helpers --------------------------------------------------------------------------
def print_json(obj: object) -> None:
    """JSON on stdout, Chinese kept readable (ensure_ascii=False)."""
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def error(what: object, why: object) -> None:
    """One `error: <file or input>: <why>` line on stderr."""
    reason = " ".join(str(why).split())
    print(f"error: {what}: {reason}", file=sys.stderr)


def width(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` display columns, with an ellipsis when cut."""
    if width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A plain text table aligned by display width."""
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in cells]
    return "\n".join(lines)


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies under it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


class ProgressBar:
    """A tqdm bar on stderr, created on the first callback; inert when disabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.bar = enabled, None

    def __call__(self, done: int, total: int, path: str) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=sys.stderr, unit="file", leave=False)
        self.bar.set_postfix_str(Path(path).name, refresh=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        """Remove the bar from the terminal (it is not left behind)."""
        if self.bar is not None:
            self.bar.close()


# -- commands --------------------------------------------------------------------------------
@command("ingest", "add files or folders (.txt .docx .pdf .md) to the index",
         arg("paths", nargs="+", metavar="PATH"), JSON_FLAG)
def ingest_cmd(args: argparse.Namespace) -> int:
    """Ingest, then a per-file summary table (or the DESIGN JSON); 1 if any input failed."""
    from assistant.ingest import ingest

    bar = ProgressBar(enabled=not args.json and sys.stderr.isatty())
    try:
        result = ingest(args.paths, args.index, progress=bar)
    finally:
        bar.close()
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
        print(table(headers, [row[: len(headers)] for row in rows]))
        print(f"\n{len(result.added)} stored, {len(result.unchanged)} unchanged, "
              f"{len(result.failed)} failed; {result.reports} reports "
              f"({len(result.new_reports)} new), {result.chunks} chunks")
    return 1 if result.failed else 0


@command("reports", "list the reports in the index", JSON_FLAG)
def reports_cmd(args: argparse.Namespace) -> int:
    """A table of the stored reports (or the DESIGN JSON list)."""
    from assistant.store import Store

    with Store(args.index) as store:
        summaries = store.list_reports()
    if args.json:
        print_json([s.to_dict() for s in summaries])
        return 0
    rows = [[s.report.id[:12], clip(s.report.title, TITLE_WIDTH), s.report.org, s.report.level,
             s.report.department, s.report.period, s.report.kind, s.sections]
            for s in summaries]
    print(table(["id", "title", "org", "level", "department", "period", "kind", "sections"],
                rows))
    print(f"\n{len(summaries)} reports")
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
    return "\n".join(out + (tree_lines(report.sections) or ["(no headings)"]))


@command("show", "print one report's metadata and section tree",
         arg("report_id", metavar="REPORT_ID", help="a report id or a unique prefix (6+ chars)"),
         JSON_FLAG)
def show_cmd(args: argparse.Namespace) -> int:
    """One report's metadata and heading tree (or the full report as JSON); 1 if unknown."""
    from assistant.store import Store, report_to_dict

    with Store(args.index) as store:
        report = store.get_report(args.report_id)
    if report is None:
        error(args.report_id, "no such report (or the prefix is ambiguous)")
        return 1
    if args.json:
        print_json(report_to_dict(report))
    else:
        print(render_report(report))
    return 0


@command("remove", "drop reports (by id) or files (by path) from the index",
         arg("items", nargs="+", metavar="ID_OR_PATH"), JSON_FLAG)
def remove_cmd(args: argparse.Namespace) -> int:
    """Remove reports/files; 1 if some input matched nothing."""
    from assistant.index import Index
    from assistant.ingest import remove

    index = Index(args.index)
    removed, missing = remove(index, args.items)
    index.close()
    for item in missing:
        error(item, "no such report or ingested file")
    if args.json:
        print_json({"removed": removed})
    else:
        print(f"removed {len(removed)} reports" + "".join(f"\n  {r}" for r in removed))
    return 1 if missing else 0


# -- entry point -----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser: global --index, then one subparser per registered command."""
    import assistant.cli_outline  # noqa: F401  (registers outline)
    import assistant.cli_query  # noqa: F401  (registers search, ask, eval)
    import assistant.cli_serve  # noqa: F401  (registers serve)
    index_help = f"index directory (env {INDEX_ENV}, default {DEFAULT_INDEX})"
    parser = argparse.ArgumentParser(
        prog="report-assistant",
        description="Retrieval assistant over Chinese work-report examples.")
    parser.add_argument("--index", metavar="DIR", help=index_help,
                        default=os.environ.get(INDEX_ENV) or DEFAULT_INDEX)
    # Also accepted after the command name; SUPPRESS keeps the global value when absent.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", metavar="DIR", help=index_help, default=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in COMMANDS.values():
        sub = subparsers.add_parser(cmd.name, help=cmd.help, description=cmd.help,
                                    parents=[common])
        for flags, kwargs in cmd.args:
            sub.add_argument(*flags, **kwargs)
        sub.set_defaults(handler=cmd.handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 some inputs failed, 2 usage)."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        error(args.command, "interrupted")
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
