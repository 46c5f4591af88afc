"""The first start on an empty index: the bundled samples are indexed in the background, with
progress in the terminal and on the page."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from assistant.index.index import Index
from assistant.ingest.pipeline import ingest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"  # installed with the package


@dataclass
class Startup:
    """The first-start build of the sample library, as the page and terminal report it."""

    running: bool = False
    message: str = ""

    def text(self) -> str:
        return f"**{self.message}**" if self.running else ""  # no emoji: CJK fonts lack them


def build_samples(index: Index, startup: Startup) -> None:
    """Index the bundled samples, reporting progress to `startup` and the terminal."""
    from tqdm import tqdm

    bar = tqdm(total=0, file=sys.stderr, desc="首次启动：建立示例资料库", unit="段")

    def embedded(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        startup.message = f"首次启动，正在建立示例资料库：向量化 {done}/{total} 段"

    try:
        result = ingest([SAMPLES], index, embed_progress=embedded)
        startup.message = f"示例资料库已建立：{result.reports} 篇报告"
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
    threading.Thread(target=build_samples, args=(index, startup), daemon=True).start()
    return startup
