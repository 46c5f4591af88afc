"""The SQLite store's schema: the version-1 tables, the migrations that bring a store to
SCHEMA_VERSION, and the upsert statement both engines run (assistant/index/store.py,
assistant/index/pgstore.py)."""

from __future__ import annotations

from assistant.models import DEFAULT_LIBRARY

SCHEMA_VERSION = "6"  # 2: report_chrome (the lines each report dropped as page chrome); 3: report_ocr
# 4: pending_vectors (reports stored, searchable by keywords, whose vectors are still to come)
# 5: uploads (the user's own file names of uploaded files)
# 6: libraries, users, grants, and each report's library (assistant/accounts)

# The version-1 schema; MIGRATIONS bring a store to SCHEMA_VERSION.
SCHEMA = """
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, content_hash TEXT, encoding TEXT, ingested_at REAL);
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, ord INTEGER, title TEXT, org TEXT, level TEXT, department TEXT,
    period TEXT, kind TEXT, span_start INTEGER, span_end INTEGER, preamble TEXT, signoff TEXT,
    sections_json TEXT, n_sections INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS report_sources (report_id TEXT, path TEXT, PRIMARY KEY (report_id, path));
CREATE INDEX IF NOT EXISTS report_sources_path ON report_sources(path);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, report_id TEXT, ord INTEGER, section_path_json TEXT, text TEXT,
    span_start INTEGER, span_end INTEGER, role TEXT, heading_only INTEGER);
CREATE INDEX IF NOT EXISTS chunks_report ON chunks(report_id);
CREATE TABLE IF NOT EXISTS manifest (key TEXT PRIMARY KEY, value TEXT);
INSERT OR IGNORE INTO manifest VALUES ('schema_version', '1'), ('generation', '0')
"""
# Libraries, accounts and grants (assistant/accounts), in both engines' SQL: {seconds} is the
# engine's floating-point type; {if_absent} its way of adding a column only once (SQLite has
# none: Store._migrate skips a column already there). A password is stored only as its hash.
ACCOUNTS_SCHEMA = f"""
ALTER TABLE reports ADD COLUMN {{if_absent}}library TEXT NOT NULL DEFAULT '{DEFAULT_LIBRARY}';
CREATE INDEX IF NOT EXISTS reports_library ON reports (library);
CREATE TABLE IF NOT EXISTS libraries (name TEXT PRIMARY KEY, created_at {{seconds}});
INSERT INTO libraries VALUES ('{DEFAULT_LIBRARY}', 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL,
                                  password_hash TEXT NOT NULL, created_at {{seconds}});
CREATE TABLE IF NOT EXISTS grants (library TEXT NOT NULL, user_name TEXT NOT NULL,
                                   PRIMARY KEY (library, user_name))
"""
# Schema changes since version 1, applied in order to an older store when it is opened.
MIGRATIONS = {
    "2": "CREATE TABLE IF NOT EXISTS report_chrome (report_id TEXT PRIMARY KEY, lines_json TEXT)",
    # reports whose file was read by OCR: pages, mean confidence, lines to check
    "3": "CREATE TABLE IF NOT EXISTS report_ocr (report_id TEXT PRIMARY KEY, pages INTEGER, "
         "confidence REAL, low_lines_json TEXT)",
    "4": "CREATE TABLE IF NOT EXISTS pending_vectors (report_id TEXT PRIMARY KEY)",
    # The user's own file name of a file uploaded through the app (its path is a temporary
    # copy): what the library shows, and what a later upload of the same name replaces.
    "5": "CREATE TABLE IF NOT EXISTS uploads (path TEXT PRIMARY KEY, name TEXT NOT NULL);"
         "CREATE INDEX IF NOT EXISTS uploads_name ON uploads(name)",
    # Department libraries and the accounts that may read them: every report made before is
    # in the default library.
    "6": ACCOUNTS_SCHEMA.format(seconds="REAL", if_absent=""),
}
# Columns of the tables written by upsert (the first is the key): the statements are written so
# that SQLite and PostgreSQL (assistant/index/pgstore.py) both run them.
UPSERT_KEYS = {"manifest": ("key", "value"),
                "files": ("path", "content_hash", "encoding", "ingested_at"),
                "reports": ("id", "ord", "title", "org", "level", "department", "period", "kind",
                            "span_start", "span_end", "preamble", "signoff", "sections_json",
                            "n_sections", "library"),
                "report_chrome": ("report_id", "lines_json"),
                "uploads": ("path", "name")}


def upsert(table: str) -> str:
    """INSERT of one row of `table` replacing the row with the same key (both engines)."""
    key, *rest = UPSERT_KEYS[table]
    columns = ", ".join((key, *rest))
    marks = ", ".join("?" * (1 + len(rest)))
    updates = ", ".join(f"{c} = excluded.{c}" for c in rest)
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({key}) DO UPDATE SET {updates}"
