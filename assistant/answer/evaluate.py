"""Metrics for `eval --qa`: retrieval exactly as DESIGN.md defines it (pure functions), and,
with --answers, checks of the composed answers' citations."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

MIN_MATCH = 8  # fewest shared characters that count as a match, however short the evidence
MATCH_SHARE = (3, 5)  # 0.6 as a fraction: the share of the evidence a passage must contain
MRR_DEPTH = 10  # mrr@10 looks at the first ten passages only
UNTYPED = "untyped"  # by_type key for questions without a "type" label
# Every dev set is split in two by a fixed hash of the question id: failures are studied on the
# tuning half only, and a change stays only if the report half does not drop.
TUNE, REPORT = "tune", "report"
_SPACE = re.compile(r"\s+")


@dataclass
class QAItem:
    """One evaluation question; an empty `evidence` means the corpus cannot answer it."""

    id: str
    question: str
    evidence: list[str] = field(default_factory=list)
    type: str = ""


def load_qa(path: str | Path) -> list[QAItem]:
    """Read a JSON Lines question file; a malformed line raises ValueError naming its number."""
    items: list[QAItem] = []
    seen: set[str] = set()
    for number, line in enumerate(Path(path).read_text("utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = _item(json.loads(line))
        except (json.JSONDecodeError, ValueError) as exc:
            raise ValueError(f"{path}: line {number}: {exc}") from None
        if item.id in seen:
            raise ValueError(f"{path}: line {number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    return items


def _item(row: object) -> QAItem:
    """Check one decoded line against the format and build its QAItem."""
    if not isinstance(row, dict):
        raise ValueError("expected a JSON object")
    qid, question = row.get("id"), row.get("question")
    evidence, kind = row.get("evidence", []), row.get("type", "")
    if not isinstance(qid, str | int) or isinstance(qid, bool) or not str(qid).strip():
        raise ValueError("'id' must be a non-empty string")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("'question' must be a non-empty string")
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise ValueError("'evidence' must be a list of strings")
    if any(len(_squeeze(e)) < MIN_MATCH for e in evidence):
        raise ValueError(f"an evidence string shorter than {MIN_MATCH} characters can never match")
    if not isinstance(kind, str):
        raise ValueError("'type' must be a string")
    return QAItem(id=str(qid), question=question, evidence=list(evidence), type=kind)


def half_of(qid: str) -> str:
    """The fixed half a question id belongs to (the parity of its SHA-256's first byte)."""
    return TUNE if hashlib.sha256(qid.encode("utf-8")).digest()[0] % 2 == 0 else REPORT


def _squeeze(text: str) -> str:
    """The text with all whitespace removed."""
    return _SPACE.sub("", text)


def needed_overlap(evidence: str) -> int:
    """Characters a passage must share contiguously with `evidence`: max(8, ceil(0.6 * length))."""
    num, den = MATCH_SHARE
    return max(MIN_MATCH, -(-num * len(_squeeze(evidence)) // den))


def evidence_found(evidence: str, passage_text: str) -> bool:
    """True when the passage shares a long enough common substring with the evidence."""
    needle, hay = _squeeze(evidence), _squeeze(passage_text)
    need = needed_overlap(needle)
    if len(needle) < need or len(hay) < need:
        return False
    if needle in hay:
        return True
    matcher = SequenceMatcher(None, needle, hay, autojunk=False)
    return matcher.find_longest_match(0, len(needle), 0, len(hay)).size >= need


def _mean(values: list[float]) -> float | None:
    """Arithmetic mean, None for no values."""
    return sum(values) / len(values) if values else None


def _question_scores(item: QAItem, passages: list[str], k: int) -> tuple[float, float]:
    """(share of evidence found in the top k, reciprocal rank of the first match in the top 10)."""
    depth = max(k, MRR_DEPTH)
    hits = [[evidence_found(e, p) for e in item.evidence] for p in passages[:depth]]
    found = [any(row[j] for row in hits[:k]) for j in range(len(item.evidence))]
    rank = next((r for r, row in enumerate(hits[:MRR_DEPTH], 1) if any(row)), 0)
    return sum(found) / len(found), (1 / rank if rank else 0.0)


def _block(scores: list[tuple[float, float]], n: int, k: int) -> dict:
    """The recall/mrr/n entry for a group of questions."""
    recall = _mean([r for r, _ in scores])
    return {"recall@k": recall, f"recall@{k}": recall, "mrr@10": _mean([m for _, m in scores]),
            "n": n}


def score(
    items: Iterable[QAItem],
    retrieved: dict[str, list[str]],
    k: int = 5,
    abstained: dict[str, bool] | None = None,
    halves: bool = True,
) -> dict:
    """Metrics over `items`; `retrieved` maps a question id to its ranked passage strings;
    `halves` adds the same metrics for the tuning and the report half (key "halves")."""
    if k < 1:
        raise ValueError("k must be at least 1")
    items = list(items)
    per_item = {
        item.id: _question_scores(item, list(retrieved.get(item.id, [])), k)
        for item in items
        if item.evidence
    }
    by_type: dict[str, dict] = {}
    for kind in dict.fromkeys(item.type or UNTYPED for item in items):
        group = [item for item in items if (item.type or UNTYPED) == kind]
        scores = [per_item[item.id] for item in group if item.evidence]
        by_type[kind] = _block(scores, len(group), k)
    result = _block(list(per_item.values()), len(items), k)
    answerable = [item for item in items if item.evidence]
    unanswerable = [item for item in items if not item.evidence]
    result["abstain_rate"] = _abstain_share(unanswerable, abstained)
    result["false_abstain_rate"] = _abstain_share(answerable, abstained)
    result["by_type"] = by_type
    if halves:
        result["halves"] = {
            half: score([i for i in items if half_of(i.id) == half], retrieved, k, abstained, False)
            for half in (TUNE, REPORT)
        }
    return result


def _abstain_share(items: list[QAItem], abstained: dict[str, bool] | None) -> float | None:
    """Share of `items` the system abstained on; None when unknown or there are no items."""
    if abstained is None:
        return None
    return _mean([1.0 if abstained.get(item.id, False) else 0.0 for item in items])


def run_eval(index, items: list[QAItem], k: int = 5) -> dict:
    """Retrieve for every question (top 10) and decide abstention, then score as DESIGN.md says."""
    from assistant.answer.abstain import assess
    from assistant.answer.retrieve import query_for, search_query
    from assistant.ingest.chunks import PATH_SEP

    retrieved: dict[str, list[str]] = {}
    abstained: dict[str, bool] = {}
    for item in items:
        query = query_for(index, item.question)
        hits = search_query(index, query, max(k, 10))
        retrieved[item.id] = [
            h.chunk.report_title + PATH_SEP.join(h.chunk.section_path) + h.chunk.text for h in hits
        ]
        abstained[item.id] = assess(index, query, hits).abstain
    return score(items, retrieved, k=k, abstained=abstained)


CITATION_MARK = re.compile(r"\[(\d{1,3})\]")  # [2023] in 川府发[2023]3号 is no citation


def citations_resolve(answer) -> bool:
    """The answer's [n] marks and its citations are the same set, and every quote is verbatim
    (non-empty) at its span in the cited passage."""
    if {int(n) for n in CITATION_MARK.findall(answer.text)} != {c.n for c in answer.citations}:
        return False
    for c in answer.citations:
        text = c.hit.chunk.text
        spans = zip(c.quotes, c.spans, strict=True)
        if any(not q or text[a:b].strip() != q for q, (a, b) in spans):
            return False
    return True


def answer_checks(index, items: list[QAItem]) -> dict:
    """Answer every question (deterministic or LLM, as configured): the share whose citations
    all resolve, the abstention split, and answer latency p50/p95 in seconds."""
    from assistant.answer.compose import answer

    resolved, seconds = [], []
    for item in items:
        start = time.perf_counter()
        result = answer(index, item.question)
        seconds.append(time.perf_counter() - start)
        resolved.append(citations_resolve(result))
    ordered = sorted(seconds)
    return {
        "citations_resolve": _mean([1.0 if r else 0.0 for r in resolved]),
        "latency_p50": ordered[len(ordered) // 2] if ordered else None,
        "latency_p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else None,
    }
