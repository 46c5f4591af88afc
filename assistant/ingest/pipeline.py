"""Ingest: files and folders → loaded → parsed into reports → chunked → embedded → stored.

Small steps (collect → prepare each file → embed → apply); one bad file becomes a `failed`
entry and never aborts the batch. Embedding happens before the store transaction (its vectors
are cached as they come), so a killed ingest loses no embedding work and leaves the last
committed state; FAISS and BM25 are then rebuilt from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant import lexicon
from assistant.errors import AssistantError
from assistant.index.index import Index
from assistant.index.store import FileChange, Store, resolve_path
from assistant.ingest.chunks import CHUNKER_VERSION, chunk_report
from assistant.ingest.load import LoadError, iter_input_files, load_file
from assistant.ingest.reports import parse_file
from assistant.models import Chunk, LoadedFile

Progress = Callable[[int, int, str], None]
EmbedProgress = Callable[[int, int], None]


@dataclass
class IngestResult:
    """What one ingest call did; `reports`/`chunks` count those of its input files."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    reports: int = 0
    chunks: int = 0
    new_reports: list[str] = field(default_factory=list)
    file_reports: dict[str, int] = field(default_factory=dict)  # stored file → its report count

    def to_dict(self) -> dict:
        """The `ingest --json` object of DESIGN.md."""
        return {"added": self.added, "unchanged": self.unchanged,
                "failed": [{"path": p, "error": e} for p, e in self.failed],
                "reports": self.reports, "chunks": self.chunks}


class SkipFile(AssistantError):
    """A file that cannot be ingested; the message says why (one line)."""


def collect(paths: Iterable[str | Path], result: IngestResult) -> list[str]:
    """Expand files and folders into supported files (resolved, deduplicated); the rest fail."""
    files, skipped = iter_input_files([Path(p) for p in paths])
    for path, reason in skipped:
        result.failed.append((resolve_path(path), reason))
    return list(dict.fromkeys(resolve_path(f) for f in files))


def stored_hash(loaded: LoadedFile) -> str:
    """The file's content hash tagged with the chunker version and the parsing lexicon's
    fingerprint: a file parsed under an older version or lexicon counts as changed, so
    re-ingesting upgrades it (its unchanged passages come from the vector cache)."""
    return f"{loaded.content_hash}:v{CHUNKER_VERSION}:{lexicon.fingerprint(lexicon.PARSING_FILES)}"


def load(path: str) -> LoadedFile:
    """Load one file, turning a LoadError into SkipFile with its reason."""
    try:
        return load_file(Path(path))
    except LoadError as exc:
        raise SkipFile(exc.reason) from exc


def parse(loaded: LoadedFile, path: str) -> FileChange:
    """Parse a loaded file into its reports (source filled) as a change for the store."""
    try:
        reports = parse_file(loaded)
    except Exception as exc:  # a parser bug on one file must not abort the batch
        raise SkipFile(f"无法解析（{type(exc).__name__}: {exc}）：请把文件发给维护人员") from exc
    if not reports:
        raise SkipFile("文件中没有找到报告正文")
    for report in reports:
        report.source = [path]
    return FileChange(path, stored_hash(loaded), loaded.encoding, reports)


def prepare(path: str, store: Store) -> FileChange | None:
    """The change for one file, or None when its content is already stored (no-op)."""
    loaded = load(path)
    if store.file_hash(path) == stored_hash(loaded):
        return None
    return parse(loaded, path)


def apply(store: Store, changes: list[FileChange], chunks: dict[str, list[Chunk]],
          result: IngestResult) -> None:
    """Write all changes and their chunks in one transaction (none when nothing changed)."""
    if not changes:
        return
    new = dict.fromkeys(r.id for c in changes for r in c.reports if store.resolve_id(r.id) is None)
    with store.transaction():
        store.apply_files(changes)
        for report_id, report_chunks in chunks.items():
            store.replace_chunks(report_id, report_chunks)
    result.new_reports = list(new)
    result.file_reports = {c.path: len(c.reports) for c in changes}


def ingest(paths: Iterable[str | Path], index: Index | str | Path,
           progress: Progress | None = None,
           embed_progress: EmbedProgress | None = None) -> IngestResult:
    """Add files/folders to the index; unchanged files are a no-op, changed ones replace theirs."""
    index = index if isinstance(index, Index) else Index(index)
    result = IngestResult()
    files = collect(paths, result)
    changes: list[FileChange] = []
    store = index.store
    for done, path in enumerate(files, 1):
        try:
            change = prepare(path, store)
        except SkipFile as exc:
            result.failed.append((path, str(exc)))
        else:
            if change is None:
                result.unchanged.append(path)
            else:
                changes.append(change)
                result.added.append(path)
        if progress:
            progress(done, len(files), path)
    chunks = {r.id: chunk_report(r) for c in changes for r in c.reports}
    # Embedding (the slow part) runs outside the lock, so searches go on meanwhile.
    index.embed_chunks([c for cs in chunks.values() for c in cs], embed_progress)
    with index.lock:
        apply(store, changes, chunks, result)
        index.derived()  # rebuilds FAISS and BM25 when the store changed
        result.reports, result.chunks = store.counts_for_paths(result.added + result.unchanged)
    return result


def remove(index: Index, ids_or_paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Drop reports (by id or prefix) or files/folders (by path) from store, FAISS and BM25 at
    once; returns (removed report ids, inputs that matched nothing)."""
    with index.lock:
        removed, missing = index.store.remove_items(ids_or_paths)
        index.derived()
    return removed, missing
