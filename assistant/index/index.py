"""The searchable index: SQLite store + FAISS (dense) + BM25 (sparse), kept consistent — or a
PostgreSQL database that stores and searches everything (assistant/index/pgstore.py, chosen by
REPORT_ASSISTANT_DATABASE_URL; then nothing below is written).

SQLite is the source of truth. FAISS and BM25 are derived from its chunks (vectors come from
the content-hash cache, so rebuilding embeds nothing already seen) and are written aside and
renamed into place, stamped with the store's generation. Loading compares stamps: an index
directory left half-written by a killed ingest is rebuilt from the last committed state. The
generation, chunks and reports a build uses are read in one store snapshot, so a file another
process commits meanwhile is in a build whole or not at all (never chunks without their report).
A report still waiting for its vectors (progressive ingest) is in BM25 and not yet in FAISS.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant import settings
from assistant.errors import AssistantError
from assistant.index import dense, leftovers, scope, sparse
from assistant.index.backend import open_store
from assistant.index.embed import VectorCache, embed_with_cache, make_embedder
from assistant.index.engine import DenseSearch, FilterSearch, KeywordSearch
from assistant.index.filtering import ChunkFilters
from assistant.index.records import ReportSummary
from assistant.index.scope import Libraries
from assistant.index.store import StoreView
from assistant.index.termcache import TermCache
from assistant.index.tokenize import terms_version
from assistant.ingest.chunks import CHUNKER_VERSION, context_text
from assistant.models import Chunk

DENSE_FILE = "dense.faiss"
SPARSE_DIR = "sparse"
STAMP_FILE = "derived.json"  # generation of the store that dense/sparse were built from
VECTOR_FILE = "vectors.sqlite"

# During a long batch, what it stored or embedded so far becomes searchable this often: each
# refresh rebuilds FAISS and BM25 of the whole library (~1.5 s for the samples plus 120 passages
# on 2 shared cores), so once per committed file would cost more than the embedding it waits for.
SEARCHABLE_EVERY_S = 30.0
# … or less often in a large library, so that refreshing costs at most this share of a batch's
# time: one refresh of 2,000 reports (46k passages) took ~110 s, mostly jieba cutting every
# passage again, so refreshing every 30 s would have left no time to embed.
REFRESH_SHARE = 0.1

class LibraryError(AssistantError):
    """A library that does not exist, or that the caller may not write."""


class IndexMismatchError(AssistantError):
    """The index was built with another embedder (or dimension) than the one configured."""


@dataclass
class Derived:
    """In-memory search structures for one store generation."""

    generation: int
    chunks: list[Chunk] = field(default_factory=list)
    reports: dict[str, ReportSummary] = field(default_factory=dict)
    # The backend's searches (index/engine.py): None before a library has passages (dense also
    # while every report waits for its vectors); filters default to matching the chunk list
    dense: DenseSearch | None = None
    sparse: KeywordSearch | None = None
    filters: FilterSearch | None = None
    # A caller's view (for_libraries): the libraries it may read; None = the whole library
    libraries: Libraries = None
    # How the backend searches inside a view: (whole, view, kept positions) → its dense,
    # keyword and filter searches (None filters: the view's chunk list); set by the builder
    view_searches: Callable = field(default=scope.inside, repr=False)
    # What questions derive from this generation's library (its units, who names what), made
    # once and dropped with the generation
    _memo: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.filters is None:
            self.filters = ChunkFilters(self.chunks, self.reports)

    def memo(self, key: object, build: Callable[[], object]):
        """`build()` once per generation, under `key`."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def for_libraries(self, libraries: Libraries) -> Derived:
        """This generation as a caller who may read only `libraries` sees it (made once per
        set of libraries): its reports, its chunks, searches and statistics inside them."""
        if libraries is None or self.libraries is not None:
            return self
        return self.memo(("libraries", libraries), lambda: self._restricted(libraries))

    def _restricted(self, libraries: frozenset[str]) -> Derived:
        reports = {rid: s for rid, s in self.reports.items() if s.report.library in libraries}
        kept = [pos for pos, c in enumerate(self.chunks) if c.report_id in reports]
        view = Derived(self.generation, [self.chunks[p] for p in kept], reports,
                       libraries=libraries)
        view.dense, view.sparse, filters = self.view_searches(self, view, kept)
        if filters is not None:
            view.filters = filters
        return view


def default_index_dir() -> Path:
    """--index default: the settings' index directory (env REPORT_ASSISTANT_INDEX, else ./index)."""
    return settings.current().index_dir


def _key(chunk: Chunk) -> bytes:
    """A chunk's vector key in memory: a digest of the text it is embedded as."""
    return hashlib.blake2b(context_text(chunk).encode("utf-8"), digest_size=16).digest()


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


class Index:
    """One index directory: the store, the embedder it was built with, its derived indexes."""

    # What this index's caller may read and write: everything (the single-user mode, commands
    # run without --user); a caller's view (as_caller) narrows both.
    readable: Libraries = None
    writable: Libraries = None

    def __init__(self, index_dir: str | Path | None = None, embedder_spec: str | None = None,
                 database_url: str | None = None):
        self.dir = Path(index_dir) if index_dir else default_index_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        leftovers.clean(self.dir, leftovers.INDEX_TEMPORARIES)  # a killed write's temporaries
        self.store = open_store(self.dir, database_url)
        self._embedder_spec = embedder_spec
        self._embedder = None
        self.cache = VectorCache(settings.current().vector_cache or self.dir / VECTOR_FILE)
        self.terms = TermCache(self.cache.path)  # BM25 terms in the same content-hash file
        self._derived: Derived | None = None
        self.lock = threading.RLock()  # one writer at a time; readers swap in new Derived
        self.embedding = threading.Lock()  # one pass over the waiting reports at a time
        self._writers = 0  # ingests running in this process: they rebuild, questions do not
        self._writers_lock = threading.Lock()
        self._refresh_s = 0.0  # how long the last refresh that built anything took

    @property
    def embedder(self):
        """The configured embedder, checked against the one the index was built with."""
        if self._embedder is None:
            embedder = make_embedder(self._embedder_spec)
            self.check_embedder(embedder.name, embedder.dim)
            self._embedder = embedder
        return self._embedder

    def check_embedder(self, name: str, dim: int) -> None:
        """Refuse to mix two embedders in one index; record the first one used."""
        built = self.store.manifest_get("embedder")
        if built and built != name:
            raise IndexMismatchError(
                f"资料库 {self.dir} 是用向量模型 {built!r} 建立的，当前配置为 {name!r}："
                "请把 REPORT_ASSISTANT_EMBEDDER 设为同一模型，或用 --index 指定另一个资料库",
                self.dir,
            )
        if not built:
            self.store.manifest_set("embedder", name)
            self.store.manifest_set("dimension", str(dim))
            self.store.manifest_set("chunker", CHUNKER_VERSION)
        if self.store.remote:
            self.store.ensure_vectors(dim)

    def embed_chunks(self, chunks: list[Chunk], progress=None, background: bool = False) -> np.ndarray:
        """Vectors of chunks (their context text), from the cache where already embedded;
        `background`: by the ingest's own engine (assistant/index/pending.py)."""
        texts = [context_text(c) for c in chunks]
        embedder = self.embedder.background_twin() if background else self.embedder
        return embed_with_cache(embedder, self.cache, texts, progress=progress)

    def _vectors(self, chunks: list[Chunk], progress=None) -> np.ndarray:
        """A rebuild's vectors: those the last build holds are taken from it, the rest from the
        cache (reading 230k passages' vectors from the cache took ~28 s at 10,000 reports)."""
        last = self._derived
        if not chunks or last is None or not last.chunks or not isinstance(last.dense, dense.FaissDense):
            return self.embed_chunks(chunks, progress)
        positions, matrix = dense.stored(last.dense.index)
        known = {_key(last.chunks[p]): row for p, row in zip(positions, matrix, strict=True)}
        keys = [_key(c) for c in chunks]
        missing = [c for c, key in zip(chunks, keys, strict=True) if key not in known]
        fresh = iter(self.embed_chunks(missing, progress)) if missing else iter(())
        return np.stack([known[key] if key in known else next(fresh) for key in keys])

    def _stamp(self) -> int | None:
        """The store generation the derived files were built from (None when they were built
        with other BM25 terms: another user dictionary or stopword list)."""
        try:
            stamp = json.loads((self.dir / STAMP_FILE).read_text("utf-8"))
            return int(stamp["generation"]) if stamp.get("terms") == terms_version() else None
        except (OSError, ValueError, KeyError):
            return None

    def rebuild(self, progress=None) -> Derived:
        """Build FAISS and BM25 from the store's chunks and write them atomically (on a database,
        only the snapshot's chunk list: the engine searches)."""
        if self.store.remote:
            return self._engine_derived()
        with self.lock:
            with self.store.snapshot():
                generation = self.store.generation
                chunks = self.store.chunks()
                waiting = set(self.store.pending_reports())
                derived = Derived(generation, chunks, self._report_map())
            if chunks:  # dense search covers the reports whose vectors are all made
                ready = [i for i, c in enumerate(chunks) if c.report_id not in waiting]
                vectors = self._vectors([chunks[i] for i in ready], progress)
                derived.dense = dense.FaissDense(dense.build(vectors,
                                                             positions=ready if waiting else None))
                derived.sparse = sparse.build(self.terms.terms([context_text(c) for c in chunks]))
                dense.save(derived.dense.index, str(self.dir / DENSE_FILE))
                sparse.save(derived.sparse, str(self.dir / SPARSE_DIR))
            _write_json_atomic(
                self.dir / STAMP_FILE, {"generation": generation, "terms": terms_version()}
            )
            self._derived = derived
            return derived

    def _engine_derived(self) -> Derived:
        """A database snapshot's chunks and reports, searched by the engine (pgsearch)."""
        from assistant.index.pgsearch import PgDense, PgFilters, PgSparse, Positions, restricted

        with self.store.snapshot():
            derived = Derived(self.store.generation, self.store.chunks(), self._report_map())
            positions = Positions([c.id for c in derived.chunks])
            derived.dense = PgDense(self.store, positions, self.store.vector_count())
            derived.sparse = PgSparse(self.store, positions, len(derived.chunks),
                                      self.store.mean_terms())
            derived.filters = PgFilters()
            derived.view_searches = restricted
        self._derived = derived
        return derived

    def _report_map(self) -> dict[str, ReportSummary]:
        return {s.report.id: s for s in self.store.list_reports()}

    @property
    def writers(self) -> int:
        """Ingests or removals running in this process (see `writing`)."""
        return self._writers

    @contextmanager
    def writing(self):
        """Mark an ingest or removal running in this process: until it ends it refreshes the
        search structures itself (`refresh`), and questions answer from the last build."""
        with self._writers_lock:
            self._writers += 1
        try:
            yield self
        finally:
            with self._writers_lock:
                self._writers -= 1

    def derived(self) -> Derived:
        """Search structures for the current store generation (loaded, or rebuilt if stale).
        While a writer of this process runs, or another thread holds the lock, a question is
        answered from the last build instead of waiting or rebuilding (measured: 20 askers
        during a 120-passage upload paid for 11 rebuilds of ~1.5 s, p95 2.35× idle)."""
        generation = self.store.generation
        current = self._derived
        if current is not None and (current.generation == generation or self._writers):
            return current
        if not self.lock.acquire(blocking=current is None):
            return current
        try:
            return self._derive()
        finally:
            self.lock.release()

    def refresh(self) -> Derived:
        """A writer's derived(): waits for the lock and brings the structures up to date."""
        with self.lock:
            before, start = self._derived, time.perf_counter()
            derived = self._derive()
            if derived is not before:
                self._refresh_s = time.perf_counter() - start
            return derived

    def refresh_due(self, since: float) -> bool:
        """Whether a long batch that last refreshed at `since` (time.monotonic) refreshes now:
        every SEARCHABLE_EVERY_S, or as rarely as keeps refreshing within REFRESH_SHARE."""
        return time.monotonic() - since >= max(SEARCHABLE_EVERY_S, self._refresh_s / REFRESH_SHARE)

    def _derive(self) -> Derived:
        """derived()'s load or rebuild, under the lock."""
        with self.store.snapshot():
            generation = self.store.generation
            current = self._derived
            if current is not None and current.generation == generation:
                return current  # another thread built it while this one waited
            if self.store.remote:
                return self._engine_derived()
            stale = self._stamp() != generation
            if not stale:
                chunks = self.store.chunks()
                ready = len(chunks) - self.store.pending_chunks()
                derived = Derived(generation, chunks, self._report_map())
        if stale:
            return self.rebuild()
        if chunks:
            try:
                derived.dense = dense.FaissDense(dense.load(str(self.dir / DENSE_FILE)))
                derived.sparse = sparse.load(str(self.dir / SPARSE_DIR))
            except Exception:  # a damaged derived file is rebuilt, never fatal
                return self.rebuild()
            if derived.dense.ntotal != ready or not dense.current(derived.dense.index):
                return self.rebuild()
        self._derived = derived
        return derived

    @property
    def whole(self) -> Index:
        """The index itself (a caller's view names the index it narrows the same way)."""
        return self

    def check_writable(self, library: str) -> None:
        """Refuse an ingest into a library that does not exist or the caller may not write."""
        if library not in self.store.library_names():
            raise LibraryError(f"资料库“{library}”不存在：请先由管理员运行 "
                               f"report-assistant library add {library}")
        if self.writable is not None and library not in self.writable:
            raise LibraryError(f"没有向资料库“{library}”添加或删除报告的权限")

    def as_caller(self, readable: Libraries, writable: Libraries) -> CallerIndex:
        """This index as a caller who may read `readable` and write `writable` sees it."""
        return CallerIndex(self, readable, writable)

    def close(self) -> None:
        self.store.close()


class CallerIndex:
    """An index as one caller sees it: every read of its store and every search is inside the
    libraries the caller may read, every write inside those it may write. The same verbs as
    Index (the rest is the whole index's: its lock, embedder, caches)."""

    def __init__(self, whole: Index, readable: Libraries, writable: Libraries) -> None:
        self.whole, self.readable, self.writable = whole, readable, writable
        self.store = StoreView(whole.store, readable, writable)

    def __getattr__(self, name: str):
        return getattr(self.whole, name)

    def derived(self) -> Derived:
        return self.whole.derived().for_libraries(self.readable)

    def refresh(self) -> Derived:
        return self.whole.refresh().for_libraries(self.readable)

    def rebuild(self, progress=None) -> Derived:
        return self.whole.rebuild(progress).for_libraries(self.readable)

    check_writable = Index.check_writable

    def as_caller(self, readable: Libraries, writable: Libraries) -> CallerIndex:
        return CallerIndex(self.whole, readable, writable)
