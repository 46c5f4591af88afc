"""Tests for assistant.dense: exact/approximate FAISS indexes, search and atomic save."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from assistant.index import dense

DIM = 32


def unit_vectors(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_exact_search_finds_the_nearest_by_inner_product() -> None:
    vectors = unit_vectors(200)
    index = dense.build(vectors)
    assert isinstance(index, faiss.IndexFlatIP)
    query = vectors[17] + 0.01 * unit_vectors(1, seed=5)[0]
    scores, positions = dense.search(index, query, 5)
    assert positions[0] == 17
    expected = np.argsort(-(vectors @ query))[:5]
    assert positions.tolist() == expected.tolist()
    assert np.allclose(scores, (vectors @ query)[expected], atol=1e-5)
    assert np.all(np.diff(scores) <= 0)


def test_batch_queries_give_2d_results() -> None:
    vectors = unit_vectors(50)
    index = dense.build(vectors)
    scores, positions = dense.search(index, vectors[[3, 9]], 4)
    assert scores.shape == positions.shape == (2, 4)
    assert positions[:, 0].tolist() == [3, 9]


def test_k_larger_than_index_is_capped() -> None:
    index = dense.build(unit_vectors(3))
    scores, positions = dense.search(index, unit_vectors(1)[0], 10)
    assert sorted(positions.tolist()) == [0, 1, 2]
    assert len(scores) == 3


def test_empty_index() -> None:
    index = dense.build(np.empty((0, DIM), dtype=np.float32))
    scores, positions = dense.search(index, unit_vectors(1)[0], 5)
    assert len(scores) == len(positions) == 0


def test_switches_to_ivf_at_threshold() -> None:
    vectors = unit_vectors(2000)
    assert isinstance(dense.build(vectors, approx_threshold=2001), faiss.IndexFlatIP)
    approx = dense.build(vectors, approx_threshold=2000)
    assert isinstance(approx, faiss.IndexIVFScalarQuantizer)
    assert approx.metric_type == faiss.METRIC_INNER_PRODUCT
    # Small and easy: the approximate index must agree with exact search on the top hit.
    _, positions = dense.search(approx, vectors[:20], 1)
    assert positions[:, 0].tolist() == list(range(20))
    # float16 codes: the vectors read back are the stored ones to half precision
    assert np.abs(dense.vectors(approx) - vectors).max() < 1e-3


def test_an_approximate_index_with_positions_reads_back_its_vectors() -> None:
    vectors = unit_vectors(2000)
    index = dense.build(vectors, approx_threshold=100, positions=range(10, 2010))
    positions, stored = dense.stored(index)
    assert positions.tolist() == list(range(10, 2010))
    assert np.abs(stored - vectors).max() < 1e-3
    assert dense.search(index, vectors[5], 1)[1].tolist() == [15]


def test_default_threshold_is_exact_for_realistic_sizes() -> None:
    assert dense.APPROX_THRESHOLD > 25_000  # a library of 1,000 reports (22,879 passages)
    assert isinstance(dense.build(unit_vectors(1000)), faiss.IndexFlatIP)


@pytest.mark.parametrize("threshold", [dense.APPROX_THRESHOLD, 100])
def test_save_load_round_trip(tmp_path, threshold: int) -> None:
    vectors = unit_vectors(300)
    index = dense.build(vectors, approx_threshold=threshold)
    path = tmp_path / "dense.faiss"
    dense.save(index, path)
    assert path.exists()
    assert not (tmp_path / "dense.faiss.tmp").exists()
    loaded = dense.load(path)
    assert type(loaded) is type(index)
    queries = unit_vectors(10, seed=3)
    before = dense.search(index, queries, 7)
    after = dense.search(loaded, queries, 7)
    assert np.array_equal(before[1], after[1])
    assert np.allclose(before[0], after[0])


def test_save_replaces_existing_file_and_cleans_tmp_on_failure(tmp_path, monkeypatch) -> None:
    path = tmp_path / "dense.faiss"
    dense.save(dense.build(unit_vectors(10)), path)
    dense.save(dense.build(unit_vectors(20)), path)
    assert dense.load(path).ntotal == 20

    def broken_write(index, name):
        with open(name, "wb") as f:
            f.write(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(faiss, "write_index", broken_write)
    with pytest.raises(RuntimeError):
        dense.save(dense.build(unit_vectors(30)), path)
    assert not (tmp_path / "dense.faiss.tmp").exists()
    monkeypatch.undo()
    assert dense.load(path).ntotal == 20  # the previous index is intact


@pytest.mark.parametrize("threshold", [dense.APPROX_THRESHOLD, 100])
def test_allowed_positions_restrict_results(threshold: int) -> None:
    vectors = unit_vectors(300)
    index = dense.build(vectors, approx_threshold=threshold)
    allowed = [5, 17, 42, 250]
    scores, positions = dense.search(index, vectors[17], 10, allowed)
    assert positions[0] == 17
    assert set(positions.tolist()) <= set(allowed)
    assert len(positions) == len(allowed)
    expected = sorted(allowed, key=lambda p: -float(vectors[p] @ vectors[17]))
    assert positions.tolist() == expected
    assert len(dense.search(index, vectors[17], 10, [])[1]) == 0
