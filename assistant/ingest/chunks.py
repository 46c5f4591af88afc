"""Section-aware passages: never across reports, cut at items and sentence ends, ~150–600 chars.

A section whose whole subtree fits in one passage becomes one passage (so a question about the
section finds all of it); a larger one yields its own text in pieces, then its children's, with
runs of tiny sibling sections merged under their parent. A section with children gets an
overview passage listing its sub-headings, so headings themselves are searchable.
"""

from __future__ import annotations

import hashlib
import re

from assistant.ingest.sections import ITEM, find_items
from assistant.models import Chunk, Report, Role, Section

CHUNKER_VERSION = "17"  # bump when parsing or chunk boundaries change: stored files re-parse
MAX_CHARS = 600  # a passage longer than this is split
TARGET_CHARS = 450  # pieces are packed up to about this size
MIN_CHARS = 150  # a smaller tail is merged into its neighbour; smaller siblings are grouped
# A long section's run-in items (一是…二是…) get a passage listing their lead clauses when there
# are at least this many; a lead ends at its first sentence or clause mark, cut at this length.
MIN_ITEMS = 3
MAX_LEAD_CHARS = 40
LEAD_END = re.compile(r"[。；;：:！？]")
SENTENCE = re.compile(r"(?<=[。！？；!?;])")
PATH_SEP = " › "
PREAMBLE_PATH = "引言"


def chunk_id(report_id: str, path: list[str], text: str) -> str:
    """Stable id from the report, section path and passage text."""
    key = "\n".join([report_id, *path, text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def body_start(chunk: Chunk) -> int:
    """Where a passage's body begins: after the section heading it opens with, if any."""
    head = chunk.section_path[-1] if chunk.section_path else ""
    if not head or not chunk.text.startswith(head):
        return 0
    end = len(head)
    while end < len(chunk.text) and chunk.text[end] in "。.\n":
        end += 1
    return end if end < len(chunk.text) else 0


def context_text(chunk: Chunk) -> str:
    """What is embedded and indexed: report title and section path, then the passage (without
    its leading heading, which the path already holds: a heading counts once)."""
    body = chunk.text[body_start(chunk) :]
    return f"{chunk.report_title}\n{PATH_SEP.join(chunk.section_path)}\n{body}"


def _units(text: str) -> list[str]:
    """Paragraphs, cut further at 一是/二是 items and, when still long, at sentence ends."""
    units: list[str] = []
    for paragraph in filter(None, text.split("\n")):
        starts = [0, *(m.start() for m in ITEM.finditer(paragraph) if m.start() > 0)]
        for a, b in zip(starts, [*starts[1:], len(paragraph)], strict=True):
            piece = paragraph[a:b].strip()
            if len(piece) <= MAX_CHARS:
                units.append(piece)
            else:
                units.extend(s for s in SENTENCE.split(piece) if s)
    return [u for u in units if u]


def _pack(units: list[str], sep: str = "\n") -> list[str]:
    """Greedily pack units into pieces of about TARGET_CHARS; a short tail joins the previous."""
    pieces: list[str] = []
    current = ""
    for unit in units:
        joined = f"{current}{sep}{unit}" if current else unit
        if current and len(joined) > TARGET_CHARS:
            pieces.append(current)
            current = unit
        else:
            current = joined
    if current:
        if pieces and len(current) < MIN_CHARS and len(pieces[-1]) + len(current) <= MAX_CHARS:
            pieces[-1] = f"{pieces[-1]}{sep}{current}"
        else:
            pieces.append(current)
    return pieces


def headed(section: Section, body: str) -> str:
    """A section's body under its heading as written in the source: an inline heading runs
    on into its body; a heading line of its own comes first."""
    if section.line:
        return f"{section.line}{body}"
    head = f"{section.marker}{section.heading}"
    return f"{head}\n{body}" if body else head


def render(section: Section) -> str:
    """A section's subtree as text: each descendant's heading line, then its body."""
    lines = [section.text] if section.text else []
    lines += [headed(child, render(child)) for child in section.children]
    return "\n".join(lines)


def _own_heading(section: Section, body: str) -> str:
    """The section's first passage starts with its heading when the source has one (numbered
    or inline), so the passage reads, and quotes, as the document does."""
    return headed(section, body) if section.line or section.marker else body


def _overview(section: Section) -> str:
    """The sub-headings of a section, as one line each; a lone sub-heading that only leads in
    to the items (「具体抓好9个方面工作」 over （一）…（九）) is followed by the items' headings."""
    lines = [f"{c.marker}{c.heading}" for c in section.children]
    if len(section.children) == 1:
        lines += [f"{c.marker}{c.heading}" for c in section.children[0].children]
    return "\n".join(lines)


def _item_leads(section: Section) -> str:
    """The lead clause of each 一是/二是 item of a long section's own text, one a line: the
    list a question about its 「哪几个方面」 asks for when the items are run in, not headed."""
    leads = [LEAD_END.split(item, 1)[0][:MAX_LEAD_CHARS] for item in find_items(section.text)]
    return "\n".join(leads) if len(leads) >= MIN_ITEMS else ""


def _section_chunks(section: Section) -> list[tuple[list[str], str, Section, bool]]:
    """(path, text, section, heading_only) passages of one section's subtree."""
    whole = render(section)
    if len(_own_heading(section, whole)) <= MAX_CHARS:
        return [(section.path, _own_heading(section, whole), section, False)] if whole else []
    pieces = _pack(_units(section.text))
    if pieces:
        pieces[0] = _own_heading(section, pieces[0])
    out = [(section.path, p, section, False) for p in pieces]
    if section.children:
        out.append((section.path, _overview(section), section, True))
    if leads := _item_leads(section):
        out.append((section.path, leads, section, True))
    group: list[Section] = []
    for child in [*section.children, None]:
        size = sum(len(render(c)) + len(c.heading) for c in group)
        if child is not None and len(render(child)) < MIN_CHARS and size + len(render(child)) <= TARGET_CHARS:
            group.append(child)
            continue
        if len(group) == 1:
            out += _section_chunks(group[0])
        elif group:
            text = render(Section(heading="", level=0, children=group))
            out.append((section.path, text, section, False))
        group = []
        if child is not None:
            if len(render(child)) < MIN_CHARS:
                group = [child]
            else:
                out += _section_chunks(child)
    return out


def chunk_report(report: Report) -> list[Chunk]:
    """All passages of a report, in document order."""
    rows: list[tuple[list[str], str, str, tuple[int, int], bool]] = []
    for piece in _pack(_units(report.preamble)):
        rows.append(([PREAMBLE_PATH], piece, Role.OTHER, report.span, False))
    for section in report.sections:
        for path, text, owner, heading_only in _section_chunks(section):
            rows.append((path, text, owner.role, owner.span, heading_only))
    seen: dict[str, int] = {}
    ids = []
    for path, text, *_ in rows:  # a passage repeated in one section (a title or date line
        key = chunk_id(report.id, path, text)  # printed twice) gets its ordinal in the id
        seen[key] = seen.get(key, 0) + 1
        ids.append(key if seen[key] == 1 else chunk_id(report.id, path, f"{text}\0{seen[key]}"))
    return [
        Chunk(
            id=chunk_id_,
            report_id=report.id,
            section_path=list(path),
            text=text,
            span=span,
            report_title=report.label,  # with its unit when the title does not name it
            role=role,
            heading_only=heading_only,
        )
        for chunk_id_, (path, text, role, span, heading_only) in zip(ids, rows, strict=True)
    ]
