"""What the store of an index writes: each file's reports in place of its previous ones,
removals by id or path (kept to a caller's writable libraries), chunks, and the reports
waiting for their vectors. Mixed into Store (assistant/index/store.py): every write is one of
its transactions, bumping the generation."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import asdict

from assistant.index.records import FileChange, chunk_row, resolve_path
from assistant.index.scope import Libraries
from assistant.index.sqlschema import upsert
from assistant.models import Chunk


class ReportWrites:
    """The store's writes (Store's transactions: `self.transaction`)."""

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

    def _drop_path(self, path: str) -> list[str]:
        """Forget one file; returns the reports dropped because no other file sources them."""
        old = self._ids_of_path(path)
        for table in ("report_sources", "files", "uploads"):
            self.conn.execute(f"DELETE FROM {table} WHERE path = ?", (path,))
        return self._drop_orphans(old)

    def _drop_orphans(self, ids: Iterable[str]) -> list[str]:
        """Delete the reports (and their chunks) among `ids` that no file sources any more."""
        dropped = [rid for rid in ids if not self._sources(rid)]
        for rid in dropped:
            self._delete_report(rid)
        return dropped

    def _delete_report(self, rid: str) -> None:
        self._delete_chunks(rid)
        for table, key in (("report_sources", "report_id"),
                           ("report_chrome", "report_id"), ("report_ocr", "report_id"),
                           ("pending_vectors", "report_id"),
                           ("reports", "id")):
            self.conn.execute(f"DELETE FROM {table} WHERE {key} = ?", (rid,))

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

    def replace_chunks(self, report_id: str, chunks: list[Chunk]) -> None:
        """Replace one report's chunks (joining an open transaction if there is one)."""
        with self.transaction():
            self._delete_chunks(report_id)
            self._insert_chunks(report_id, chunks)

    def _delete_chunks(self, report_id: str) -> None:
        self.conn.execute("DELETE FROM chunks WHERE report_id = ?", (report_id,))

    def _insert_chunks(self, report_id: str, chunks: list[Chunk]) -> None:
        self.conn.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
                              [chunk_row(report_id, i, c) for i, c in enumerate(chunks)])

    def mark_pending(self, report_ids: Iterable[str]) -> None:
        """Record reports whose vectors are still to be made (joining an open transaction)."""
        with self.transaction() as conn:
            conn.executemany("INSERT INTO pending_vectors (report_id) VALUES (?) "
                             "ON CONFLICT DO NOTHING", [(rid,) for rid in report_ids])

    def embedded(self, report_id: str, chunk_ids: list[str], matrix) -> None:
        """A report's vectors are made (in the vector cache here): it joins dense search whole."""
        with self.transaction() as conn:
            self._put_vectors(chunk_ids, matrix)
            conn.execute("DELETE FROM pending_vectors WHERE report_id = ?", (report_id,))

    def _put_vectors(self, chunk_ids: list[str], matrix) -> None:
        """The embedded store keeps vectors in the content-hash cache, not in its tables."""
