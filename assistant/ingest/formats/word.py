"""Word .docx: paragraphs and table rows in document order, with Word style names as hints."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

from assistant.ingest.formats.base import EMPTY, LoadError, Read, blank, clean
from assistant.ingest.formats.limits import check_chars, check_zip
from assistant.models import Line

DAMAGED = "损坏的 .docx（不是有效的压缩包）：请用 Word 打开后重新另存为 .docx"


def _blocks(document: Any) -> Iterator[Any]:
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


def read_docx(path: Path, data: bytes) -> Read:
    """Paragraphs and table rows in document order; Word style names kept as hints. The
    package is checked against the zip limits first (python-docx parses without entities)."""
    import docx
    from docx.table import Table

    check_zip(path, data, DAMAGED)
    lines: list[Line] = []
    chars = 0
    try:
        document = docx.Document(BytesIO(data))
        for block in _blocks(document):
            if isinstance(block, Table):
                for row in block.rows:
                    cells = dict.fromkeys(row.cells)  # a merged cell repeats the same object
                    text = " | ".join(clean(c.text).strip() for c in cells)
                    lines.append(Line(text=text, number=len(lines) + 1, style="table"))
                    chars += len(text)
                check_chars(path, chars)  # stop early: python-docx takes ~1 ms a paragraph
                continue
            style = block.style.name if block.style is not None else ""
            for row in block.text.split("\n"):  # manual line breaks inside a paragraph
                lines.append(Line(text=clean(row), number=len(lines) + 1, style=style))
                chars += len(row)
            check_chars(path, chars)
    except LoadError:
        raise
    except KeyError as exc:  # zipfile: "There is no item named 'word/document.xml' …"
        part = re.search(r"'([^']+)'", str(exc))
        raise LoadError(path, f"损坏的 .docx（缺少 {part[1] if part else '部件'}）：请用 Word 打开后重新另存为 .docx") from exc
    except Exception as exc:  # python-docx raises assorted errors on damaged packages
        raise LoadError(path, f"损坏的 .docx（{type(exc).__name__}: {exc}）：请用 Word 打开后重新另存为 .docx") from exc
    if all(blank(line.text) for line in lines):
        raise LoadError(path, EMPTY)
    return Read(lines, "docx")
