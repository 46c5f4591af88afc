"""Retrieval figures of the two backends side by side on both development sets: the embedded
index (SQLite + FAISS + BM25) and PostgreSQL + pgvector, same libraries, same questions
(issue 15: within 0.01). The database is a throwaway PostgreSQL from the `pgserver` wheel
unless --database-url names one (each library gets a fresh database there is not assumed:
give an empty one per run).

    python benchmarks/backends.py [-k 5] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402
    CACHE_DIR,
    DEV_QA,
    DEV_QA_WEB,
    SAMPLES,
    WEB_CORPUS,
    combined_index,
    sample_index,
    table,
    timed,
)

TOLERANCE = 0.01
METRICS = ("recall@k", "mrr@10", "abstain_rate")


def throwaway_databases():
    """A function giving a new database URL per call, on a server started for this run."""
    import pgserver

    server = pgserver.get_server(tempfile.mkdtemp(prefix="report-assistant-pg-"),
                                 cleanup_mode="delete")

    def new() -> str:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        server.psql(f"CREATE DATABASE {name};")
        return server.get_uri(name)

    return server, new


def engine_index(corpora: list[Path], url: str):
    """An Index of `corpora` stored in the database at `url` (vectors from the shared cache)."""
    from assistant.index.index import Index
    from assistant.ingest.pipeline import ingest

    index = Index(CACHE_DIR / "bench-index-pg", database_url=url)
    result = ingest(corpora, index)
    if result.failed:
        raise SystemExit(f"error: {result.failed[0][0]}: {result.failed[0][1]}")
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--database-url", help="an empty PostgreSQL database per library")
    args = parser.parse_args()
    from assistant.answer.evaluate import load_qa, run_eval

    server, new = (None, lambda: args.database_url) if args.database_url else throwaway_databases()
    rows = []
    sets = [("sample", DEV_QA, [SAMPLES], sample_index),
            ("web", DEV_QA_WEB, [SAMPLES, WEB_CORPUS], combined_index)]
    for name, qa, corpora, embedded_index in sets:
        items = load_qa(qa)
        embedded = embedded_index()
        engine, seconds = timed(engine_index, corpora, new())
        ours = run_eval(embedded, items, k=args.k)
        theirs = run_eval(engine, items, k=args.k)
        for metric in METRICS:
            a, b = ours[metric], theirs[metric]
            rows.append([name, metric, a, b, abs(a - b), "yes" if abs(a - b) <= TOLERANCE else "NO"])
        print(f"{name}: {len(items)} questions, {len(engine.derived().chunks)} passages; "
              f"database built in {seconds:.1f} s", file=sys.stderr)
        engine.close()
    print(table(["dev set", "metric", "embedded", "postgresql", "|diff|", f"≤ {TOLERANCE}"], rows))
    if server is not None:
        server.cleanup()


if __name__ == "__main__":
    main()
