"""What every reader shares: the load error and turning text into numbered, cleaned lines."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AssistantError
from assistant.models import Line, OcrSummary

INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")  # BOM and zero-width characters
EMPTY = "文件为空：没有可读取的文字"


@dataclass
class Read:
    """What a reader gives: the lines, how they were decoded, and the OCR summary if any."""

    lines: list[Line]
    encoding: str
    ocr: OcrSummary | None = None


class LoadError(AssistantError):
    """A file that cannot be read; `reason` says why and what to do, in one Chinese line."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(reason, path)
        self.path = str(path)
        self.reason = reason


def clean(row: str) -> str:
    """One line without invisible characters or trailing whitespace."""
    return INVISIBLE.sub("", row).rstrip()


def text_lines(text: str, style_of: Callable[[str], tuple[str, str]] | None = None) -> list[Line]:
    """Numbered lines (\\r\\n and \\r count as newlines); blank lines kept for their numbers."""
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(rows) > 1 and rows[-1] == "":  # a final newline ends the last line, adds none
        rows.pop()
    lines = []
    for number, row in enumerate(rows, start=1):
        row, style = style_of(clean(row)) if style_of else (clean(row), "")
        lines.append(Line(text=row, number=number, style=style))
    return lines


def blank(text: str) -> bool:
    """True when nothing but whitespace and invisible characters is left."""
    return not INVISIBLE.sub("", text).strip()
