"""What a backend must do for retrieval, typed once: dense top-k, keyword top-k with the
statistics the fusion and boosts need, metadata filters, passages by position.

Two backends implement it and nothing else: the embedded one (FAISS `dense.FaissDense`, BM25
`sparse.SparseIndex`, filters `filtering.ChunkFilters`; a caller's view wraps them in
`scope`), and PostgreSQL (`pgsearch.PgDense`, `PgSparse`, `PgFilters`: the engine ranks and
filters in SQL). Retrieval (assistant/answer/retrieve.py) fuses and boosts on top, written
once; it never asks which backend it has. Positions are those of the generation's chunk list
(`Derived.chunks`), which is how a passage is fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.models import Filters


@dataclass(frozen=True)
class Within:
    """Metadata filters as an engine's own condition (SQL on the chunks `c`), applied inside its
    searches so that no list of every allowed passage is sent."""

    clause: str
    args: tuple


# What a search keeps to: None (every passage), positions of the chunk list, or an engine's
# own condition made by its FilterSearch.
Allowed = Sequence[int] | Within | None
# (scores, positions), best first
Ranked = tuple[np.ndarray, np.ndarray]


class DenseSearch(Protocol):
    """Nearest passages by inner product of normalised vectors (= cosine)."""

    @property
    def ntotal(self) -> int:
        """How many passages have a vector (a report waiting for its vectors has none yet)."""

    def search(self, query_vecs: np.ndarray, k: int, allowed: Allowed = None) -> Ranked:
        """Top k; a (d,) query gives 1-D arrays of real hits, a (q, d) batch (q, k) arrays whose
        empty slots hold score -inf and position -1."""


class KeywordSearch(Protocol):
    """BM25 over the passages' terms (Lucene's variant, the same k1 and b on both backends),
    with the idf and term coverage the abstention rules and boosts read."""

    @property
    def n_docs(self) -> int:
        """How many passages are indexed."""

    def search(self, query_tokens: list[str], k: int, allowed: Allowed = None) -> Ranked:
        """Top k of the passages sharing at least one query term; equal scores in position order."""

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        """log(1 + N / df) of each distinct token found (unknown tokens are left out)."""

    def term_coverage(self, query_tokens: list[str], positions: Sequence[int]) -> np.ndarray:
        """For each of `positions` (the fused candidates, not the library), the idf-weighted
        share of the distinct known query terms its passage holds."""


class FilterSearch(Protocol):
    """Hard metadata filters as what the backend's searches keep to."""

    def restrict(self, filters: Filters) -> Allowed:
        """None when nothing is excluded; else the allowed positions or the engine's condition."""
