"""OFD (GB/T 33190, the national fixed-layout format government systems export): the text
of each page in reading order, read by ofdkit, its printed lines joined into paragraphs by
their geometry as OCR lines are.

ofdkit follows OFD.xml → Document.xml → pages → TextObject/TextCode with templates, transforms
and DeltaX advances, refuses DTDs and oversized parts; the package is held to the zip limits
here first, like every zip-based format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.ingest.formats.base import EMPTY, LoadError, Read, blank, text_lines
from assistant.ingest.formats.limits import check_pages, check_zip
from assistant.ingest.formats.ocr import OcrLine, OcrPage, paragraphs

DAMAGED = "损坏的 .ofd（不是有效的 OFD 压缩包）：请在原系统中重新导出 OFD，或另存为 PDF 后上传"
# Runs whose baselines differ by less than this share of the type size are one printed line.
SAME_LINE = 0.5


def _page_lines(page: Any) -> OcrPage:
    """A page's text runs grouped into printed lines by baseline, each with its extent."""
    runs = sorted((r for r in page.runs if r.text.strip()), key=lambda r: (r.y, r.x))
    rows: list[list[Any]] = []
    for run in runs:
        if rows and abs(run.y - rows[-1][0].y) < SAME_LINE * max(run.size, 1.0):
            rows[-1].append(run)
        else:
            rows.append([run])
    lines = []
    for row in rows:
        row.sort(key=lambda r: r.x)
        size = max(r.size for r in row)
        lines.append(OcrLine("".join(r.text for r in row).strip(), row[0].x, row[0].y - size,
                             max(r.x + r.width for r in row), row[0].y, 1.0))
    return OcrPage(lines)


def read_ofd(path: Path, data: bytes) -> Read:
    """Paragraphs of an OFD document, page by page (a paragraph may run on to the next)."""
    import ofdkit

    check_zip(path, data, DAMAGED)
    try:
        document = ofdkit.OFDDocument(data)
        check_pages(path, len(document.pages))
        pages = [_page_lines(page) for page in document.pages]
    except LoadError:
        raise
    except ofdkit.OFDError as exc:
        raise LoadError(path, f"无法读取的 .ofd（{exc}）：请在原系统中重新导出 OFD，或另存为 PDF 后上传") from exc
    rows = paragraphs(pages)
    if blank("".join(rows)):
        raise LoadError(path, f"{EMPTY}（OFD 中没有文字层，可能是扫描件：请另存为 PDF 后上传）")
    return Read(text_lines("\n".join(rows)), "ofd")
