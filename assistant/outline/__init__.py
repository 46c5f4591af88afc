"""Draft outlines from example reports: parse the request, choose examples, align their
headings, write the outline with every heading traced to the example sections behind it."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.llm import llm_config
from assistant.errors import AssistantError
from assistant.models import Outline, Report
from assistant.outline.examples import Example, choose_examples, shortlist
from assistant.outline.polish import polish
from assistant.outline.request import OutlineRequest, parse_request
from assistant.outline.similarity import Similarity, bigram_jaccard
from assistant.outline.skeleton import skeletons
from assistant.outline.synthesize import build_outline

DEFAULT_EXAMPLES = 4  # example reports an outline is drawn from
# Reports of a library whose section trees an outline reads (the best fits, judged on the trees
# their passages outline; the rest are not read): at 10,000 reports reading every tree took 40 s.
SHORTLIST = 200
MAX_REQUEST_CHARS = 500  # a request is a title and a few focus words; the rest is ignored


def make_outline(
    request_text: str,
    reports: Sequence[Report],
    pinned: Sequence[str] = (),
    excluded: Sequence[str] = (),
    similarity: Similarity | None = None,
    k: int = DEFAULT_EXAMPLES,
) -> tuple[Outline, list[Example]]:
    """The draft outline for a free-text request, and the examples it was drawn from."""
    request = parse_request(request_text)
    examples = choose_examples(request, reports, k, pinned, excluded, similarity)
    outline = build_outline(request, examples, similarity)
    used = set(outline.examples)
    return outline, [e for e in examples if e.report.id in used]


class OutlineError(AssistantError):
    exit_code = 2  # an unusable request is a usage error
    """A request that cannot be outlined (empty, no library, unknown example id); one line."""


def library_reports(index, ids: Sequence[str] | None = None) -> list[Report]:
    """Every report of an index (or those of `ids`) with its section tree, in library order."""
    store = index.store
    wanted = [s.report.id for s in store.list_reports()] if ids is None else ids
    return [r for rid in wanted if (r := store.get_report(rid)) is not None]


def library_skeletons(index) -> dict[str, Report]:
    """Every report of an index (as its caller sees it) as its passages outline it
    (outline/skeleton.py), by id; made once per library change (4.5 s for 10,000 reports)."""
    derived = index.derived()
    return derived.memo("skeletons", lambda: {r.id: r for r in skeletons(
        [s.report for s in derived.reports.values()], derived.chunks)})


def _resolve(index, ids: Sequence[str]) -> list[str]:
    """Full report ids for ids or unique prefixes; an unknown one is an OutlineError."""
    resolved = []
    for given in ids:
        full = index.store.resolve_id(given)
        if full is None:
            raise OutlineError(f"没有编号为 {given!r} 的报告：请在「资料库」中核对编号")
        resolved.append(full)
    return resolved


def outline_for_index(
    index, request_text: str, pinned: Sequence[str] = (), excluded: Sequence[str] = ()
) -> tuple[Outline, list[Example]]:
    """make_outline over all reports of an index, LLM-polished when an LLM is configured (the
    CLI's and the app's entry point)."""
    if not request_text.strip(" \t\r\n，。,.？?！!"):
        raise OutlineError("提纲要求为空：请写明要写的报告，例如「县民政局2024年工作计划」")
    listed = [s.report for s in index.store.list_reports()]
    if not listed:
        raise OutlineError("资料库中还没有报告：请先在「资料库」中上传范文")
    text, pins, dropped = request_text[:MAX_REQUEST_CHARS], _resolve(index, pinned), _resolve(
        index, excluded)
    dropped_ids = set(dropped)
    kept = [r for r in listed if r.id not in dropped_ids]
    if len(kept) > SHORTLIST:  # judged on the trees their passages outline, then read
        outlined = library_skeletons(index)
        kept = [outlined[r.id] for r in kept if r.id in outlined]
    ids = shortlist(parse_request(text), kept, SHORTLIST, DEFAULT_EXAMPLES, pins)
    outline, examples = make_outline(text, library_reports(index, ids), pins, dropped)
    config = llm_config()
    return (polish(outline, request_text, config) if config else outline), examples


__all__ = [
    "Example",
    "OutlineError",
    "OutlineRequest",
    "Similarity",
    "bigram_jaccard",
    "build_outline",
    "choose_examples",
    "library_reports",
    "make_outline",
    "outline_for_index",
    "parse_request",
]
