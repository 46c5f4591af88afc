"""The first start on an empty index: the bundled samples are indexed in the background, with
progress in the terminal and on the page. Their vectors ship with the package (assistant/
shipped), so nothing is embedded and the library is searchable within seconds."""

from __future__ import annotations

import math
import sys
import threading
import time
from dataclasses import dataclass

from assistant.index.index import Index
from assistant.ingest.pipeline import ingest
from assistant.shipped import SAMPLES, load_vectors, seed_cache

# passages/s the default embedder manages on 2 cores (GUIDE.md): the wait a question is told
# about when some sample passages still have to be embedded (the shipped vectors not used)
EMBED_RATE = 4.7


@dataclass
class Startup:
    """The first-start build of the sample library, as the page and terminal report it."""

    running: bool = False
    message: str = ""
    ready: int = 0  # sample passages whose vectors are ready (shipped, cached or embedded)
    total: int = 0  # sample passages (the shipped count until the ingest reports its own)

    def text(self) -> str:
        return f"**{self.message}**" if self.running else ""  # no emoji: CJK fonts lack them

    def notice(self, searchable: int) -> str:
        """What a question is told while the library is built ("" once it is): how much of it
        is searchable (`searchable` passages) and how long the rest takes."""
        if not self.running:
            return ""
        minutes = max(1, math.ceil((self.total - self.ready) / EMBED_RATE / 60))
        total = max(self.total, searchable)
        return f"资料库正在建立（已完成 {searchable}/{total}），约 {minutes} 分钟后可检索全部内容"


def build_samples(index: Index, startup: Startup) -> None:
    """Index the bundled samples (shipped vectors first), reporting progress to `startup` and
    the terminal, with the time it took."""
    from tqdm import tqdm

    start = time.perf_counter()
    bar = tqdm(total=0, file=sys.stderr, desc="首次启动：建立示例资料库", unit="段")

    def embedded(done: int, total: int) -> None:
        startup.ready, startup.total = done, total
        bar.total = total
        bar.update(done - bar.n)
        startup.message = f"首次启动，正在建立示例资料库：{done}/{total} 段"

    try:
        startup.ready = seed_cache(index.cache, index.embedder.name)
        result = ingest([SAMPLES], index, embed_progress=embedded)
        startup.message = f"示例资料库已建立：{result.reports} 篇报告"
        bar.close()
        print(
            f"report-assistant: {startup.message}（用时 {time.perf_counter() - start:.1f} 秒）",
            file=sys.stderr,
        )
    except Exception as exc:  # shown on the page and in the terminal; the app keeps running
        startup.message = f"示例资料库建立失败：{exc}"
        print(f"error: {SAMPLES}: {exc}", file=sys.stderr)
    finally:
        startup.running = False
        bar.close()


def first_start(index: Index) -> Startup:
    """On an empty index, start indexing the samples in the background; else nothing."""
    startup = Startup()
    if index.store.list_reports():
        return startup
    if not SAMPLES.is_dir():
        print(
            f"error: {SAMPLES}: bundled samples not found; the library starts empty",
            file=sys.stderr,
        )
        return startup
    startup.running, startup.message = True, "首次启动，正在读取示例报告…"
    startup.total = len(load_vectors())
    threading.Thread(target=build_samples, args=(index, startup), daemon=True).start()
    return startup
