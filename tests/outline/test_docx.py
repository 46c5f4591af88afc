"""The .docx an official can send on (issue 14): 公文 typography in black, read back with
python-docx, one Word comment (批注) per sourced heading, and the 「不含来源」 copy without any."""

from __future__ import annotations

import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

from assistant.outline import make_outline
from assistant.outline.export import docx_files, file_name, source_text, to_docx

PLAN = "帮我写一份县民政局2024年工作计划的提纲"
FACES = {
    "Title": "方正小标宋简体",
    "Heading 1": "黑体",
    "Heading 2": "楷体_GB2312",
    "Heading 3": "仿宋_GB2312",
    "Normal": "仿宋_GB2312",
}
FALLBACKS = {"方正小标宋简体": "宋体", "楷体_GB2312": "楷体", "仿宋_GB2312": "仿宋"}


@pytest.fixture(scope="module")
def drafted(sample_reports):
    return make_outline("县民政局2023年工作总结和2024年工作计划", sample_reports)


@pytest.fixture(scope="module")
def annotated(drafted, tmp_path_factory):
    outline, examples = drafted
    return Document(str(to_docx(outline, tmp_path_factory.mktemp("d") / "a.docx", examples)))


def comment_ids(paragraph) -> list[str]:
    return paragraph._p.xpath("./w:commentRangeStart/@w:id")


def headings(doc):
    return [p for p in doc.paragraphs if p.style.name.startswith("Heading")]


@pytest.mark.parametrize("style", FACES)
def test_styles_are_black_in_the_gongwen_faces(annotated, style):
    s = annotated.styles[style]
    fonts = s.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == FACES[style] == fonts.get(qn("w:ascii"))
    assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None
    color = s.element.rPr.find(qn("w:color"))
    assert color.get(qn("w:val")) == "000000" and color.get(qn("w:themeColor")) is None
    assert s.font.size == (Pt(22) if style == "Title" else Pt(16))
    assert s.font.bold == (style == "Heading 3")
    fmt = s.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= fmt.line_spacing <= Pt(29)


def test_headings_and_runs_carry_no_colour_of_their_own(annotated, drafted):
    outline, _ = drafted
    assert [p.text for p in headings(annotated)] == [n.heading for n in outline.nodes]
    runs = [r for p in annotated.paragraphs for r in p.runs]
    assert runs and all(r.font.color.rgb is None and r.font.name is None for r in runs)
    page = annotated.sections[0]
    sizes = [page.page_width, page.page_height, page.top_margin, page.bottom_margin]
    sizes += [page.left_margin, page.right_margin]
    assert [round(size.mm) for size in sizes] == [210, 297, 37, 35, 28, 26]  # A4, 公文 margins


def test_font_table_names_a_fallback_for_every_gongwen_face(annotated):
    table = parse_xml(annotated.part.part_related_by(RT.FONT_TABLE).blob)
    alt = {
        f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
        for f in table.findall(qn("w:font"))
        if f.find(qn("w:altName")) is not None
    }
    assert {k: alt.get(k) for k in FALLBACKS} == FALLBACKS


def test_one_comment_per_sourced_heading_naming_its_sources(annotated, drafted):
    outline, _ = drafted
    comments = {str(c.comment_id): c.text for c in annotated.comments}
    sourced = 0
    for paragraph, node in zip(headings(annotated), outline.nodes, strict=True):
        ids = comment_ids(paragraph)
        assert len(ids) == (1 if node.sources else 0), node.heading
        if node.sources:
            sourced += 1
            assert all(source_text(s) in comments[ids[0]] for s in node.sources)
    assert sourced >= 10
    texts = [p.text for p in annotated.paragraphs]
    assert not any(t.startswith("来源") or "（来源：" in t for t in texts)  # no grey 来源 lines
    points = [p for p in annotated.paragraphs if p.text.startswith("参考要点：")]
    assert points and all(len(comment_ids(p)) == 1 for p in points)


def test_title_comment_holds_the_notes_and_examples(annotated, drafted):
    outline, examples = drafted
    (first,) = comment_ids(annotated.paragraphs[0])
    text = next(c.text for c in annotated.comments if str(c.comment_id) == first)
    assert all(note in text for note in outline.notes)
    assert all(e.label in text for e in examples)


def test_empty_part_note_is_in_the_body(sample_reports, tmp_path):
    outline, examples = make_outline("区应急管理局2023年工作总结", sample_reports)
    doc = Document(str(to_docx(outline, tmp_path / "s.docx", examples)))
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("二、存在的问题")
    assert texts[at + 1] == "（参考范文中没有可参考的“存在的问题”内容，请结合本单位实际补写。）"


def test_copy_without_sources_has_no_comments(sample_reports, tmp_path):
    outline, examples = make_outline(PLAN, sample_reports)
    name = file_name(outline.title, "docx", with_sources=False)
    assert name == "县民政局2024年工作计划-提纲-不含来源.docx"
    plain = Document(str(to_docx(outline, tmp_path / name, examples, with_sources=False)))
    assert len(plain.comments) == 0
    assert not any(comment_ids(p) for p in plain.paragraphs)
    assert [p.text for p in headings(plain)] == [n.heading for n in outline.nodes]
    assert not any("来源" in p.text or "参考范文：" in p.text for p in plain.paragraphs)
    assert plain.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_both_downloads_from_one_call(drafted, tmp_path):
    outline, examples = drafted
    annotated, plain = docx_files(outline, examples, tmp_path)
    assert annotated.name == "县民政局2023年工作总结和2024年工作计划-提纲.docx"
    assert plain.name == "县民政局2023年工作总结和2024年工作计划-提纲-不含来源.docx"
    assert len(Document(str(annotated)).comments) > 0 == len(Document(str(plain)).comments)
