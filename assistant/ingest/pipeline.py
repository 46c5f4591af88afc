"""Ingest: files and folders → loaded → parsed into reports → chunked → stored → embedded.

Small steps (collect → per file: prepare → commit → then the waiting passages embedded,
assistant/index/pending.py); one bad file becomes a `failed` entry and never aborts the batch.
Each file is committed whole as soon as it is parsed, so keyword search finds it at once, and
a killed ingest keeps every file it committed (whose vectors the next run goes on making);
FAISS and BM25 are rebuilt from the store at the end (and by the next search after any commit).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assistant import lexicon
from assistant.errors import AssistantError
from assistant.index.index import Index
from assistant.index.pending import embed_pending
from assistant.index.records import FileChange, resolve_path
from assistant.index.store import Store
from assistant.ingest.chunks import CHUNKER_VERSION, chunk_report
from assistant.ingest.formats.pages import reporting
from assistant.ingest.load import LoadError, iter_input_files, load_file
from assistant.ingest.reports import in_library, parse_file
from assistant.models import DEFAULT_LIBRARY, Chunk, LoadedFile

# (files done — a fraction while one is being read page by page —, files, path, what is being
# done to it: 「识别第 2/5 页」 while a scan is recognised, else "")
Progress = Callable[[float, int, str, str], None]
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


def stored_hash(loaded: LoadedFile, library: str = DEFAULT_LIBRARY) -> str:
    """The file's content hash tagged with the chunker version and the parsing lexicon's
    fingerprint: a file parsed under an older version or lexicon counts as changed, so
    re-ingesting upgrades it (its unchanged passages come from the vector cache); and with its
    library, so the same file ingested into another library moves there."""
    tag = f"{loaded.content_hash}:v{CHUNKER_VERSION}:{lexicon.fingerprint(lexicon.PARSING_FILES)}"
    return tag if library == DEFAULT_LIBRARY else f"{tag}:{library}"


def load(path: str) -> LoadedFile:
    """Load one file, turning a LoadError into SkipFile with its reason."""
    try:
        return load_file(Path(path))
    except LoadError as exc:
        raise SkipFile(exc.reason) from exc


def parse(loaded: LoadedFile, path: str, library: str = DEFAULT_LIBRARY) -> FileChange:
    """Parse a loaded file into its reports (source and library filled) as a change for the
    store."""
    try:
        reports = parse_file(loaded)
    except Exception as exc:  # a parser bug on one file must not abort the batch
        raise SkipFile(failure("无法解析", exc)) from exc
    if not reports:
        raise SkipFile("文件中没有找到报告正文")
    for report in reports:
        report.source = [path]
        report.ocr = loaded.ocr
        report.id, report.library = in_library(report.id, library), library
    return FileChange(path, stored_hash(loaded, library), loaded.encoding, reports)


def prepare(path: str, store: Store, earlier: Iterable[str] = (),
            library: str = DEFAULT_LIBRARY) -> FileChange | None:
    """The change for one file, or None when its content is already stored (no-op) under its
    path or, for an upload, under an earlier upload of its name. A file already stored in
    another library moves into this one, if the caller may write both."""
    held = store.path_libraries(path) - {library}
    if store.writable is not None and held - store.writable:
        raise SkipFile(f"该文件已在资料库“{'、'.join(sorted(held))}”中，没有移动它的权限")
    loaded = load(path)
    if stored_hash(loaded, library) in {store.file_hash(p) for p in (path, *earlier)}:
        return None
    return parse(loaded, path, library)


def earlier_uploads(store: Store, names: Mapping[str, str], files: list[str],
                    library: str = DEFAULT_LIBRARY) -> dict[str, list[str]]:
    """Per file of this batch uploaded under a user file name, the file an earlier upload
    stored under that name in the same library (which it replaces). Files of one batch never
    replace each other, and a name several stored files share (a folder upload names files
    without their folder) says no single older version: nothing is replaced."""
    batch, earlier = set(files), {}
    for path in files:
        if path in names:
            found = [p for p in store.upload_paths(names[path])
                     if p not in batch and store.path_libraries(p) <= {library}]
            earlier[path] = found if len(found) == 1 else []
    return earlier


def apply(store: Store, change: FileChange, chunks: dict[str, list[Chunk]]) -> list[str]:
    """Write one file's change and its chunks in one transaction, its reports marked as waiting
    for their vectors (assistant/index/pending.py); returns its new report ids."""
    new = [r.id for r in change.reports if store.resolve_id(r.id) is None]
    with store.transaction():
        store.apply_files([change])
        for report in change.reports:
            store.replace_chunks(report.id, chunks[report.id])
        store.mark_pending(r.id for r in change.reports)
    return new


def store_files(files: list[str], index: Index, result: IngestResult,
                progress: Progress | None, names: Mapping[str, str], library: str) -> None:
    """Read, parse and commit each file at once (searchable by keywords from the next refresh
    on); one that fails at any step is its `failed` entry and the rest go on. An upload stored
    under its user file name replaces, in the same transaction, what an earlier upload of that
    name stored."""
    store = index.store
    earlier = earlier_uploads(store, names, files, library)
    refreshed = time.monotonic()
    for done, path in enumerate(files, 1):

        def page(finished: int, pages: int, done: int = done, path: str = path) -> None:
            if progress:
                progress(done - 1 + finished / pages, len(files), path, f"识别第 {finished}/{pages} 页")

        try:
            with reporting(page):
                change = prepare(path, store, earlier.get(path, []), library)
            chunks = {r.id: chunk_report(r) for r in change.reports} if change else {}
        except SkipFile as exc:
            result.failed.append((path, str(exc)))
            change = chunks = None
        except Exception as exc:  # a bug on one file must not abort the batch
            result.failed.append((path, failure("无法处理", exc)))
            change = chunks = None
        if change is None and chunks is not None:
            result.unchanged.append(path)
        elif change is not None:
            _ = index.embedder  # a mismatched embedder is the index's error, said once
            change.upload_name, change.replaces = names.get(path, ""), earlier.get(path, [])
            try:
                with index.lock:
                    result.new_reports += apply(store, change, chunks)
            except Exception as exc:  # storing this file failed: only this file
                result.failed.append((path, failure("无法入库", exc)))
            else:
                result.added.append(path)
                result.file_reports[path] = len(change.reports)
                if change.replaces:
                    result.replaced[path] = change.replaces
        if progress:
            progress(done, len(files), path, "")
        if index.refresh_due(refreshed):
            index.refresh()  # what this long batch stored so far becomes searchable
            refreshed = time.monotonic()


def ingest(paths: Iterable[str | Path], index: Index | str | Path,
           progress: Progress | None = None,
           embed_progress: EmbedProgress | None = None,
           names: Mapping[str, str] | None = None,
           library: str = DEFAULT_LIBRARY) -> IngestResult:
    """Add files/folders to the index; unchanged files are a no-op, changed ones replace theirs.
    Progressive: every file is committed as soon as it is parsed (keyword search finds it
    from the next refresh: at once after the files are stored, and every SEARCHABLE_EVERY_S of
    a long batch), then the waiting passages are embedded, each report joining dense search
    whole; a file whose embedding fails is its `failed` entry and is dropped again (the next run
    retries). `names` gives app uploads their user's file name (path → name). Questions asked
    meanwhile answer from the last build and never rebuild (index.writing). The reports go
    into `library`, which must exist and be writable by the index's caller (LibraryError)."""
    index = Index(index) if isinstance(index, str | Path) else index
    index.check_writable(library)
    result = IngestResult()
    files = collect(paths, result)
    names = {resolve_path(p): name for p, name in (names or {}).items()}
    with index.writing():
        store_files(files, index, result, progress, names, library)
        index.refresh()  # every stored file is searchable by keywords before embedding starts
        run = embed_pending(index, embed_progress)
        for report_id, exc in run.failed:  # a file of this batch that cannot be embedded fails
            report = index.store.get_report(report_id)  # whole: it is dropped, the next run retries
            for path in [p for p in (report.source if report else []) if p in result.added]:
                result.added.remove(path)
                result.file_reports.pop(path, None)
                result.failed.append((path, failure("无法入库", exc)))
                with index.lock:
                    index.store.remove_items([path])
    with index.lock:
        index.refresh()  # rebuilds FAISS and BM25 when the store changed
        result.reports, result.chunks = index.store.counts_for_paths(result.added + result.unchanged)
    return result


def remove(index: Index, ids_or_paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Drop reports (by id or prefix) or files/folders (by path) from store, FAISS and BM25 at
    once; returns (removed report ids, inputs that matched nothing)."""
    with index.lock:
        removed, missing = index.store.remove_items(ids_or_paths, index.writable)
        index.refresh()
    return removed, missing
