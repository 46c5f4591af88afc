"""Shared pieces of the benchmarks: the sample corpus, the development question sets, an
index of the samples and one of the samples plus the web reports (vectors cached across runs),
timing and memory figures."""

from __future__ import annotations

import os
import resource
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
DEV_QA = ROOT / "tests" / "data" / "dev_qa.jsonl"
# Eight real provincial government work reports (2026) from the web, shared beside the repo.
WEB_CORPUS = ROOT.parent / "shared" / "corpus-web"
DEV_QA_WEB = ROOT / "tests" / "data" / "dev_qa_web.jsonl"
# Real department, township and county reports from public 政务公开 pages, found by a session
# and kept beside the project (never in it; their sources are in tests/data/dev_local_sources.json),
# with questions written before the system was run on them.
LOCAL_CORPUS = ROOT.parent / "devdocs" / "local"
DEV_QA_LOCAL = ROOT / "tests" / "data" / "dev_qa_local.jsonl"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "report-assistant"
# One vector cache for every benchmark run: the corpus is embedded once per machine.
os.environ.setdefault("REPORT_ASSISTANT_VECTOR_CACHE", str(CACHE_DIR / "bench-vectors.sqlite"))
CACHE_DIR.mkdir(parents=True, exist_ok=True)


def _built_index(index_dir: str | Path, corpora: list[Path]):
    """An Index of `corpora` (built on first use; unchanged files are a no-op, files parsed
    under older parsing code or lexicon are re-parsed, their unchanged passages cached)."""
    from assistant.index.index import Index
    from assistant.ingest.pipeline import ingest

    missing = [str(c) for c in corpora if not c.is_dir()]
    if missing:
        raise SystemExit(f"error: corpus folder not found: {', '.join(missing)}")
    index = Index(index_dir)
    result = ingest(corpora, index)
    if result.failed:
        raise SystemExit(f"error: {result.failed[0][0]}: {result.failed[0][1]}")
    return index


def sample_index(index_dir: str | Path | None = None):
    """An Index of the sample corpus (built on first use; unchanged files are a no-op)."""
    return _built_index(index_dir or CACHE_DIR / "bench-index", [SAMPLES])


def combined_index(index_dir: str | Path | None = None, web_corpus: str | Path | None = None):
    """An Index of the samples plus the web reports, the realistic library the web questions
    are asked of (built on first use, vectors cached like the sample index's)."""
    corpora = [SAMPLES, Path(web_corpus or WEB_CORPUS)]
    return _built_index(index_dir or CACHE_DIR / "bench-index-web", corpora)


def library_index(index_dir: str | Path | None, corpora: list[Path]):
    """An Index of the samples, the web reports and the local reports (built on first use)."""
    return _built_index(index_dir or CACHE_DIR / "bench-index-local", corpora)


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(fn, *args, **kwargs):
    """(result, seconds) of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident memory of this process now, in MiB (Linux /proc; else the peak so far)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return peak_rss_mb()
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), None)
    return int(line.split()[1]) / 1024 if line else peak_rss_mb()


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table."""
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
