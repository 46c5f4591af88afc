"""Ingest: files and folders → loaded → parsed into reports → chunked → embedded → stored.

Small steps (collect → prepare each file → per file: embed → commit); one bad file becomes a
`failed` entry and never aborts the batch. Each file is committed as soon as its passages are
embedded (their vectors are cached as they come), so a killed ingest keeps every file it
finished and a re-run embeds only the rest; FAISS and BM25 are rebuilt from the store at the
end (and by the next search after any commit).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
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

# During a long batch, what it stored so far becomes searchable this often: each refresh
# rebuilds FAISS and BM25 of the whole library (~1.5 s for the samples plus 120 passages on 2
# shared cores), so once per committed file would cost more than the embedding it waits for.
SEARCHABLE_EVERY_S = 30.0

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
    replaced: dict[str, list[str]] = field(default_factory=dict)  # stored upload → earlier ones

    def to_dict(self) -> dict:
        """The `ingest --json` object of DESIGN.md."""
        return {"added": self.added, "unchanged": self.unchanged,
                "failed": [{"path": p, "error": e} for p, e in self.failed],
                "reports": self.reports, "chunks": self.chunks}


class SkipFile(AssistantError):
    """A file that cannot be ingested; the message says why (one line)."""


def failure(step: str, exc: Exception) -> str:
    """The one-line reason of an unexpected error at one step of one file (a bug to report)."""
    return " ".join(f"{step}（{type(exc).__name__}: {exc}）：请把文件发给维护人员".split())


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
        raise SkipFile(failure("无法解析", exc)) from exc
    if not reports:
        raise SkipFile("文件中没有找到报告正文")
    for report in reports:
        report.source = [path]
    return FileChange(path, stored_hash(loaded), loaded.encoding, reports)


def prepare(path: str, store: Store, earlier: Iterable[str] = ()) -> FileChange | None:
    """The change for one file, or None when its content is already stored (no-op) under its
    path or, for an upload, under an earlier upload of its name."""
    loaded = load(path)
    if stored_hash(loaded) in {store.file_hash(p) for p in (path, *earlier)}:
        return None
    return parse(loaded, path)


def earlier_uploads(store: Store, names: Mapping[str, str], files: list[str]) -> dict[str, list[str]]:
    """Per file of this batch uploaded under a user file name, the file an earlier upload
    stored under that name (which it replaces). Files of one batch never replace each other,
    and a name several stored files share (a folder upload names files without their folder)
    says no single older version: nothing is replaced."""
    batch, earlier = set(files), {}
    for path in files:
        if path in names:
            found = [p for p in store.upload_paths(names[path]) if p not in batch]
            earlier[path] = found if len(found) == 1 else []
    return earlier


def apply(store: Store, change: FileChange, chunks: dict[str, list[Chunk]]) -> list[str]:
    """Write one file's change and its chunks in one transaction; returns its new report ids."""
    new = [r.id for r in change.reports if store.resolve_id(r.id) is None]
    with store.transaction():
        store.apply_files([change])
        for report in change.reports:
            store.replace_chunks(report.id, chunks[report.id])
    return new


def store_one(index: Index, change: FileChange, chunks: dict[str, list[Chunk]],
              embedded: Callable[[int], None]) -> list[str]:
    """Embed one file's passages (outside the lock: searches go on) and commit the file at
    once, so an interrupted batch keeps every file finished before it; its new report ids."""
    passages = [c for r in change.reports for c in chunks[r.id]]
    index.embed_chunks(passages, lambda done, _total: embedded(done))
    with index.lock:
        return apply(index.store, change, chunks)


def ingest(paths: Iterable[str | Path], index: Index | str | Path,
           progress: Progress | None = None,
           embed_progress: EmbedProgress | None = None,
           names: Mapping[str, str] | None = None) -> IngestResult:
    """Add files/folders to the index; unchanged files are a no-op, changed ones replace theirs.
    Each file is read, parsed, embedded and committed on its own: one that fails at any step is
    its `failed` entry and the rest of the batch goes on. `names` gives app uploads their
    user's file name (path → name): a file stored under a name replaces, in the same
    transaction, what earlier uploads of that name stored."""
    index = index if isinstance(index, Index) else Index(index)
    result = IngestResult()
    files = collect(paths, result)
    names = {resolve_path(p): name for p, name in (names or {}).items()}
    changes: list[tuple[FileChange, dict[str, list[Chunk]]]] = []
    store = index.store
    earlier = earlier_uploads(store, names, files)
    for done, path in enumerate(files, 1):
        try:
            change = prepare(path, store, earlier.get(path, []))
            if change is None:
                result.unchanged.append(path)
            else:
                change.upload_name, change.replaces = names.get(path, ""), earlier.get(path, [])
                changes.append((change, {r.id: chunk_report(r) for r in change.reports}))
        except SkipFile as exc:
            result.failed.append((path, str(exc)))
        except Exception as exc:  # a bug on one file must not abort the batch
            result.failed.append((path, failure("无法处理", exc)))
        if progress:
            progress(done, len(files), path)
    if changes:  # a missing or mismatched embedder is the index's error, said once, not per file
        _ = index.embedder
    total = sum(len(cs) for _, chunks in changes for cs in chunks.values())
    finished = 0

    def embedded(done_in_file: int) -> None:
        if embed_progress:
            embed_progress(finished + done_in_file, total)

    refreshed = time.monotonic()
    with index.writing():  # questions meanwhile answer from the last build, never rebuild
        for change, chunks in changes:
            try:
                result.new_reports += store_one(index, change, chunks, embedded)
            except Exception as exc:  # embedding or storing this file failed: only this file
                result.failed.append((change.path, failure("无法入库", exc)))
            else:
                result.added.append(change.path)
                result.file_reports[change.path] = len(change.reports)
                if change.replaces:
                    result.replaced[change.path] = change.replaces
            finished += sum(len(cs) for cs in chunks.values())
            if time.monotonic() - refreshed >= SEARCHABLE_EVERY_S:
                index.refresh()  # what this long batch stored so far becomes searchable
                refreshed = time.monotonic()
    with index.lock:
        index.refresh()  # rebuilds FAISS and BM25 when the store changed
        result.reports, result.chunks = store.counts_for_paths(result.added + result.unchanged)
    return result


def remove(index: Index, ids_or_paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Drop reports (by id or prefix) or files/folders (by path) from store, FAISS and BM25 at
    once; returns (removed report ids, inputs that matched nothing)."""
    with index.lock:
        removed, missing = index.store.remove_items(ids_or_paths)
        index.refresh()
    return removed, missing
