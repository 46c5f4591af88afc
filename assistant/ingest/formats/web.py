"""Saved web pages (.html, .htm, .mhtml): the article's text with its headings, paragraphs and
tables, without navigation, share bars, related links or footers (trafilatura).

trafilatura's XML output keeps headings as their own elements (`<head rend="h2">`), so each
becomes a line with a "Heading N" hint, as Word headings do; the page title it finds (the
article's h1, else <title> without the site name) is the first line in the Title style.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import logging
import re
from pathlib import Path
from typing import Any

from assistant.ingest.formats.base import EMPTY, LoadError, Read, blank, clean
from assistant.ingest.formats.text import decode
from assistant.models import Line

# A page declares its charset in its first bytes (<meta charset> or http-equiv); HTML5 asks
# for it within the first 1024, older pages put a long <head> first.
CHARSET_PEEK_BYTES = 4096
DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Pages declaring gb2312 or gbk routinely hold characters only GB18030 (their superset) has.
SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "ascii": "utf-8",
             "iso-8859-1": "cp1252", "big5": "big5hkscs"}
NOT_A_PAGE = "网页中没有找到正文：请在浏览器中复制正文另存为 .txt，或把网页另存为“网页，全部”后上传"

# trafilatura and its helpers log to their own loggers; without a handler a warning would
# reach stderr through logging's last resort and break the one-line-per-error CLI output.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def _codec(name: str) -> str | None:
    """The Python codec for a declared charset name (with the supersets above), or None."""
    try:
        found = codecs.lookup(name.decode("ascii", "ignore") if isinstance(name, bytes) else name).name
    except LookupError:
        return None
    return SUPERSETS.get(found, found)


def decode_page(data: bytes, path: Path, charset: str | None = None) -> str:
    """A page's text by its declared charset (the MIME part's, else the page's own <meta>);
    a page without one, or whose declaration is wrong, is detected like a text file."""
    declared = charset or (m[1] if (m := DECLARED_CHARSET.search(data[:CHARSET_PEEK_BYTES])) else None)
    codec = _codec(declared) if declared else None
    if codec and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass  # a page saved in another encoding than it declares
    return decode(data, path)[0]


def _html_of_mhtml(data: bytes, path: Path) -> str:
    """The main HTML document of an MHTML archive (a MIME message): its first text/html part."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            return decode_page(payload, path, part.get_content_charset())
    raise LoadError(path, "MHTML 文件中没有网页内容：请在浏览器中重新“另存为”后上传")


def _text(element: Any) -> str:
    """An element's text with <lb/> as a line break."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else "".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def _lines_of(main: Any) -> list[tuple[str, str]]:
    """(text, style) of the extracted body's blocks in order: headings, paragraphs, list
    items, table rows."""
    rows: list[tuple[str, str]] = []
    for block in main:
        if block.tag == "head":
            level = (block.get("rend") or "h2").lstrip("h")
            rows.append((_text(block), f"Heading {level if level.isdigit() else 2}"))
        elif block.tag == "table":
            for row in block.iter("row"):
                rows.append((" | ".join(clean(c.xpath("string()")).strip() for c in row.iter("cell")), "table"))
        elif block.tag == "list":
            rows += [(_text(item), "") for item in block.iter("item")]
        else:
            rows += [(piece, "") for piece in _text(block).split("\n")]
    return rows


def read_page(path: Path, data: bytes) -> Read:
    """The article of a saved web page as lines; the title first."""
    import trafilatura
    from lxml import etree

    html = _html_of_mhtml(data, path) if path.suffix.lower() == ".mhtml" else decode_page(data, path)
    extracted = trafilatura.extract(html, output_format="xml", include_formatting=False,
                                    include_links=False, include_images=False, include_tables=True,
                                    include_comments=False, deduplicate=False)
    if extracted is None:
        raise LoadError(path, NOT_A_PAGE)
    main = etree.fromstring(extracted.encode("utf-8")).find("main")
    rows = _lines_of(main) if main is not None else []
    metadata = trafilatura.extract_metadata(html)
    title = clean(metadata.title or "").strip() if metadata is not None else ""
    if title and not any(clean(text).strip() == title for text, _ in rows[:3]):
        rows.insert(0, (title, "Title"))
    lines = [Line(text=clean(text), number=n, style=style) for n, (text, style) in enumerate(rows, 1)]
    if all(blank(line.text) for line in lines):
        raise LoadError(path, EMPTY)
    return Read(lines, "html")
