"""A caller's view of the search structures (index/scope.py): searches, idf and coverage are
computed inside the caller's chunks and return the caller's own positions."""

from __future__ import annotations

import numpy as np

from assistant.index import dense, sparse
from assistant.index.scope import Positions, ScopedDense, ScopedSparse

DOCS = [["养老", "服务"], ["督查", "督办"], ["养老", "救助"], ["督查", "文稿"]]
KEPT = [0, 2]  # the caller reads the first and third document only


def test_keyword_search_idf_and_coverage_stay_inside_the_callers_chunks():
    view = ScopedSparse(sparse.build(DOCS), Positions.of(KEPT, len(DOCS)))
    assert view.n_docs == 2
    assert view.search(["督查"], 5)[1].size == 0  # only other chunks hold it
    assert set(view.idf(["督查", "养老"])) == {"养老"}  # unknown to this caller
    assert view.idf(["养老"])["养老"] == float(np.log1p(2 / 2))
    scores, found = view.search(["救助", "养老"], 5)
    assert found.tolist() == [1, 0]  # the caller's positions: its second chunk first
    assert view.term_coverage(["救助"], [0, 1]).tolist() == [0.0, 1.0]
    assert view.term_coverage(["救助"], [1]).tolist() == [1.0]


def test_dense_search_returns_the_callers_positions_within_its_filter():
    vectors = np.eye(4, dtype=np.float32)
    view = ScopedDense(dense.FaissDense(dense.build(vectors)), Positions.of(KEPT, 4))
    assert view.search(vectors[1], 4)[1].tolist() in ([0, 1], [1, 0])
    assert view.search(vectors[2], 1)[1].tolist() == [1]
    assert view.search(vectors[2], 4, allowed=[0])[1].tolist() == [0]
    assert view.ntotal == 2
