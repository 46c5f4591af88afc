"""An outline as Markdown, as a Word document, and as the JSON of DESIGN.md's `outline`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from assistant.models import Outline, OutlineSource
from assistant.outline.examples import Example

PATH_SEP = " › "  # between a report title and the headings of a section path
SOURCE_SEP = "；"  # between several sources of one heading
TITLE_FONT = "方正小标宋简体"  # the 公文 title face; Word falls back when it is not installed
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TITLE_SIZE = Pt(22)  # 二号
SOURCE_SIZE = Pt(9)  # the small 来源 line under a heading
SOURCE_GREY = RGBColor(0x66, 0x66, 0x66)
MD_HEADING = {1: "##", 2: "###", 3: "####"}


UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')
MAX_STEM_CHARS = 60


def file_name(title: str, suffix: str) -> str:
    """A safe file name for an outline: 县民政局2024年工作计划-提纲.docx."""
    stem = UNSAFE_FILE_CHARS.sub("_", title)[:MAX_STEM_CHARS] or "outline"
    return f"{stem}-提纲.{suffix}"


def source_text(source: OutlineSource) -> str:
    """「报告标题 › 一、… › （二）…」"""
    return PATH_SEP.join([source.report_title, *source.section_path])


def sources_text(sources: list[OutlineSource]) -> str:
    return SOURCE_SEP.join(source_text(s) for s in sources)


def to_markdown(outline: Outline, examples: list[Example]) -> str:
    """The outline as Markdown: headings with their 来源 line, 参考要点, then 参考范文."""
    lines = [f"# {outline.title}", ""]
    lines += [f"> {note}" for note in outline.notes]
    for node in outline.nodes:
        lines += ["", f"{MD_HEADING.get(node.level, '####')} {node.heading}", ""]
        if node.sources:
            lines.append(f"*来源：{sources_text(node.sources)}*")
        if node.points:
            lines.append("")
            lines += [
                f"- 参考要点：{text} （来源：{source_text(src)}）" for text, src in node.points
            ]
    lines += ["", "## 参考范文", ""]
    lines += [f"{i}. {e.report.title}（{e.reason}）" for i, e in enumerate(examples, 1)]
    return "\n".join(lines) + "\n"


def _font(run: Any, name: str, size: Pt | None = None, bold: bool | None = None) -> None:
    """Set a run's Latin and East Asian font (python-docx sets only the Latin one)."""
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.bold = bold


def _example_titles(outline: Outline) -> list[str]:
    """The titles of the outline's examples, in its order, from the sources that name them."""
    titles = {s.report_id: s.report_title for n in outline.nodes for s in n.sources}
    return [titles.get(rid, rid) for rid in outline.examples]


def to_docx(outline: Outline, path: str | Path) -> Path:
    """Write the outline as a Word document: a centred bold title, Heading 1/2/3 headings
    each with a small 来源 line, 参考要点 as body paragraphs, and a closing 参考来源 list."""
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(outline.title), TITLE_FONT, TITLE_SIZE, bold=True)
    for note in outline.notes:
        _font(doc.add_paragraph().add_run(note), BODY_FONT, SOURCE_SIZE)
    for node in outline.nodes:
        heading = doc.add_heading(level=min(node.level, 3))
        _font(heading.add_run(node.heading), HEADING_FONT)
        if node.sources:
            run = doc.add_paragraph().add_run(f"来源：{sources_text(node.sources)}")
            _font(run, BODY_FONT, SOURCE_SIZE)
            run.font.color.rgb = SOURCE_GREY
        for text, src in node.points:
            _font(
                doc.add_paragraph().add_run(f"参考要点：{text}（来源：{source_text(src)}）"),
                BODY_FONT,
            )
    _font(doc.add_paragraph().add_run("参考来源"), HEADING_FONT, bold=True)
    for i, name in enumerate(_example_titles(outline), 1):
        _font(doc.add_paragraph().add_run(f"{i}. {name}"), BODY_FONT)
    path = Path(path)
    doc.save(str(path))
    return path


def _source_json(source: OutlineSource) -> dict[str, Any]:
    return {
        "report_id": source.report_id,
        "report_title": source.report_title,
        "section_path": list(source.section_path),
    }


def to_json(outline: Outline) -> dict[str, Any]:
    """DESIGN.md's `outline --json` shape, with each node's points and the notes added."""
    return {
        "title": outline.title,
        "nodes": [
            {
                "heading": node.heading,
                "level": node.level,
                "sources": [_source_json(s) for s in node.sources],
                "points": [{"text": t, "source": _source_json(s)} for t, s in node.points],
            }
            for node in outline.nodes
        ],
        "examples": list(outline.examples),
        "notes": list(outline.notes),
    }
