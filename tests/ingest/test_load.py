"""Tests for assistant.load: encodings, newlines, Markdown, docx order, PDF, failures, folders."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from assistant.ingest import load
from assistant.ingest.load import LoadError, iter_input_files, load_file
from tests.fixtures.paths import SAMPLES

SAMPLE_000 = SAMPLES / "000_4110dbba3c212674.txt"
SAMPLE_001 = SAMPLES / "001_33587fe0f94e0fc1.txt"

# The opening of 000_…: a title, a table of contents, a blank line and a report start.
CHINESE = """2023年工作总结及2024年工作计划汇编
（6篇）
目 录
1.XX镇2023年上半年工作总结及下半年工作计划
2.基层党组织2023年度工作总结暨2024年工作计划
3.县财政局2023年工作总结和2024年工作计划

XX镇2023年上半年工作总结及下半年工作计划
2023年是贯彻党的二十大精神的开局之年，是实施“十四五”规划的关键之年。
“八八战略”二十周年总结
"""
EXPECTED = CHINESE.splitlines()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def texts(loaded) -> list[str]:
    return [line.text for line in loaded.lines]


def reason_of(path: Path) -> str:
    with pytest.raises(LoadError) as info:
        load_file(path)
    assert info.value.path == str(path)
    assert str(info.value) == info.value.reason
    return info.value.reason


def text_pdf(*rows: str) -> bytes:
    """A one-page PDF whose text layer holds `rows` (Helvetica, ASCII)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    ops = " 0 -20 Td ".join(f"({row}) Tj" for row in rows)
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 150 Td {ops} ET".encode("ascii"))
    page.replace_contents(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("codec", "reported"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_encodings_give_identical_lines(tmp_path, codec, reported):
    data = CHINESE.encode(codec)
    loaded = load_file(write(tmp_path, f"{codec}.txt", data))
    assert texts(loaded) == EXPECTED
    assert [line.number for line in loaded.lines] == list(range(1, len(EXPECTED) + 1))
    assert loaded.encoding == reported
    assert loaded.content_hash == hashlib.sha256(data).hexdigest()
    assert loaded.path == str(tmp_path / f"{codec}.txt")


def test_short_gbk_text_is_not_read_as_big5(tmp_path):
    # charset-normalizer scores big5/cp949/gb18030 equally on a few bytes and picks big5 first
    loaded = load_file(write(tmp_path, "short.txt", "一、总体情况\n（一）党建工作\n".encode("gbk")))
    assert texts(loaded) == ["一、总体情况", "（一）党建工作"]
    assert loaded.encoding == "gb18030"


def test_newlines_whitespace_and_invisible_characters(tmp_path):
    raw = "标题  \r\n\r\n\u200b正文\ufeff第一段\t\r第二段\u3000\r\n  缩进行\r\n"
    loaded = load_file(write(tmp_path, "crlf.txt", raw.encode("utf-8")))
    assert texts(loaded) == ["标题", "", "正文第一段", "第二段", "  缩进行"]
    assert [line.number for line in loaded.lines] == [1, 2, 3, 4, 5]
    assert all(line.style == "" for line in loaded.lines)


def test_blank_lines_keep_their_numbers(tmp_path):
    loaded = load_file(write(tmp_path, "gaps.txt", "一\n\n\n二\n   \n三".encode()))
    assert [(line.number, line.text) for line in loaded.lines if line.text] == [
        (1, "一"),
        (4, "二"),
        (6, "三"),
    ]
    assert len(loaded.lines) == 6


def test_markdown_headings(tmp_path):
    raw = "# 2023年工作总结\n\n## 一、总体情况 ##\n正文 #不是标题\n###### 六级\n#没有空格\n##paidbegin##\n"
    loaded = load_file(write(tmp_path, "report.md", raw.encode()))
    assert [(line.text, line.style) for line in loaded.lines] == [
        ("2023年工作总结", "Heading 1"),
        ("", ""),
        ("一、总体情况", "Heading 2"),
        ("正文 #不是标题", ""),
        ("六级", "Heading 6"),
        ("#没有空格", ""),
        ("##paidbegin##", ""),
    ]


def build_docx(path: Path) -> None:
    document = docx.Document()
    document.add_heading("2023年工作总结", level=1)
    document.add_paragraph("一、总体情况")
    document.add_paragraph("（一）党建工作")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["指标", "2022年", "2023年"], ["收入", "10", "12"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("表后的段落")
    document.save(str(path))


def test_docx_lines_in_document_order_with_styles(tmp_path):
    path = tmp_path / "report.docx"
    build_docx(path)
    loaded = load_file(path)
    assert [(line.number, line.text, line.style) for line in loaded.lines] == [
        (1, "2023年工作总结", "Heading 1"),
        (2, "一、总体情况", "Normal"),
        (3, "（一）党建工作", "Normal"),
        (4, "指标 | 2022年 | 2023年", "table"),
        (5, "收入 | 10 | 12", "table"),
        (6, "表后的段落", "Normal"),
    ]
    assert loaded.encoding == "docx"
    assert loaded.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_docx_merged_cells_appear_once(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "合并"
    table.cell(0, 2).text = "右"
    table.cell(1, 0).text = "甲"
    path = tmp_path / "merged.docx"
    document.save(str(path))
    assert texts(load_file(path)) == ["合并 | 右", "甲 |  | "]


def test_corrupt_docx(tmp_path):
    assert "损坏" in reason_of(write(tmp_path, "random.docx", bytes(range(256)) * 4))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("hello.txt", "not a document")
    reason = reason_of(write(tmp_path, "nobody.docx", buffer.getvalue()))
    assert reason.startswith("损坏的 .docx")


def test_docx_without_document_part(tmp_path):
    source = tmp_path / "good.docx"
    build_docx(source)
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w") as archive:
        for item in original.infolist():
            if item.filename != "word/document.xml":
                archive.writestr(item, original.read(item))
    reason = reason_of(write(tmp_path, "broken.docx", buffer.getvalue()))
    assert reason.startswith("损坏的 .docx（缺少 word/document.xml）")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("zero.txt", b""),
        ("spaces.txt", b" \n\r\n\t  \n"),
        ("bom.txt", "\ufeff".encode("utf-8-sig")),
        ("bom16.md", "\n  \n".encode("utf-16")),
    ],
)
def test_empty_files(tmp_path, name, data):
    assert reason_of(write(tmp_path, name, data)).startswith("文件为空")


def test_empty_docx(tmp_path):
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    assert reason_of(path).startswith("文件为空")


def test_binary_content_renamed_txt(tmp_path):
    assert reason_of(write(tmp_path, "data.txt", bytes(range(256)) * 100)).startswith(
        "不是文本文件（含二进制内容）"
    )
    no_nul = bytes(range(1, 32)) * 50 + "正文".encode()
    assert "二进制" in reason_of(write(tmp_path, "controls.txt", no_nul))


def test_pdf_text_layer(tmp_path):
    loaded = load_file(write(tmp_path, "report.pdf", text_pdf("Work summary 2023", "Plan 2024")))
    assert texts(loaded) == ["Work summary 2023", "Plan 2024"]
    assert loaded.encoding == "pdf"


def test_pdf_without_text_layer(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "scan.pdf"
    writer.write(str(path))
    assert reason_of(path).startswith("PDF 没有文字层，也未能识别出文字")


def test_encrypted_and_broken_pdf(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret", algorithm="AES-128")
    path = tmp_path / "locked.pdf"
    writer.write(str(path))
    assert reason_of(path).startswith("PDF 已加密")
    assert reason_of(write(tmp_path, "broken.pdf", b"%PDF-1.4 garbage")).startswith(
        "无法读取的 PDF"
    )


def test_unsupported_missing_and_too_large(tmp_path, monkeypatch):
    assert reason_of(write(tmp_path, "sheet.xls", b"x")) == "不支持的文件类型 .xls（表格）：请把报告正文另存为 .docx 后上传"
    assert reason_of(write(tmp_path, "a.rar", b"x")) == "不支持的文件类型 .rar（压缩包）：请解压后上传其中的文件"
    assert reason_of(write(tmp_path, "README", b"x")).startswith("不支持的文件类型 （无扩展名）")
    assert reason_of(tmp_path / "missing.txt").startswith("无法读取文件（No such file or directory）")
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 1024 * 1024)
    big = write(tmp_path, "big.txt", b"a" * (3 * 1024 * 1024))
    assert reason_of(big).startswith("文件过大（3 MB，上限 1 MB）")


def test_iter_input_files_on_mixed_folder(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / ".git").mkdir()
    for name in [
        "b.txt",
        "a.docx",
        "sub/c.PDF",
        "sub/d.md",
        "e.xls",
        "notes",
        ".hidden.txt",
        "~$a.docx",
        ".git/config.txt",
    ]:
        (folder / name).write_bytes(b"x")
    single = write(tmp_path, "single.txt", b"x")
    files, skipped = iter_input_files([folder, str(single), tmp_path / "gone"])
    assert files == [
        folder / "a.docx",
        folder / "b.txt",
        folder / "sub/c.PDF",
        folder / "sub/d.md",
        single,
    ]
    assert [(path, why.split("：")[0]) for path, why in skipped] == [
        (str(folder / "e.xls"), "不支持的文件类型 .xls（表格）"),
        (str(folder / "notes"), "不支持的文件类型 （无扩展名）"),
        (str(tmp_path / "gone"), "文件或文件夹不存在"),
    ]


def test_real_samples():
    first = load_file(SAMPLE_000)
    second = load_file(SAMPLE_001)
    assert len(first.lines) > 200 and len(second.lines) > 200
    assert first.encoding == second.encoding == "utf-8"
    assert (
        next(line.text for line in first.lines if line.text) == "2023年工作总结及2024年工作计划汇编"
    )
    assert len(first.lines) == len(SAMPLE_000.read_text(encoding="utf-8").splitlines())


def test_full_sample_gb18030_round_trip(tmp_path):
    original = load_file(SAMPLE_001)
    data = SAMPLE_001.read_text(encoding="utf-8").encode("gb18030")
    loaded = load_file(write(tmp_path, "gb.txt", data))
    assert loaded.encoding == "gb18030"
    assert loaded.lines == original.lines


def test_utf16_without_bom_is_read(tmp_path):
    text = "县园林局2025年工作总结\n一、主要工作\n完成新增绿地12公顷。\n"
    for codec in ("utf-16-le", "utf-16-be"):
        loaded = load_file(write(tmp_path, f"{codec}.txt", text.encode(codec)))
        assert texts(loaded)[:2] == ["县园林局2025年工作总结", "一、主要工作"] and loaded.encoding == codec


def test_a_nul_byte_in_good_text_is_damage_not_binary(tmp_path):
    data = "县园林局2025年工作总结\n一、主要工作\n完成新增绿地12公顷。\n".encode() * 20
    loaded = load_file(write(tmp_path, "nul.txt", data[:100] + b"\x00" + data[100:]))
    assert texts(loaded)[0] == "县园林局2025年工作总结" and "\x00" not in "".join(texts(loaded))
    assert "二进制" in reason_of(write(tmp_path, "bin.txt", b"\x00\x01\x02\x03" * 500))
