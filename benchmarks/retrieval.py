"""Retrieval quality side by side on the development question set (DESIGN.md metrics):
this project against the usual recipes with the same embedder — LangChain's default
RecursiveCharacterTextSplitter (500/50) + dense search, BM25 over jieba on the same chunks,
and their naive reciprocal-rank fusion.

    python benchmarks/retrieval.py [--qa FILE] [-k 5] [--json FILE]

Needs the `bench` extra (langchain-text-splitters). The baselines split each sample file's
text as loaded (the usual recipe knows nothing of reports or sections) and are matched on their
chunk text; this project is matched on title + section path + text, as DESIGN.md says.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DEV_QA, SAMPLES, sample_index, table  # noqa: E402

CHUNK_SIZE, CHUNK_OVERLAP = 500, 50  # LangChain's documented defaults for the splitter
CANDIDATES = 100  # each baseline retriever's list before fusion
RRF_K = 60  # the usual reciprocal-rank fusion constant
DEPTH = 10  # passages kept per question (mrr@10)
KINDS = ["fact", "section", "multi", "filtered", "paraphrase"]


def baseline_chunks() -> list[str]:
    """The sample files' text cut by LangChain's default recursive splitter."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.ingest.load import load_file

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks: list[str] = []
    for path in sorted(SAMPLES.glob("*.txt")):
        text = "\n".join(line.text for line in load_file(path).lines)
        chunks += splitter.split_text(text)
    return chunks


def naive_rrf(rankings: list[list[int]], k: int = RRF_K) -> list[int]:
    """Reciprocal-rank fusion with equal weights: sum of 1 / (k + rank), best first."""
    scores: dict[int, float] = {}
    for ranked in rankings:
        for rank, pos in enumerate(ranked, start=1):
            scores[pos] = scores.get(pos, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda pos: (-scores[pos], pos))


def baselines(index, chunks: list[str], questions: list[str]) -> dict[str, list[list[str]]]:
    """Ranked chunk texts per question for dense, BM25 and their naive fusion."""
    from assistant.index import dense, sparse
    from assistant.index.embed import embed_with_cache
    from assistant.index.tokenize import tokenize

    vectors = embed_with_cache(index.embedder, index.cache, chunks)
    faiss_index = dense.build(vectors)
    bm25 = sparse.build([tokenize(c) for c in chunks])
    out: dict[str, list[list[str]]] = {"dense": [], "bm25": [], "naive RRF": []}
    for question in questions:
        qvec = index.embedder.embed_query_vec(question)
        by_dense = dense.search(faiss_index, qvec, CANDIDATES, None)[1].tolist()
        by_bm25 = sparse.search(bm25, tokenize(question), CANDIDATES, None)[1].tolist()
        by_rrf = naive_rrf([by_dense, by_bm25])
        for name, ranked in (("dense", by_dense), ("bm25", by_bm25), ("naive RRF", by_rrf)):
            out[name].append([chunks[p] for p in ranked[:DEPTH]])
    return out


def ours(index, questions: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    """Ranked passages of this project: as DESIGN.md joins them for matching, and text alone."""
    from assistant.answer.retrieve import query_for, search_query
    from assistant.ingest.chunks import PATH_SEP

    runs = [search_query(index, query_for(index, q), DEPTH) for q in questions]
    joined = [
        [h.chunk.report_title + PATH_SEP.join(h.chunk.section_path) + h.chunk.text for h in hits]
        for hits in runs
    ]
    return joined, [[h.chunk.text for h in hits] for hits in runs]


def by_type_table(results: dict[str, dict], kinds: list[str], metric: str, label: str) -> str:
    """One metric overall and per question type, a row per system (Markdown)."""
    counts = next(iter(results.values()))["by_type"]
    headers = ["system", f"{label} (n={next(iter(results.values()))['n']})"]
    headers += [f"{k} (n={counts.get(k, {}).get('n', 0)})" for k in kinds]
    rows = [
        [name, r[metric], *(r["by_type"].get(k, {}).get(metric, 0.0) for k in kinds)]
        for name, r in results.items()
    ]
    return table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", default=str(DEV_QA), help="question file (JSON Lines)")
    parser.add_argument("-k", type=int, default=5, help="recall cut-off (default 5)")
    parser.add_argument("--index", help="index directory of the samples (default: cached)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    from assistant.answer.evaluate import load_qa, score

    items = [i for i in load_qa(args.qa) if i.evidence]  # unanswerable ones have no recall
    questions = [i.question for i in items]
    index = sample_index(args.index)
    chunks = baseline_chunks()
    joined, text_only = ours(index, questions)
    systems = {"this project": joined, "this project, matched on text only": text_only}
    systems |= {
        f"LangChain 500/50 + {name}": ranked
        for name, ranked in baselines(index, chunks, questions).items()
    }
    results = {}
    for name, ranked in systems.items():
        retrieved = {item.id: passages for item, passages in zip(items, ranked, strict=True)}
        results[name] = score(items, retrieved, k=args.k)
    kinds = [k for k in KINDS if any(k in r["by_type"] for r in results.values())]
    print(
        f"{len(items)} answerable questions from {args.qa}; baseline chunks: {len(chunks)}, "
        f"ours: {len(index.derived().chunks)}; embedder {index.embedder.name}\n"
    )
    print(by_type_table(results, kinds, "recall@k", f"recall@{args.k}") + "\n")
    print(by_type_table(results, kinds, "mrr@10", "mrr@10"))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
