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
# Relative margin below the k-th score within which chunks are fetched as its ties.
TIE_MARGIN = 1e-6
# MaxScore scores at most this many postings of the rarer terms' chunks, a key lookup each per
# query term; beyond that one aggregate over every posting is cheaper. MEASURE
MAX_CANDIDATES = 20_000
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
        being positions or filters (Within). The chunks holding the query's rarer terms are
        scored first (MaxScore); every posting of its common terms is read only when a chunk
        holding none of the rarer ones could still place."""
        counts = Counter(t for t in query_tokens if t)
        df = self._df(list(counts)) if counts and k > 0 and self.n_docs else {}
        if not df:
            return _NONE
        weights = {t: counts[t] * math.log(1 + (self.n_docs - d + 0.5) / (d + 0.5))
                   for t, d in df.items()}
        restrict = self.positions.within(allowed)
        ranked = self._pruned(weights, df, k, restrict)
        if ranked is None:
            ranked = self._every_posting(weights, k, restrict)
        scores, positions = ranked
        order = np.lexsort((positions, -scores))[:k]  # equal scores in position order (bm25s's)
        return scores[order], positions[order]

    def _pruned(self, weights: dict[str, float], df: dict[str, int], k: int,
                restrict: Within | None) -> tuple[np.ndarray, np.ndarray] | None:
        """Every scored chunk that can place, or None when pruning reads too much: the rarest
        terms (highest weight first) are the essential ones, every chunk holding one is scored
        over all terms through the (term, chunk_id) key, and the answer is exact once the k-th
        of those scores reaches the sum of the other terms' weights (a term adds less than its
        weight, so a chunk holding only those scores less)."""
        terms = sorted(weights, key=lambda t: (-weights[t], t))
        held = 0
        for count, term in enumerate(terms, 1):
            held += df[term]
            if held > MAX_CANDIDATES:
                return None
            rest = sum(weights[t] for t in terms[count:])
            if held < k and rest > 0:
                continue  # fewer candidates than places: a common term's chunk could place
            scores, positions = self._candidates(weights, terms[:count], restrict)
            if not rest or (len(scores) >= k and np.partition(-scores, k - 1)[k - 1] <= -rest):
                return scores, positions
        return None

    def _candidates(self, weights: dict[str, float], essential: list[str],
                    restrict: Within | None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, positions) of the snapshot's chunks holding an essential term, each scored
        over every query term by one key lookup a term (a LATERAL join, never a term's scan)."""
        args: list = [essential]
        where = ""
        if restrict is not None:
            args.extend(restrict.args)
            where = f" AND t.chunk_id IN (SELECT c.id FROM chunks c WHERE {restrict.clause})"
        args += [self.avg_terms, list(weights), list(weights.values())]
        sql = ("WITH cand AS MATERIALIZED (SELECT DISTINCT t.chunk_id FROM chunk_terms t "
               f"WHERE t.term = ANY(%s){where}) "
               "SELECT cand.chunk_id, s.score FROM cand CROSS JOIN LATERAL ("
               f"SELECT SUM(w.weight * t.tf / (t.tf + {K1} * (1 - {B} + {B}::float8 * t.n_terms"
               " / %s::float8))) AS score FROM unnest(%s::text[], %s::float8[]) AS w(term, weight)"
               " JOIN chunk_terms t ON t.term = w.term AND t.chunk_id = cand.chunk_id) s")
        rows = self.store.conn.raw.execute(sql, args).fetchall()
        return self.positions.ranked(rows, len(rows))

    def _every_posting(self, weights: dict[str, float], k: int,
                       restrict: Within | None) -> tuple[np.ndarray, np.ndarray]:
        """The best chunks by one aggregate over every posting of the query's terms: the top
        k·FETCH_FACTOR, then, when chunks after the snapshot took places or the k-th score
        ties past them, every chunk scoring at least the k-th (never the whole aggregate)."""
        args: list = [self.avg_terms, list(weights), list(weights.values())]
        where = ""
        if restrict is not None:  # the filters name the chunk's own columns
            args.extend(restrict.args)
            where = f" JOIN chunks c ON c.id = t.chunk_id WHERE {restrict.clause}"
        score = (f"SUM(w.weight * t.tf / (t.tf + {K1} * (1 - {B} + {B}::float8 * t.n_terms"
                 " / %s::float8)))")
        sql = (f"SELECT t.chunk_id, {score} AS score "
               "FROM unnest(%s::text[], %s::float8[]) AS w(term, weight) "
               f"JOIN chunk_terms t ON t.term = w.term{where} GROUP BY t.chunk_id")
        limit = k * FETCH_FACTOR
        rows = self.store.conn.raw.execute(f"{sql} ORDER BY score DESC LIMIT %s",
                                           (*args, limit)).fetchall()
        scores, positions = self.positions.ranked(rows, limit)
        if len(rows) < limit or (len(scores) >= k and scores[k - 1] > np.float32(rows[-1][1])):
            return scores, positions
        floor = float(scores[k - 1]) if len(scores) >= k else 0.0
        # a float sum's order may differ between two runs: a hair below the k-th keeps its ties
        rows = self.store.conn.raw.execute(f"{sql} HAVING {score} >= %s",
                                           (*args, self.avg_terms, floor * (1 - TIE_MARGIN))
                                           ).fetchall()
        return self.positions.ranked(rows, len(rows))

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        """As sparse.idf: log(1 + N / df) of each distinct token found in the library."""
        df = self._df(list(dict.fromkeys(t for t in tokens if t)))
        return {t: float(np.log1p(self.n_docs / max(d, 1))) for t, d in df.items()}

    def term_coverage(self, query_tokens: list[str], positions: Sequence[int]) -> np.ndarray:
        """As sparse.term_coverage, for the chunks at `positions` only: their postings of the
        query's terms are read through the (term, chunk_id) key, never a term's every posting
        (at 10,000 reports a common term's are most of the library)."""
        coverage = np.zeros(len(positions), dtype=np.float32)
        weights = self.idf(query_tokens)
        total = sum(weights.values())
        if not total or not len(positions):
            return coverage
        slot = {self.positions.ids[p]: i for i, p in enumerate(positions)}
        rows = self.store.conn.raw.execute(
            "SELECT chunk_id, term FROM chunk_terms WHERE term = ANY(%s) AND chunk_id = ANY(%s)",
            (list(weights), list(slot)),
        ).fetchall()
        for cid, term in rows:
            coverage[slot[cid]] += weights[term]
        return coverage / total

def restricted(whole, view, kept: Sequence[int]) -> tuple[PgDense, PgSparse, PgFilters]:
    """A caller's view of a database snapshot (index.Derived.for_libraries): searches whose SQL
    keeps to its libraries, ranked in positions of its own chunk list (`kept`, the view's
    positions in the whole list, is not needed: the engine restricts by library)."""
    positions = Positions([c.id for c in view.chunks])
    libraries = view.libraries
    return (PgDense(whole.dense.store, positions, whole.dense.ntotal),
            PgSparse(whole.sparse.store, positions, len(view.chunks), whole.sparse.avg_terms,
                     libraries),
            PgFilters(libraries))
