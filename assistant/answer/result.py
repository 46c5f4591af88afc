"""One call from a question to everything shown for it: the answer, its citations as
DESIGN.md's `ask --json` object, and each cited passage's unit and whole section (the card's
context) — so the UI renders a result and never calls back into answering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.answer.compose import answer
from assistant.answer.instructions import holds_instruction
from assistant.answer.query import Filters
from assistant.answer.retrieve import hit_to_dict
from assistant.index.index import Index
from assistant.ingest.chunks import headed, render
from assistant.models import Answer, Citation, Report, Section


@dataclass
class CitedContext:
    """What a citation card shows besides the citation: the report's unit and whole section."""

    org: str = ""
    section: str = ""


@dataclass
class AnswerResult:
    """An answer ready to show: `data` is the `ask --json` object, `contexts` one per citation."""

    answer: Answer
    data: dict
    contexts: list[CitedContext] = field(default_factory=list)


def find_section(report: Report, path: list[str]) -> Section | None:
    """The section of `report` at `path` (None for the preamble or an unknown path)."""
    sections, found = report.sections, None
    for heading in path:
        found = next((s for s in sections if s.path and s.path[-1] == heading), None)
        if found is None:
            return None
        sections = found.children
    return found


def section_text(section: Section) -> str:
    """A section's whole subtree as plain text: headings as written, then their bodies."""
    return headed(section, render(section))


def citation_dict(index: Index, citation: Citation) -> dict:
    """A citation as DESIGN.md's `ask --json` object: the search fields, n, quotes and spans,
    and whether the passage holds an instruction addressed to an AI assistant (shown as a
    warning on its card)."""
    row = hit_to_dict(index, citation.hit)
    return {"n": citation.n, **row, "quotes": citation.quotes, "spans": [list(s) for s in citation.spans],
            "instruction": holds_instruction(citation.hit.chunk.text)}


def answer_dict(index: Index, result: Answer) -> dict:
    """DESIGN.md's `ask --json` object."""
    return {
        "answer": result.text,
        "citations": [citation_dict(index, c) for c in result.citations],
        "abstained": result.abstained,
        "notice": result.notice,
    }


def shape(index: Index, result: Answer) -> AnswerResult:
    """An Answer with its JSON object and each citation's unit and section context."""
    data = answer_dict(index, result)
    reports = index.derived().reports
    full: dict[str, Report | None] = {}
    contexts = []
    for citation in data["citations"]:
        rid = citation["report_id"]
        if rid not in full:
            full[rid] = index.store.get_report(rid)
        section = find_section(full[rid], citation["section_path"]) if full[rid] else None
        summary = reports.get(rid)
        contexts.append(CitedContext(org=summary.report.org if summary else "",
                                     section=section_text(section) if section else ""))
    return AnswerResult(answer=result, data=data, contexts=contexts)


def ask(
    index: Index,
    question: str,
    filters: Filters | None = None,
    history: list[str] | None = None,
    on_token: Callable[[str], None] | None = None,
) -> AnswerResult:
    """Answer `question` and shape everything shown for it (AssistantError for a bad question)."""
    return shape(index, answer(index, question, filters, history, on_token))
