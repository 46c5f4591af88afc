"""The benchmark scripts still run (tiny sizes; figures are printed, never asserted)."""

from __future__ import annotations

import pytest

from benchmarks import retrieval, speed


def test_search_benchmark_row_shape(sample_index):
    before = len(sample_index.derived().chunks)
    rows = speed.search_figures(
        sample_index, ["县审计局存在哪些问题？", "哪些乡镇提到了燃气安全？"], [500]
    )
    ((size, kind, build_s, p50, p95, faiss_mb, rss, peak),) = rows
    assert size == 500 and kind == "IndexFlatIP" and 0 < p50 <= p95 and faiss_mb > 0
    assert 0 < rss <= peak
    assert len(sample_index.derived().chunks) == before  # the real index is back in place


def test_search_benchmark_restores_the_index_when_it_fails(sample_index, monkeypatch):
    derived, embedder = sample_index.derived(), sample_index.embedder

    def broken(*_args):
        raise RuntimeError("size failed")

    monkeypatch.setattr(speed, "synthetic", broken)
    with pytest.raises(RuntimeError, match="size failed"):
        speed.search_figures(sample_index, ["县审计局存在哪些问题？"], [500])
    assert sample_index.derived() is derived and sample_index.embedder is embedder


def test_baselines_rank_chunks_of_the_samples(sample_index):
    chunks = retrieval.baseline_chunks()
    assert len(chunks) > 100 and all(len(c) <= retrieval.CHUNK_SIZE for c in chunks)
    ranked = retrieval.baselines(sample_index, chunks[:20], ["县审计局存在哪些问题？"])
    assert set(ranked) == {"dense", "bm25", "naive RRF"}
    assert len(ranked["dense"][0]) == retrieval.DEPTH  # BM25 lists only chunks sharing a term
    assert all(1 <= len(r[0]) <= retrieval.DEPTH for r in ranked.values())
