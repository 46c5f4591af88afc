"""Dense retrieval with FAISS: inner product over L2-normalised vectors (= cosine similarity).

An engine's own vector index (assistant/index/pgsearch.py) takes `search` calls in its place.
Positions returned by `search` are row numbers of the matrix given to `build`; the caller keeps
the chunk order that maps them back to chunks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import faiss
import numpy as np

# Above this many vectors the index is approximate (HNSW) instead of exact (flat). Measured on
# this 2-core machine, exact search of one query for the top 50 among random normalised 384-d
# vectors, p50/p95 over 300 queries: 10k 0.7/1.2 ms, 50k 7.4/7.9 ms, 100k 14.8/15.9 ms,
# 200k 28.3/30.5 ms, 300k 43.2/47.1 ms, 400k 57.2/61.0 ms. p95 passes ~50 ms at ~320k vectors;
# below that, exact search is fast enough and never misses a neighbour.
APPROX_THRESHOLD = 300_000

# HNSW graph degree: 32 links per node is the usual balance of recall and memory for 384-d.
HNSW_M = 32
# Candidate list size while building the graph; higher builds slower but with a better graph.
HNSW_EF_CONSTRUCTION = 80
# Candidate list size at query time (stored in the index file). Measured at 100k 384-d vectors
# (M 32, efConstruction 80, build ~47 s): on clustered vectors, like text embeddings, recall@10
# of exact search is 1.00 at efSearch 64/128/256 with p95 0.6/1.1/2.2 ms; on structureless
# random vectors (worst case) 0.16/0.27/0.42. 128 buys margin for ~1 ms.
HNSW_EF_SEARCH = 128


def build(vectors: np.ndarray, approx_threshold: int = APPROX_THRESHOLD,
          positions: Sequence[int] | None = None) -> faiss.Index:
    """An index over (n, d) normalised vectors: exact below `approx_threshold`, HNSW from it.
    `positions` (one per vector) are what searches return in place of row numbers: the chunks
    whose vectors are made, while others still wait for theirs."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"expected an (n, d) matrix, got shape {vectors.shape}")
    dim = vectors.shape[1]
    if len(vectors) < approx_threshold:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    if positions is not None:
        index = faiss.IndexIDMap2(index)
        if len(vectors):
            index.add_with_ids(vectors, np.asarray(positions, dtype=np.int64))
    elif len(vectors):
        index.add(vectors)
    return index


def search(
    index: faiss.Index,
    query_vecs: np.ndarray,
    k: int,
    allowed: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (scores, positions), best first; k is capped at the number of candidates.

    `allowed` restricts results to those positions (metadata filters); None means all. A single
    (d,) query gives 1-D arrays holding only real hits; a (q, d) batch gives (q, k) arrays in
    which empty slots (an approximate index may leave some) hold score -inf, position -1.
    """
    if not isinstance(index, faiss.Index):  # an engine's index (pgsearch.PgDense) searches itself
        return index.search(query_vecs, k, allowed)
    queries = np.ascontiguousarray(query_vecs, dtype=np.float32)
    single = queries.ndim == 1
    queries = queries.reshape(1, -1) if single else queries
    params = None
    k = min(k, index.ntotal)
    if allowed is not None:
        ids = np.unique(np.asarray(allowed, dtype=np.int64))
        k = min(k, len(ids))
        selector = faiss.IDSelectorBatch(ids)  # `ids` and `selector` live until search returns
        if isinstance(index, faiss.IndexHNSW):
            ef = max(index.hnsw.efSearch, k)
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=ef)
        else:
            params = faiss.SearchParameters(sel=selector)
    if k <= 0:
        empty = np.empty((len(queries), 0))
        scores, positions = empty.astype(np.float32), empty.astype(np.int64)
    else:
        scores, positions = index.search(queries, k, params=params)
        scores[positions < 0] = -np.inf
    if single:
        keep = positions[0] >= 0
        return scores[0][keep], positions[0][keep]
    return scores, positions


def stored(index: faiss.Index) -> tuple[np.ndarray, np.ndarray]:
    """(positions, (n, d) vectors) an index holds: its rows, or the positions it was built with
    (FAISS stores the vectors whole)."""
    if isinstance(index, faiss.IndexIDMap2):
        inner = faiss.downcast_index(index.index)
        return faiss.vector_to_array(index.id_map), inner.reconstruct_n(0, inner.ntotal)
    return np.arange(index.ntotal), index.reconstruct_n(0, index.ntotal)


def vectors(index: faiss.Index) -> np.ndarray:
    """The (n, d) vectors an index holds, in position order."""
    if isinstance(index, faiss.IndexIDMap2):
        raise ValueError("an index of part of the chunks has no vector per position")
    return stored(index)[1]


def save(index: faiss.Index, path: str | os.PathLike[str]) -> None:
    """Write the index to `path` atomically: a temporary file beside it, then a rename."""
    path = os.fspath(path)
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"  # two writers never share one
    try:
        faiss.write_index(index, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load(path: str | os.PathLike[str]) -> faiss.Index:
    """Read an index written by `save`."""
    return faiss.read_index(os.fspath(path))
