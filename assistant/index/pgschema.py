"""The PostgreSQL schema of a library, versioned: numbered migrations applied in order.

`schema_migrations` records the versions applied; two app servers starting at once take an
advisory lock, so a migration runs once. The vector table depends on the embedder's dimension
and is created when the library meets its embedder (`ensure_vectors`).

Setup on a user's own server (once, as a superuser, in the library's database):
    CREATE EXTENSION vector;
"""

from __future__ import annotations

import re

import psycopg

from assistant.errors import AssistantError
from assistant.index.sqlschema import ACCOUNTS_SCHEMA

# PostgreSQL's tsvector limits: positions above 16,383 and more than 256 positions of one
# lexeme are dropped. Our passages (≤ ~600 characters) have fewer than 600 terms.
MAX_POSITION = 16383
MAX_POSITIONS = 256

# pgvector's HNSW graph: 32 links per node, the usual balance of recall and memory for 384-d;
# a candidate list of 80 while building (measured in FAISS at 100k 384-d vectors: recall@10 of
# exact search 1.00 at efSearch ≥ 64 on clustered vectors).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80

# Any constant names the lock: the schema's lock, shared by every server of one database.
MIGRATION_LOCK = 0x7265706F7274  # "report"


_V1 = """
CREATE TABLE files (path TEXT PRIMARY KEY, content_hash TEXT, encoding TEXT,
                    ingested_at DOUBLE PRECISION);
CREATE TABLE reports (
    id TEXT PRIMARY KEY, ord INTEGER, title TEXT, org TEXT, level TEXT, department TEXT,
    period TEXT, kind TEXT, span_start INTEGER, span_end INTEGER, preamble TEXT, signoff TEXT,
    sections_json TEXT, n_sections INTEGER DEFAULT 0);
CREATE INDEX reports_filters ON reports (level, department, period, kind);
CREATE TABLE report_sources (report_id TEXT, path TEXT, rowid BIGSERIAL,
                             PRIMARY KEY (report_id, path));
CREATE INDEX report_sources_path ON report_sources (path);
CREATE TABLE report_chrome (report_id TEXT PRIMARY KEY, lines_json TEXT);
CREATE TABLE chunks (
    id TEXT PRIMARY KEY, report_id TEXT, ord INTEGER, section_path_json TEXT, text TEXT,
    span_start INTEGER, span_end INTEGER, role TEXT, heading_only INTEGER,
    terms TSVECTOR NOT NULL, n_terms INTEGER NOT NULL);
CREATE INDEX chunks_report ON chunks (report_id, ord);
CREATE INDEX chunks_terms ON chunks USING GIN (terms);
CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT);
INSERT INTO manifest VALUES ('generation', '0'), ('schema_version', '2')
"""
# Reports stored whose vectors are still to come (the SQLite store's schema 4).
_V2 = """
CREATE TABLE pending_vectors (report_id TEXT PRIMARY KEY, rowid BIGSERIAL);
UPDATE manifest SET value = '3' WHERE key = 'schema_version'
"""
# Reports read by OCR: pages, mean confidence, lines to check (the SQLite store's report_ocr).
_V3 = """
CREATE TABLE report_ocr (report_id TEXT PRIMARY KEY, pages INTEGER, confidence DOUBLE PRECISION,
                         low_lines_json TEXT);
UPDATE manifest SET value = '4' WHERE key = 'schema_version'
"""
# The user's own file names of app uploads (the SQLite store's uploads).
_V4 = """
CREATE TABLE uploads (path TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE INDEX uploads_name ON uploads (name);
UPDATE manifest SET value = '5' WHERE key = 'schema_version'
"""
# Each chunk's BM25 terms as postings (term, chunk, count), so keyword search reads the postings
# of the question's terms: scoring from the `tsvector` unnested every matching passage's terms
# (p50 0.87 s at 1,000 reports, 22,879 passages).
_V5 = """
CREATE TABLE chunk_terms (term TEXT NOT NULL, chunk_id TEXT NOT NULL
                          REFERENCES chunks (id) ON DELETE CASCADE, tf INTEGER NOT NULL,
                          PRIMARY KEY (term, chunk_id));
CREATE INDEX chunk_terms_chunk ON chunk_terms (chunk_id);
INSERT INTO chunk_terms SELECT u.lexeme, c.id, cardinality(u.positions)
    FROM chunks c CROSS JOIN LATERAL unnest(c.terms) AS u;
DROP INDEX chunks_terms;
UPDATE manifest SET value = '6' WHERE key = 'schema_version'
"""
# Libraries, accounts and grants (the SQLite store's schema 6).
_V6 = ACCOUNTS_SCHEMA.format(seconds="DOUBLE PRECISION", if_absent="IF NOT EXISTS ") + """;
UPDATE manifest SET value = '7' WHERE key = 'schema_version'
"""
# Each posting carries its chunk's term count, and the primary key's index carries the count
# and tf, so keyword search reads a term's postings from the index alone (no heap, no join with
# chunks): at 1,000 reports 「县审计局存在哪些问题？」 (8,933 postings) took 120 ms, 8.7 ms so.
# The table is copied, not updated in place (an UPDATE of every posting rewrites it twice),
# and analysed: without statistics the planner read all of it (244 ms).
_V7 = """
CREATE TABLE chunk_postings AS SELECT t.term, t.chunk_id, t.tf, c.n_terms
    FROM chunk_terms t JOIN chunks c ON c.id = t.chunk_id;
DROP TABLE chunk_terms;
ALTER TABLE chunk_postings RENAME TO chunk_terms;
ALTER TABLE chunk_terms ALTER COLUMN term SET NOT NULL, ALTER COLUMN chunk_id SET NOT NULL,
    ALTER COLUMN tf SET NOT NULL, ALTER COLUMN n_terms SET NOT NULL,
    ADD PRIMARY KEY (term, chunk_id) INCLUDE (tf, n_terms),
    ADD FOREIGN KEY (chunk_id) REFERENCES chunks (id) ON DELETE CASCADE;
CREATE INDEX chunk_terms_chunk ON chunk_terms (chunk_id);
ANALYZE chunk_terms;
UPDATE manifest SET value = '8' WHERE key = 'schema_version'
"""
# Each term's statistics in each library, kept by the store's chunk writes (pgstore): its df
# for the idf, and its largest tf and smallest n_terms / tf, which bound any posting's BM25
# factor at any mean length (pgsearch.PgSparse). Counting them from the postings at search time
# took up to 1.9 s a question at 10,000 reports (a common term's postings on cold pages).
# TERM_STATS counts them from the postings of the chunks `c` meeting its condition.
TERM_STATS = """SELECT t.term, r.library, COUNT(*) AS df, MAX(t.tf) AS max_tf,
       MIN(t.n_terms::float8 / t.tf) AS min_ratio
    FROM chunk_terms t JOIN chunks c ON c.id = t.chunk_id JOIN reports r ON r.id = c.report_id
    WHERE {condition} GROUP BY t.term, r.library"""
_V8 = f"""
CREATE TABLE term_stats (term TEXT NOT NULL, library TEXT NOT NULL, df INTEGER NOT NULL,
                         max_tf INTEGER NOT NULL, min_ratio DOUBLE PRECISION NOT NULL,
                         PRIMARY KEY (term, library));
INSERT INTO term_stats {TERM_STATS.format(condition="TRUE")};
ANALYZE term_stats;
UPDATE manifest SET value = '9' WHERE key = 'schema_version'
"""
# Version → statements. Version 1 matches the SQLite store's schema 2 (report_chrome included).
MIGRATIONS: dict[int, str] = {1: _V1, 2: _V2, 3: _V3, 4: _V4, 5: _V5, 6: _V6, 7: _V7, 8: _V8}
SCHEMA_VERSION = max(MIGRATIONS)


class SchemaError(AssistantError):
    """The database lacks what the library needs (the pgvector extension)."""


def redact(url: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)


def applied(conn: psycopg.Connection) -> set[int]:
    """The migration versions applied to this database."""
    rows = conn.execute("SELECT version FROM schema_migrations").fetchall()
    return {r[0] for r in rows}


def migrate(conn: psycopg.Connection) -> list[int]:
    """Apply the missing migrations (each with its record, in one transaction); their versions."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        _extension(conn)
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                     "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ DEFAULT now())")
        done = applied(conn)
        todo = [v for v in sorted(MIGRATIONS) if v not in done]
        for version in todo:
            for statement in filter(str.strip, MIGRATIONS[version].split(";")):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
    return todo


def _extension(conn: psycopg.Connection) -> None:
    """pgvector in this database (created when the user may; else the one setup command)."""
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
        return
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise SchemaError(
            "数据库缺少 pgvector 扩展：请由管理员在该数据库中执行 CREATE EXTENSION vector;"
            f"（{exc.diag.message_primary or exc}）") from exc


def has_vectors(conn: psycopg.Connection) -> bool:
    """Whether the vector table exists (the library has met its embedder)."""
    return conn.execute("SELECT to_regclass('chunk_vectors')").fetchone()[0] is not None


def ensure_vectors(conn: psycopg.Connection, dim: int) -> None:
    """The vector table for `dim` dimensions, its rows dropped with their chunks, and its HNSW
    index over inner product (vectors are normalised: inner product = cosine)."""
    if has_vectors(conn):
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS chunk_vectors (chunk_id TEXT PRIMARY KEY "
            f"REFERENCES chunks (id) ON DELETE CASCADE, embedding vector({int(dim)}) NOT NULL)")
        conn.execute(
            "CREATE INDEX IF NOT EXISTS chunk_vectors_hnsw ON chunk_vectors USING hnsw "
            f"(embedding vector_ip_ops) WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})")
