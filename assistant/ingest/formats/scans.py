"""Scans and photos of pages (.png .jpg .jpeg .tif .tiff .bmp, and PDF pages without a text
layer): each page recognised by OCR, its lines joined into paragraphs."""

from __future__ import annotations

import time
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import Any

from assistant.ingest.formats.base import LoadError, Read, blank
from assistant.ingest.formats.limits import too_large
from assistant.ingest.formats.ocr import (
    OcrPage,
    low_confidence,
    mean_confidence,
    paragraphs,
    recognise,
)
from assistant.ingest.formats.pages import page_done
from assistant.models import Line, OcrSummary

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
# Pages OCR'd per file: ~5 s a page on 2 cores (benchmarks/ocr.py), so 100 pages is about ten
# minutes — a scanned compilation longer than that should be split.
MAX_OCR_PAGES = 100
# Seconds of recognition one file may take, checked between pages: 100 pages at the measured
# 5–25 s a page (idle to busy machine) would take up to 40 minutes; a batch must move on.
OCR_BUDGET_S = 15 * 60
# Pixels of one image: an A4 page at 600 dpi is 35 million, a 50-megapixel phone photo 50;
# past this, decoding alone takes hundreds of MB (Pillow's own bomb limit is 89 million).
MAX_IMAGE_PIXELS = 64_000_000
# Longest side a page is recognised at: rapidocr shrinks larger inputs to this anyway, and a
# smaller copy keeps a large photo's memory low.
OCR_MAX_SIDE = 2000
# Resolution a PDF page without text is rendered at: body text (12 pt) is then ~33 pixels
# high, what the recogniser reads best; 300 dpi only costs time (it is shrunk to 2000 again).
RENDER_DPI = 200


def check_ocr_pages(path: str | Path, count: int) -> None:
    """Refuse a scan of more pages than MAX_OCR_PAGES."""
    if count > MAX_OCR_PAGES:
        raise too_large(path, "需要识别的扫描页数", f"{count} 页", f"{MAX_OCR_PAGES} 页")


SCAN_NOTICE = "扫描件已自动识别文字，请核对"  # what a user is told of every report read by OCR
OCR_MISSING = "识别扫描件和图片需要 OCR 组件，本机未安装：请运行 pip install rapidocr onnxruntime pypdfium2，或上传原始 Word 文件"
NO_TEXT = "图片中没有识别出文字：请确认图片清晰、方向正确，或上传原始 Word 文件"


def summary(pages: list[OcrPage]) -> OcrSummary:
    """Pages, mean confidence and low-confidence lines of recognised pages."""
    return OcrSummary(len(pages), round(mean_confidence(pages), 4), low_confidence(pages))


def recognised(path: str | Path, pages: list[OcrPage], encoding: str, empty: str = NO_TEXT) -> Read:
    """Lines and OCR summary of recognised pages; LoadError(`empty`) when no text was found."""
    rows = paragraphs(pages)
    if blank("".join(rows)):
        raise LoadError(path, empty)
    return Read([Line(text=row, number=n) for n, row in enumerate(rows, 1)], encoding, summary(pages))


def recognise_within_budget(path: str | Path, images: Iterable[Any], total: int) -> list[OcrPage]:
    """Recognise the `total` page images one after another, each reported as done (per-page
    progress), refusing the file once OCR_BUDGET_S is spent."""
    start, pages = time.monotonic(), []
    for image in images:
        if time.monotonic() - start > OCR_BUDGET_S:
            raise LoadError(path, f"文字识别超时（{len(pages)} 页用了超过 {OCR_BUDGET_S // 60} 分钟）：请拆分扫描件后分批上传")
        pages.append(recognise(image))
        page_done(len(pages), total)
    return pages


def _for_ocr(image: Any) -> Any:
    """A page image upright (EXIF orientation of phone photos) and no larger than OCR_MAX_SIDE."""
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)
    image.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE))
    return image


def read_image(path: Path, data: bytes) -> Read:
    """OCR of a photo or scan; each frame of a multi-page TIFF is a page."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(BytesIO(data))
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise too_large(path, "图片像素", f"{width}×{height}", f"{MAX_IMAGE_PIXELS // 10**6} 百万像素")
        frames = getattr(image, "n_frames", 1)
        check_ocr_pages(path, frames)
        if image.format == "JPEG":
            image.draft("RGB", (OCR_MAX_SIDE, OCR_MAX_SIDE))  # decode at a reduced size
        pages = recognise_within_budget(
            path, (_for_ocr(f.copy()) for f in ImageSequence.Iterator(image)), frames)
    except LoadError:
        raise
    except ImportError as exc:
        raise LoadError(path, OCR_MISSING) from exc
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise LoadError(path, f"无法读取的图片（{type(exc).__name__}）：请重新导出为 .png 或 .jpg 后上传") from exc
    return recognised(path, pages, "ocr")


def recognise_pdf_pages(path: str | Path, data: bytes, numbers: list[int]) -> list[OcrPage]:
    """The given PDF pages (0-based) rendered by pypdfium2 one at a time and recognised."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return recognise_within_budget(
            path, (_for_ocr(document[n].render(scale=RENDER_DPI / 72).to_pil()) for n in numbers),
            len(numbers))
    finally:
        document.close()

