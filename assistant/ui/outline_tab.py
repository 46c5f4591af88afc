"""The 提纲 tab's logic: a request (with pinned and excluded examples) → the outline as
Markdown with its sources, the chosen examples with their reasons, and .docx/.md files."""

from __future__ import annotations

import tempfile
from pathlib import Path

from assistant.errors import AssistantError
from assistant.index.index import Index
from assistant.outline import Example, outline_for_index
from assistant.outline.export import docx_files, file_name, to_markdown
from assistant.ui.render import esc_markdown


def example_choices(examples: list[Example]) -> list[tuple[str, str]]:
    """(label with the reason, id) of the chosen examples."""
    return [(f"{e.label}：{e.reason}", e.report.id) for e in examples]


def write_files(
    markdown: str, outline, examples: list[Example], directory: Path
) -> tuple[str, str, str]:
    """The outline saved under `directory` as .docx with its sources as Word comments, the
    「不含来源」 .docx and .md; their paths."""
    annotated, plain = docx_files(outline, examples, directory)
    md_path = directory / file_name(outline.title, "md")
    md_path.write_text(markdown, encoding="utf-8")
    return str(annotated), str(plain), str(md_path)


def make_outline(
    index: Index, request: str, pinned: list[str], kept: list[str] | None, shown: list[str]
) -> tuple[str, list[tuple[str, str]], list[str], str | None, str | None, str | None]:
    """(outline Markdown, example choices, the ticked ones, docx path, 不含来源 docx path,
    md path).

    `shown` are the examples offered last time and `kept` the ones still ticked: the rest are
    excluded this time. Errors come back as the Markdown text, with no files.
    """
    excluded = [rid for rid in shown if kept is not None and rid not in kept]
    try:
        outline, examples = outline_for_index(index, request, pinned or [], excluded)
    except AssistantError as exc:  # the UI boundary: a Chinese notice
        return f"⚠️ {esc_markdown(str(exc))}", [], [], None, None, None
    markdown = to_markdown(outline, examples)
    directory = Path(tempfile.mkdtemp(prefix="outline-"))
    files = write_files(markdown, outline, examples, directory)
    choices = example_choices(examples)
    return esc_markdown(markdown), choices, [rid for _, rid in choices], *files
