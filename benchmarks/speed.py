"""Speed and memory: ingest of the sample corpus split into embedding and everything else;
search latency p50/p95 at 1k, 10k and 100k passages; the real embedder's query time; memory.

    python benchmarks/speed.py [--sizes 1000 10000 100000] [--queries 50]
                               [--skip-ingest | --warm] [--json FILE]

The large sizes recombine the sample passages (text cycled, vectors of the real passages with
a little noise, renormalised) and run the same FAISS + BM25 + fusion + boosts path as a real
search (`search_query`), with query vectors embedded beforehand so the embedder is timed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402
    DEV_QA,
    SAMPLES,
    peak_rss_mb,
    percentiles,
    rss_mb,
    sample_index,
    table,
    timed,
)

NOISE = 0.05  # spread of the stand-in vectors around the real ones
SEED = 7


INGEST_HEADERS = [
    "corpus",
    "reports",
    "passages",
    "total s",
    "embedding s",
    "everything else s",
    "passages/s embedded",
    "index on disk MiB",
]
SEARCH_HEADERS = [
    "passages",
    "FAISS index",
    "build s",
    "p50 ms",
    "p95 ms",
    "FAISS file MiB",
    "RSS MiB",
    "peak RSS MiB",
]


def dir_mb(path: Path) -> float:
    """Size of the files under a directory, in MiB."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def ingest_figures(warm: bool = False) -> list[list[object]]:
    """Sample ingest on a fresh index: total, embedding, rest, size on disk. The vector cache
    is empty unless `warm` (then the shared benchmark cache is used and embedding is lookups)."""
    from assistant.index.embed import VectorCache, embed_with_cache
    from assistant.index.index import Index
    from assistant.ingest.chunks import chunk_report, context_text
    from assistant.ingest.load import load_file
    from assistant.ingest.pipeline import ingest
    from assistant.ingest.reports import parse_file

    with tempfile.TemporaryDirectory() as tmp:
        index = Index(Path(tmp) / "index")  # its cache: the shared one (benchmarks.common)
        if warm:
            cache = index.cache
        else:
            index.cache.close()
            cache = index.cache = VectorCache(Path(tmp) / "vectors.sqlite")
        reports = [r for p in sorted(SAMPLES.glob("*.txt")) for r in parse_file(load_file(p))]
        texts = [context_text(c) for r in reports for c in chunk_report(r)]
        _, embed_s = timed(embed_with_cache, index.embedder, cache, texts)
        result, rest_s = timed(ingest, [SAMPLES], index)  # finds every vector cached
        index.close()
        cache.close()
        on_disk = dir_mb(Path(tmp) / "index")
    return [
        [
            "sample corpus",
            result.reports,
            result.chunks,
            embed_s + rest_s,
            embed_s,
            rest_s,
            len(texts) / embed_s,
            on_disk,
        ]
    ]


def synthetic(index, size: int):
    """A Derived of `size` passages recombined from the real ones, with its FAISS and BM25."""
    from assistant.index import dense, sparse
    from assistant.index.embed import embed_with_cache
    from assistant.index.index import Derived
    from assistant.index.tokenize import tokenize
    from assistant.ingest.chunks import context_text

    real = index.derived()
    base = embed_with_cache(index.embedder, index.cache, [context_text(c) for c in real.chunks])
    tokens = [tokenize(context_text(c)) for c in real.chunks]
    rng = np.random.default_rng(SEED)
    picks = np.arange(size) % len(real.chunks)
    vectors = base[picks] + NOISE * rng.standard_normal((size, base.shape[1]), np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = [replace(real.chunks[p], id=f"{real.chunks[p].id}-{i}") for i, p in enumerate(picks)]
    derived = Derived(real.generation, chunks, real.reports)
    derived.dense = dense.FaissDense(dense.build(vectors.astype(np.float32)))
    derived.sparse = sparse.build([tokens[p] for p in picks])
    return derived


def search_figures(index, questions: list[str], sizes: list[int]) -> list[list[object]]:
    """Search p50/p95 (ms, query vector precomputed) and memory per index size."""
    from assistant.answer.retrieve import query_for, search_query
    from assistant.index import dense

    vectors = {q: index.embedder.embed_query_vec(q) for q in questions}
    queries = [query_for(index, q) for q in questions]
    real_embedder, real_derived = index.embedder, index._derived
    rows = []
    try:
        for size in sizes:
            derived, build_s = timed(synthetic, index, size)
            index._derived = derived  # searched in place of the real one
            index._embedder = _Precomputed(real_embedder, vectors)
            with tempfile.TemporaryDirectory() as tmp:
                dense.save(derived.dense.index, Path(tmp) / "dense.faiss")
                faiss_mb = (Path(tmp) / "dense.faiss").stat().st_size / 2**20
            seconds = [timed(search_query, index, q, 10)[1] for q in queries]
            p50, p95 = percentiles(seconds)
            kind = type(derived.dense.index).__name__
            rss = rss_mb()  # the kernel updates its peak lazily: never report less
            rows.append([size, kind, build_s, p50, p95, faiss_mb, rss, max(rss, peak_rss_mb())])
    finally:  # the real index is back in place even when a size fails
        index._embedder, index._derived = real_embedder, real_derived
    return rows


class _Precomputed:
    """The real embedder, but query vectors come from a table (so search is timed alone)."""

    def __init__(self, embedder, vectors: dict[str, np.ndarray]) -> None:
        """Wrap `embedder`; `vectors` maps question text to its query vector."""
        self._embedder, self._vectors = embedder, vectors

    def embed_query_vec(self, text: str) -> np.ndarray:
        """The precomputed vector of a known question, else the real embedder's."""
        return (
            self._vectors.get(text)
            if text in self._vectors
            else self._embedder.embed_query_vec(text)
        )

    def __getattr__(self, name: str):
        """Everything else from the real embedder."""
        return getattr(self._embedder, name)


def main(argv: list[str] | None = None) -> int:
    """Run the figures asked for, print them as Markdown tables (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=50, help="questions timed per size")
    once = parser.add_mutually_exclusive_group()
    once.add_argument("--skip-ingest", action="store_true", help="skip the ingest run")
    once.add_argument("--warm", action="store_true", help="ingest with the shared vector cache")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    from assistant.answer.evaluate import load_qa
    from assistant.index.tokenize import normalize

    figures: dict[str, object] = {}
    if not args.skip_ingest:
        cache = "shared (warm)" if args.warm else "empty"
        print(f"## Ingest (fresh index, {cache} vector cache)\n")
        rows = ingest_figures(args.warm)
        figures["ingest"] = [dict(zip(INGEST_HEADERS, r, strict=True)) for r in rows]
        print(table(INGEST_HEADERS, rows) + "\n")
    index = sample_index()
    questions = [normalize(i.question) for i in load_qa(DEV_QA)][: args.queries]
    timed(index.embedder.embed_query_vec, "预热")  # loads the model: not a query's cost
    seconds = [timed(index.embedder.embed_query_vec, q)[1] for q in questions]
    p50, p95 = percentiles(seconds)
    figures["query_embedding"] = {"embedder": index.embedder.name, "p50 ms": p50, "p95 ms": p95}
    print(f"## Query embedding ({index.embedder.name}, {len(questions)} questions)\n")
    print(table(["p50 ms", "p95 ms"], [[p50, p95]]) + "\n")
    print("## Search (FAISS + BM25 + fusion + boosts, query vector precomputed)\n")
    rows = search_figures(index, questions, args.sizes)
    figures["search"] = [dict(zip(SEARCH_HEADERS, r, strict=True)) for r in rows]
    print(table(SEARCH_HEADERS, rows))
    figures["load_average"] = os.getloadavg()
    print(
        f"\n{os.cpu_count()} cores; load average (1, 5, 15 min) at the end: "
        + ", ".join(f"{x:.1f}" for x in figures["load_average"])
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
