"""The ingest batch: one file never fails the batch, and a long batch is durable as it goes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from assistant.cli import main
from assistant.index.index import Index
from assistant.ingest import pipeline
from assistant.ingest.chunks import chunk_report
from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from tests.fixtures.paths import ROOT

REPEATED = """县园林局2025年工作总结
2025年12月20日
一、主要工作
完成新增绿地12公顷，改造提升街头游园5处，城区绿化覆盖率达到41.2%。
县园林局2025年工作总结
2025年12月20日
二、下一步打算
持续推进口袋公园建设，加强古树名木保护，确保全年目标任务完成。
"""


def report_text(n: int, stamp: str) -> str:
    """A small report whose passages no other test embeds (a stamp per run and file)."""
    parts = [f"第{n}镇2025年工作总结"]
    for i, topic in enumerate(["农村公路养护", "饮水安全巩固", "森林防火巡查", "养老服务提升"], 1):
        parts.append(f"{'一二三四'[i - 1]}、{topic}工作")
        parts.append(f"全年围绕{topic}开展专项行动，编号{stamp}-{n}-{i}，覆盖村组{i * 7 + n}个，"
                     f"投入资金{n * 13 + i}万元，群众满意度明显提升，工作台账{stamp}{n}{i}全部归档。")
    return "\n".join(parts) + "\n"


def test_identical_passages_in_one_report_get_distinct_stable_ids(tmp_path):
    path = tmp_path / "园林局.txt"
    path.write_text(REPEATED, encoding="utf-8")
    ids = [c.id for r in parse_file(load_file(path)) for c in chunk_report(r)]
    again = [c.id for r in parse_file(load_file(path)) for c in chunk_report(r)]
    assert len(ids) == len(set(ids)) and ids == again
    index = Index(tmp_path / "index")
    result = pipeline.ingest([path], index)
    assert not result.failed and result.reports == 1
    index.close()


def test_a_failing_file_fails_alone(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in (1, 2, 3):
        (folder / f"{n}.txt").write_text(report_text(n, "fail"), encoding="utf-8")
    real_parse = pipeline.parse_file

    def parse_or_break(loaded):
        if loaded.path.endswith("2.txt"):
            raise RuntimeError("parser bug")
        return real_parse(loaded)

    monkeypatch.setattr(pipeline, "parse_file", parse_or_break)
    code = main(["--index", str(tmp_path / "index"), "ingest", str(folder)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("error: ") == 1 and "2.txt" in err and "parser bug" in err
    with Index(tmp_path / "index").store as store:
        assert sorted(r.report.title for r in store.list_reports()) == ["第1镇2025年工作总结", "第3镇2025年工作总结"]


def test_a_store_failure_fails_only_its_file(tmp_path, monkeypatch):
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in (1, 2, 3):
        (folder / f"{n}.txt").write_text(report_text(n, "store"), encoding="utf-8")
    index = Index(tmp_path / "index")
    real = index.store.replace_chunks

    def replace_or_break(report_id, chunks):
        if chunks and chunks[0].report_title.startswith("第2镇"):
            raise sqlite3.IntegrityError("UNIQUE constraint failed: chunks.id")
        return real(report_id, chunks)

    monkeypatch.setattr(index.store, "replace_chunks", replace_or_break)
    result = pipeline.ingest([folder], index)
    assert [p.rsplit("/", 1)[1] for p, _ in result.failed] == ["2.txt"]
    assert "无法入库" in result.failed[0][1] and result.reports == 2
    assert sorted(r.report.title for r in index.store.list_reports()) == ["第1镇2025年工作总结", "第3镇2025年工作总结"]
    index.close()


def committed_files(index_dir) -> int:
    try:
        with sqlite3.connect(index_dir / "reports.sqlite", timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    except sqlite3.Error:
        return 0


def cached_vectors(cache) -> int:
    with sqlite3.connect(cache, timeout=5) as conn:
        return conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


@pytest.mark.slow
def test_kill_midway_keeps_finished_files_and_the_rerun_embeds_only_the_rest(tmp_path):
    folder, index_dir, cache = tmp_path / "batch", tmp_path / "index", tmp_path / "vectors.sqlite"
    folder.mkdir()
    stamp = str(time.time_ns())
    for n in range(1, 11):
        (folder / f"{n:02}.txt").write_text(report_text(n, stamp), encoding="utf-8")
    env = {**os.environ, "REPORT_ASSISTANT_VECTOR_CACHE": str(cache),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    argv = [sys.executable, "-m", "assistant", "--index", str(index_dir), "ingest", str(folder)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while committed_files(index_dir) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = committed_files(index_dir)
    assert 2 <= kept < 10, kept  # killed midway, with finished files committed
    before = cached_vectors(cache)
    rerun = subprocess.run(argv + ["--json"], env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert committed_files(index_dir) == 10
    index = Index(index_dir)
    passages = {c.id for c in index.store.chunks()}
    assert cached_vectors(cache) == len(passages)  # every passage embedded exactly once
    assert before >= kept * 4  # what was finished before the kill was not embedded again
    index.close()
