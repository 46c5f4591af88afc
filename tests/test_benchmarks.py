"""The benchmark scripts still run (tiny sizes; figures are printed, never asserted)."""

from __future__ import annotations

import json

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


def _tiny_qa(tmp_path):
    lines = [
        '{"id": "a", "question": "区残联2023年救助了多少残疾大学生？", '
        '"evidence": ["2023年救助残疾大学生55人、残疾中专生20人"], "type": "fact"}',
        '{"id": "b", "question": "县教育局2023年新建了几所学校？", "evidence": [], '
        '"type": "unanswerable"}',
    ]
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(lines), "utf-8")
    return path


def test_retrieval_benchmark_rows_carry_abstention_for_this_project_only(
    sample_index, tmp_path, monkeypatch
):
    monkeypatch.setattr(retrieval, "embed_each_question_once", lambda index: None)  # shared index
    run = retrieval.Run(
        "sample", "samples", _tiny_qa(tmp_path), sample_index, [retrieval.SAMPLES], baselines=False
    )
    results = retrieval.evaluate(run, k=5, answers=False)
    assert set(results) == {retrieval.OURS, retrieval.OURS_TEXT}
    ours = results[retrieval.OURS]
    assert ours["n"] == 2 and ours["by_type"]["fact"]["n"] == 1
    assert ours["abstain_rate"] in (0.0, 1.0) and ours["false_abstain_rate"] in (0.0, 1.0)
    assert results[retrieval.OURS_TEXT]["abstain_rate"] is None  # no abstention measured
    table = retrieval.figures_table([(run, results)], 5, answers=False).splitlines()
    assert len(table) == 2 + len(results)
    assert all(line.count("|") == len(table[0].split("|")) - 1 for line in table)
    assert "—" in table[-1]  # the text-only row shows no abstention
    assert "2 questions" in retrieval.counts_line(run, results)


def test_query_vectors_are_embedded_once_per_question(monkeypatch):
    import numpy as np

    calls = []

    class Embedder:
        name = "fake"

        def embed_query_vec(self, text):
            calls.append(text)
            return np.array([len(text), 1.0], dtype=np.float32)

    class Index:
        embedder = Embedder()

    monkeypatch.setattr(retrieval, "_QUERY_VECTORS", {})
    index = Index()
    retrieval.embed_each_question_once(index)
    retrieval.embed_each_question_once(index)  # wrapping twice is a no-op
    first = index.embedder.embed_query_vec("县审计局存在哪些问题？")
    first[0] += 1.0  # a caller changing its vector does not change the memo
    again = index.embedder.embed_query_vec("县审计局存在哪些问题？")
    assert calls == ["县审计局存在哪些问题？"] and again[0] == first[0] - 1.0


def test_baseline_chunks_of_several_folders(tmp_path):
    (tmp_path / "a.txt").write_text("一、总体情况\n" + "今年完成了各项任务。" * 80, "utf-8")
    only = retrieval.baseline_chunks([tmp_path])
    both = retrieval.baseline_chunks([retrieval.SAMPLES, tmp_path])
    assert len(only) >= 2 and both[-len(only) :] == only
    assert both[: -len(only)] == retrieval.baseline_chunks()


def test_units_found_counts_a_unit_named_without_its_place_as_right(tmp_path):
    (tmp_path / "a.txt").write_text("县民政局2023年工作总结\n\n一、主要工作\n全年救助困难群众1200人次。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("XX镇2023年工作总结\n\n一、主要工作\n全年完成投资3亿元。\n", encoding="utf-8")
    sources = tmp_path / "sources.json"
    sources.write_text(json.dumps([{"file": "a.txt", "org": "仙居县民政局"},
                                   {"file": "b.txt", "org": "白鹤镇人民政府"}]), encoding="utf-8")
    assert retrieval.units_found(tmp_path, sources) == (0, 1, 2)
