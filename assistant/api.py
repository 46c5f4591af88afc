"""The Python API: a few verbs over one index directory, the same calls the CLI and the app
make. `Library("index")` opens (or creates) an index; its verbs take and return the dataclasses
of assistant.models.

    lib = Library("index")
    lib.add(["data/samples"])
    print(lib.ask("县审计局存在哪些问题？").text)
    outline, examples = lib.outline("县民政局2024年工作计划")

`Library("index", user="张三")` runs every verb as that account: only its libraries (see
assistant/accounts); `add(paths, library="民政科")` ingests into one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.accounts import caller_index
from assistant.answer.compose import answer
from assistant.answer.query import Filters
from assistant.answer.retrieve import search
from assistant.index.index import CallerIndex, Index
from assistant.ingest.pipeline import IngestResult, ingest
from assistant.models import DEFAULT_LIBRARY, Answer, Hit, Outline, Report
from assistant.outline import Example, library_reports, outline_for_index


class Library:
    """One index directory and the verbs over it."""

    def __init__(self, index_dir: str | Path | None = None, embedder: str | None = None,
                 user: str | None = None) -> None:
        whole = Index(index_dir, embedder)
        self.index: Index | CallerIndex = caller_index(whole, user) if user else whole

    def add(self, paths: Iterable[str | Path], library: str = DEFAULT_LIBRARY) -> IngestResult:
        """Ingest files/folders into a library (unchanged files are a no-op; failures are
        listed, not raised)."""
        return ingest(paths, self.index, library=library)

    def reports(self) -> list[Report]:
        """Every report with its section tree."""
        return library_reports(self.index)

    def search(self, question: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """Ranked passages for a question."""
        return search(self.index, question, k=k, filters=filters)

    def ask(
        self, question: str, filters: Filters | None = None, history: list[str] | None = None
    ) -> Answer:
        """A cited answer (LLM-written when one is configured), or an abstention."""
        return answer(self.index, question, filters=filters, history=history)

    def outline(
        self, request: str, pinned: Sequence[str] = (), excluded: Sequence[str] = ()
    ) -> tuple[Outline, list[Example]]:
        """A draft outline for a request and the example reports it was drawn from."""
        return outline_for_index(self.index, request, pinned, excluded)

    def close(self) -> None:
        self.index.close()
