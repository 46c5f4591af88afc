"""Sparse retrieval: BM25 (bm25s) over `tokenize.tokenize` terms.

`SparseIndex` is the embedded backend's engine.KeywordSearch. Positions returned by `search`
are the order of the token lists given to `build`; the caller keeps the chunk order that maps
them back to chunks.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

# BM25 term-frequency saturation and length normalisation: Lucene's defaults. On the sample
# corpus (heading → body, 127 queries over 242 paragraphs) a grid k1 ∈ {0.9, 1.2, 1.5, 2.0} ×
# b ∈ {0.3, 0.5, 0.75, 0.9} spread MRR@10 over 0.242–0.269, differences of a query or two; our
# chunks are length-bounded (150–600 characters), so the standard values stay.
K1 = 1.5
B = 0.75

META_FILE = "sparse.json"  # our own record: document count and parameters (bm25s stores the rest)


@dataclass
class SparseIndex:
    """A BM25 index over `n_docs` documents; `bm25` is None when no document has any term."""

    bm25: bm25s.BM25 | None
    n_docs: int

    def search(self, query_tokens: list[str], k: int, allowed: Sequence[int] | None = None):
        return search(self, query_tokens, k, allowed)

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        return idf(self, tokens)

    def term_coverage(self, query_tokens: list[str], positions: Sequence[int]) -> np.ndarray:
        return term_coverage(self, query_tokens)[np.asarray(positions, dtype=np.int64)]


def build(token_lists: list[list[str]], k1: float = K1, b: float = B) -> SparseIndex:
    """Index documents given as token lists (empty lists are allowed and never match)."""
    if not any(token_lists):
        return SparseIndex(bm25=None, n_docs=len(token_lists))
    bm25 = bm25s.BM25(k1=k1, b=b)
    bm25.index(token_lists, show_progress=False)
    return SparseIndex(bm25=bm25, n_docs=len(token_lists))


def search(
    index: SparseIndex,
    query_tokens: list[str],
    k: int,
    allowed: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (scores, positions), best first, of documents sharing at least one query term.

    `allowed` restricts results to those positions (metadata filters); None means all. Terms
    missing from the vocabulary contribute nothing; an empty query, or one with no known term,
    returns empty arrays. Equal scores keep document order. A repeated query term counts once
    per repetition, as in Lucene.
    """
    none = np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int64)
    if index.bm25 is None or k <= 0:
        return none
    ids = index.bm25.get_tokens_ids([t for t in query_tokens if t])  # drops unknown terms
    if not ids:
        return none
    scores = np.zeros(index.n_docs, dtype=np.float32)
    for docs, weights in postings(index.bm25, ids):
        scores[docs] += weights  # a term's documents are distinct: no np.add.at needed
    if allowed is not None:
        inside = np.zeros(len(scores), dtype=bool)
        inside[np.asarray(allowed, dtype=np.int64)] = True
        scores[~inside] = 0
    order = top(scores, k)
    return scores[order], order


def top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best positive scores, best first, equal scores in position order.
    A partition first, then a sort of the k: a common term matches most of a large library,
    and sorting every match was most of a keyword search's 11.4 ms p50 at 230k passages."""
    matched = np.flatnonzero(scores > 0)
    values = scores[matched]
    if len(matched) > k:
        kth = np.partition(values, len(values) - k)[len(values) - k]
        keep = values >= kth  # ties with the k-th stay candidates, ordered by position below
        matched, values = matched[keep], values[keep]
    return matched[np.lexsort((matched, -values))][:k].astype(np.int64)


def postings(bm25: bm25s.BM25, ids: Sequence[int]):
    """(documents, BM25 weights) of each term id, read from bm25s's precomputed term columns."""
    data, indices, indptr = (bm25.scores[key] for key in ("data", "indices", "indptr"))
    for i in ids:
        yield indices[indptr[i] : indptr[i + 1]], data[indptr[i] : indptr[i + 1]]


def idf(index: SparseIndex, tokens: Sequence[str]) -> dict[str, float]:
    """log(1 + N / df) of each distinct token the index knows (unknown tokens are left out)."""
    if index.bm25 is None:
        return {}
    known = [t for t in dict.fromkeys(t for t in tokens if t) if t in index.bm25.vocab_dict]
    indptr = index.bm25.scores["indptr"]
    ids = [index.bm25.vocab_dict[t] for t in known]
    # df is the length of a term's column (every document holding it has a positive weight)
    return {t: float(np.log1p(index.n_docs / max(int(indptr[i + 1] - indptr[i]), 1)))
            for t, i in zip(known, ids, strict=True)}


def term_coverage(index: SparseIndex, query_tokens: list[str]) -> np.ndarray:
    """Per document, the IDF-weighted share of the (distinct, known) query terms it contains."""
    coverage = np.zeros(index.n_docs, dtype=np.float32)
    weights = idf(index, query_tokens)
    ids = index.bm25.get_tokens_ids(list(weights)) if weights else []
    for (docs, _), weight in zip(postings(index.bm25, ids), weights.values(), strict=True):
        coverage[docs] += weight
    total = sum(weights.values())
    return coverage / total if total else coverage


def save(index: SparseIndex, directory: str | os.PathLike[str]) -> None:
    """Write the index to `directory` atomically: a temporary directory beside it, then a rename.

    The old directory is first renamed aside and only deleted once the new one is in place.
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    old = None
    try:
        if index.bm25 is not None:
            index.bm25.save(tmp, show_progress=False)
        meta = {"n_docs": index.n_docs, "empty": index.bm25 is None, "bm25s": bm25s.__version__}
        (tmp / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        if target.exists():
            old = target.with_name(f".{target.name}.{os.getpid()}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(target, old)
        os.replace(tmp, target)
    except BaseException:
        if old is not None and not target.exists():
            os.replace(old, target)  # put the previous index back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load(directory: str | os.PathLike[str]) -> SparseIndex:
    """Read an index written by `save`."""
    path = Path(directory)
    meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    if meta["empty"]:
        return SparseIndex(bm25=None, n_docs=meta["n_docs"])
    return SparseIndex(bm25=bm25s.BM25.load(path, mmap=True, show_progress=False), n_docs=meta["n_docs"])
