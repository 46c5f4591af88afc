"""The SQLite store of an index (`<index_dir>/reports.sqlite`): files, reports, sources, chunks.

Each write is one BEGIN IMMEDIATE transaction bumping manifest `generation`: a crash keeps the
last good state, and derived indexes (FAISS, BM25) can tell when they are stale. Reads that must
agree with each other (a generation, its chunks and its reports) share one `snapshot`, so a
file committed meanwhile by another process is seen whole or not at all.

This module is the connection: opening and migrating the schema, transactions, snapshots, the
manifest, and a caller's view of the store (StoreView). What is read and written lives in
store_reads.py and store_writes.py, mixed into Store.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.index.records import ReportSummary
from assistant.index.scope import Libraries
from assistant.index.sqlschema import MIGRATIONS, SCHEMA, SCHEMA_VERSION, upsert
from assistant.index.store_reads import ReportReads
from assistant.index.store_writes import ReportWrites
from assistant.models import Report

DB_NAME = "reports.sqlite"
BUSY_TIMEOUT_S = 30.0  # how long to wait for another process's write lock (e.g. UI vs ingest)


class Store(ReportReads, ReportWrites):
    """One connection to an index's SQLite store; use as a context manager."""

    # How a write transaction starts: at once holding the write lock, so two writers queue
    # instead of failing; and how a read snapshot starts.
    BEGIN_WRITE: tuple[str, ...] = ("BEGIN IMMEDIATE",)
    BEGIN_READ = "BEGIN DEFERRED"
    remote = False  # the engine searches (PgStore): no FAISS or BM25 files of ours
    writable: Libraries = None  # what its caller may write: all (a caller's StoreView narrows it)

    def __init__(self, index_dir: str | Path) -> None:
        self.index_dir = Path(index_dir)
        self.path = self.index_dir / DB_NAME
        self._conn: sqlite3.Connection | None = None
        self._in_tx = self._bump_pending = False
        # One transaction or snapshot at a time on the shared connection: a thread never
        # joins another thread's transaction (the UI's threads share one Store).
        self._lock = threading.RLock()

    def open(self) -> Store:
        """Open (creating directory and schema if needed), in WAL mode with a busy timeout."""
        if self._conn is None:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            self._conn = conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S,
                                                isolation_level=None, check_same_thread=False)
            conn.executescript(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}; "
                               "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            # Readers of an existing index (the UI) must not take the write lock here.
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'manifest'").fetchone():
                with self.transaction(bump=False):
                    for statement in filter(str.strip, SCHEMA.split(";")):
                        conn.execute(statement)
            self._migrate(conn)
        return self

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Bring an older store up to SCHEMA_VERSION (a reader of a current one writes nothing)."""
        row = conn.execute("SELECT value FROM manifest WHERE key = 'schema_version'").fetchone()
        version = row[0] if row else "1"
        if version == SCHEMA_VERSION:
            return
        with self.transaction(bump=False):
            for target, statement in MIGRATIONS.items():
                if int(target) > int(version):
                    for part in filter(str.strip, statement.split(";")):
                        try:
                            conn.execute(part)
                        except sqlite3.OperationalError as exc:  # a column added before
                            if "duplicate column name" not in str(exc):
                                raise
            conn.execute(upsert("manifest"), ("schema_version", SCHEMA_VERSION))

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn or self.open()._conn  # type: ignore[return-value]

    def in_transaction(self) -> bool:
        """Whether the connection is inside a transaction or snapshot."""
        return self.conn.in_transaction

    @contextmanager
    def transaction(self, bump: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested calls join the outer one. Bumps `generation` once."""
        with self._lock:
            conn = self.conn
            if self._in_tx:
                self._bump_pending |= bump
                yield conn
                return
            for statement in self.BEGIN_WRITE:
                conn.execute(statement)
            self._in_tx, self._bump_pending = True, bump
            try:
                yield conn
                if self._bump_pending:
                    conn.execute("UPDATE manifest SET value = CAST(value AS INTEGER) + 1 "
                                 "WHERE key = 'generation'")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                self._in_tx = False

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads that all see one committed state (a read transaction: what other processes
        commit meanwhile is not seen); joins an open transaction or snapshot. No writes inside."""
        with self._lock:
            conn = self.conn
            if self.in_transaction():
                yield conn
                return
            conn.execute(self.BEGIN_READ)
            try:
                yield conn
            finally:
                if self.in_transaction():
                    conn.execute("COMMIT")  # a read transaction: this only releases the snapshot

    def manifest_get(self, key: str, default: str | None = None) -> str | None:
        """A manifest entry (embedder, chunker version, derived-index generations …)."""
        row = self.conn.execute("SELECT value FROM manifest WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def manifest_set(self, key: str, value: str) -> None:
        """Set a manifest entry; does not bump `generation` (derived indexes record it here)."""
        with self.transaction(bump=False) as conn:
            conn.execute(upsert("manifest"), (key, str(value)))

    @property
    def generation(self) -> int:
        """Counter bumped by every write of files, reports or chunks."""
        return int(self.manifest_get("generation", "0") or 0)


class StoreView:
    """A store as one caller sees it: its reads keep to the libraries the caller may read, its
    removals to those it may write (the rest is the store's own)."""

    def __init__(self, store: Store, readable: Libraries, writable: Libraries) -> None:
        self.whole, self.readable, self.writable = store, readable, writable

    def __getattr__(self, name: str):
        return getattr(self.whole, name)

    def list_reports(self, limit: int | None = None, offset: int = 0) -> list[ReportSummary]:
        return self.whole.list_reports(limit, offset, self.readable)

    def resolve_id(self, id_or_prefix: str) -> str | None:
        return self.whole.resolve_id(id_or_prefix, self.readable)

    def get_report(self, id_or_prefix: str) -> Report | None:
        return self.whole.get_report(id_or_prefix, self.readable)

    def counts(self) -> dict[str, int]:
        return self.whole.counts(self.readable)

    def remove(self, ids_or_paths: Iterable[str]) -> list[str]:
        return self.remove_items(ids_or_paths)[0]

    def remove_items(self, ids_or_paths: Iterable[str],
                     libraries: Libraries = None) -> tuple[list[str], list[str]]:
        return self.whole.remove_items(ids_or_paths, self.writable)
