"""From a loaded file to its reports: clean → split → sections → metadata, with stable ids."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from assistant.ingest.chrome import strip_chrome
from assistant.ingest.clean import clean_lines
from assistant.ingest.fields import read_fields
from assistant.ingest.metadata import extract_metadata
from assistant.ingest.reflow import join_pages, reflow, unwrap
from assistant.ingest.sections import build_sections, split_signoff
from assistant.ingest.split import ReportBlock, compilation_toc, split_reports
from assistant.models import DEFAULT_LIBRARY, UNKNOWN, Kind, LoadedFile, Report, Role

ID_CHARS = 16  # hex characters of the content fingerprint used as a report id


def report_id(title: str, body: str) -> str:
    """Stable id: a fingerprint of the title and body with all whitespace removed."""
    squashed = re.sub(r"\s+", "", title + "\n" + body)
    return hashlib.sha256(squashed.encode("utf-8")).hexdigest()[:ID_CHARS]


def in_library(rid: str, library: str) -> str:
    """A report's id in a library: its content id in the default library (ids made before
    libraries existed stay), else salted with the library, so the same file in two libraries is
    two reports, each readable only by its own library's users."""
    if library == DEFAULT_LIBRARY:
        return rid
    return hashlib.sha256(f"{library}\0{rid}".encode()).hexdigest()[:ID_CHARS]


def kind_from_parts(kind: str, roles: set[str]) -> str:
    """A title that names no kind (a 讲话, a 述职 without 报告) takes the kind of its parts; a
    title that names one keeps it (a 总结 with a short 下一步打算 part is still a 总结)."""
    if kind == UNKNOWN and Role.PLAN in roles:
        return Kind.BOTH if Role.SUMMARY in roles else Kind.PLAN
    if kind == UNKNOWN and Role.SUMMARY in roles:
        return Kind.SUMMARY
    return kind


def parse_block(block: ReportBlock, unit_hint: str = "") -> Report:
    """One report from its block of cleaned lines (title line first); `unit_hint` is the unit
    its page names as the issuer (发布机构), if any."""
    body_lines, signoff = split_signoff(block.lines[1:])
    body = "\n".join(ln.text for ln in body_lines if ln.text)
    meta = extract_metadata(block.title, f"{signoff}\n{body}", unit_hint)
    if signoff and meta.org == UNKNOWN:
        meta = extract_metadata(signoff.split(" ")[0] + block.title, body, unit_hint)
    preamble, sections = build_sections(body_lines, meta.summary_year, meta.kind)
    kind = kind_from_parts(meta.kind, {s.role for s in sections})
    last = max((ln.number for ln in block.lines if ln.text), default=block.lines[0].number)
    return Report(
        id=report_id(block.title, body),
        title=block.title,
        org=meta.org,
        level=meta.level,
        department=meta.department,
        period=meta.period,
        kind=kind,
        span=(block.lines[0].number, last),
        sections=sections,
        preamble=preamble,
        signoff=signoff,
    )


def parse_file(loaded: LoadedFile) -> list[Report]:
    """All reports of a loaded file, in file order."""
    lines, fields = read_fields(clean_lines(loaded.lines))
    lines = unwrap(join_pages(lines))
    cleaned = strip_chrome(lines, head=compilation_toc(lines) is None)
    blocks = split_reports(reflow(cleaned.lines), fallback_title=Path(loaded.path).stem)
    # a page's fields are about its one report (a compilation has none)
    hint = fields.org if len(blocks) == 1 else ""
    reports = [parse_block(block, hint) for block in blocks]
    if reports:
        reports[0].chrome = fields.lines + cleaned.dropped
    return reports
