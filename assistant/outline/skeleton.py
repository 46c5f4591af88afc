"""Reports as their passages outline them: the headings of the passages' section paths as a
tree, with the passages' text and roles. Enough to score a report as an example (its parts, its
headings, its words) without reading its stored tree: a large library is shortlisted on these,
and only the shortlist's trees are read (reading 10,000 trees took 40 s)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from assistant.models import Chunk, Report, Section


def skeletons(reports: Sequence[Report], chunks: Iterable[Chunk]) -> list[Report]:
    """Each report (as listed, without its tree) with the tree its chunks outline."""
    by_report: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        by_report[chunk.report_id].append(chunk)
    return [replace(r, sections=tree(by_report.get(r.id, []))) for r in reports]


def tree(chunks: Iterable[Chunk]) -> list[Section]:
    """The top-level sections named by the chunks' section paths, in order, each passage's text
    under the deepest heading of its path."""
    nodes: dict[tuple[str, ...], Section] = {}  # a section by its path
    texts: dict[tuple[str, ...], list[str]] = defaultdict(list)
    top: list[Section] = []
    for chunk in chunks:
        path = tuple(chunk.section_path)
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in nodes:
                nodes[key] = node = Section(key[-1], depth, chunk.role, list(key))
                (nodes[key[:-1]].children if depth > 1 else top).append(node)
        if path:
            texts[path].append(chunk.text)
    for key, parts in texts.items():
        nodes[key].text = "\n".join(parts)
    return top
