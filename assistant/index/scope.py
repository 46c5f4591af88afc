"""A library's search structures as one caller sees them: only the reports of the libraries it
may read. The structures of the whole library are built once; a caller's view keeps its own
chunk list and wraps FAISS and BM25 so that every search, idf and coverage is computed inside
its reports and returns positions of its own list (on a database the engine applies the same
restriction in SQL: pgsearch.within)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.index import dense, sparse

# A caller's libraries: the names of those it may read (or write); None = every library (the
# single-user mode, and commands run without --user).
Libraries = frozenset[str] | None


@dataclass
class Positions:
    """A caller's chunks by their position in the whole library's structures, and back."""

    full: np.ndarray  # caller's position → the whole library's
    back: np.ndarray  # the whole library's position → caller's (-1 outside the caller's)

    @classmethod
    def of(cls, kept: Sequence[int], total: int) -> Positions:
        full = np.asarray(kept, dtype=np.int64)
        back = np.full(total, -1, dtype=np.int64)
        back[full] = np.arange(len(full))
        return cls(full, back)

    def widen(self, allowed: Sequence[int] | None) -> np.ndarray:
        """A restriction in caller's positions (None: all of them) as whole-library positions."""
        return self.full if allowed is None else self.full[np.asarray(allowed, dtype=np.int64)]

    def narrow(self, scores: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Results in whole-library positions as caller's positions (-1 slots kept as -1)."""
        local = np.where(positions >= 0, self.back[np.maximum(positions, 0)], -1)
        return scores, local


@dataclass
class ScopedDense:
    """FAISS searched inside a caller's chunks (an engine.DenseSearch)."""

    base: dense.FaissDense
    positions: Positions

    @property
    def ntotal(self) -> int:
        return len(self.positions.full)

    def search(self, query_vecs: np.ndarray, k: int, allowed: Sequence[int] | None = None):
        wanted = self.positions.widen(allowed)
        scores, found = self.base.search(query_vecs, k, wanted)
        return self.positions.narrow(scores, found)


@dataclass
class ScopedSparse:
    """BM25 searched inside a caller's chunks (an engine.KeywordSearch); its idf and coverage
    counted there too, so no statistic says what another library holds."""

    base: sparse.SparseIndex
    positions: Positions

    @property
    def n_docs(self) -> int:
        return len(self.positions.full)

    def search(self, query_tokens: list[str], k: int, allowed: Sequence[int] | None = None):
        wanted = self.positions.widen(allowed)
        scores, found = self.base.search(query_tokens, k, wanted)
        return self.positions.narrow(scores, found)

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        """As sparse.idf, with N and df counted among the caller's chunks (a term only other
        libraries hold is unknown here)."""
        return {token: float(np.log1p(self.n_docs / df))
                for token, (_, df) in self._held(tokens).items() if df}

    def term_coverage(self, query_tokens: list[str], positions: Sequence[int]) -> np.ndarray:
        """As sparse.term_coverage, of the caller's chunks at `positions`, weighted by the
        caller's idf."""
        coverage = np.zeros(self.n_docs, dtype=np.float32)
        weights = self.idf(query_tokens)
        for token, (docs, _) in self._held(list(weights)).items():
            coverage[docs] += weights[token]
        total = sum(weights.values())
        return (coverage / total if total else coverage)[np.asarray(positions, dtype=np.int64)]

    def _held(self, tokens: Sequence[str]) -> dict[str, tuple[np.ndarray, int]]:
        """Per distinct known token, the caller's positions holding it and their count."""
        bm25 = self.base.bm25
        if bm25 is None:
            return {}
        known = [t for t in dict.fromkeys(t for t in tokens if t) if t in bm25.vocab_dict]
        held = {}
        for token, (docs, _) in zip(known, sparse.postings(bm25, [bm25.vocab_dict[t] for t in known]),
                                    strict=True):
            local = self.positions.back[docs]
            local = local[local >= 0]
            held[token] = (local, len(local))
        return held


def inside(whole, view, kept: Sequence[int]):
    """The embedded backend's searches of a caller's view (index.Derived.for_libraries): FAISS
    and BM25 of the whole library searched inside the `kept` positions; filters left to the
    view's own chunk list (None)."""
    positions = Positions.of(kept, len(whole.chunks))
    return (None if whole.dense is None else ScopedDense(whole.dense, positions),
            None if whole.sparse is None else ScopedSparse(whole.sparse, positions), None)
