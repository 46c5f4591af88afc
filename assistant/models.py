"""The data model shared by every step: plain dataclasses, as fixed by DESIGN.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from assistant import lexicon

UNKNOWN = "unknown"  # a metadata field the document does not reveal (the UI shows 未识别)


class Role(StrEnum):
    """What a top-level section does in its report (DESIGN.md's closed set)."""

    SUMMARY = "summary"  # work done and results (总结/成效/开展情况)
    HIGHLIGHT = "highlight"  # 亮点 / 特色
    PROBLEM = "problem"  # 问题 / 不足
    PLAN = "plan"  # 计划 / 打算 / 思路 / 安排
    OTHER = "other"


class Kind(StrEnum):
    """What a report is: a summary, a plan, or both."""

    SUMMARY = "总结"
    PLAN = "计划"
    BOTH = "总结+计划"


ROLES = tuple(Role)
LEVELS = ("乡", "镇", "街道", "县", "区", "市", "省", UNKNOWN)
KINDS = (*Kind, UNKNOWN)


@dataclass
class Line:
    """One line of a loaded file: its text and its 1-based line number in the source."""

    text: str
    number: int
    style: str = ""  # Word paragraph style name ("Heading 1" …) or "table" for docx rows


@dataclass
class OcrSummary:
    """How the text of a file read by OCR came about: pages recognised, the mean confidence,
    and the lines recognised with low confidence (for the user to check)."""

    pages: int
    confidence: float
    low_lines: list[str] = field(default_factory=list)


@dataclass
class LoadedFile:
    """A file read into lines, with how it was decoded (and recognised, when it was OCR'd)."""

    path: str
    lines: list[Line]
    encoding: str
    content_hash: str
    ocr: OcrSummary | None = None


@dataclass
class Section:
    """A node of a report's heading tree; `text` is the body directly under the heading."""

    heading: str
    level: int
    role: str = Role.OTHER
    path: list[str] = field(default_factory=list)
    text: str = ""
    children: list[Section] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # 一是/二是… enumerations in the body
    marker: str = ""  # the numbering as written: "一、", "（一）", "1." … ("" for topic lines)
    line: str = ""  # an inline heading as written, up to where its body starts ("（一）标题。")
    span: tuple[int, int] = (0, 0)  # first and last source line

    def walk(self):
        """Yield this section and all its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def report_label(title: str, org: str) -> str:
    """A report's title with its unit beside it when the title is generic — only kind and
    period words (three provinces' reports are all titled 「政府工作报告」): what passages carry
    and lists show. A title that names anything else keeps its own words."""
    if org == UNKNOWN or org in title:
        return title
    rest = title
    for pattern in lexicon.patterns("generic_title.txt"):
        rest = pattern.sub("", rest)
    return f"{title}（{org}）" if not rest else title


# The library a report belongs to when none is named: every report of a library made before
# libraries existed, and every ingest without --library.
DEFAULT_LIBRARY = "公共"


@dataclass
class Report:
    """One individual report (a compilation holds several)."""

    id: str
    title: str
    org: str = UNKNOWN
    level: str = UNKNOWN
    department: str = UNKNOWN
    period: str = UNKNOWN
    kind: str = UNKNOWN
    source: list[str] = field(default_factory=list)
    span: tuple[int, int] = (0, 0)
    sections: list[Section] = field(default_factory=list)
    preamble: str = ""  # body text before the first heading
    signoff: str = ""  # closing unit name + date, kept as metadata
    chrome: list[str] = field(default_factory=list)  # page chrome lines dropped (shown by show)
    ocr: OcrSummary | None = None  # set when the report's file was read by OCR
    library: str = DEFAULT_LIBRARY  # the department library it belongs to (who may read it)

    def walk(self):
        """Yield every section of the report, depth first."""
        for section in self.sections:
            yield from section.walk()

    @property
    def label(self) -> str:
        """The title as lists show it: with the unit when the title does not name it."""
        return report_label(self.title, self.org)


@dataclass(slots=True)  # no attribute dict: 253 -> 239 MiB for 230k passages
class Chunk:
    """A passage of one report's section, the unit of retrieval."""

    id: str
    report_id: str
    section_path: list[str]
    text: str
    span: tuple[int, int] = (0, 0)
    report_title: str = ""
    role: str = Role.OTHER
    heading_only: bool = False


@dataclass
class Filters:
    """Metadata constraints on passages; empty tuples mean "any"."""

    level: tuple[str, ...] = ()
    department: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    period: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    report_ids: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not any(vars(self).values())


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the per-retriever ranks behind it."""

    chunk: Chunk
    score: float
    sources: dict[str, int] = field(default_factory=dict)


@dataclass
class Citation:
    """A numbered reference from an answer to one retrieved passage."""

    n: int
    hit: Hit
    quotes: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # offsets of quotes in chunk text


@dataclass
class Answer:
    """An answer text whose [n] marks resolve to `citations`."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    notice: str = ""


@dataclass
class OutlineSource:
    report_id: str
    report_title: str
    section_path: list[str]


@dataclass
class OutlineNode:
    heading: str
    level: int
    sources: list[OutlineSource] = field(default_factory=list)
    points: list[tuple[str, OutlineSource]] = field(default_factory=list)
    note: str = ""  # shown under the heading: e.g. that no example has this part


@dataclass
class Outline:
    title: str
    nodes: list[OutlineNode] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
