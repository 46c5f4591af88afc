"""Progressive ingest on both backends: while a folder's passages are still being embedded in
another process, keyword search already finds its files; a kill -9 then leaves only whole
files, and the next run makes the vectors that were still waiting."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assistant.answer.retrieve import search
from assistant.index.backend import open_store
from assistant.index.index import Index
from assistant.index.pending import duration, status_line
from assistant.ingest.chunks import chunk_report
from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from assistant.settings import VECTOR_CACHE_ENV
from tests.fixtures.paths import ROOT

TOPICS = ["农村公路养护", "饮水安全巩固", "森林防火巡查", "养老服务提升", "校园安全管理",
          "河湖长制落实", "耕地保护监管", "物业服务提质"]
# What only the first and only the last file of the folder say.
FIRST, LAST = "古树名木挂牌保护", "候鸟迁徙通道守护"
FILES = 8


def report_text(n: int, stamp: str, special: str) -> str:
    """A report of eight sections, each one passage no other run embeds (the stamp)."""
    parts = [f"第{n}镇2025年工作总结"]
    for i, topic in enumerate(TOPICS):
        parts.append(f"{'一二三四五六七八'[i]}、{topic}工作")
        parts.append(f"全年围绕{topic}开展专项行动，编号{stamp}-{n}-{i}，覆盖村组{i * 7 + n}个，"
                     f"建立工作台账，落实责任到人，群众满意度稳步提升，{special if i == 3 else ''}"
                     "形成可复制的经验做法，下一步将持续巩固提升。")
    return "\n".join(parts) + "\n"


def stored_and_waiting(index_dir: Path) -> tuple[int, int]:
    """(files stored, passages waiting for vectors), read as another process would."""
    try:
        with open_store(index_dir) as store:
            return store.counts()["files"], store.pending_chunks()
    except Exception:  # the store is not created yet
        return 0, 0


def test_keyword_search_finds_files_before_their_vectors_and_kill_leaves_whole_files(
        tmp_path, backend, monkeypatch):
    folder, index_dir = tmp_path / "folder", tmp_path / "index"
    folder.mkdir()
    stamp = str(time.time_ns())
    for n in range(1, FILES + 1):
        special = FIRST if n == 1 else LAST if n == FILES else ""
        (folder / f"{n:02}.txt").write_text(report_text(n, stamp, special), encoding="utf-8")
    monkeypatch.setenv(VECTOR_CACHE_ENV, str(tmp_path / "vectors.sqlite"))  # nothing cached
    reader = Index(index_dir)  # another app process, which will search while the ingest embeds
    reader.embedder.embed_query_vec("预热")  # its query engine loaded before the race starts
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "assistant", "--index", str(index_dir), "ingest", str(folder),
            "--json"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while stored_and_waiting(index_dir)[0] < FILES and time.time() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)

    first = search(reader, FIRST, k=5)
    last = search(reader, LAST, k=5)
    waiting = reader.store.pending_chunks()
    line = status_line(reader)
    assert waiting > 0  # all of the above happened before the folder's embedding finished
    assert any(FIRST in h.chunk.text for h in first)
    [hit] = [h for h in last if LAST in h.chunk.text]
    assert "sparse" in hit.sources and "dense" not in hit.sources  # by keywords, not yet by meaning
    assert line.startswith("还有 ") and "段等待向量化" in line

    proc.send_signal(signal.SIGKILL)
    proc.wait()
    expected = {str(p.resolve()): {c.id for r in parse_file(load_file(p)) for c in chunk_report(r)}
                for p in sorted(folder.glob("*.txt"))}
    reader.close()
    reader = Index(index_dir)
    chunks = reader.store.chunks()
    for path, ids in expected.items():  # every stored file whole (all of them were stored)
        got = {c.id for c in chunks if c.report_id in set(reader.store.reports_of(path))}
        assert got == ids
    left = reader.store.pending_chunks()
    derived = reader.derived()
    assert derived.dense.ntotal == len(chunks) - left  # vectors of whole reports only
    reader.close()

    rerun = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["failed"] == []
    done = Index(index_dir)
    assert done.store.pending_chunks() == 0 and status_line(done) == ""
    assert done.derived().dense.ntotal == len(done.store.chunks())
    [hit] = [h for h in search(done, LAST, k=5) if LAST in h.chunk.text]
    assert "dense" in hit.sources
    done.close()


def test_duration_reads_as_minutes_and_hours():
    assert duration(20) == "不到 1 分钟"
    assert duration(12 * 60) == "约 12 分钟"
    assert duration(125 * 60) == "约 2 小时 5 分钟"


def test_a_slow_refresh_is_made_less_often(tmp_path):
    index = Index(tmp_path / "index")
    now = time.monotonic()
    assert not index.refresh_due(now - 10) and index.refresh_due(now - 31)
    index.store.apply_files([])  # a store change, so the next refresh rebuilds
    index.refresh()
    assert index._refresh_s > 0  # measured
    index._refresh_s = 12.0  # as if that rebuild had taken 12 s: refresh every 120 s at most
    assert not index.refresh_due(now - 100) and index.refresh_due(now - 121)
    index.close()
