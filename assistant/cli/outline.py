"""The `outline` command of `report-assistant` (registered into cli): a draft outline from the
library's example reports, as Markdown, Word or DESIGN.md's JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.cli.registry import JSON_FLAG, arg, command, print_json


@command(
    "outline",
    "draft outline for a report, from the library's example reports",
    arg("request", metavar="REQUEST", help="e.g. 县民政局2024年工作计划"),
    arg("--format", choices=["md", "docx"], default="md", help="md (default) or docx"),
    arg("-o", "--output", metavar="FILE", help="write to FILE (docx default: <title>-提纲.docx)"),
    arg("--no-sources", action="store_true",
        help="docx without the sources as Word comments (「不含来源」)"),
    arg("--example", action="append", default=[], metavar="ID", help="pin an example report"),
    arg("--exclude", action="append", default=[], metavar="ID", help="never use this report"),
    JSON_FLAG,
)
def outline_cmd(args: argparse.Namespace) -> int:
    """Print or write the outline; 2 for an unusable request, 1 for an index that cannot serve."""
    from assistant.cli.caller import index_for
    from assistant.outline import outline_for_index
    from assistant.outline.export import file_name, to_docx, to_json, to_markdown

    index = index_for(args)
    outline, examples = outline_for_index(index, args.request, args.example, args.exclude)
    if args.format == "docx":
        bare = args.no_sources
        target = args.output or file_name(outline.title, "docx", with_sources=not bare)
        path = to_docx(outline, target, examples, with_sources=not bare)
    elif args.output:
        path = Path(args.output)
        path.write_text(to_markdown(outline, examples), encoding="utf-8")
    else:
        path = None
    if args.json:
        chosen = [
            {"report_id": e.report.id, "report_title": e.report.title, "reason": e.reason}
            for e in examples
        ]
        print_json({**to_json(outline), "chosen": chosen, "file": str(path) if path else None})
    elif path is None:
        print(to_markdown(outline, examples), end="")
    else:
        print(f"wrote {path}")
    return 0
