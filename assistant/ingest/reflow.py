"""Line breaks that are not the report's: headings run into long lines are split back out
(`reflow`: text copied from a CMS page often holds a whole report on one or a few lines,
「…成效明显。二、存在的问题（一）…」), print lines are joined back into paragraphs (`unwrap`:
text copied from a PDF or a document site keeps a line break every ~25 characters), and a
document site's preview pages back into one text (`join_pages`: 「1、…长安镇20」「2、23年…」).

A numbered marker inside a long line opens a new line when it stands where headings stand and
its numbering continues the sequence the report is in: 一、 after the last 一、-rank number (or
a first 一、), （一） and 1. restarting under each higher heading. 一、 and 1. must follow a
sentence end (or, for the first 一、, the line's opening words); （一） and （1） are marks of
their own and need no boundary. Lines of ordinary length are left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from assistant.ingest.headings import (
    CN_NUM,
    MAX_STANDALONE_HEADING_CHARS,
    RANK_CN,
    RANK_CN_PAREN,
    RANK_DIGIT,
    RANK_DIGIT_PAREN,
    fold,
    parse_heading,
)
from assistant.models import Line

# A line at least this long may hold run-in headings (a short county report run into one line
# has ~500 characters); with the in-sequence rule below, the sample and web reports' long
# paragraphs (up to 1,121 characters) hold none, and their trees are unchanged.
MIN_RUN_IN_CHARS = 200
# The fewest accepted markers (of rank 一、 or （一）) that make a long line a run-in line.
MIN_MARKERS = 2
# The first 一、 of a line may follow its opening words (a title run into the body) this closely.
FIRST_MARKER_WINDOW = 60
BOUNDARY = "。！？!?；;：:"
PARAGRAPH_GAP = re.compile(r"[\s\u3000]+")
NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
MARKER = re.compile(
    rf"(?P<cn>[{CN_NUM}]{{1,3}})、|\((?P<cnp>[{CN_NUM}]{{1,3}})\)|(?<![\d.])(?P<dg>\d{{1,2}})[.、](?![\d%])"
    r"|\((?P<dgp>\d{1,2})\)"
)
RANKS = {"cn": RANK_CN, "cnp": RANK_CN_PAREN, "dg": RANK_DIGIT, "dgp": RANK_DIGIT_PAREN}
NEEDS_BOUNDARY = {RANK_CN, RANK_DIGIT}
# A document keeps its print lines when at least WRAPPED_SHARE of its lines of MIN_WRAP_CHARS
# or more (and at least MIN_WRAPPED_LINES of them) have one width, give or take WRAP_TOLERANCE
# characters. Measured: the two hard-wrapped local pages (a 述职 from a PDF, a 工作要点 from a
# document site) 0.83 and 0.57; next, pages of short headings and list items (0.53, 0.52: no
# line of theirs runs on, see _runs_on); every sample and web report 0.16 or less.
MIN_WRAP_CHARS = 15
MIN_WRAPPED_LINES = 8
WRAPPED_SHARE = 0.5
WRAP_TOLERANCE = 2
SENTENCE_END = "。！？；!?;…"
PROSE_MARKS = "，,、：:"
# A document site's preview numbers its pages 1、 2、 3、, one long line each, each cut where the
# page ends, inside a sentence or a word (two sites' pages: a compilation of 镇 reports, a 街道
# summary). A report's own long items 1、 2、 end their sentences.
PAGE_NUMBER = re.compile(r"^(\d{1,3})、")
MIN_PAGE_CHARS = MIN_RUN_IN_CHARS
MIN_PAGES = 2


def _number(text: str) -> int:
    """一 → 1, 十二 → 12, 12 → 12 (0 when unreadable)."""
    if text.isdigit():
        return int(text)
    if len(text) == 1:
        return NUMERALS.get(text, 0)
    if text.startswith("十"):
        return 10 + NUMERALS.get(text[1:], 0)
    if len(text) == 2 and text.endswith("十"):
        return NUMERALS.get(text[0], 0) * 10
    return NUMERALS.get(text[0], 0) * 10 + NUMERALS.get(text[-1], 0) if len(text) == 3 else 0


class _Sequence:
    """The number each rank expects next; a heading resets the ranks below it."""

    def __init__(self) -> None:
        self.expected = {rank: 1 for rank in RANKS.values()}

    def accepts(self, rank: float, number: int) -> bool:
        return number == self.expected[rank]

    def take(self, rank: float, number: int) -> None:
        self.expected[rank] = number + 1
        for lower in self.expected:
            if lower > rank:
                self.expected[lower] = 1


def _cuts(text: str, seq: _Sequence) -> list[tuple[int, float]]:
    """Where the line's run-in headings start, with their ranks, in order (advancing `seq`)."""
    folded = fold(text)
    cuts = []
    for m in MARKER.finditer(folded):
        kind = m.lastgroup
        rank, number = RANKS[kind], _number(m.group(kind))
        if not folded[: m.start()].strip() or not seq.accepts(rank, number):
            continue
        before = folded[: m.start()].rstrip()[-1:]
        first_cn = rank == RANK_CN and number == 1 and m.start() <= FIRST_MARKER_WINDOW
        if rank in NEEDS_BOUNDARY and before not in BOUNDARY and not first_cn:
            continue
        seq.take(rank, number)
        cuts.append((m.start(), rank))
    return cuts


def _start(seq: _Sequence, text: str) -> None:
    """Advance the sequence by the heading a line opens with, if any."""
    heading = parse_heading(text)
    m = MARKER.match(fold(text.strip())) if heading else None
    if m and RANKS[m.lastgroup] == heading.rank:
        seq.take(heading.rank, _number(m.group(m.lastgroup)))


def reflow(lines: list[Line]) -> list[Line]:
    """The lines with every run-in heading of a long line moved to a line of its own."""
    seq, out = _Sequence(), []
    for line in lines:
        _start(seq, line.text)
        if len(line.text) < MIN_RUN_IN_CHARS or line.style == "table":
            out.append(line)
            continue
        trial = _Sequence()
        trial.expected = dict(seq.expected)
        cuts = _cuts(line.text, trial)
        if sum(rank in (RANK_CN, RANK_CN_PAREN) for _, rank in cuts) < MIN_MARKERS:
            out.append(line)
            continue
        seq = trial
        bounds = [0, *(pos for pos, _ in cuts), len(line.text)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            out += [Line(part, line.number, line.style) for part in _heading_apart(line.text[a:b])]
    return out


def _heading_apart(segment: str) -> list[str]:
    """A run-in segment as its heading line and its body, where a space (what is left of the
    page's paragraph break) ends the heading soon after its marker; else the segment whole."""
    segment = segment.strip()
    gap = PARAGRAPH_GAP.search(segment, 0, MAX_STANDALONE_HEADING_CHARS)
    if parse_heading(segment) and gap and not any(ch in BOUNDARY for ch in segment[: gap.start()]):
        return [segment[: gap.start()], segment[gap.end():].strip()]
    return [segment] if segment else []


def join_pages(lines: list[Line]) -> list[Line]:
    """A document site's numbered preview pages joined into one line, their numbers dropped
    (the lines unchanged when any filled line is no such page); positions are kept."""
    filled = [ln for ln in lines if ln.text]
    numbers = [m and int(m.group(1)) for m in (PAGE_NUMBER.match(ln.text) for ln in filled)]
    if len(filled) < MIN_PAGES or numbers != list(range(1, len(filled) + 1)):
        return lines
    if any(len(ln.text) < MIN_PAGE_CHARS or ln.text[-1] in SENTENCE_END for ln in filled[:-1]):
        return lines
    text = "".join(PAGE_NUMBER.sub("", ln.text) for ln in filled)
    first = filled[0]
    return [replace(first, text=text) if ln is first else replace(ln, text="") for ln in lines]


def _wrap_width(lines: list[Line]) -> int | None:
    """The print width of a hard-wrapped document (None when its lines are paragraphs)."""
    lengths = [len(ln.text) for ln in lines if len(ln.text) >= MIN_WRAP_CHARS]
    if len(lengths) < MIN_WRAPPED_LINES:
        return None
    counts = Counter(lengths)
    width, held = max(((w, sum(counts[x] for x in range(w - WRAP_TOLERANCE, w + WRAP_TOLERANCE + 1)))
                       for w in counts), key=lambda pair: (pair[1], -pair[0]))
    return width if held >= WRAPPED_SHARE * len(lengths) else None


def _runs_on(tail: str, line: Line, width: int) -> bool:
    """Whether `line` continues the paragraph whose last print line is `tail`: that line is
    prose at full width left open, and this one is no heading — neither numbered nor a short
    topic line without punctuation (「主要目标」); a title or an occasion line has no comma."""
    text = line.text
    if not text or line.style == "table" or parse_heading(text) is not None:
        return False
    if len(tail) < width - WRAP_TOLERANCE or tail[-1] in SENTENCE_END or not any(
            m in tail for m in PROSE_MARKS):
        return False
    return len(text) >= width - WRAP_TOLERANCE or any(m in text for m in PROSE_MARKS + SENTENCE_END)


def unwrap(lines: list[Line]) -> list[Line]:
    """A hard-wrapped document's print lines joined into paragraphs: a full-width line that
    leaves its sentence open runs on into the next line (not into a heading, nor across a
    blank line); positions are kept (a joined line leaves a blank)."""
    width = _wrap_width(lines)
    if width is None:
        return lines
    out: list[Line] = []
    last: int | None = None  # index in `out` of the paragraph the last print line belongs to
    tail = ""  # that print line
    for line in lines:
        if last is not None and _runs_on(tail, line, width):
            out[last] = replace(out[last], text=out[last].text + line.text)
            out.append(replace(line, text=""))
        else:
            out.append(line)
            last = len(out) - 1 if line.text else None
        tail = line.text
    return out
