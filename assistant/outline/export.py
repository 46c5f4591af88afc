"""An outline as Markdown, as a Word document, and as the JSON of DESIGN.md's `outline`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from assistant.models import Outline, OutlineSource
from assistant.outline.examples import Example

PATH_SEP = " › "  # between a report title and the headings of a section path
SOURCE_SEP = "；"  # between several sources of one heading
MD_HEADING = {1: "##", 2: "###", 3: "####"}


UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')
MAX_STEM_CHARS = 60


WITHOUT_SOURCES = "不含来源"  # the file name mark of the .docx without comments


def file_name(title: str, suffix: str, with_sources: bool = True) -> str:
    """A safe file name for an outline: 县民政局2024年工作计划-提纲.docx, or
    县民政局2024年工作计划-提纲-不含来源.docx for the copy without sources."""
    stem = UNSAFE_FILE_CHARS.sub("_", title)[:MAX_STEM_CHARS] or "outline"
    return f"{stem}-提纲{'' if with_sources else '-' + WITHOUT_SOURCES}.{suffix}"


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
        if node.note:
            lines.append(f"（{node.note}）")
        if node.points:
            lines.append("")
            lines += [
                f"- 参考要点：{text} （来源：{source_text(src)}）" for text, src in node.points
            ]
    lines += ["", "## 参考范文", ""]
    lines += [f"{i}. {e.label}（{e.reason}）" for i, e in enumerate(examples, 1)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Face:
    """A 公文 typeface and the installed face Word and WPS use when it is missing."""

    name: str
    fallback: str


TITLE_FACE = Face("方正小标宋简体", "宋体")  # the 公文 title face (小标宋)
HEADING_FACES = {1: Face("黑体", "黑体"), 2: Face("楷体_GB2312", "楷体")}
BODY_FACE = Face("仿宋_GB2312", "仿宋")  # the body, and the third heading level (bold)
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号: body and every heading level
LINE_SPACING = Pt(28.95)  # fixed: 22 lines on a 公文 A4 page (GB/T 9704)
FIRST_LINE_INDENT = Pt(32)  # two characters of 三号
BLACK = RGBColor(0, 0, 0)
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)  # A4
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}  # GB/T 9704
COMMENT_AUTHOR = "报告助手"
GB2312_CHARSET = "86"  # the font table's charset for simplified Chinese faces
THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")


def _set_face(rpr_owner: Any, face: Face) -> None:
    """Set the Latin and East Asian font of a run or style (python-docx sets only the Latin
    one) and drop the theme fonts that would override it."""
    rfonts = rpr_owner.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in THEME_FONT_ATTRIBUTES:
        rfonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        rfonts.set(qn(attribute), face.name)


def _style(doc: Any, name: str, face: Face, bold: bool = False, indent: bool = True) -> None:
    """A paragraph style in a 公文 face: 三号, black, fixed line spacing, no extra space."""
    style = doc.styles[name]
    _set_face(style, face)
    style.font.size, style.font.bold, style.font.italic = BODY_SIZE, bold, False
    style.font.color.rgb = BLACK
    color = style.element.rPr.find(qn("w:color"))
    for attribute in ("w:themeColor", "w:themeShade", "w:themeTint"):
        color.attrib.pop(qn(attribute), None)
    fmt = style.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_SPACING
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = FIRST_LINE_INDENT if indent else None


def _font_fallbacks(doc: Any, faces: list[Face]) -> None:
    """Name each 公文 face's fallback (w:altName) in the font table, so Word and WPS show 宋体,
    楷体, 仿宋 where 方正小标宋简体 or the _GB2312 faces are not installed."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    for face in faces:
        font = OxmlElement("w:font", {qn("w:name"): face.name})
        font.append(OxmlElement("w:altName", {qn("w:val"): face.fallback}))
        font.append(OxmlElement("w:charset", {qn("w:val"): GB2312_CHARSET}))
        font.append(OxmlElement("w:family", {qn("w:val"): "auto"}))
        font.append(OxmlElement("w:pitch", {qn("w:val"): "variable"}))
        table.append(font)
    # python-docx keeps the font table as an unparsed part: its bytes are replaced whole.
    part._blob = serialize_part_xml(table)


def _page(doc: Any) -> None:
    """A4 with the 公文 margins."""
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side, size in MARGINS.items():
        setattr(section, f"{side}_margin", size)


def gongwen_document() -> Any:
    """An empty Word document set up for a 公文: page, styles and font fallbacks."""
    doc = Document()
    _page(doc)
    _style(doc, "Normal", BODY_FACE)
    _style(doc, "Title", TITLE_FACE, indent=False)
    title = doc.styles["Title"]
    title.font.size = TITLE_SIZE
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for extra in (title.element.pPr.find(qn("w:pBdr")), title.element.rPr.find(qn("w:spacing"))):
        if extra is not None:  # the template's rule under the title and its letter spacing
            extra.getparent().remove(extra)
    _style(doc, "Heading 1", HEADING_FACES[1])
    _style(doc, "Heading 2", HEADING_FACES[2])
    _style(doc, "Heading 3", BODY_FACE, bold=True)
    for level in (1, 2, 3):
        doc.styles[f"Heading {level}"].paragraph_format.keep_with_next = True
    _font_fallbacks(doc, [TITLE_FACE, *HEADING_FACES.values(), BODY_FACE])
    return doc


def _example_titles(outline: Outline, examples: list[Example]) -> list[str]:
    """The outline's examples as lists show them (told apart when titles repeat), in its order;
    without the examples, the titles its sources name."""
    if examples:
        labels = {e.report.id: e.label for e in examples}
        return [labels.get(rid, rid) for rid in outline.examples]
    titles = {s.report_id: s.report_title for n in outline.nodes for s in n.sources}
    return [titles.get(rid, rid) for rid in outline.examples]


def _comment(doc: Any, paragraph: Any, lines: list[str]) -> None:
    """A Word comment (批注) holding `lines`, on the whole of a paragraph."""
    doc.add_comment(paragraph.runs, text="\n".join(lines), author=COMMENT_AUTHOR, initials="")


def _source_lines(sources: list[OutlineSource]) -> list[str]:
    return ["来源：", *(source_text(s) for s in sources)]


def to_docx(
    outline: Outline,
    path: str | Path,
    examples: list[Example] | None = None,
    with_sources: bool = True,
) -> Path:
    """Write the outline as a Word document an official can send on: 公文 typography (title
    方正小标宋简体 二号; headings 黑体 / 楷体 / 仿宋 bold; body 仿宋 三号; black; fixed lines),
    Heading 1/2/3 styles, and 参考要点 as body paragraphs. With sources, every sourced heading
    and point carries a Word comment (批注) naming the example sections behind it, and the
    title one with the notes and the examples — deleting all comments leaves a clean outline;
    without (「不含来源」), there are none."""
    doc = gongwen_document()
    title = doc.add_paragraph(outline.title, style="Title")
    if with_sources:
        listed = [
            f"{i}. {name}" for i, name in enumerate(_example_titles(outline, examples or []), 1)
        ]
        _comment(doc, title, [*outline.notes, "参考范文：", *listed])
    doc.add_paragraph()
    for node in outline.nodes:
        heading = doc.add_paragraph(node.heading, style=f"Heading {min(node.level, 3)}")
        if with_sources and node.sources:
            _comment(doc, heading, _source_lines(node.sources))
        if node.note:
            doc.add_paragraph(f"（{node.note}）")
        for text, src in node.points:
            point = doc.add_paragraph(f"参考要点：{text.rstrip('，,；;：:')}。")
            if with_sources:
                _comment(doc, point, _source_lines([src]))
    path = Path(path)
    doc.save(str(path))
    return path


def docx_files(
    outline: Outline, examples: list[Example], directory: str | Path
) -> tuple[Path, Path]:
    """The two downloads of an outline under `directory`: the .docx with its sources as Word
    comments, and the 「不含来源」 copy without them."""
    folder = Path(directory)
    annotated = to_docx(outline, folder / file_name(outline.title, "docx"), examples)
    plain = folder / file_name(outline.title, "docx", with_sources=False)
    return annotated, to_docx(outline, plain, examples, with_sources=False)


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
                **({"note": node.note} if node.note else {}),
            }
            for node in outline.nodes
        ],
        "examples": list(outline.examples),
        "notes": list(outline.notes),
    }
