"""Splitting a file into its individual reports.

A compilation (汇编) lists its reports in a table of contents (目录); each entry's title is
then found, in order, as a line of the body. Without a 目录, report titles are found by their
shape (a short line naming a period and a report kind, after a blank line). A file with
neither is a single report. The compilation title and the 目录 itself are not reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.chrome import FRONT, front_kind
from assistant.ingest.headings import fold, parse_heading
from assistant.models import Line

TOC_HEADER = re.compile(r"^(目录|目次)$")
# "3.县财政局2023年工作总结…" / "县财政局…\t12" / "县财政局……12": an entry's number and page.
TOC_NUMBER = re.compile(r"^\d{1,3}\s*[.、]\s*")
TOC_PAGE = re.compile(r"[\s.…·•\-—_]*\d{1,4}$")
COMPILATION = re.compile(r"汇编|[(（]\s*\d+\s*篇\s*[)）]$")
MAX_TITLE_CHARS = 60
# A report's front matter (occasion, speaker) starts within its first lines, if at all.
TITLE_LOOKAHEAD = 4
REPORT_WORD = re.compile(r"总结|计划|报告|要点|打算|安排|汇报|述职|谋划|思路")
PERIOD_WORD = re.compile(r"\d{4}\s*年|上半年|下半年|年度")
# A title's genre written twice at its end (a document site's name of the file before the
# file's own title): 「…述职报告述职报告」.
REPEATED_GENRE = re.compile(r"((?:述职|工作|年度)?(?:报告|总结|计划|要点|汇报))\1$")


@dataclass
class ReportBlock:
    """One report's lines (title line first) as cut from a file."""

    title: str
    lines: list[Line]


def squash(text: str) -> str:
    """Comparable form of a title: width-folded, without spaces."""
    return re.sub(r"\s+", "", fold(text))


def _toc_entry(text: str) -> tuple[str, bool]:
    """An entry's title and whether it carried a number or page (a body title carries none)."""
    title = TOC_NUMBER.sub("", text)
    numbered = title != text
    paged = TOC_PAGE.sub("", title)
    return paged.strip(), numbered or paged != title


def find_toc(lines: list[Line]) -> tuple[int, int, list[str]] | None:
    """Locate the 目录: (header index, index after its last entry, entry titles)."""
    header = next((i for i, ln in enumerate(lines) if TOC_HEADER.match(squash(ln.text))), None)
    if header is None:
        return None
    before = [squash(ln.text) for ln in lines[:header] if ln.text]
    entries: list[str] = []
    end = header + 1
    for i in range(header + 1, len(lines)):
        text = lines[i].text
        if not text:
            continue
        title, decorated = _toc_entry(text)
        if len(title) > MAX_TITLE_CHARS or "。" in title:
            break
        if not decorated and squash(title) in map(squash, entries):
            break  # the body has started: the first report's title line
        end = i + 1
        key = squash(title)
        if TOC_HEADER.match(key) or key in before or COMPILATION.search(title):
            continue
        entries.append(title)
    return (header, end, entries) if entries else None


def _lists_reports(toc: tuple[int, int, list[str]] | None) -> bool:
    """A 目录 lists reports unless every entry is a heading of the document's own (第一部分
    报告, 一、…执行情况表): then it lists the document's parts."""
    return toc is not None and not all(parse_heading(e) for e in toc[2])


def compilation_toc(lines: list[Line]) -> tuple[int, int, list[str]] | None:
    """find_toc's 目录 when it lists reports (None for none, or for a document's own parts)."""
    toc = find_toc(lines)
    return toc if _lists_reports(toc) else None


def _looks_like_title(lines: list[Line], i: int) -> bool:
    """A report title by shape: short, unnumbered, naming a period and a report kind."""
    text = lines[i].text
    if not text or len(text) > MAX_TITLE_CHARS or text[-1] in "。，；：:,;":
        return False
    if parse_heading(text) or COMPILATION.search(text):
        return False
    if not (REPORT_WORD.search(text) and PERIOD_WORD.search(text)):
        return False
    prefix = PERIOD_WORD.split(text)[0]
    full_kind = "总结" in text and ("计划" in text or "打算" in text)
    after_blank = i == 0 or not lines[i - 1].text
    return after_blank and (bool(prefix.strip()) or full_kind)


# An issuing notice's cover (公文: 主送机关, then 「《X》已经…通过，现印发给你们」): the document
# it issues is X, the report that follows; its opening lines are searched for it.
COVER = re.compile(r"《(?P<title>[^《》\n]{4,60})》(?:已经|经)[^。\n]{0,60}?(?:同意|通过)[，,]?\s*现(?:予)?印发给你们")
COVER_CHARS = 300


def cover_title(text: str) -> str:
    """The title of the document an issuing notice's cover issues (「《永嘉县应急管理“十四五”
    规划》已经县政府第72次常务会议审议通过,现印发给你们」), else ""."""
    m = COVER.search(text[:COVER_CHARS])
    return m.group("title").strip() if m else ""


def title_text(line: str) -> str:
    """A title line as the report's title: without what a flattened table row leaves at its
    ends (「… |」), and a genre written twice by a document site once (「述职报告述职报告」)."""
    text = line.strip().strip("|｜").strip()
    return REPEATED_GENRE.sub(r"\1", text)


def _title_shaped(text: str) -> bool:
    """A line that can be a report's title: short, no sentence, naming a report kind."""
    return (len(text) <= MAX_TITLE_CHARS and "。" not in text and bool(REPORT_WORD.search(text))
            and parse_heading(text) is None)


def _cut(lines: list[Line], starts: list[int]) -> list[ReportBlock]:
    """Cut `lines` at the title indexes in `starts`."""
    bounds = [*starts, len(lines)]
    return [
        ReportBlock(title=title_text(lines[s].text), lines=lines[s : bounds[n + 1]])
        for n, s in enumerate(starts)
    ]


def split_reports(lines: list[Line], fallback_title: str = "") -> list[ReportBlock]:
    """Split cleaned lines into report blocks (title line first)."""
    toc = find_toc(lines)
    if toc is not None and not _lists_reports(toc):  # a document's own parts: not its text
        header, end, _ = toc
        lines, toc = [*lines[:header], *lines[end:]], None
    if toc:
        _, end, entries = toc
        starts, pos = [], end
        for entry in entries:
            key = squash(entry)
            found = next((i for i in range(pos, len(lines)) if squash(lines[i].text) == key), None)
            if found is not None:
                starts.append(found)
                pos = found + 1
        if starts:
            return _cut(lines, starts)
    starts = [i for i in range(len(lines)) if _looks_like_title(lines, i)]
    if starts:
        return _cut(lines, starts)
    first = next((i for i, ln in enumerate(lines) if ln.text), None)
    if first is None:
        return []
    filled = [i for i, ln in enumerate(lines) if ln.text]
    opening = lines[first].text
    part = parse_heading(opening)
    if part and part.rank < 1 and len(filled) > 1 and _title_shaped(lines[filled[1]].text):
        first, opening = filled[1], lines[filled[1]].text  # 「第一部分 报告」 above the title
    front = next((i for i in filled[:TITLE_LOOKAHEAD] if lines[i].style == FRONT), None)
    titles = [i for i in filled if front is not None and first <= i < front
              and _title_shaped(lines[i].text)]
    if titles:  # of title-shaped lines above the front matter, the last is the report's own
        first, opening = titles[-1], lines[titles[-1]].text
    # a salutation, a date or a speaker's line (「同志们：」, 「XX区审计局局长 张三」) opens a
    # speech; it is never its title
    if len(opening) <= MAX_TITLE_CHARS and not parse_heading(opening) and front_kind(opening) not in (
            "salutation", "date", "speaker"):
        return _cut(lines, [first])
    title = cover_title(opening) or fallback_title
    title_line = Line(text=title, number=0)
    return [ReportBlock(title=title, lines=[title_line, *lines[first:]])]
