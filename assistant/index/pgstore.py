"""The store on PostgreSQL + pgvector (REPORT_ASSISTANT_DATABASE_URL=postgresql://…).

The same tables and statements as the SQLite store (assistant/index/store.py, whose SQL is
written for both engines), plus what lets the engine search without an index of ours: each
chunk's BM25 terms in a `tsvector` (GIN index) with its term count, and its vector in
`chunk_vectors` (HNSW index). A write transaction first locks the `generation` row, so writers
from several app servers queue as SQLite's BEGIN IMMEDIATE makes them; a snapshot is one
REPEATABLE READ transaction. Schema changes are numbered migrations (assistant/index/pgschema.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import psycopg

from assistant.errors import AssistantError
from assistant.index import pgschema
from assistant.index.records import chunk_row
from assistant.index.store import Store
from assistant.index.tokenize import tokenize
from assistant.ingest.chunks import context_text
from assistant.models import Chunk

VectorsFn = Callable[[list[Chunk]], np.ndarray]

# pgvector keeps at most this many candidates per HNSW scan, so a search for the top k needs
# at least k: retrieval asks for 100 per retriever (answer/retrieve.py CANDIDATES). At the dev
# libraries' sizes (≤ 2,400 vectors) 200 returns the exact top 100 (figures equal to FAISS's).
# At 1,000 reports (22,879 stand-in vectors, 157 dev questions), the share of the exact top
# 100 found, and p50: ef_search 100 0.59 in 2.0 ms, 200 0.70 in 2.0 ms, 400 0.82 in 2.6 ms,
# 800 0.92 in 9.4 ms (FAISS's IVF: 0.99 on the 10,000-report library's).
EF_SEARCH = 400


class DatabaseError(AssistantError):
    """The database cannot be reached or set up."""


class _Connection:
    """A psycopg connection that takes the store's `?` placeholders (SQLite's) as `%s`."""

    def __init__(self, raw: psycopg.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence = ()) -> psycopg.Cursor:
        return self.raw.execute(sql.replace("?", "%s"), params or None)

    def executemany(self, sql: str, rows: Sequence[Sequence]) -> None:
        if rows:
            with self.raw.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), rows)

    def close(self) -> None:
        self.raw.close()


def tsvector_literal(terms: Sequence[str]) -> str:
    """A `tsvector` of terms as given (PostgreSQL's parser never re-cuts them), with positions,
    so that each term's count in the chunk is the length of its position list."""
    positions: dict[str, list[int]] = {}
    for pos, term in enumerate(terms[: pgschema.MAX_POSITION], start=1):
        positions.setdefault(term, []).append(pos)
    return " ".join(f"{quote_lexeme(term)}:{','.join(map(str, p[: pgschema.MAX_POSITIONS]))}"
                    for term, p in positions.items())


def quote_lexeme(term: str) -> str:
    """A term quoted for tsvector/tsquery input (backslash and quote escaped)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def vector_literal(vec: np.ndarray) -> str:
    """pgvector's text form; 9 significant digits round-trip a float32 exactly."""
    return "[" + ",".join(f"{x:.9g}" for x in np.asarray(vec, dtype=np.float32)) + "]"


class PgStore(Store):
    """One connection to the library's database; the SQLite store's interface."""

    BEGIN_WRITE = ("BEGIN", "SELECT value FROM manifest WHERE key = 'generation' FOR UPDATE")
    BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    remote = True

    def __init__(self, url: str) -> None:
        super().__init__(".")
        self.url = self.path = url  # type: ignore[assignment]
        # Vectors stored with their chunks, when they are known already (a migration copies
        # them); else they come later, a report at a time (assistant/index/pending.py).
        self.vectors: VectorsFn | None = None

    def open(self) -> PgStore:
        """Connect and bring the schema to the current version."""
        if self._conn is None:
            try:
                raw = psycopg.connect(self.url, autocommit=True)
            except psycopg.Error as exc:
                raise DatabaseError(f"无法连接数据库 {pgschema.redact(self.url)}：{exc}") from exc
            pgschema.migrate(raw)
            raw.execute(f"SET hnsw.ef_search = {EF_SEARCH}")
            self._conn = _Connection(raw)
        return self

    @property
    def conn(self) -> _Connection:
        """The connection; a new one when the server dropped the old (a restarted database)."""
        if self._conn is not None and self._conn.raw.broken and not self._in_tx:
            self._conn = None
        return self._conn or self.open()._conn  # type: ignore[return-value]

    def _migrate(self, conn) -> None:
        """Done by pgschema.migrate when connecting."""

    def in_transaction(self) -> bool:
        return self.conn.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def ensure_vectors(self, dim: int) -> None:
        """The vector table and its HNSW index for `dim`-dimensional vectors (once per library)."""
        with self._lock:
            pgschema.ensure_vectors(self.conn.raw, dim)

    def _insert_chunks(self, report_id: str, chunks: list[Chunk]) -> None:
        """Chunks with their BM25 terms, and their vectors when they are known already."""
        rows, postings = [], []
        for i, c in enumerate(chunks):
            terms = tokenize(context_text(c))
            rows.append((*chunk_row(report_id, i, c), tsvector_literal(terms), len(terms)))
            counts = Counter(terms[: pgschema.MAX_POSITION])  # what the tsvector keeps of them
            postings += [(t, c.id, min(n, pgschema.MAX_POSITIONS), len(terms))
                         for t, n in counts.items()]
        self.conn.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?::tsvector,?)", rows)
        if postings:
            with self.conn.raw.cursor().copy(
                    "COPY chunk_terms (term, chunk_id, tf, n_terms) FROM STDIN") as copy:
                for posting in postings:
                    copy.write_row(posting)
            self._count_terms(report_id)
        if self.vectors is not None and chunks:
            self._put_vectors([c.id for c in chunks], self.vectors(chunks))

    def _count_terms(self, report_id: str) -> None:
        """Add a report's postings to its library's term statistics (pgschema._V8)."""
        self.conn.raw.execute(
            f"INSERT INTO term_stats {pgschema.TERM_STATS.format(condition='c.report_id = %s')} "
            "ON CONFLICT (term, library) DO UPDATE SET df = term_stats.df + excluded.df, "
            "max_tf = GREATEST(term_stats.max_tf, excluded.max_tf), "
            "min_ratio = LEAST(term_stats.min_ratio, excluded.min_ratio)", (report_id,))

    def _delete_chunks(self, report_id: str) -> None:
        """A report's chunks, their postings taken out of the term statistics first (the largest
        tf and smallest ratio stay: bounds still)."""
        self.conn.raw.execute(
            f"UPDATE term_stats s SET df = s.df - d.df FROM "
            f"({pgschema.TERM_STATS.format(condition='c.report_id = %s')}) d "
            "WHERE s.term = d.term AND s.library = d.library", (report_id,))
        super()._delete_chunks(report_id)

    def _put_vectors(self, chunk_ids: Sequence[str], matrix: np.ndarray) -> None:
        """Store (or replace) the vectors of stored chunks."""
        self.conn.executemany(
            "INSERT INTO chunk_vectors VALUES (?, ?::vector) ON CONFLICT (chunk_id) "
            "DO UPDATE SET embedding = excluded.embedding",
            [(cid, vector_literal(vec)) for cid, vec in zip(chunk_ids, matrix, strict=True)])

    def mean_terms(self) -> float:
        """The mean number of BM25 terms of a chunk (BM25's average document length)."""
        return float(self.conn.execute("SELECT COALESCE(AVG(n_terms), 0) FROM chunks").fetchone()[0])

    def vector_count(self) -> int:
        """How many stored chunks have their vector."""
        if not pgschema.has_vectors(self.conn.raw):
            return 0
        return self.conn.execute("SELECT COUNT(*) FROM chunk_vectors").fetchone()[0]
