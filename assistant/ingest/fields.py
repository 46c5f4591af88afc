"""The metadata fields a government information-disclosure page (政务公开) prints above the
report: 标题：/发布机构：/发布时间：/索引号：/文号：/栏目：, as lines, several to a line, or table
rows, and a 「====正文====」 divider. They are read as metadata hints (the title, the issuing
unit), taken out of the text, and never become the report's title or sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from assistant import lexicon
from assistant.models import Line

# Fields are printed above the body: only this many filled lines from the top are read.
HEAD_LINES = 40
# A field line is short: the longest seen hold four label–value pairs (~110 characters).
MAX_FIELD_LINE_CHARS = 160
SEPARATOR = r"\s*(?:[:：|｜\t]|\s{2,})\s*"
# A bracketed label left with no value at a row's end (「… | [ 有效性 ]」)
EMPTY_LABEL = re.compile(r"\s*[|｜]?\s*[\[【][^\]】]{1,12}[\]】]$")
DIVIDER = re.compile(r"^[=＝\-—_*]{2,}\s*(?:正文|正\s*文|全文)\s*[=＝\-—_*]{2,}$|^【(?:正文|全文)】$")


@dataclass
class PageFields:
    """The fields a page printed (field → value) and the lines they were read from."""

    values: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.values.get("title", "")

    @property
    def org(self) -> str:
        return self.values.get("org", "")


def _labels() -> dict[str, str]:
    """label → field, longest label first."""
    return _labels_of(lexicon.table("page_fields.txt"))


def _label_pattern() -> re.Pattern[str]:
    return _pattern_of(lexicon.table("page_fields.txt"))


@cache
def _labels_of(rows: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    """The label map of these rows, made once per lexicon contents (callers must not modify it)."""
    pairs = [(label, name) for name, labels in rows for label in labels]
    return dict(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


@cache
def _pattern_of(rows: tuple[tuple[str, tuple[str, ...]], ...]) -> re.Pattern[str]:
    """Any label, as pages print them: spaced out to a column's width (「索 引 号」, 「标 题」),
    or in brackets (「[ 索引号 ]」, 「【发布机构】」)."""
    labels = "|".join(r"\s*".join(map(re.escape, label)) for label in _labels_of(rows))
    return re.compile(rf"(?:^|(?<=\s)|(?<=[|｜]))(?:[\[【]\s*)?(?P<label>{labels})(?:\s*[\]】])?{SEPARATOR}")


def read_line(text: str) -> dict[str, str] | None:
    """The fields of one line made only of label–value pairs (None for any other line)."""
    text = text.strip().rstrip("|｜ ")
    if not text or len(text) > MAX_FIELD_LINE_CHARS:
        return None
    if text in lexicon.words("page_fields.txt", "header"):
        return {}
    found = list(_label_pattern().finditer(text))
    if not found or found[0].start() != 0:
        return None
    labels, values = _labels(), {}
    for m, nxt in zip(found, [*found[1:], None], strict=True):
        value = EMPTY_LABEL.sub("", text[m.end(): nxt.start() if nxt else len(text)]).strip(" |｜\t")
        values.setdefault(labels[re.sub(r"\s+", "", m.group("label"))], value)
    return values


def read_fields(lines: list[Line]) -> tuple[list[Line], PageFields]:
    """The lines with the page's field lines and divider blanked (positions kept), and the
    fields; the title field takes the place of the first field line when no line holds it."""
    fields = PageFields()
    out = list(lines)
    filled = [i for i, ln in enumerate(out) if ln.text.strip()][:HEAD_LINES]
    first = None
    for i in filled:
        text = out[i].text.strip()
        values = read_line(text) if not DIVIDER.match(text) else {}
        if values is None:
            continue
        fields.values.update({k: v for k, v in values.items() if v and k not in fields.values})
        fields.lines.append(text)
        out[i] = replace(out[i], text="")
        first = i if first is None else first
    title = fields.title
    squashed = re.sub(r"\s+", "", title)
    if title and first is not None and not any(re.sub(r"\s+", "", ln.text) == squashed for ln in out):
        out[first] = replace(out[first], text=title)
    return out, fields
