"""Retrieval quality side by side on the two development question sets (DESIGN.md metrics):
the sample set over the sample corpus, and the web set over the samples plus eight real
provincial government work reports (the realistic library), and — when ../devdocs/local is
beside the project — the local set: real department and township reports from 政务公开 pages
over all three corpora. Every set is printed whole and by half (tuning / report, a fixed hash
of the question id). This project against the usual
recipes with the same embedder — LangChain's default RecursiveCharacterTextSplitter (500/50)
+ dense search, BM25 over jieba on the same chunks, and their naive reciprocal-rank fusion.

    python benchmarks/retrieval.py [--qa FILE] [--qa-web FILE] [-k 5] [--answers]
                                   [--sample-baselines-only] [--json FILE]

Needs the `bench` extra (langchain-text-splitters). The baselines split each corpus file's
text as loaded (the usual recipe knows nothing of reports or sections) and are matched on their
chunk text; this project is matched on title + section path + text, as DESIGN.md says.
Abstention (on the unanswerable questions) and false refusals (answerable questions abstained
on) come from `eval`'s own run_eval; the baselines never abstain, so theirs is "—".
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.models import UNKNOWN  # noqa: E402
from benchmarks.common import (  # noqa: E402
    DEV_QA,
    DEV_QA_LOCAL,
    DEV_QA_WEB,
    LOCAL_CORPUS,
    SAMPLES,
    WEB_CORPUS,
    combined_index,
    library_index,
    sample_index,
    table,
)

CHUNK_SIZE, CHUNK_OVERLAP = 500, 50  # LangChain's documented defaults for the splitter
CANDIDATES = 100  # each baseline retriever's list before fusion
RRF_K = 60  # the usual reciprocal-rank fusion constant
DEPTH = 10  # passages kept per question (mrr@10)
KINDS = ["fact", "paraphrase", "section", "multi", "filtered"]
UNANSWERABLE = "unanswerable"
OURS, OURS_TEXT = "this project", "this project, matched on text only"
_QUERY_VECTORS: dict[tuple[str, str], object] = {}  # (embedder, question) → vector, one run


def embed_each_question_once(index) -> None:
    """Memoize the index's query embedding for this process: run_eval, the text-only row and
    the baselines ask the same questions of the same embedder (query vectors are
    deterministic), and embedding dominates a cached run's time."""
    embedder = index.embedder
    if getattr(embedder, "_bench_memoized", False):
        return
    embed = embedder.embed_query_vec

    def cached(text: str):
        key = (embedder.name, text)
        if key not in _QUERY_VECTORS:
            _QUERY_VECTORS[key] = embed(text)
        return _QUERY_VECTORS[key].copy()

    embedder.embed_query_vec = cached
    embedder._bench_memoized = True


def baseline_chunks(folders: list[Path] | None = None) -> list[str]:
    """The corpus files' text (default: the samples) cut by LangChain's default splitter."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.ingest.load import load_file

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks: list[str] = []
    for folder in folders or [SAMPLES]:
        for path in sorted(folder.glob("*.txt")):
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


def ours_text_only(index, questions: list[str]) -> list[list[str]]:
    """This project's ranked passages (as run_eval retrieves them), their text alone — the
    baselines' matching, for a like-for-like comparison."""
    from assistant.answer.retrieve import query_for, search_query

    runs = [search_query(index, query_for(index, q), DEPTH) for q in questions]
    return [[h.chunk.text for h in hits] for hits in runs]


@dataclass
class Run:
    """One question set asked of one index, with the baselines' corpus folders."""

    name: str  # "sample", "web"
    index_label: str  # what the index holds
    qa: Path
    index: object
    folders: list[Path]
    baselines: bool = True


def evaluate(run: Run, k: int, answers: bool) -> dict:
    """Every system's figures on one run: {system: score dict} (evaluate.score's format)."""
    from assistant.answer.evaluate import answer_checks, load_qa, run_eval, score

    embed_each_question_once(run.index)
    items = load_qa(run.qa)
    questions = [i.question for i in items]
    results = {OURS: run_eval(run.index, items, k=k)}
    if answers:
        results[OURS]["answers"] = answer_checks(run.index, items)
    systems = {OURS_TEXT: ours_text_only(run.index, questions)}
    if run.baselines:
        chunks = baseline_chunks(run.folders)
        systems |= {
            f"LangChain 500/50 + {name}": ranked
            for name, ranked in baselines(run.index, chunks, questions).items()
        }
    for name, ranked in systems.items():
        retrieved = {item.id: passages for item, passages in zip(items, ranked, strict=True)}
        results[name] = score(items, retrieved, k=k)
    return results


def counts_line(run: Run, results: dict) -> str:
    """How many questions of each type a set has, and what its index holds."""
    by_type = results[OURS]["by_type"]
    derived = run.index.derived()
    kinds = [k for k in [*KINDS, UNANSWERABLE] if k in by_type]
    kinds += [k for k in by_type if k not in kinds]
    types = ", ".join(f"{k} {by_type[k]['n']}" for k in kinds)
    return (
        f"* {run.name} set, {run.index_label} index ({len(derived.reports)} reports, "
        f"{len(derived.chunks)} passages): {results[OURS]['n']} questions from "
        f"{run.qa.name} ({types})"
    )


def figures_table(runs: list[tuple[Run, dict]], k: int, answers: bool) -> str:
    """One row per (set, index, system): recall, mrr, abstention, by-type mrr@10 (Markdown)."""
    dash = lambda v: "—" if v is None else v  # noqa: E731
    headers = [
        "set",
        "index",
        "system",
        f"recall@{k}",
        "mrr@10",
        "abstained (unanswerable)",
        "false refusals",
    ]
    headers += [f"{kind} mrr@10" for kind in KINDS]
    if answers:
        headers.append("citations resolve")
    rows = []
    for run, results in runs:
        for name, r in results.items():
            row = [
                run.name,
                run.index_label,
                name,
                r["recall@k"],
                r["mrr@10"],
                dash(r["abstain_rate"]),
                dash(r["false_abstain_rate"]),
            ]
            row += [dash(r["by_type"].get(kind, {}).get("mrr@10")) for kind in KINDS]
            if answers:
                row.append(dash(r.get("answers", {}).get("citations_resolve")))
            rows.append(row)
    return table(headers, rows)


def list_figures(index, qa: Path, k: int) -> dict:
    """For the set's questions whose form names a subject across reports (「哪些…提到了…」):
    list@k — the share of the top k from distinct reports that mention the subject, against
    min(k, reports that do) — and the answer's list against every report that does (both the
    mean over those questions; the reports that mention it found by a plain scan)."""
    from assistant.answer.compose import answer, list_scope
    from assistant.answer.evaluate import load_qa
    from assistant.answer.listing import mentioning, subject_of
    from assistant.answer.retrieve import query_for, search_query

    at_k, listed, n = [], [], 0
    for item in load_qa(qa):
        query = query_for(index, item.question)
        subject = subject_of(query.text) if query.across_reports else None
        if subject is None:
            continue
        mention = set(mentioning(index, subject, list_scope(index, query)))
        if not mention:
            continue
        n += 1
        top = {h.chunk.report_id for h in search_query(index, query, k)}
        at_k.append(len(top & mention) / min(k, len(mention)))
        result = answer(index, item.question)
        shown = {c.hit.chunk.report_id for c in result.citations}
        listed.append(len(shown & mention) / len(mention))
    mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
    return {"n": n, f"list@{k}": mean(at_k), "answer list": mean(listed)}


LOCAL_SOURCES = Path(__file__).resolve().parent.parent / "tests" / "data" / "dev_local_sources.json"
UNIT_ENDING = re.compile(r"(?:人民政府|办事处)?(?:[(（].*[)）])?$")


def units_found(corpus: Path, sources: Path = LOCAL_SOURCES) -> tuple[int, int, int]:
    """(exact, right, all) over the local documents: a report's unit is right when it names the
    source's unit — the same, or the end of its full name (县民政局 for 仙居县民政局: the page
    names the place only in its address), 人民政府/办事处 aside; unknown and XX are wrong."""
    from assistant.ingest.load import load_file
    from assistant.ingest.reports import parse_file

    exact = right = 0
    items = json.loads(sources.read_text(encoding="utf-8"))
    for item in items:
        reports = parse_file(load_file(corpus / item["file"]))
        got = reports[0].org if reports else UNKNOWN
        want, mine = UNIT_ENDING.sub("", item["org"]), UNIT_ENDING.sub("", got)
        exact += got == item["org"]
        right += got != UNKNOWN and "XX" not in got and len(mine) >= 3 and want.endswith(mine)
    return exact, right, len(items)


def halves_table(runs: list[tuple[Run, dict]], k: int) -> str:
    """The headline figures of each half of every set (tuning half: where failures are read;
    report half: what a change must not drop), one row per (set, index, system, half)."""
    from assistant.answer.evaluate import REPORT, TUNE

    dash = lambda v: "—" if v is None else v  # noqa: E731
    headers = ["set", "index", "system", "half", "n", f"recall@{k}", "mrr@10",
               "abstained (unanswerable)", "false refusals"]
    rows = []
    for run, results in runs:
        for name, r in results.items():
            for half in (TUNE, REPORT):
                h = r["halves"][half]
                rows.append([run.name, run.index_label, name, half, h["n"], dash(h["recall@k"]),
                             dash(h["mrr@10"]), dash(h["abstain_rate"]),
                             dash(h["false_abstain_rate"])])
    return table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", default=str(DEV_QA), help="sample question file (JSON Lines)")
    parser.add_argument("--qa-web", default=str(DEV_QA_WEB), help="web question file")
    parser.add_argument("--web-corpus", default=str(WEB_CORPUS), help="folder of web reports")
    parser.add_argument("-k", type=int, default=5, help="recall cut-off (default 5)")
    parser.add_argument("--index", help="index directory of the samples (default: cached)")
    parser.add_argument("--web-index", help="index directory of samples + web (default: cached)")
    parser.add_argument(
        "--sample-baselines-only",
        action="store_true",
        help="run the LangChain baselines on the samples-only index alone",
    )
    parser.add_argument(
        "--answers",
        action="store_true",
        help="also compose every answer (eval --answers): citations resolve",
    )
    parser.add_argument("--qa-local", default=str(DEV_QA_LOCAL), help="local-report question file")
    parser.add_argument(
        "--local-corpus",
        default=str(LOCAL_CORPUS),
        help="folder of the local (department, township) reports; the set is skipped without it",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    web_corpus = Path(args.web_corpus)
    samples_only = sample_index(args.index)
    both = combined_index(args.web_index, web_corpus)
    local_corpus, local_qa = Path(args.local_corpus), Path(args.qa_local)
    local = local_corpus.is_dir() and local_qa.is_file()
    everything = library_index(None, [SAMPLES, web_corpus, local_corpus]) if local else None
    index_s = time.perf_counter() - started
    web_baselines = not args.sample_baselines_only
    plan = [
        Run("sample", "samples", Path(args.qa), samples_only, [SAMPLES]),
        Run("sample", "samples+web", Path(args.qa), both, [SAMPLES, web_corpus], web_baselines),
        Run("web", "samples+web", Path(args.qa_web), both, [SAMPLES, web_corpus], web_baselines),
    ]
    if local:
        folders = [SAMPLES, web_corpus, local_corpus]
        plan.append(Run("local", "samples+web+local", local_qa, everything, folders, web_baselines))
    else:
        print(f"* local set skipped: {local_corpus} or {local_qa} not found", file=sys.stderr)
    runs = [(run, evaluate(run, args.k, args.answers)) for run in plan]
    total_s = time.perf_counter() - started

    print(
        f"embedder {samples_only.embedder.name}; recall@{args.k} and mrr@10 over the "
        "answerable questions, abstention over the unanswerable ones"
    )
    for run, results in runs:
        print(counts_line(run, results))
    if not web_baselines:
        print("* LangChain baselines: samples-only index alone (--sample-baselines-only)")
    print()
    print(figures_table(runs, args.k, args.answers))
    print("\nBy half (a fixed hash of the question id; read failures on the tuning half only):\n")
    print(halves_table(runs, args.k))
    lists = [(run, list_figures(run.index, run.qa, args.k)) for run, _ in runs]
    print("\nList questions (「哪些…提到了…」; list@k: distinct mentioning reports in the top k "
          "against min(k, those that mention it); answer list: the answer's reports against all "
          "that mention it):\n")
    print(table(["set", "index", "n", f"list@{args.k}", "answer list"],
                [[run.name, run.index_label, f["n"], f[f"list@{args.k}"] or "—", f["answer list"] or "—"]
                 for run, f in lists]))
    if local:
        exact, right, total = units_found(local_corpus)
        print(f"\nUnits of the local documents (dev_local_sources.json): {right}/{total} right "
              f"({exact} written exactly as the source's full name)")
    print(f"\n{total_s:.1f} s in all, {index_s:.1f} s of it opening/building the two indexes")
    if args.json:
        figures = {
            "k": args.k,
            "embedder": samples_only.embedder.name,
            "seconds": {"total": total_s, "indexes": index_s},
            "runs": [
                {
                    "set": run.name,
                    "index": run.index_label,
                    "qa": str(run.qa),
                    "reports": len(run.index.derived().reports),
                    "passages": len(run.index.derived().chunks),
                    "systems": results,
                    "lists": figures_of_lists,
                }
                for (run, results), (_, figures_of_lists) in zip(runs, lists, strict=True)
            ],
        }
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
