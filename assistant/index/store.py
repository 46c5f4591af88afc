"""The SQLite store of an index (`<index_dir>/reports.sqlite`): files, reports, sources, chunks.

Each write is one BEGIN IMMEDIATE transaction bumping manifest `generation`: a crash keeps the
last good state, and derived indexes (FAISS, BM25) can tell when they are stale. Reads that must
agree with each other (a generation, its chunks and its reports) share one `snapshot`, so a
file committed meanwhile by another process is seen whole or not at all.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from assistant.index.records import (
    FileChange,
    ReportSummary,
    chunk_row,
    resolve_path,
    section_from_dict,
)
from assistant.index.scope import Libraries
from assistant.index.sqlschema import MIGRATIONS, SCHEMA, SCHEMA_VERSION, upsert
from assistant.models import DEFAULT_LIBRARY, Chunk, OcrSummary, Report, Section, report_label

DB_NAME = "reports.sqlite"
BUSY_TIMEOUT_S = 30.0  # how long to wait for another process's write lock (e.g. UI vs ingest)
MIN_PREFIX = 6  # shortest id prefix accepted in place of a full report id


_COLS = ("id, title, org, level, department, period, kind, span_start, span_end, preamble, "
         "signoff, library")


def in_libraries(column: str, libraries: Libraries) -> tuple[str, tuple]:
    """An SQL condition (with its arguments) that `column` names one of `libraries`."""
    if libraries is None:
        return "1 = 1", ()
    if not libraries:
        return "1 = 0", ()
    names = sorted(libraries)
    return f"{column} IN ({', '.join('?' * len(names))})", tuple(names)


class Store:
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

    def file_hash(self, path: str | Path) -> str | None:
        """The content hash recorded for `path`; None if never ingested or marked stale."""
        row = self.conn.execute("SELECT content_hash FROM files WHERE path = ?",
                                (resolve_path(path),)).fetchone()
        return row[0] if row and row[0] else None

    def apply_files(self, changes: list[FileChange]) -> None:
        """Store each file's reports in place of its previous ones (and of the files it
        replaces: a report whose content is unchanged keeps its id), all in one transaction."""
        with self.transaction() as conn:
            for change in changes:
                path = resolve_path(change.path)
                old = self._ids_of_path(path)
                conn.execute("DELETE FROM report_sources WHERE path = ?", (path,))
                conn.execute(upsert("files"),
                             (path, change.content_hash, change.encoding, time.time()))
                for ord_, r in enumerate(change.reports):
                    sections = json.dumps([asdict(s) for s in r.sections], ensure_ascii=False)
                    conn.execute(
                        upsert("reports"),
                        (r.id, ord_, r.title, r.org, r.level, r.department, r.period, r.kind,
                         r.span[0], r.span[1], r.preamble, r.signoff, sections,
                         sum(1 for _ in r.walk()), r.library))
                    conn.execute("INSERT INTO report_sources (report_id, path) VALUES (?, ?) "
                                 "ON CONFLICT DO NOTHING", (r.id, path))
                    conn.execute(upsert("report_chrome"),
                                 (r.id, json.dumps(r.chrome, ensure_ascii=False)))
                    conn.execute("DELETE FROM report_ocr WHERE report_id = ?", (r.id,))
                    if r.ocr is not None:
                        conn.execute("INSERT INTO report_ocr VALUES (?, ?, ?, ?)",
                                     (r.id, r.ocr.pages, r.ocr.confidence,
                                      json.dumps(r.ocr.low_lines, ensure_ascii=False)))
                self._drop_orphans(old)
                if change.upload_name:
                    conn.execute(upsert("uploads"),
                                 (path, change.upload_name))
                for replaced in change.replaces:
                    if resolve_path(replaced) != path:
                        self._drop_path(resolve_path(replaced))

    def library_names(self) -> list[str]:
        """The libraries made (`library add`), the default one first."""
        rows = [r[0] for r in self.conn.execute("SELECT name FROM libraries ORDER BY name")]
        return sorted(rows, key=lambda name: name != DEFAULT_LIBRARY)

    def upload_names(self) -> dict[str, str]:
        """Stored path → the user's own file name, for the files uploaded through the app."""
        return dict(self.conn.execute("SELECT path, name FROM uploads").fetchall())

    def upload_paths(self, name: str) -> list[str]:
        """The stored paths of the files uploaded under the user file name `name`."""
        sql = "SELECT path FROM uploads WHERE name = ? ORDER BY path"
        return [r[0] for r in self.conn.execute(sql, (name,))]

    def _drop_path(self, path: str) -> list[str]:
        """Forget one file; returns the reports dropped because no other file sources them."""
        old = self._ids_of_path(path)
        for table in ("report_sources", "files", "uploads"):
            self.conn.execute(f"DELETE FROM {table} WHERE path = ?", (path,))
        return self._drop_orphans(old)

    def files(self) -> list[tuple[str, str | None, str]]:
        """Every ingested file: (path, content hash — None when marked stale —, encoding)."""
        sql = "SELECT path, content_hash, encoding FROM files ORDER BY path"
        return [tuple(r) for r in self.conn.execute(sql)]

    def reports_of(self, path: str) -> list[str]:
        """The ids of the reports a stored file sources, in file order."""
        return self._ids_of_path(resolve_path(path))

    def counts(self, libraries: Libraries = None) -> dict[str, int]:
        """Numbers of files, reports and chunks stored (of `libraries` only, when given)."""
        if libraries is None:
            return {table: self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                    for table in ("files", "reports", "chunks")}
        inside, args = in_libraries("library", libraries)
        ids = f"SELECT id FROM reports WHERE {inside}"
        sql = {"files": f"SELECT COUNT(DISTINCT path) FROM report_sources WHERE report_id IN ({ids})",
               "reports": f"SELECT COUNT(*) FROM reports WHERE {inside}",
               "chunks": f"SELECT COUNT(*) FROM chunks WHERE report_id IN ({ids})"}
        return {table: self.conn.execute(q, args).fetchone()[0] for table, q in sql.items()}

    def _ids_of_path(self, path: str) -> list[str]:
        sql = "SELECT report_id FROM report_sources WHERE path = ? ORDER BY rowid"
        return [r[0] for r in self.conn.execute(sql, (path,))]

    def _sources(self, rid: str) -> list[str]:
        sql = "SELECT path FROM report_sources WHERE report_id = ? ORDER BY path"
        return [r[0] for r in self.conn.execute(sql, (rid,))]

    def _drop_orphans(self, ids: Iterable[str]) -> list[str]:
        """Delete the reports (and their chunks) among `ids` that no file sources any more."""
        dropped = [rid for rid in ids if not self._sources(rid)]
        for rid in dropped:
            self._delete_report(rid)
        return dropped

    def _delete_report(self, rid: str) -> None:
        for table, key in (("chunks", "report_id"), ("report_sources", "report_id"),
                           ("report_chrome", "report_id"), ("report_ocr", "report_id"),
                           ("pending_vectors", "report_id"),
                           ("reports", "id")):
            self.conn.execute(f"DELETE FROM {table} WHERE {key} = ?", (rid,))

    @staticmethod
    def _report(row: tuple, sources: list[str], ocr: OcrSummary | None,
                sections: list[Section] | None = None) -> Report:
        return Report(*row[:7], source=sources, span=(row[7], row[8]), sections=sections or [],
                      preamble=row[9], signoff=row[10], ocr=ocr, library=row[11])

    def _ocr(self, rid: str) -> OcrSummary | None:
        row = self.conn.execute("SELECT pages, confidence, low_lines_json FROM report_ocr "
                                "WHERE report_id = ?", (rid,)).fetchone()
        return OcrSummary(row[0], row[1], json.loads(row[2])) if row else None

    def list_reports(self, limit: int | None = None, offset: int = 0,
                     libraries: Libraries = None) -> list[ReportSummary]:
        """All reports (by first source, then file order), without section trees; or one page
        of `limit` of them from `offset`; only those of `libraries` when given (a caller's
        readable libraries). Four statements whatever the count: two queries per report took
        2.1 s for 10,000 reports, and every new generation reads the whole list."""
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        cols = ", ".join(f"r.{c}" for c in _COLS.split(", "))
        inside, inside_args = in_libraries("r.library", libraries)
        rows = self.conn.execute(
            "WITH listed AS (SELECT r.id, r.ord, (SELECT MIN(s.path) FROM report_sources s "
            f"WHERE s.report_id = r.id) AS first FROM reports r WHERE {inside} "
            f"ORDER BY first, r.ord, r.id{page}) SELECT {cols}, r.n_sections FROM listed "
            "JOIN reports r ON r.id = listed.id ORDER BY listed.first, listed.ord, listed.id",
            inside_args).fetchall()
        ids = [row[0] for row in rows]
        if not ids:
            return []
        whole = limit is None and libraries is None
        within = "" if whole else f" WHERE report_id IN ({', '.join('?' * len(ids))})"
        args = () if whole else ids
        sources: dict[str, list[str]] = {}
        for rid, path in self.conn.execute(
                f"SELECT report_id, path FROM report_sources{within} ORDER BY report_id, path", args):
            sources.setdefault(rid, []).append(path)
        chunks = dict(self.conn.execute(
            f"SELECT report_id, COUNT(*) FROM chunks{within} GROUP BY report_id", args).fetchall())
        ocr = {rid: OcrSummary(pages, confidence, json.loads(low)) for rid, pages, confidence, low
               in self.conn.execute("SELECT report_id, pages, confidence, low_lines_json "
                                    f"FROM report_ocr{within}", args)}
        return [ReportSummary(self._report(row[:12], sources.get(row[0], []), ocr.get(row[0])),
                              row[12] or 0, chunks.get(row[0], 0)) for row in rows]

    def resolve_id(self, id_or_prefix: str, libraries: Libraries = None) -> str | None:
        """The full id for an id or a unique prefix of at least MIN_PREFIX characters (among
        the reports of `libraries`, when given)."""
        key = id_or_prefix.strip()
        inside, args = in_libraries("library", libraries)
        rows = [r[0] for r in self.conn.execute(
            f"SELECT id FROM reports WHERE substr(id, 1, ?) = ? AND {inside} "
            "ORDER BY length(id) LIMIT 2", (len(key), key, *args))]
        exact_or_unique = rows and (rows[0] == key or (len(rows) == 1 and len(key) >= MIN_PREFIX))
        return rows[0] if exact_or_unique else None

    def get_report(self, id_or_prefix: str, libraries: Libraries = None) -> Report | None:
        """The full report (section tree included) for an id or unique prefix, else None (also
        for a report outside `libraries`, when given)."""
        row = self.conn.execute(f"SELECT {_COLS}, sections_json FROM reports WHERE id = ?",
                                (self.resolve_id(id_or_prefix, libraries),)).fetchone()
        if not row:
            return None
        report = self._report(row[:12], self._sources(row[0]), self._ocr(row[0]),
                              [section_from_dict(d) for d in json.loads(row[12])])
        chrome = self.conn.execute("SELECT lines_json FROM report_chrome WHERE report_id = ?",
                                   (report.id,)).fetchone()
        report.chrome = json.loads(chrome[0]) if chrome else []
        return report

    def remove(self, ids_or_paths: Iterable[str]) -> list[str]:
        """Remove reports by id/prefix or files by path; returns the removed report ids."""
        return self.remove_items(ids_or_paths)[0]

    def remove_items(self, ids_or_paths: Iterable[str],
                     libraries: Libraries = None) -> tuple[list[str], list[str]]:
        """Like remove, plus the inputs that matched nothing. A path (file, or folder) drops its
        files and the reports only they sourced; an id drops the report and marks its files
        stale (hash cleared) so that a later ingest restores it. With `libraries` (what the
        caller may write), a report or file of any other library matches nothing."""
        removed, missing = [], []
        with self.transaction() as conn:
            for item in ids_or_paths:
                path, prefix = resolve_path(item), resolve_path(item).rstrip("/") + "/"
                paths = [r[0] for r in conn.execute(
                    "SELECT path FROM files WHERE path = ? OR substr(path, 1, ?) = ?",
                    (path, len(prefix), prefix)) if self._path_within(r[0], libraries)]
                rid = None if paths else self.resolve_id(item, libraries)
                if rid is not None:
                    paths = self._sources(rid)
                    self._delete_report(rid)
                    removed.append(rid)
                elif not paths:
                    missing.append(item)
                for path in paths:
                    if rid is not None and self._ids_of_path(path):
                        conn.execute("UPDATE files SET content_hash = NULL WHERE path = ?",
                                     (path,))
                        continue
                    removed += [r for r in self._drop_path(path) if r not in removed]
        return removed, missing

    def path_libraries(self, path: str) -> set[str]:
        """The libraries of the reports a stored file sources (none for a new file)."""
        sql = ("SELECT DISTINCT r.library FROM report_sources s JOIN reports r "
               "ON r.id = s.report_id WHERE s.path = ?")
        return {row[0] for row in self.conn.execute(sql, (resolve_path(path),))}

    def _path_within(self, path: str, libraries: Libraries) -> bool:
        """Whether every report a stored file sources is in `libraries` (None: any)."""
        return libraries is None or self.path_libraries(path) <= libraries

    def replace_chunks(self, report_id: str, chunks: list[Chunk]) -> None:
        """Replace one report's chunks (joining an open transaction if there is one)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM chunks WHERE report_id = ?", (report_id,))
            self._insert_chunks(report_id, chunks)

    def _insert_chunks(self, report_id: str, chunks: list[Chunk]) -> None:
        self.conn.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
                              [chunk_row(report_id, i, c) for i, c in enumerate(chunks)])

    def chunks(self, report_id: str | None = None) -> list[Chunk]:
        """All chunks (or one report's) by report and position, with report labels filled in."""
        where, args = ("WHERE c.report_id = ?", (report_id,)) if report_id else ("", ())
        rows = self.conn.execute(
            "SELECT c.id, c.report_id, c.section_path_json, c.text, c.span_start, c.span_end, "
            "c.role, c.heading_only, r.title, r.org FROM chunks c JOIN reports r ON r.id = c.report_id "
            f"{where} ORDER BY c.report_id, c.ord", args)
        # Rows read one at a time, and what chunks repeat (report id and label, section path,
        # role) shared: 230k passages took 435 MiB read whole with a copy each, 232 MiB so.
        labels: dict[tuple[str, str], str] = {}
        paths: dict[str, list[str]] = {}
        same: dict[str, str] = {}
        return [Chunk(id=r[0], report_id=same.setdefault(r[1], r[1]),
                      section_path=paths.get(r[2]) or paths.setdefault(r[2], json.loads(r[2])),
                      text=r[3], span=(r[4], r[5]),
                      report_title=labels.get((r[8], r[9])) or labels.setdefault(
                          (r[8], r[9]), report_label(r[8], r[9])),
                      role=same.setdefault(r[6], r[6]), heading_only=bool(r[7]))
                for r in rows]

    def mark_pending(self, report_ids: Iterable[str]) -> None:
        """Record reports whose vectors are still to be made (joining an open transaction)."""
        with self.transaction() as conn:
            conn.executemany("INSERT INTO pending_vectors (report_id) VALUES (?) "
                             "ON CONFLICT DO NOTHING", [(rid,) for rid in report_ids])

    def pending_reports(self) -> list[str]:
        """Reports waiting for their vectors, oldest first."""
        sql = "SELECT report_id FROM pending_vectors ORDER BY rowid"
        return [r[0] for r in self.conn.execute(sql)]

    def pending_chunks(self) -> int:
        """How many stored passages wait for their vectors."""
        return self.conn.execute("SELECT COUNT(*) FROM chunks WHERE report_id IN "
                                 "(SELECT report_id FROM pending_vectors)").fetchone()[0]

    def embedded(self, report_id: str, chunk_ids: list[str], matrix) -> None:
        """A report's vectors are made (in the vector cache here): it joins dense search whole."""
        with self.transaction() as conn:
            self._put_vectors(chunk_ids, matrix)
            conn.execute("DELETE FROM pending_vectors WHERE report_id = ?", (report_id,))

    def _put_vectors(self, chunk_ids: list[str], matrix) -> None:
        """The embedded store keeps vectors in the content-hash cache, not in its tables."""

    def counts_for_paths(self, paths: Iterable[str]) -> tuple[int, int]:
        """Numbers of distinct reports sourced by any of `paths`, and of their chunks."""
        ids = {r for p in paths for r in self._ids_of_path(resolve_path(p))}
        return len(ids), sum(self.conn.execute("SELECT COUNT(*) FROM chunks WHERE report_id = ?",
                                               (rid,)).fetchone()[0] for rid in ids)


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
