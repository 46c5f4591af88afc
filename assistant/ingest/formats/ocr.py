"""Text of page images by OCR (rapidocr: PP-OCR det/cls/rec ONNX models shipped in its wheel,
nothing fetched), joined back into the lines a typed report has.

OCR gives one box per printed line. Lines are joined into paragraphs by their geometry, as a
reader sees them: a line ending short of the text's right edge ends its paragraph, an indented
line or one opening with a heading mark (一、 （一） 1. …) starts one, so headings stay lines of
their own for the heading grammar. Half-width punctuation the recogniser puts next to Chinese
characters is given back its full-width form (（一） not (一）).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from assistant.ingest.headings import parse_heading

# A line whose right end falls short of the text block's right edge by more than this many
# character widths ends its paragraph (a full line ends within about one character of it).
SHORT_LINE_CHARS = 1.5
# A line starting this many character widths right of the block's left edge is indented: a new
# paragraph (Chinese paragraphs are indented two characters).
INDENT_CHARS = 1.0
# Lines recognised with less confidence than this are listed for the user to check: on the
# rendered sample pages correct lines score ≥ 0.98, the one misread line (see new_engine)
# scored 0.898.
LOW_CONFIDENCE = 0.9
# The right edge is the right end that this share of the longer lines reach (a stray wide box
# — a page number, a stamp — does not move it).
EDGE_QUANTILE = 0.8
CJK = r"\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"})
# A half-width mark the recogniser read next to a Chinese character or full-width mark.
HALF_BESIDE_CJK = re.compile(rf"(?<=[{CJK}])[,;:()!?]|[,;:()!?](?=[{CJK}])")
LATIN_END = re.compile(r"[A-Za-z]$")
LATIN_START = re.compile(r"^[A-Za-z]")
_lock = threading.Lock()  # one recognition at a time: the engine uses both cores already
_engine: dict[str, Any] = {}


@dataclass
class OcrLine:
    """One recognised line: its text, its box on the page (pixels) and its confidence."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    score: float


@dataclass
class OcrPage:
    """A page's recognised lines, in reading order."""

    lines: list[OcrLine] = field(default_factory=list)


def new_engine() -> Any:
    """A RapidOCR engine on its shipped models; its own logging kept to errors, and without
    the per-line 180° classifier: on the rendered sample pages it turned an upright line of
    《统计简报》《统计年鉴》… over and read it as 「热《》《》《」 (page accuracy 0.948 → 0.999 without
    it); scanned reports are upright, and a page scanned upside down is a whole-page problem
    the line classifier does not solve."""
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False})


def recognise(image: Any) -> OcrPage:
    """The lines of one page image (PIL), in reading order."""
    import numpy as np

    with _lock:
        if "engine" not in _engine:
            _engine["engine"] = new_engine()
        result = _engine["engine"](np.asarray(image.convert("RGB")))
    lines = []
    for box, text, score in zip(result.boxes if result.boxes is not None else [], result.txts or (),
                                result.scores or (), strict=True):
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        lines.append(OcrLine(fix_punctuation(text.strip()), min(xs), min(ys), max(xs), max(ys),
                             float(score)))
    return OcrPage([line for line in lines if line.text])


def fix_punctuation(text: str) -> str:
    """Half-width , ; : ( ) ! ? beside Chinese text in their full-width form."""
    return HALF_BESIDE_CJK.sub(lambda m: m[0].translate(FULL_WIDTH), text)


def _breaks(page: OcrPage) -> Iterator[tuple[OcrLine, bool, bool]]:
    """Each line with (starts a paragraph, ends a paragraph) read from the page geometry."""
    lines = page.lines
    if not lines:
        return
    char = median(line.bottom - line.top for line in lines)  # a CJK character is square
    rights = sorted(line.right for line in lines)
    right_edge = rights[min(len(rights) - 1, int(EDGE_QUANTILE * len(rights)))]
    left_edge = min(median(line.left for line in lines), min(line.left for line in lines) + char)
    for line in lines:
        starts = line.left - left_edge > INDENT_CHARS * char or parse_heading(line.text) is not None
        ends = right_edge - line.right > SHORT_LINE_CHARS * char
        yield line, starts, ends


def paragraphs(pages: list[OcrPage], progress: Callable[[int], None] | None = None) -> list[str]:
    """The pages' lines joined into paragraphs (a paragraph may run on to the next page)."""
    rows: list[str] = []
    open_row = False
    for number, page in enumerate(pages, 1):
        for line, starts, ends in _breaks(page):
            if open_row and not starts:
                glue = " " if LATIN_END.search(rows[-1]) and LATIN_START.search(line.text) else ""
                rows[-1] += glue + line.text
            else:
                rows.append(line.text)
            open_row = not ends
        if progress:
            progress(number)
    return rows


def low_confidence(pages: list[OcrPage]) -> list[str]:
    """The lines to check by eye: 「第N页：text（0.73）」 for each line below LOW_CONFIDENCE."""
    return [f"第{n}页：{line.text}（{line.score:.2f}）" for n, page in enumerate(pages, 1)
            for line in page.lines if line.score < LOW_CONFIDENCE]


def mean_confidence(pages: list[OcrPage]) -> float:
    """Confidence of the recognised text, each line weighted by its characters."""
    weighted = [(line.score, len(line.text)) for page in pages for line in page.lines]
    chars = sum(n for _, n in weighted)
    return sum(s * n for s, n in weighted) / chars if chars else 0.0
