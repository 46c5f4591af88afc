"""From a loaded file to its reports: clean → split → sections → metadata, with stable ids."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from assistant.ingest.chrome import strip_chrome
from assistant.ingest.clean import clean_lines
from assistant.ingest.metadata import extract_metadata
from assistant.ingest.sections import build_sections, split_signoff
from assistant.ingest.split import ReportBlock, find_toc, split_reports
from assistant.models import UNKNOWN, LoadedFile, Report

ID_CHARS = 16  # hex characters of the content fingerprint used as a report id


def report_id(title: str, body: str) -> str:
    """Stable id: a fingerprint of the title and body with all whitespace removed."""
    squashed = re.sub(r"\s+", "", title + "\n" + body)
    return hashlib.sha256(squashed.encode("utf-8")).hexdigest()[:ID_CHARS]


def parse_block(block: ReportBlock) -> Report:
    """One report from its block of cleaned lines (title line first)."""
    body_lines, signoff = split_signoff(block.lines[1:])
    body = "\n".join(ln.text for ln in body_lines if ln.text)
    meta = extract_metadata(block.title, f"{signoff}\n{body}")
    if signoff and meta.org == UNKNOWN:
        meta = extract_metadata(signoff.split(" ")[0] + block.title, body)
    preamble, sections = build_sections(body_lines, meta.summary_year, "总结" in meta.kind)
    last = max((ln.number for ln in block.lines if ln.text), default=block.lines[0].number)
    return Report(
        id=report_id(block.title, body),
        title=block.title,
        org=meta.org,
        level=meta.level,
        department=meta.department,
        period=meta.period,
        kind=meta.kind,
        span=(block.lines[0].number, last),
        sections=sections,
        preamble=preamble,
        signoff=signoff,
    )


def parse_file(loaded: LoadedFile) -> list[Report]:
    """All reports of a loaded file, in file order."""
    lines = clean_lines(loaded.lines)
    cleaned = strip_chrome(lines, head=find_toc(lines) is None)
    blocks = split_reports(cleaned.lines, fallback_title=Path(loaded.path).stem)
    reports = [parse_block(block) for block in blocks]
    if reports:
        reports[0].chrome = cleaned.dropped
    return reports
