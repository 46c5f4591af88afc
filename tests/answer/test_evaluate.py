"""The eval metric of DESIGN.md: evidence matching, recall/mrr/abstention, the question file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer.evaluate import QAItem, evidence_found, load_qa, needed_overlap, score
from tests.fixtures.paths import DEV_QA, SAMPLES

MARKERS = ("##paidbegin##", "##paidend##")
TWENTY = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸"  # 20 distinct characters


# --- evidence_found ----------------------------------------------------------------------


def test_whitespace_is_ignored_on_both_sides():
    assert evidence_found("县 财政局\n2023年 工作", "标题：县财政局2023年工作总结")
    assert evidence_found("县财政局2023年工作", "县财 政局\n20 23年\t工作总结")


def test_threshold_is_exactly_six_tenths_of_the_evidence():
    assert needed_overlap(TWENTY) == 12
    assert evidence_found(TWENTY, "其他" + TWENTY[:12] + "其他")
    assert not evidence_found(TWENTY, "其他" + TWENTY[:11] + "其他")


def test_threshold_rounds_up_for_fractional_lengths():
    evidence = TWENTY[:16]  # 0.6 * 16 = 9.6 → 10 characters
    assert needed_overlap(evidence) == 10
    assert evidence_found(evidence, "前" + evidence[6:16] + "后")
    assert not evidence_found(evidence, "前" + evidence[7:16] + "后")


def test_minimum_of_eight_characters():
    evidence = TWENTY[:10]  # 0.6 * 10 = 6, but never fewer than 8
    assert needed_overlap(evidence) == 8
    assert evidence_found(evidence, "……" + evidence[:8] + "……")
    assert not evidence_found(evidence, "……" + evidence[:7] + "……")
    assert not evidence_found(TWENTY[:5], TWENTY)  # too short to ever reach 8


def test_match_must_be_contiguous():
    evidence = TWENTY[:10]
    assert not evidence_found(evidence, evidence[:5] + "X" + evidence[5:])


# --- score ---------------------------------------------------------------------------------

E1, E2, E3 = TWENTY[:10], "子丑寅卯辰巳午未申酉", "春夏秋冬东南西北上下"
ITEMS = [
    QAItem("q1", "第一问", [E1, E2], "fact"),
    QAItem("q2", "第二问", [E3], "section"),
    QAItem("q3", "第三问", [], "unanswerable"),
]
RETRIEVED = {
    # E1 shares 8 characters with rank 2; E2 only appears at rank 3, outside k = 2
    "q1": ["无关的段落内容", "标题 " + E1[:8] + " 正文", E2],
    # E3 appears at rank 4: no recall at k = 2, reciprocal rank 1/4
    "q2": ["无关一", "无关二", "无关三", "县审计局 问题 " + E3],
    "q3": ["随便什么段落"],
}


def test_score_hand_computed_example():
    result = score(ITEMS, RETRIEVED, k=2, abstained={"q1": False, "q2": True, "q3": True})
    assert result["recall@k"] == pytest.approx((0.5 + 0.0) / 2)
    assert result["recall@2"] == result["recall@k"]
    assert result["mrr@10"] == pytest.approx((1 / 2 + 1 / 4) / 2)
    assert result["abstain_rate"] == 1.0
    assert result["false_abstain_rate"] == 0.5
    assert result["n"] == 3
    assert result["by_type"]["fact"] == {"recall@k": 0.5, "recall@2": 0.5, "mrr@10": 0.5, "n": 1}
    assert result["by_type"]["section"]["recall@k"] == 0.0
    assert result["by_type"]["section"]["mrr@10"] == 0.25
    assert result["by_type"]["unanswerable"] == {
        "recall@k": None, "recall@2": None, "mrr@10": None, "n": 1}


def test_score_larger_k_and_no_abstention_info():
    result = score(ITEMS, RETRIEVED, k=5)
    assert result["recall@5"] == pytest.approx((1.0 + 1.0) / 2)
    assert result["abstain_rate"] is None and result["false_abstain_rate"] is None


def test_score_ignores_matches_below_rank_ten_and_missing_ids():
    passages = ["无关"] * 10 + [E3]
    result = score(ITEMS[1:2], {"q2": passages}, k=20)
    assert result["recall@k"] == 1.0 and result["mrr@10"] == 0.0
    assert score(ITEMS[1:2], {}, k=5)["recall@k"] == 0.0


def test_score_rejects_k_below_one():
    with pytest.raises(ValueError):
        score(ITEMS, RETRIEVED, k=0)


# --- load_qa -------------------------------------------------------------------------------


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row(**fields) -> str:
    return json.dumps({"id": "q1", "question": "问题", "evidence": [TWENTY], **fields},
                      ensure_ascii=False)


def test_load_qa_reads_items_and_skips_blank_lines(tmp_path):
    path = _write(tmp_path, _row(type="fact"), "", _row(id="q2", evidence=[]))
    items = load_qa(path)
    assert items == [QAItem("q1", "问题", [TWENTY], "fact"), QAItem("q2", "问题", [], "")]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "line 2"),
        (_row(id="q2", question=""), "question"),
        (_row(id="q2", evidence="不是列表"), "evidence"),
        (_row(id="q2", evidence=["短"]), "shorter"),
        (_row(id="q2", type=3), "type"),
        ('["q2"]', "object"),
        (_row(), "duplicate"),
    ],
)
def test_load_qa_names_the_malformed_line(tmp_path, bad_line, message):
    path = _write(tmp_path, _row(), bad_line)
    with pytest.raises(ValueError, match=message) as error:
        load_qa(path)
    assert "line 2" in str(error.value)


# --- the development question set ----------------------------------------------------------


def _corpus() -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    for marker in MARKERS:
        texts = [t.replace(marker, "") for t in texts]
    return texts


def test_dev_qa_evidence_occurs_verbatim_in_the_sample_corpus():
    items = load_qa(DEV_QA)
    corpus = _corpus()
    assert len(items) >= 100 and corpus
    missing = [(i.id, e) for i in items for e in i.evidence if not any(e in t for t in corpus)]
    assert missing == []


def test_dev_qa_types_and_unanswerables_are_consistent():
    items = load_qa(DEV_QA)
    kinds = {"fact", "section", "multi", "filtered", "paraphrase", "unanswerable"}
    assert {i.type for i in items} == kinds
    assert all((i.type == "unanswerable") == (not i.evidence) for i in items)
