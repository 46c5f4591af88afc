"""Dense and keyword search and filters done by PostgreSQL: the database backend's
engine.DenseSearch, KeywordSearch and FilterSearch, so retrieval runs unchanged: positions
are those of the library snapshot's chunk list, and a chunk committed after the snapshot is
left out until the next one. Nothing is built or held by the app server but that list:
pgvector's HNSW index ranks the vectors and the postings of the question's terms
(`chunk_terms`, the `tsvector` terms by term) find the chunks, which SQL scores with BM25
exactly as bm25s does (Lucene's variant, the same k1 and b), so the two backends rank alike.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.index.engine import Within
from assistant.index.pgstore import PgStore, vector_literal
from assistant.index.scope import Libraries
from assistant.index.sparse import K1, B
from assistant.models import Filters

_NONE = np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int64)
# A keyword search fetches this many times k of the best-scored chunks: room for chunks
# committed after the snapshot and for ties at the k-th score (all are fetched when those
# fill it).
FETCH_FACTOR = 2
# Filter fields on the report and on the chunk, as answer/query.py's Filters names them.
REPORT_FIELDS = ("level", "department", "period", "kind")
# The chunks `c` of a caller's libraries (one array argument)
IN_LIBRARIES = "c.report_id IN (SELECT r.id FROM reports r WHERE r.library = ANY(%s))"


def within(filters: Filters, libraries: Libraries = None) -> Within:
    """answer.query.Filters as SQL: a field matches when its value holds any string wanted for
    it, as the embedded backend matches (filtering.matches); report ids are kept as given; and
    only reports of `libraries` when given (a caller's view)."""
    parts, args = [], []
    if libraries is not None:
        parts.append(IN_LIBRARIES)
        args.append(sorted(libraries))

    def holds(column: str, wanted: Sequence[str]) -> str:
        args.extend(wanted)
        return "(" + " OR ".join([f"strpos({column}, %s) > 0"] * len(wanted)) + ")"

    on_report = [holds(f"r.{name}", wanted) for name in REPORT_FIELDS
                 if (wanted := getattr(filters, name))]
    if on_report:
        parts.append(f"c.report_id IN (SELECT r.id FROM reports r WHERE {' AND '.join(on_report)})")
    if filters.role:
        parts.append(holds("c.role", filters.role))
    if filters.report_ids:
        parts.append("c.report_id = ANY(%s)")
        args.append(list(filters.report_ids))
    return Within(" AND ".join(parts) or "TRUE", tuple(args))


@dataclass(frozen=True)
class PgFilters:
    """Filters as the SQL condition the engine's searches apply; a caller's view always keeps
    to its libraries."""

    libraries: Libraries = None

    def restrict(self, filters: Filters) -> Within | None:
        if filters.is_empty() and self.libraries is None:
            return None
        return within(filters, self.libraries)


@dataclass
class Positions:
    """A snapshot's chunk ids by position, and back."""

    ids: list[str]
    of: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.of = {cid: pos for pos, cid in enumerate(self.ids)}

    def within(self, allowed: Within | Sequence[int] | None) -> Within | None:
        """A search's restriction as SQL: filters as they are, positions as their chunk ids."""
        if allowed is None or isinstance(allowed, Within):
            return allowed
        return Within("c.id = ANY(%s)", ([self.ids[p] for p in allowed],))

    def ranked(self, rows: Sequence[tuple[str, float]], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, positions) of rows in the snapshot, best first, at most k."""
        kept = [(score, self.of[cid]) for cid, score in rows if cid in self.of][:k]
        if not kept:
            return _NONE
        scores, positions = zip(*kept, strict=True)
        return np.asarray(scores, dtype=np.float32), np.asarray(positions, dtype=np.int64)


@dataclass
class PgDense:
    """pgvector search over the library's vectors; `ntotal` of them at the snapshot."""

    store: PgStore
    positions: Positions
    ntotal: int

    def search(self, query_vecs: np.ndarray, k: int, allowed: Within | Sequence[int] | None = None):
        """As dense.search: the top k by inner product (HNSW; exact within a filter), `allowed`
        being positions or filters (Within)."""
        queries = np.asarray(query_vecs, dtype=np.float32)
        if queries.ndim == 2:
            return self._batch(queries, k, allowed)
        if k <= 0 or not self.ntotal:
            return _NONE
        vec, restrict = vector_literal(queries), self.positions.within(allowed)
        if restrict is None:
            sql = ("SELECT chunk_id, -(embedding <#> %s::vector) FROM chunk_vectors "
                   "ORDER BY embedding <#> %s::vector LIMIT %s")
            args: tuple = (vec, vec, k)
        else:  # `+ 0` orders by the exact distance: an HNSW scan would filter after its top k
            sql = ("SELECT v.chunk_id, -(v.embedding <#> %s::vector) FROM chunk_vectors v "
                   f"JOIN chunks c ON c.id = v.chunk_id WHERE {restrict.clause} "
                   "ORDER BY (v.embedding <#> %s::vector) + 0 LIMIT %s")
            args = (vec, *restrict.args, vec, k)
        return self.positions.ranked(self.store.conn.raw.execute(sql, args).fetchall(), k)

    def _batch(self, queries: np.ndarray, k: int, allowed: Within | Sequence[int] | None):
        """(q, k) arrays, empty slots holding score -inf and position -1 (as FAISS's)."""
        width = max(0, min(k, self.ntotal))
        scores = np.full((len(queries), width), -np.inf, dtype=np.float32)
        positions = np.full((len(queries), width), -1, dtype=np.int64)
        for row, query in enumerate(queries):
            s, p = self.search(query, width, allowed)
            scores[row, : len(s)], positions[row, : len(p)] = s, p
        return scores, positions


@dataclass
class PgSparse:
    """BM25 over the chunks' `tsvector` terms, scored in SQL; N and the mean length at the
    snapshot."""

    store: PgStore
    positions: Positions
    n_docs: int
    avg_terms: float
    libraries: Libraries = None  # a caller's view: df counted among its libraries' chunks
    # term → df, counted once per snapshot: a common term's postings are most of the library
    known: dict[str, int] = field(default_factory=dict, repr=False)

    def _df(self, terms: Sequence[str]) -> dict[str, int]:
        """Document frequencies of the terms found in the library (their postings counted)."""
        if missing := [t for t in dict.fromkeys(terms) if t not in self.known]:
            if self.libraries is None:
                sql, args = ("SELECT term, COUNT(*) FROM chunk_terms WHERE term = ANY(%s) "
                             "GROUP BY term"), (missing,)
            else:
                sql = ("SELECT t.term, COUNT(*) FROM chunk_terms t JOIN chunks c "
                       f"ON c.id = t.chunk_id WHERE t.term = ANY(%s) AND {IN_LIBRARIES} "
                       "GROUP BY t.term")
                args = (missing, sorted(self.libraries))
            rows = self.store.conn.raw.execute(sql, args).fetchall()
            self.known.update(dict.fromkeys(missing, 0) | dict(rows))
        return {t: self.known[t] for t in dict.fromkeys(terms) if self.known[t]}

    def search(self, query_tokens: list[str], k: int,
               allowed: Within | Sequence[int] | None = None):
        """As sparse.search: BM25 (Lucene idf, each repeated query term counted again), `allowed`
        being positions or filters (Within)."""
        counts = Counter(t for t in query_tokens if t)
        df = self._df(list(counts)) if counts and k > 0 and self.n_docs else {}
        if not df:
            return _NONE
        weights = {t: counts[t] * math.log(1 + (self.n_docs - d + 0.5) / (d + 0.5))
                   for t, d in df.items()}
        # parameters in the order they appear: mean length, terms, weights, then the filters'
        args: list = [self.avg_terms, list(weights), list(weights.values())]
        restrict, where = self.positions.within(allowed), ""
        if restrict is not None:  # the filters name the chunk's own columns
            args.extend(restrict.args)
            where = f" JOIN chunks c ON c.id = t.chunk_id WHERE {restrict.clause}"
        sql = ("SELECT t.chunk_id, SUM(w.weight * t.tf / (t.tf"
               f" + {K1} * (1 - {B} + {B}::float8 * t.n_terms / %s::float8))) AS score "
               "FROM unnest(%s::text[], %s::float8[]) AS w(term, weight) "
               f"JOIN chunk_terms t ON t.term = w.term{where} GROUP BY t.chunk_id ORDER BY score DESC")
        limit = k * FETCH_FACTOR
        rows = self.store.conn.raw.execute(f"{sql} LIMIT %s", (*args, limit)).fetchall()
        scores, positions = self.positions.ranked(rows, limit)
        if len(rows) == limit and (len(scores) < k or scores[k - 1] == np.float32(rows[-1][1])):
            # chunks after the snapshot took places, or the k-th score ties past the limit
            rows = self.store.conn.raw.execute(sql, args).fetchall()
            scores, positions = self.positions.ranked(rows, len(rows))
        order = np.lexsort((positions, -scores))[:k]  # equal scores in position order (bm25s's)
        return scores[order], positions[order]

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        """As sparse.idf: log(1 + N / df) of each distinct token found in the library."""
        df = self._df(list(dict.fromkeys(t for t in tokens if t)))
        return {t: float(np.log1p(self.n_docs / max(d, 1))) for t, d in df.items()}

    def term_coverage(self, query_tokens: list[str]) -> np.ndarray:
        """As sparse.term_coverage: per position, the IDF-weighted share of query terms held."""
        coverage = np.zeros(self.n_docs, dtype=np.float32)
        weights = self.idf(query_tokens)
        total = sum(weights.values())
        if not total:
            return coverage
        rows = self.store.conn.raw.execute(
            "SELECT chunk_id, term FROM chunk_terms WHERE term = ANY(%s)", (list(weights),)
        ).fetchall()
        for cid, term in rows:
            pos = self.positions.of.get(cid)
            if pos is not None:
                coverage[pos] += weights[term]
        return coverage / total


def restricted(whole, view) -> tuple[PgDense, PgSparse, PgFilters]:
    """A caller's view of a database snapshot (index.Derived.for_libraries): searches whose SQL
    keeps to its libraries, ranked in positions of its own chunk list."""
    positions = Positions([c.id for c in view.chunks])
    libraries = view.libraries
    return (PgDense(whole.dense.store, positions, whole.dense.ntotal),
            PgSparse(whole.sparse.store, positions, len(view.chunks), whole.sparse.avg_terms,
                     libraries),
            PgFilters(libraries))
