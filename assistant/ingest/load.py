"""Reading one file into numbered lines: .txt/.md in any common Chinese encoding, .docx, .pdf.

Every failure becomes a LoadError with a short reason a user can act on; the caller records
it against the file and goes on with the rest of the batch.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from assistant.errors import AssistantError
from assistant.models import Line, LoadedFile

SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", ".md")
BROKEN_LINK = "符号链接循环或指向不存在的文件：请检查这个链接，或直接给出文件本身"
MAX_FILE_BYTES = 50 * 1024 * 1024  # a report compilation is a few MB at most; 50 MB is not a report
# Share of control characters above which decoded "text" is really binary (real text has ~0).
MAX_CONTROL_SHARE = 0.01
# NUL bytes up to this share of a non-UTF-16 file are damage (a bad copy), dropped; more is binary.
MAX_NUL_SHARE = 0.01
CONTROL_BYTES = bytes(c for c in range(32) if c not in b"\t\n\f\r")  # never in text# UTF-16 without a BOM: the byte order whose decoding is at least this share text characters
# (the wrong order decodes Chinese to unassigned and Hangul/Yi code points).
MIN_TEXT_SHARE = 0.9
# On short inputs the detector scores several CJK codecs equally (big5, cp949, gb18030 …);
# the reports this tool reads are mainland documents, so such ties go to GB18030.
PREFERRED_CJK = "gb18030"
INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")  # BOM and zero-width characters
MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?$")  # ATX heading, optional closing #s
# UTF-32 first: its little-endian BOM begins with the UTF-16 one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# pypdf logs repair warnings ("EOF marker not found"); without a handler they would reach
# stderr through logging's last resort and break the one-line-per-error CLI output.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


class LoadError(AssistantError):
    """A file that cannot be read; `reason` says why and what to do, in one Chinese line."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(reason, path)
        self.path = str(path)
        self.reason = reason


def _clean(row: str) -> str:
    """One line without invisible characters or trailing whitespace."""
    return INVISIBLE.sub("", row).rstrip()


def _lines(text: str, style_of: Callable[[str], tuple[str, str]] | None = None) -> list[Line]:
    """Numbered lines (\\r\\n and \\r count as newlines); blank lines kept for their numbers."""
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(rows) > 1 and rows[-1] == "":  # a final newline ends the last line, adds none
        rows.pop()
    lines = []
    for number, row in enumerate(rows, start=1):
        row, style = style_of(_clean(row)) if style_of else (_clean(row), "")
        lines.append(Line(text=row, number=number, style=style))
    return lines


def _text_share(text: str) -> float:
    """Share of characters a Chinese text file is made of: CJK, CJK and full-width punctuation,
    printable ASCII, line breaks and tabs."""
    ok = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
             or "\uff00" <= ch <= "\uffef" or " " <= ch <= "~" or ch in "\n\r\t“”‘’…—·")
    return ok / max(len(text), 1)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without a byte-order mark (some Windows tools do): the byte order
    that decodes to text made of text characters, else None."""
    if len(data) % 2:
        return None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _text_share(text) >= MIN_TEXT_SHARE:
            return text, name
    return None


def decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """Text and encoding name: BOMs first, then strict UTF-8, then charset-normalizer."""
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise LoadError(path, f"不是有效的 {name} 文本：请用记事本或 Word 另存为 UTF-8 后再上传") from exc
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        controls = len(data) - len(data.translate(None, CONTROL_BYTES))
        if data.count(b"\x00") > MAX_NUL_SHARE * len(data) or controls > MAX_CONTROL_SHARE * len(data):
            raise LoadError(path, "不是文本文件（含二进制内容）：请确认文件类型，或另存为 .txt/.docx 后上传")
        data = data.replace(b"\x00", b"")  # a few NUL bytes in good text: damage, dropped
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.encoding is None:
        raise LoadError(path, "无法识别文字编码：请另存为 UTF-8 编码的 .txt 后上传")
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    chosen = next((m for m in tied if m.encoding == PREFERRED_CJK), best)
    return str(chosen), chosen.encoding.replace("_", "-")


def _check_text(text: str, path: str | Path) -> None:
    """Reject decoded text that is blank or mostly control characters (binary data)."""
    if not INVISIBLE.sub("", text).strip():
        raise LoadError(path, "文件为空：没有可读取的文字")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > MAX_CONTROL_SHARE * len(text):
        raise LoadError(path, "不是文本文件（含二进制内容）：请确认文件类型，或另存为 .txt/.docx 后上传")


def _markdown_style(row: str) -> tuple[str, str]:
    """A Markdown heading line loses its # marks and gets style "Heading N"."""
    m = MD_HEADING.match(row)
    return (m.group(2).strip(), f"Heading {len(m.group(1))}") if m else (row, "")


def _load_text(path: Path, data: bytes) -> tuple[list[Line], str]:
    """Decode a .txt/.md file and split it into lines."""
    text, encoding = decode(data, path)
    _check_text(text, path)
    return _lines(text, _markdown_style if path.suffix.lower() == ".md" else None), encoding


def _docx_blocks(document: Any) -> Iterator[Any]:
    """Paragraphs and tables of the body in document order (also on python-docx < 1.0)."""
    if hasattr(document, "iter_inner_content"):
        yield from document.iter_inner_content()
        return
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document)
        elif child.tag == qn("w:tbl"):
            yield Table(child, document)


def _load_docx(path: Path, data: bytes) -> tuple[list[Line], str]:
    """Paragraphs and table rows in document order; Word style names kept as hints."""
    import docx
    from docx.table import Table

    if not zipfile.is_zipfile(BytesIO(data)):
        raise LoadError(path, "损坏的 .docx（不是有效的压缩包）：请用 Word 打开后重新另存为 .docx")
    lines: list[Line] = []
    try:
        document = docx.Document(BytesIO(data))
        for block in _docx_blocks(document):
            if isinstance(block, Table):
                for row in block.rows:
                    cells = dict.fromkeys(row.cells)  # a merged cell repeats the same object
                    text = " | ".join(_clean(c.text).strip() for c in cells)
                    lines.append(Line(text=text, number=len(lines) + 1, style="table"))
                continue
            style = block.style.name if block.style is not None else ""
            for row in block.text.split("\n"):  # manual line breaks inside a paragraph
                lines.append(Line(text=_clean(row), number=len(lines) + 1, style=style))
    except KeyError as exc:  # zipfile: "There is no item named 'word/document.xml' …"
        part = re.search(r"'([^']+)'", str(exc))
        raise LoadError(path, f"损坏的 .docx（缺少 {part[1] if part else '部件'}）：请用 Word 打开后重新另存为 .docx") from exc
    except Exception as exc:  # python-docx raises assorted errors on damaged packages
        raise LoadError(path, f"损坏的 .docx（{type(exc).__name__}: {exc}）：请用 Word 打开后重新另存为 .docx") from exc
    if not any(line.text.strip() for line in lines):
        raise LoadError(path, "文件为空：没有可读取的文字")
    return lines, "docx"


def _load_pdf(path: Path, data: bytes) -> tuple[list[Line], str]:
    """Text layer of each page, in page order; scanned PDFs have none."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # many only restrict printing/copying
            raise LoadError(path, "PDF 已加密（需要密码）：请去除密码后再上传")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged or exotic files
        raise LoadError(path, f"无法读取的 PDF（{type(exc).__name__}: {exc}）：请重新导出 PDF 后上传") from exc
    if not INVISIBLE.sub("", text).strip():
        raise LoadError(path, "PDF 没有文字层（可能是扫描件）：请先做文字识别，或上传原始 Word 文件")
    return _lines(text), "pdf"


def load_file(path: str | Path) -> LoadedFile:
    """Read one supported file into lines; raises LoadError for anything unreadable."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(path, _unsupported(path))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            mb, limit = -(-size // 2**20), MAX_FILE_BYTES // 2**20
            raise LoadError(path, f"文件过大（{mb} MB，上限 {limit} MB）：请拆分后再上传")
        data = path.read_bytes()
    except OSError as exc:
        reason = f"无法读取文件（{exc.strerror or type(exc).__name__}）：请检查文件是否存在、是否有读取权限"
        raise LoadError(path, reason) from exc
    if not data.strip():
        raise LoadError(path, "文件为空：没有可读取的文字")
    if suffix == ".docx":
        lines, encoding = _load_docx(path, data)
    elif suffix == ".pdf":
        lines, encoding = _load_pdf(path, data)
    else:
        lines, encoding = _load_text(path, data)
    return LoadedFile(str(path), lines, encoding, hashlib.sha256(data).hexdigest())


def _unsupported(path: Path) -> str:
    """The reason given for a file whose suffix we do not read."""
    return f"不支持的文件类型 {path.suffix.lower() or '（无扩展名）'}：请另存为 .docx、.txt 或 .pdf 后上传"


def _hidden(name: str) -> bool:
    """Hidden files/folders and Word's ~$ lock files are skipped when expanding a folder."""
    return name.startswith((".", "~$"))


def iter_input_files(paths: list[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders (recursively, sorted) into supported files and skipped ones."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for given in map(Path, paths):
        if given.is_symlink() and not given.exists():
            skipped.append((str(given), BROKEN_LINK))
            continue
        if given.is_dir():
            inside = [p for p in given.rglob("*") if not any(map(_hidden, p.relative_to(given).parts))]
            skipped += [(str(p), BROKEN_LINK) for p in inside if p.is_symlink() and not p.exists()]
            found = sorted(p for p in inside if p.is_file())
        elif given.exists():
            found = [given]  # named explicitly: the user means it
        else:
            skipped.append((str(given), "文件或文件夹不存在：请检查路径"))
            continue
        for path in found:
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                skipped.append((str(path), _unsupported(path)))
    return files, skipped
