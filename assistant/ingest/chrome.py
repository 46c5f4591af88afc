"""Page chrome and reprint noise: what a web page, a newspaper or a print view puts around a
report, found by shape and position and removed before the report is split and parsed.

- The **head** is everything before the first body line (a sentence paragraph or a numbered
  heading). When it holds page chrome (toolbars, breadcrumbs, 来源/时间 lines, photo captions
  — the lexicon's `page_chrome.txt`), only the report's own title and its front matter
  (occasion, speaker, salutation, date: `front_matter.txt`) are kept.
- The **tail** starts at a related-links / share / print / editor line (`page_tail.txt`) in
  the last part of the document; it and everything after it go.
- In the **body**, chrome lines (captions, widgets) go, and jump marks and footnote markers
  inside sentences (`inline_noise.txt`) are cut out; a repeat of the title line goes too.
- Lines broken by page markup (a lone 「（」, a bold run or a subscript on its own line) are
  joined back to their sentence.

Front-matter lines keep their text with style FRONT, so the heading grammar files them under
the preamble. Nothing else is dropped; every dropped line is returned for `show`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant import lexicon
from assistant.ingest.headings import parse_heading
from assistant.models import Line

FRONT = "front"  # Line.style of a kept front-matter line (subtitle, speaker, salutation, date)
SENTENCE_MARKS = "，。；！？"
END_MARKS = "。！？；：:!?;…"
# A body line: this long with sentence punctuation (shorter ones are titles, labels, widgets).
MIN_BODY_CHARS = 30
# A chrome line is short; a longer one with sentence punctuation is content.
MAX_CHROME_CHARS = 60
# The tail is looked for in the last part of the document only: after this share of its
# characters (of its text, not of its lines: a body run into one line is one line of many).
TAIL_FROM = 0.5
# A line this short, inside a sentence the line before left open, is a markup fragment.
MAX_FRAGMENT_CHARS = 6
TITLE_WORDS = re.compile(r"报告|总结|计划|要点|讲话|述职|汇报|打算|安排|方案|意见|致辞|发言|规划|思路|通知")
OPENERS = "（(【[“‘《"
TITLE_END = re.compile(r"(报告|总结|计划|要点|讲话|汇报|打算|安排|方案|思路|规划)$")
SUBTITLE_END = re.compile(r"(会议|大会|会)上[)）]?$")
# An occasion line's opening: its date, then 在 (「2024年1月11日在南开区第十八届」), bracketed or not.
OCCASION_START = re.compile(r"^[（(]?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*在")
# The end of a title line continued on the next: a connective no title ends with.
OPEN_TITLE = re.compile(r"(?:和|及|与|暨|以及|关于)$")


@dataclass
class Cleaned:
    """The lines with chrome blanked (positions kept), and what was dropped, in order."""

    lines: list[Line]
    dropped: list[str] = field(default_factory=list)


def front_kind(text: str) -> str:
    """Which kind of front matter a line is (subtitle, speaker, salutation, date), or ""."""
    return next((kind for kind, p in lexicon.keyed_patterns("front_matter.txt") if p.search(text)), "")


def is_chrome(text: str) -> bool:
    """A page-chrome line: short, and shaped like a widget, breadcrumb, byline or caption."""
    if len(text) > MAX_CHROME_CHARS and not text.endswith("摄"):
        return False
    return any(p.search(text) for p in lexicon.patterns("page_chrome.txt"))


def is_body(text: str) -> bool:
    """A line of the report's body proper: a sentence paragraph or a numbered heading."""
    if is_chrome(text) or front_kind(text):
        return False
    if parse_heading(text) is not None:
        return True
    return len(text) >= MIN_BODY_CHARS and any(m in text for m in SENTENCE_MARKS)


def cut_inline(text: str) -> str:
    """The line without jump marks (（下转第四版）) and in-sentence footnote markers (［1］)."""
    for pattern in lexicon.patterns("inline_noise.txt"):
        text = pattern.sub("", text)
    return text


def _open(text: str) -> bool:
    """Whether a line leaves its sentence open: no closing punctuation at its end, and not a
    title (no sentence punctuation, ending in a report's kind: 「市应急管理局2024年工作要点」
    above a document site's 「VIP专免」 is complete)."""
    if not text or text[-1] in END_MARKS or parse_heading(text) is not None:
        return False
    return _sentence(text) or not TITLE_END.search(text)


def rejoin(lines: list[Line]) -> list[Line]:
    """Join lines that page markup broke out of their sentence: a lone opening bracket, and a
    short fragment (a bold run, a subscript) between two parts of one open sentence. An
    occasion line (「…在…会议上」) is complete: what follows it is a line of its own."""
    out: list[Line] = []
    last: int | None = None  # index in `out` of the last line with text
    joining = False  # the last kept line absorbed a fragment and its sentence is still open
    for line in lines:
        text = line.text
        prev = out[last].text if last is not None else ""
        fragment = (0 < len(text) <= MAX_FRAGMENT_CHARS and parse_heading(text) is None
                    and text[-1] not in END_MARKS and not front_kind(text))
        glue = (bool(text and prev) and not is_chrome(prev) and not is_chrome(text)
                and not SUBTITLE_END.search(prev)) and (
            prev in OPENERS
            or (fragment and _open(prev) and len(prev) > MAX_FRAGMENT_CHARS)
            or (joining and _open(prev) and parse_heading(text) is None)
        )
        if glue:
            out[last] = replace(out[last], text=prev + text)
            out.append(replace(line, text=""))
            joining = fragment or (joining and _open(prev + text))
            continue
        joining = False
        if text:
            last = len(out)
        out.append(line)
    return out


def _join_subtitle(lines: list[Line]) -> list[Line]:
    """Two-line title matter joined: an occasion line continued on the next line (「——…在XX省
    第十四届」, 「2024年1月11日在南开区第十八届」 + 「人民代表大会第五次会议上」), and a title
    line that ends in a connective (「…预算执行情况和」 + 「2024年预算草案的报告」: a title never
    ends in 和/及/与/暨/关于)."""
    out = list(lines)
    filled = [i for i, ln in enumerate(out) if ln.text]
    for a, b in zip(filled, filled[1:], strict=False):
        first, second = out[a].text, out[b].text
        if not first or len(second) >= MAX_CHROME_CHARS or _sentence(second):
            continue
        occasion = (first.startswith(("——", "――")) or OCCASION_START.match(first)) and _open(first)
        joined = (occasion and SUBTITLE_END.search(second) and len(second) < 30) or (
            OPEN_TITLE.search(first) and len(first) <= MAX_CHROME_CHARS and not _sentence(first)
            and TITLE_WORDS.search(second) and parse_heading(second) is None)
        if joined:
            out[a] = replace(out[a], text=first + second)
            out[b] = replace(out[b], text="")
    return out


def _sentence(text: str) -> bool:
    """Whether a line holds sentence punctuation (a title or an occasion line has none)."""
    return any(m in text for m in SENTENCE_MARKS)


def _title_at(texts: list[str], head_end: int) -> int | None:
    """The head line that is the report's own title: a title-shaped line, the last one before
    the front matter (a page headline above the report's own title loses)."""
    front = next((i for i in range(head_end) if texts[i] and front_kind(texts[i])), head_end)
    candidates = [i for i in range(front) if texts[i] and len(texts[i]) <= MAX_CHROME_CHARS
                  and "。" not in texts[i] and TITLE_WORDS.search(texts[i]) and not is_chrome(texts[i])]
    if candidates:
        return candidates[-1]
    return next((i for i in range(front) if texts[i] and not is_chrome(texts[i])), None)


def _tail_start(texts: list[str]) -> int:
    """Index where the page's tail begins (len(texts) when there is none)."""
    total, seen, start = sum(map(len, texts)), 0, len(texts)
    for i, t in enumerate(texts):
        seen += len(t)
        if t and seen > total * TAIL_FROM:
            start = i
            break
    tail = lexicon.patterns("page_tail.txt")
    for i in range(start, len(texts)):
        if texts[i] and len(texts[i]) <= MAX_CHROME_CHARS and any(p.search(texts[i]) for p in tail):
            return i
    return len(texts)


def strip_chrome(lines: list[Line], head: bool = True) -> Cleaned:
    """Blank the page chrome of one document's lines (see the module docstring); `head=False`
    leaves the head as it is (a compilation's 目录 is not chrome)."""
    lines = rejoin(_join_subtitle([replace(ln, text=cut_inline(ln.text).strip()) for ln in lines]))
    texts = [ln.text for ln in lines]
    drop: set[int] = set()
    front: set[int] = set()
    tail = _tail_start(texts)
    drop |= {i for i in range(tail, len(texts)) if texts[i]}
    body = next((i for i in range(tail) if texts[i] and is_body(texts[i])), tail)
    title = None
    if head:
        title = _title_at(texts, body)
        chrome_head = any(texts[i] and is_chrome(texts[i]) for i in range(body))
        for i in range(body):
            if not texts[i] or i == title:
                continue
            if front_kind(texts[i]) and (title is None or i > title):
                front.add(i)
            elif chrome_head:
                drop.add(i)
    for i in range(body, tail):
        text = texts[i]
        if text and (is_chrome(text) or (title is not None and text == texts[title])):
            drop.add(i)
    out = [replace(line, text="") if i in drop else replace(line, style=FRONT) if i in front
           else line for i, line in enumerate(lines)]
    return Cleaned(lines=out, dropped=[texts[i] for i in sorted(drop)])
