"""Dense and keyword search and filters done by PostgreSQL: the database backend's
engine.DenseSearch, KeywordSearch and FilterSearch, so retrieval runs unchanged: positions
are those of the library snapshot's chunk list, and a chunk committed after the snapshot is
left out until the next one. Nothing is built or held by the app server but that list:
pgvector's HNSW index ranks the vectors; the postings of the question's terms (`chunk_terms`,
the `tsvector` terms by term) find the chunks, SQL scores each posting with BM25 as bm25s does
(Lucene's variant, the same k1 and b) and the search adds them up term by term (MaxScore), so
the two backends rank alike.
"""

from __future__ import annotations

import math
import re
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
# A posting read whole (a row to the app) costs about a quarter of a key lookup: at 1,000
# reports 0.83 µs a posting against 3.9 µs a (term, chunk) lookup (LATERAL join)
LOOKUPS_PER_READ = 4
# What a term can add at most is taken a hair over: the float sums run in another order, and a
# chunk tying the k-th score must not be pruned
BOUND_MARGIN = 1e-6
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


CHUNK_ID = re.compile(r"[0-9a-f]{16}")  # ingest.chunks.chunk_id: 64 bits of a hash, in hex


@dataclass
class Positions:
    """A snapshot's chunk ids by position, and back: by a dict, and, when every id is 16 hex
    digits (every chunk id ingest makes), by their 64-bit values sorted, so a term's postings
    sent as bytes find their positions in numpy."""

    ids: list[str]
    of: dict[str, int] = field(default_factory=dict)
    keys: np.ndarray | None = field(default=None, repr=False)  # the ids' values, sorted
    order: np.ndarray | None = field(default=None, repr=False)  # the position of each key

    def __post_init__(self) -> None:
        self.of = {cid: pos for pos, cid in enumerate(self.ids)}
        if self.ids and all(CHUNK_ID.fullmatch(cid) for cid in self.ids):
            values = np.frombuffer(bytes.fromhex("".join(self.ids)), dtype=">u8").astype(np.uint64)
            self.order = np.argsort(values, kind="stable")
            self.keys = values[self.order]

    def locate(self, keys: np.ndarray) -> np.ndarray:
        """The snapshot position of each 64-bit id, -1 for an id not in it."""
        if self.keys is None or not len(keys):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[at] == keys, self.order[at], -1)

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
    # term → (df, a bound on its postings' BM25 length-and-tf factor), read once per snapshot
    known: dict[str, tuple[int, float]] = field(default_factory=dict, repr=False)

    def _factor(self, alias: str = "") -> str:
        """SQL of a posting's BM25 factor tf / (tf + k1·(1 − b + b·len/avg)), in (0, 1)."""
        tf, n = f"{alias}tf", f"{alias}n_terms"
        return f"{tf} / ({tf} + {K1} * (1 - {B} + {B}::float8 * {n} / {self.avg_terms!r}::float8))"

    def _stats(self, terms: Sequence[str]) -> dict[str, tuple[int, float]]:
        """(df, largest factor) of each term found in the library, from the term statistics
        the store keeps (pgschema._V8): df for the idf, and for the term's score bound a factor
        no posting exceeds, 1 / (1 + k1·(1 − b) / max tf + k1·b·min(n_terms / tf) / avg)."""
        if missing := [t for t in dict.fromkeys(terms) if t not in self.known]:
            sql = ("SELECT term, SUM(df), MAX(max_tf), MIN(min_ratio) FROM term_stats "
                   "WHERE term = ANY(%s) AND df > 0")
            args: tuple = (missing,)
            if self.libraries is not None:
                sql += " AND library = ANY(%s)"
                args = (missing, sorted(self.libraries))
            found = {t: (int(d), 1 / (1 + K1 * (1 - B) / tf + K1 * B * ratio / self.avg_terms))
                     for t, d, tf, ratio in self.store.conn.raw.execute(sql + " GROUP BY term", args)}
            self.known.update({t: found.get(t, (0, 0.0)) for t in missing})
        return {t: self.known[t] for t in dict.fromkeys(terms) if self.known[t][0]}

    def search(self, query_tokens: list[str], k: int,
               allowed: Within | Sequence[int] | None = None):
        """As sparse.search: BM25 (Lucene idf, each repeated query term counted again), `allowed`
        being positions or filters (Within), exact, by MaxScore: terms are read one at a time,
        the most a term can add first, until the k-th partial score exceeds what the unread
        terms can add together; only the chunks that could still place are then completed, by
        a key lookup per unread term."""
        counts = Counter(t for t in query_tokens if t)
        stats = self._stats(list(counts)) if counts and k > 0 and self.n_docs else {}
        if not stats:
            return _NONE
        weights = {t: counts[t] * math.log(1 + (self.n_docs - d + 0.5) / (d + 0.5))
                   for t, (d, _) in stats.items()}
        # what a term can add at most, a hair over (float8 sums in another order)
        bound = {t: weights[t] * stats[t][1] * (1 + BOUND_MARGIN) for t in weights}
        restrict = self.positions.within(allowed)
        terms = sorted(weights, key=lambda t: (-bound[t], t))
        # partial scores by snapshot position, and which positions a read term has touched
        partial = np.zeros(len(self.positions.ids), dtype=np.float64)
        seen = np.zeros(len(self.positions.ids), dtype=bool)
        for count, term in enumerate(terms, 1):
            at, values = self._contributions(term, weights[term], restrict)
            partial[at] += values  # a chunk holds a term once: positions are distinct
            seen[at] = True
            rest = terms[count:]
            unread = sum(bound[t] for t in rest)
            scores = partial[seen]
            floor = float(np.partition(scores, -k)[-k]) if len(scores) >= k else 0.0
            running = int(np.count_nonzero(scores + unread >= floor))
            # exact once no chunk missing from `partial` can place; then a term is read whole
            # only while that costs less than looking it up for every chunk still running
            if not rest or (unread < floor and stats[rest[0]][0] > LOOKUPS_PER_READ * running):
                break
        if rest:  # complete the chunks that the unread terms could lift to the k-th
            wanted = np.flatnonzero(seen & (partial + unread >= floor))
            kept = np.zeros_like(seen)
            kept[wanted] = True
            ids = self.positions.ids
            for cid, value in self._lookups([ids[p] for p in wanted], {t: weights[t] for t in rest}):
                partial[self.positions.of[cid]] += value
            seen = kept
        positions = np.flatnonzero(seen)
        scores = partial[positions].astype(np.float32)
        order = np.lexsort((positions, -scores))[:k]  # equal scores in position order (bm25s's)
        return scores[order], positions[order]

    def _contributions(self, term: str, weight: float, restrict: Within | None):
        """(snapshot positions, weight × factor) of every posting of `term` within `restrict`
        in the snapshot, sent as two byte strings (ids as 64-bit values, factors as float8):
        at 10,000 reports a common term has ~10⁵ postings, and a row each cost more in the
        driver than the query in the database; ids of another shape go as text."""
        binary = self.positions.keys is not None
        ids = "decode(t.chunk_id, 'hex')" if binary else "convert_to(t.chunk_id || ' ', 'UTF8')"
        sql = (f"SELECT string_agg({ids}, ''::bytea), string_agg(float8send({self._factor('t.')}),"
               " ''::bytea) FROM chunk_terms t WHERE t.term = %s")
        args: list = [term]
        if restrict is not None:
            sql += f" AND t.chunk_id IN (SELECT c.id FROM chunks c WHERE {restrict.clause})"
            args.extend(restrict.args)
        found, factors = self.store.conn.raw.execute(sql, args).fetchone()
        if not found:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        if binary:
            at = self.positions.locate(np.frombuffer(found, dtype=">u8").astype(np.uint64))
        else:
            of = self.positions.of
            at = np.asarray([of.get(cid, -1) for cid in bytes(found).decode().split()], dtype=np.int64)
        values = weight * np.frombuffer(factors, dtype=">f8").astype(np.float64)
        inside = at >= 0  # a chunk committed after the snapshot is left out
        return at[inside], values[inside]

    def _lookups(self, chunk_ids: Sequence[str], weights: dict[str, float], each: str = ""):
        """(chunk id, Σ weight × `each` over the `weights` terms it holds; each posting's BM25
        factor by default) of every chunk, by one (term, chunk_id) key lookup per term and chunk
        (a LATERAL join, never a term's scan)."""
        if not chunk_ids:
            return []
        sql = ("SELECT ids.id, COALESCE(s.score, 0) FROM unnest(%s::text[]) AS ids(id) "
               f"CROSS JOIN LATERAL (SELECT SUM(w.weight * {each or self._factor('t.')}) AS score "
               "FROM unnest(%s::text[], %s::float8[]) AS w(term, weight) "
               "JOIN chunk_terms t ON t.term = w.term AND t.chunk_id = ids.id) s")
        return self.store.conn.raw.execute(
            sql, (list(chunk_ids), list(weights), list(weights.values()))).fetchall()

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        """As sparse.idf: log(1 + N / df) of each distinct token found in the library."""
        stats = self._stats([t for t in tokens if t])
        return {t: float(np.log1p(self.n_docs / max(d, 1))) for t, (d, _) in stats.items()}

    def term_coverage(self, query_tokens: list[str], positions: Sequence[int]) -> np.ndarray:
        """As sparse.term_coverage, for the chunks at `positions` only: which query terms each
        holds is read by key lookups, never a term's every posting (at 10,000 reports a common
        term's are most of the library)."""
        weights = self.idf(query_tokens)
        total = sum(weights.values())
        if not total or not len(positions):
            return np.zeros(len(positions), dtype=np.float32)
        ids = [self.positions.ids[p] for p in positions]
        held = dict(self._lookups(ids, weights, each="1"))
        return np.asarray([held[cid] / total for cid in ids], dtype=np.float32)


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
