"""Plain text and Markdown in any common Chinese encoding (UTF-8, GB18030/GBK, UTF-16)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from assistant.ingest.formats.base import EMPTY, INVISIBLE, LoadError, Read, text_lines

# Share of control characters above which decoded "text" is really binary (real text has ~0).
MAX_CONTROL_SHARE = 0.01
# NUL bytes up to this share of a non-UTF-16 file are damage (a bad copy), dropped; more is binary.
MAX_NUL_SHARE = 0.01
CONTROL_BYTES = bytes(c for c in range(32) if c not in b"\t\n\f\r")  # never in text
# UTF-16 without a BOM: the byte order whose decoding is at least this share text characters
# (the wrong order decodes Chinese to unassigned and Hangul/Yi code points).
MIN_TEXT_SHARE = 0.9
# On short inputs the detector scores several CJK codecs equally (big5, cp949, gb18030 …);
# the reports this tool reads are mainland documents, so such ties go to GB18030.
PREFERRED_CJK = "gb18030"
MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?$")  # ATX heading, optional closing #s
BINARY = "不是文本文件（含二进制内容）：请确认文件类型，或另存为 .txt/.docx 后上传"
# UTF-32 first: its little-endian BOM begins with the UTF-16 one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def text_share(text: str) -> float:
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
        if text_share(text) >= MIN_TEXT_SHARE:
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
            raise LoadError(path, BINARY)
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
        raise LoadError(path, EMPTY)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > MAX_CONTROL_SHARE * len(text):
        raise LoadError(path, BINARY)


def _markdown_style(row: str) -> tuple[str, str]:
    """A Markdown heading line loses its # marks and gets style "Heading N"."""
    m = MD_HEADING.match(row)
    return (m.group(2).strip(), f"Heading {len(m.group(1))}") if m else (row, "")


def read_text(path: Path, data: bytes) -> Read:
    """Decode a .txt/.md file and split it into lines."""
    text, encoding = decode(data, path)
    _check_text(text, path)
    return Read(text_lines(text, _markdown_style if path.suffix.lower() == ".md" else None), encoding)
