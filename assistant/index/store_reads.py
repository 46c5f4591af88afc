"""What the store of an index reads: reports (listed, one by id or prefix, counted), their
sources and chunks, uploads, libraries and the reports waiting for vectors — each read kept
to a caller's libraries where it lists or fetches reports (`libraries`; None = all). Mixed into
Store (assistant/index/store.py), whose connection, transactions and snapshots it uses; its
SQL runs on both engines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from assistant.index.records import ReportSummary, resolve_path, section_from_dict
from assistant.index.scope import Libraries
from assistant.models import DEFAULT_LIBRARY, Chunk, OcrSummary, Report, Section, report_label

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


class ReportReads:
    """The store's reads (Store's connection: `self.conn`)."""

    def file_hash(self, path: str | Path) -> str | None:
        """The content hash recorded for `path`; None if never ingested or marked stale."""
        row = self.conn.execute("SELECT content_hash FROM files WHERE path = ?",
                                (resolve_path(path),)).fetchone()
        return row[0] if row and row[0] else None

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
        if limit is not None:  # one page: its reports by id
            within, args = f" WHERE report_id IN ({', '.join('?' * len(ids))})", tuple(ids)
        elif libraries is not None:  # a caller's libraries: by the same condition, not by id
            within = f" WHERE report_id IN (SELECT r.id FROM reports r WHERE {inside})"
            args = inside_args
        else:
            within, args = "", ()
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

    def path_libraries(self, path: str) -> set[str]:
        """The libraries of the reports a stored file sources (none for a new file)."""
        sql = ("SELECT DISTINCT r.library FROM report_sources s JOIN reports r "
               "ON r.id = s.report_id WHERE s.path = ?")
        return {row[0] for row in self.conn.execute(sql, (resolve_path(path),))}

    def _path_within(self, path: str, libraries: Libraries) -> bool:
        """Whether every report a stored file sources is in `libraries` (None: any)."""
        return libraries is None or self.path_libraries(path) <= libraries

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

    def pending_reports(self) -> list[str]:
        """Reports waiting for their vectors, oldest first."""
        sql = "SELECT report_id FROM pending_vectors ORDER BY rowid"
        return [r[0] for r in self.conn.execute(sql)]

    def pending_chunks(self) -> int:
        """How many stored passages wait for their vectors."""
        return self.conn.execute("SELECT COUNT(*) FROM chunks WHERE report_id IN "
                                 "(SELECT report_id FROM pending_vectors)").fetchone()[0]

    def counts_for_paths(self, paths: Iterable[str]) -> tuple[int, int]:
        """Numbers of distinct reports sourced by any of `paths`, and of their chunks."""
        ids = {r for p in paths for r in self._ids_of_path(resolve_path(p))}
        return len(ids), sum(self.conn.execute("SELECT COUNT(*) FROM chunks WHERE report_id = ?",
                                               (rid,)).fetchone()[0] for rid in ids)
