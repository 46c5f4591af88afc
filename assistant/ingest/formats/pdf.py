"""PDF: the text layer of each page, in page order; a page without one is rendered and OCR'd."""

from __future__ import annotations

import logging
from io import BytesIO
from pathlib import Path

from assistant.ingest.formats.base import LoadError, Read, blank, text_lines
from assistant.ingest.formats.limits import check_pages
from assistant.ingest.formats.ocr import OcrPage, paragraphs
from assistant.ingest.formats.scans import (
    OCR_MISSING,
    check_ocr_pages,
    recognise_pdf_pages,
    recognised,
    summary,
)

NO_TEXT = "PDF 没有文字层，也未能识别出文字（可能是空白页或扫描不清晰）：请上传原始 Word 文件或更清晰的扫描件"
# pypdf logs repair warnings ("EOF marker not found"); without a handler they would reach
# stderr through logging's last resort and break the one-line-per-error CLI output.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def _texts(path: Path, data: bytes) -> list[str]:
    """The text layer of every page ("" for a page without one)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # many only restrict printing/copying
            raise LoadError(path, "PDF 已加密（需要密码）：请去除密码后再上传")
        check_pages(path, len(reader.pages))
        return [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged or exotic files
        raise LoadError(path, f"无法读取的 PDF（{type(exc).__name__}: {exc}）：请重新导出 PDF 后上传") from exc


def read_pdf(path: Path, data: bytes) -> Read:
    """Text layer of each page in page order; pages without one (scans) are OCR'd, a run of
    such pages joined into paragraphs as one."""
    texts = _texts(path, data)
    scanned = [n for n, text in enumerate(texts) if blank(text)]
    if not scanned:
        return Read(text_lines("\n".join(texts)), "pdf")
    check_ocr_pages(path, len(scanned))
    try:
        pages = dict(zip(scanned, recognise_pdf_pages(path, data, scanned), strict=True))
    except ImportError as exc:
        raise LoadError(path, OCR_MISSING) from exc
    except LoadError:
        raise
    except Exception as exc:  # pdfium on a page pypdf could parse: damaged beyond repair
        raise LoadError(path, f"无法渲染 PDF 页面（{type(exc).__name__}）：请重新导出 PDF 后上传") from exc
    if len(scanned) == len(texts):
        return recognised(path, list(pages.values()), "pdf+ocr", NO_TEXT)
    rows: list[str] = []
    run: list[OcrPage] = []
    for n, text in enumerate(texts):
        if n in pages:
            run.append(pages[n])
            continue
        rows += paragraphs(run) + text.split("\n")
        run = []
    rows += paragraphs(run)
    ocr = summary(list(pages.values())) if any(page.lines for page in pages.values()) else None
    return Read(text_lines("\n".join(rows)), "pdf+ocr" if ocr else "pdf", ocr)
