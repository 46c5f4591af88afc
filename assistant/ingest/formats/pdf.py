"""PDF: the text layer of each page, in page order."""

from __future__ import annotations

import logging
from io import BytesIO
from pathlib import Path

from assistant.ingest.formats.base import LoadError, blank, text_lines
from assistant.ingest.formats.limits import check_pages
from assistant.models import Line

# pypdf logs repair warnings ("EOF marker not found"); without a handler they would reach
# stderr through logging's last resort and break the one-line-per-error CLI output.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def read_pdf(path: Path, data: bytes) -> tuple[list[Line], str]:
    """Text layer of each page, in page order; scanned PDFs have none."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # many only restrict printing/copying
            raise LoadError(path, "PDF 已加密（需要密码）：请去除密码后再上传")
        check_pages(path, len(reader.pages))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged or exotic files
        raise LoadError(path, f"无法读取的 PDF（{type(exc).__name__}: {exc}）：请重新导出 PDF 后上传") from exc
    if blank(text):
        raise LoadError(path, "PDF 没有文字层（可能是扫描件）：请先做文字识别，或上传原始 Word 文件")
    return text_lines(text), "pdf"
