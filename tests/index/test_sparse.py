"""Tests for assistant.sparse: BM25 ranking, odd queries and atomic save/load."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index import sparse
from assistant.index.tokenize import tokenize

DOCS = [
    "全面推进乡村振兴，持续改善农村人居环境。",
    "加强安全生产监管，开展燃气安全专项整治。",
    "落实残疾人两项补贴，做好低保和特困人员救助。",
    "优化营商环境，深化放管服改革，推进双招双引。",
    "加强D建引领，落实全面从严治D主体责任。",
]


@pytest.fixture
def index() -> sparse.SparseIndex:
    return sparse.build([tokenize(d) for d in DOCS])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("燃气安全整治怎么做", 1),
        ("残疾人补贴发放", 2),
        ("双招双引和营商环境", 3),
        ("党建引领", 4),  # the corpus says D建: normalisation makes them meet
        ("人居环境", 0),
    ],
)
def test_doc_with_query_terms_ranks_first(index, query: str, expected: int) -> None:
    scores, positions = sparse.search(index, tokenize(query), 3)
    assert positions[0] == expected
    assert np.all(np.diff(scores) <= 0)
    assert np.all(scores > 0)


def test_only_matching_documents_are_returned(index) -> None:
    scores, positions = sparse.search(index, tokenize("燃气"), 10)
    assert positions.tolist() == [1]


def test_unknown_terms_contribute_nothing(index) -> None:
    known = sparse.search(index, ["燃气"], 5)
    mixed = sparse.search(index, ["燃气", "不存在的词", "zzz"], 5)
    assert np.array_equal(known[1], mixed[1])
    assert np.allclose(known[0], mixed[0])
    scores, positions = sparse.search(index, ["不存在的词"], 5)
    assert len(scores) == len(positions) == 0


def test_empty_query(index) -> None:
    for query in ([], [""], tokenize("的了？")):
        scores, positions = sparse.search(index, query, 5)
        assert len(scores) == len(positions) == 0


def test_k_larger_than_corpus(index) -> None:
    scores, positions = sparse.search(
        index, tokenize("加强安全生产、人居环境、低保、放管服、D建"), 100
    )
    assert sorted(positions.tolist()) == [0, 1, 2, 3, 4]


def test_empty_corpus_and_empty_documents(tmp_path) -> None:
    for docs in ([], [[], []]):
        index = sparse.build(docs)
        assert len(sparse.search(index, ["燃气"], 5)[1]) == 0
        sparse.save(index, tmp_path / "empty")
        assert sparse.load(tmp_path / "empty").n_docs == len(docs)
    index = sparse.build([[], ["燃气"]])
    assert sparse.search(index, ["燃气"], 5)[1].tolist() == [1]


def test_save_load_round_trip(tmp_path, index) -> None:
    target = tmp_path / "bm25"
    sparse.save(index, target)
    loaded = sparse.load(target)
    assert loaded.n_docs == index.n_docs == len(DOCS)
    for query in ["燃气安全", "乡村振兴人居环境", "党建", "不存在"]:
        a = sparse.search(index, tokenize(query), 5)
        b = sparse.search(loaded, tokenize(query), 5)
        assert np.array_equal(a[1], b[1])
        assert np.allclose(a[0], b[0])
    assert loaded.bm25.k1 == sparse.K1 and loaded.bm25.b == sparse.B


def test_save_replaces_old_index_and_leaves_no_temporary(tmp_path, index) -> None:
    target = tmp_path / "bm25"
    sparse.save(sparse.build([["旧"]]), target)
    sparse.save(index, target)
    assert sparse.load(target).n_docs == len(DOCS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bm25"]


def test_failed_save_keeps_previous_index(tmp_path, index, monkeypatch) -> None:
    target = tmp_path / "bm25"
    sparse.save(index, target)

    def broken_save(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(index.bm25), "save", broken_save)
    with pytest.raises(OSError):
        sparse.save(sparse.build([["新"]]), target)
    monkeypatch.undo()
    assert sparse.load(target).n_docs == len(DOCS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bm25"]


def test_allowed_positions_restrict_results(index) -> None:
    query = tokenize("加强安全生产、人居环境、低保、放管服、D建")
    scores, positions = sparse.search(index, query, 10, allowed=[0, 4])
    assert sorted(positions.tolist()) == [0, 4]
    full_scores, full_positions = sparse.search(index, query, 10)
    for score, pos in zip(scores, positions, strict=True):
        assert np.isclose(score, full_scores[full_positions.tolist().index(pos)])
    assert len(sparse.search(index, query, 10, allowed=[])[1]) == 0


def test_idf_and_term_coverage_count_the_documents_holding_each_term(index) -> None:
    docs = [set(tokenize(d)) for d in DOCS]
    terms = ["落实", "安全", "燃气", "不存在的词"]
    weights = sparse.idf(index, terms)
    assert set(weights) == {"落实", "安全", "燃气"}
    for term, weight in weights.items():
        assert weight == pytest.approx(np.log1p(len(DOCS) / sum(term in d for d in docs)))
    coverage = sparse.term_coverage(index, terms)
    total = sum(weights.values())
    expected = [sum(w for t, w in weights.items() if t in d) / total for d in docs]
    assert np.allclose(coverage, expected)
    assert np.allclose(index.term_coverage(terms, [2, 0]), [expected[2], expected[0]])


def test_top_keeps_position_order_among_equal_scores() -> None:
    scores = np.array([0.5, 2.0, 0.0, 2.0, 1.0, 2.0, 0.5], dtype=np.float32)
    assert sparse.top(scores, 2).tolist() == [1, 3]
    assert sparse.top(scores, 4).tolist() == [1, 3, 5, 4]
    assert sparse.top(scores, 10).tolist() == [1, 3, 5, 4, 0, 6]
