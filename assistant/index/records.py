"""What the store holds, as plain records: a file's change, a report's summary, and the
JSON and row forms of sections, reports and chunks."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.models import Chunk, Report, Section

SECTION_FIELDS = ("heading", "level", "role", "path", "text", "items", "marker")


@dataclass
class FileChange:
    """A new or changed file and the reports parsed from it; replaces its previous reports,
    and those of the files in `replaces` (earlier uploads of the same user file name)."""

    path: str
    content_hash: str
    encoding: str
    reports: list[Report] = field(default_factory=list)
    upload_name: str = ""  # the user's file name of an app upload ("" for a file on disk)
    replaces: list[str] = field(default_factory=list)


@dataclass
class ReportSummary:
    """A report without its section tree, with its section (all headings) and chunk counts."""

    report: Report
    sections: int
    chunks: int

    def to_dict(self) -> dict:
        """The `reports --json` object of DESIGN.md (with `ocr`, the OCR confidence, and the
        library)."""
        keys = ("id", "title", "org", "level", "department", "period", "kind", "source", "library")
        ocr = self.report.ocr
        return {**{k: getattr(self.report, k) for k in keys}, "sections": self.sections,
                "chunks": self.chunks, "ocr": ocr is not None,
                **({"ocr_confidence": ocr.confidence} if ocr else {})}


def section_to_dict(section: Section) -> dict:
    """A Section tree as JSON-ready dicts: every field, children recursively."""
    return asdict(section)


def section_from_dict(d: dict) -> Section:
    """Inverse of section_to_dict (unknown keys ignored, missing ones defaulted)."""
    known = {k: v for k, v in d.items() if k in SECTION_FIELDS}
    return Section(**known, children=[section_from_dict(c) for c in d.get("children", [])],
                   span=tuple(d.get("span", (0, 0))))


def report_to_dict(report: Report) -> dict:
    """A full Report with its section tree as JSON-ready dicts (what `show --json` prints)."""
    return asdict(report)


def resolve_path(path: str | Path) -> str:
    """The absolute, resolved form under which paths are stored."""
    try:
        return str(Path(path).expanduser().resolve())
    except (RuntimeError, OSError):  # a symlink loop: the path as given, made absolute
        return str(Path(path).expanduser().absolute())


def chunk_row(report_id: str, ord_: int, c: Chunk) -> tuple:
    """The stored columns of one chunk, in table order."""
    return (c.id, report_id, ord_, json.dumps(c.section_path, ensure_ascii=False), c.text,
            c.span[0], c.span[1], c.role, int(c.heading_only))
