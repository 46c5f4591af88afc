"""Removing what material sites add to reports: paywall markers, ad lines, page numbers, the
empty rows a page's flattened tables leave.

Real content is never dropped: only whole lines matching the noise patterns (kept as data in
the lexicon's `noise_patterns.txt`) and lines holding nothing but a page number are removed; paywall
markers are cut out wherever they stand, also mid-sentence.
"""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.models import Line

PAYWALL = re.compile(r"#{2}\s*paid(?:begin|end)\s*#{2}", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^\s*(?:第\s*\d+\s*页(?:\s*[/,，]?\s*共\s*\d+\s*页)?|[-—–]?\s*\d{1,3}\s*[-—–]?|\d+\s*/\s*\d+)\s*$")

# A flattened table row with nothing in its cells (a 政务公开 page's metadata grid: 「|||…|」)
EMPTY_ROW = re.compile(r"^[|｜\s]+$")


def noise_patterns() -> tuple[re.Pattern[str], ...]:
    """The ad/boilerplate line patterns of the lexicon's noise_patterns.txt."""
    return lexicon.patterns("noise_patterns.txt")


def is_noise(text: str) -> bool:
    """True for an ad/boilerplate line, a bare page number or an empty table row."""
    if PAGE_NUMBER.match(text):
        return bool(text.strip())
    if EMPTY_ROW.match(text):
        return True
    return any(p.search(text) for p in noise_patterns())


def clean_lines(lines: list[Line]) -> list[Line]:
    """Cut paywall markers, drop noise lines (a dropped line leaves a blank, keeping positions)."""
    cleaned = []
    for line in lines:
        text = PAYWALL.sub("", line.text).strip()
        if is_noise(text):
            text = ""
        cleaned.append(Line(text=text, number=line.number, style=line.style))
    return cleaned
