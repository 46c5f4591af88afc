"""The ingest batch: one file never fails the batch, and a long batch is durable as it goes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.index.embed import text_hash
from assistant.index.index import Index
from assistant.index.store import Store
from assistant.index.tokenize import normalize
from assistant.ingest import pipeline
from assistant.ingest.chunks import chunk_id, chunk_report, context_text
from assistant.ingest.load import load_file
from assistant.ingest.reports import parse_file
from assistant.models import Report, Section
from tests.fixtures.paths import ROOT

# A unit-and-date line read as a heading, printed twice with the same paragraph under it: two
# passages of one report with the same section path and text (what crashed a 31-file ingest
# with "UNIQUE constraint failed: chunks.id" before chunk ids counted repeats).
PARAGRAPH = "全年新增绿地12公顷，改造提升街头游园5处，城区绿化覆盖率达到41.2%，古树名木挂牌保护率100%。"
REPEATED = "\n".join(["县园林局2025年工作总结", "县园林局 2025年12月20日", PARAGRAPH] * 2) + "\n"


def report_text(n: int, stamp: str) -> str:
    """A small report whose passages no other test embeds (a stamp per run and file)."""
    parts = [f"第{n}镇2025年工作总结"]
    for i, topic in enumerate(["农村公路养护", "饮水安全巩固", "森林防火巡查", "养老服务提升"], 1):
        parts.append(f"{'一二三四'[i - 1]}、{topic}工作")
        parts.append(f"全年围绕{topic}开展专项行动，编号{stamp}-{n}-{i}，覆盖村组{i * 7 + n}个，"
                     f"投入资金{n * 13 + i}万元，群众满意度明显提升，工作台账{stamp}{n}{i}全部归档。")
    return "\n".join(parts) + "\n"


def stored_ids(index: Index) -> list[str]:
    return [c.id for c in index.store.chunks()]


def test_identical_passages_in_one_report_get_distinct_stable_ids(tmp_path):
    path = tmp_path / "园林局.txt"
    path.write_text(REPEATED, encoding="utf-8")
    chunks = [c for r in parse_file(load_file(path)) for c in chunk_report(r)]
    assert len({(tuple(c.section_path), c.text) for c in chunks}) < len(chunks), \
        "the fixture no longer yields identical passages"
    ids = [c.id for c in chunks]
    assert len(ids) == len(set(ids))
    assert ids == [c.id for r in parse_file(load_file(path)) for c in chunk_report(r)]

    index = Index(tmp_path / "index")
    result = pipeline.ingest([path], index)
    assert not result.failed and result.reports == 1 and result.chunks == len(ids)
    assert sorted(stored_ids(index)) == sorted(ids)
    pipeline.remove(index, [str(path)])  # removed, then ingested again: the same ids
    assert stored_ids(index) == []
    assert not pipeline.ingest([path], index).failed
    assert sorted(stored_ids(index)) == sorted(ids)
    index.close()
    other = Index(tmp_path / "other")  # and so does another index
    pipeline.ingest([path], other)
    assert sorted(stored_ids(other)) == sorted(ids)
    other.close()


def test_repeated_passages_ids_by_ordinal_first_one_unchanged():
    """Independent of the parser: two identical sections; the first keeps the plain id."""
    def section(n: int) -> Section:
        return Section(heading="重点工作", level=1, path=["重点工作"], text=PARAGRAPH,
                       span=(n, n + 1))

    report = Report(id="0123456789abcdef", title="县园林局2025年工作总结",
                    sections=[section(2), section(4), section(6)])
    chunks = chunk_report(report)
    assert [c.text for c in chunks] == [PARAGRAPH] * 3
    ids = [c.id for c in chunks]
    assert len(set(ids)) == 3 and ids == [c.id for c in chunk_report(report)]
    assert ids[0] == chunk_id(report.id, ["重点工作"], PARAGRAPH)


MIDDLE = "第2镇"  # the title of the middle file's report, made to fail at one step


def break_step(step: str, monkeypatch) -> None:
    """Make the middle file (2.txt) fail at `step` with a real exception, the others not."""
    def middle(chunks) -> bool:
        return any(c.report_title.startswith(MIDDLE) for c in chunks)

    if step == "read":
        real_load = pipeline.load_file

        def load(path):
            if path.name == "2.txt":
                raise PermissionError(13, "Permission denied", str(path))
            return real_load(path)
        monkeypatch.setattr(pipeline, "load_file", load)
    elif step == "parse":
        real_parse = pipeline.parse_file

        def parse(loaded):
            if loaded.path.endswith("2.txt"):
                raise RuntimeError("parser bug")
            return real_parse(loaded)
        monkeypatch.setattr(pipeline, "parse_file", parse)
    elif step == "chunk":
        real_chunk = pipeline.chunk_report

        def chunk(report):
            if report.title.startswith(MIDDLE):
                raise IndexError("list index out of range")
            return real_chunk(report)
        monkeypatch.setattr(pipeline, "chunk_report", chunk)
    elif step == "embed":
        real_embed = Index.embed_chunks

        def embed(self, chunks, progress=None, **lane):
            if middle(chunks):
                raise MemoryError("engine out of memory")
            return real_embed(self, chunks, progress, **lane)
        monkeypatch.setattr(Index, "embed_chunks", embed)
    else:  # store: what an id clash inside one report used to raise, for the whole batch
        real_replace = Store.replace_chunks

        def replace(self, report_id, chunks):
            if middle(chunks):
                raise sqlite3.IntegrityError("UNIQUE constraint failed: chunks.id")
            return real_replace(self, report_id, chunks)
        monkeypatch.setattr(Store, "replace_chunks", replace)


@pytest.mark.parametrize("step, why", [
    ("read", "无法处理（PermissionError"), ("parse", "无法解析（RuntimeError: parser bug）"),
    ("chunk", "无法处理（IndexError"), ("embed", "无法入库（MemoryError"),
    ("store", "无法入库（IntegrityError: UNIQUE constraint failed: chunks.id）"),
])
def test_the_middle_file_failing_at_any_step_fails_alone(step, why, tmp_path, monkeypatch,
                                                         capsys):
    folder, index_dir = tmp_path / "batch", tmp_path / "index"
    folder.mkdir()
    for n in (1, 2, 3):
        (folder / f"{n}.txt").write_text(report_text(n, "fail"), encoding="utf-8")
    break_step(step, monkeypatch)
    code = main(["--index", str(index_dir), "ingest", str(folder), "--json"])
    out, err = capsys.readouterr()
    middle = str((folder / "2.txt").resolve())
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 1 and len(errors) == 1 and errors[0].startswith(f"error: {middle}: {why}")
    result = json.loads(out)
    assert [f["path"] for f in result["failed"]] == [middle]
    assert "\n" not in result["failed"][0]["error"]
    stored = sorted(str((folder / f"{n}.txt").resolve()) for n in (1, 3))
    assert sorted(result["added"]) == stored and result["reports"] == 2
    with Store(index_dir) as store:  # real sqlite: the other two whole, nothing of the middle
        assert sorted(r.report.title for r in store.list_reports()) == \
            ["第1镇2025年工作总结", "第3镇2025年工作总结"]
        assert store.file_hash(middle) is None and all(store.file_hash(p) for p in stored)
        assert store.counts_for_paths(stored)[1] == len(store.chunks())
    monkeypatch.undo()  # fixed: the next run stores the middle file, the others unchanged
    code = main(["--index", str(index_dir), "ingest", str(folder), "--json"])
    again = json.loads(capsys.readouterr().out)
    assert code == 0 and again["added"] == [middle] and sorted(again["unchanged"]) == stored


def test_a_wrong_embedder_fails_the_batch_once_and_stores_nothing(tmp_path, capsys):
    """Not one file's fault: one error line for the index, not one per file."""
    folder, index_dir = tmp_path / "batch", tmp_path / "index"
    folder.mkdir()
    for n in (1, 2, 3):
        (folder / f"{n}.txt").write_text(report_text(n, "fail"), encoding="utf-8")
    with Store(index_dir) as store:
        store.manifest_set("embedder", "sentence-transformers:/models/other")
    code = main(["--index", str(index_dir), "ingest", str(folder)])
    errors = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("error:")]
    assert code != 0 and len(errors) == 1 and "是用向量模型" in errors[0]
    with Store(index_dir) as store:
        assert store.list_reports() == []


def embedded_reports(index_dir) -> int:
    """Reports stored whose vectors are all made, read as another process would (0 before the
    store exists)."""
    try:
        with sqlite3.connect(index_dir / "reports.sqlite", timeout=5) as conn:
            return conn.execute("SELECT (SELECT COUNT(*) FROM reports) - "
                                "(SELECT COUNT(*) FROM pending_vectors)").fetchone()[0]
    except sqlite3.Error:
        return 0


def cache_rows(cache) -> tuple[int, int]:
    """(rows, highest rowid) of the vector cache: INSERT OR REPLACE gives a vector written a
    second time a new rowid, so the two are equal only when no vector was written twice."""
    with sqlite3.connect(cache, timeout=5) as conn:
        return conn.execute("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM vectors").fetchone()


@pytest.mark.slow
def test_kill_midway_leaves_whole_files_and_the_rerun_embeds_only_the_rest(tmp_path):
    folder, index_dir, cache = tmp_path / "batch", tmp_path / "index", tmp_path / "vectors.sqlite"
    folder.mkdir()
    stamp = str(time.time_ns())  # passages no earlier run embedded; a private cache besides
    paths = [folder / f"{n:02}.txt" for n in range(1, 11)]
    for n, path in enumerate(paths, 1):
        path.write_text(report_text(n, stamp), encoding="utf-8")
    files = [str(p.resolve()) for p in paths]
    passages = {f: [c for r in parse_file(load_file(Path(f))) for c in chunk_report(r)]
                for f in files}
    env = {**os.environ, "REPORT_ASSISTANT_VECTOR_CACHE": str(cache),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    argv = [sys.executable, "-m", "assistant", "--index", str(index_dir), "ingest", str(folder),
            "--json"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while embedded_reports(index_dir) < 1 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # files stored, one report's vectors made, the rest waiting
    proc.wait()

    with Store(index_dir) as store:  # what the kill left: stored files, each one whole
        kept = [f for f in files if store.file_hash(f)]
        assert kept
        before = {c.id for c in store.chunks()}
        assert before == {c.id for f in kept for c in passages[f]}
        assert store.counts_for_paths(kept) == (len(kept), len(before))
        waiting = store.pending_reports()
        assert waiting and len(waiting) < len(store.list_reports())  # killed while embedding
    rows, top = cache_rows(cache)
    assert rows == top and rows < len(before)

    rerun = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    result = json.loads(rerun.stdout)
    assert result["failed"] == [] and sorted(result["unchanged"]) == kept
    assert sorted(result["added"]) == sorted(set(files) - set(kept))
    with Store(index_dir) as store:
        after = store.chunks()
        assert [f for f in files if store.file_hash(f)] == files
        assert store.pending_reports() == []
    assert before <= {c.id for c in after} == {c.id for cs in passages.values() for c in cs}
    texts = {text_hash(normalize(context_text(c))) for c in after}
    rows, top = cache_rows(cache)
    assert rows == len(texts)  # every passage is in the cache once ...
    assert top == rows  # ... and none was embedded (written) twice, before or after the kill


def test_symlink_loops_on_the_command_line_and_in_a_folder_fail_alone(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(report_text(1, "loop"), encoding="utf-8")
    loops = tmp_path / "loopdir"
    loops.mkdir()
    (loops / "l1.txt").symlink_to("l2.txt")
    (loops / "l2.txt").symlink_to("l1.txt")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text(report_text(2, "loop"), encoding="utf-8")
    (folder / "x.txt").symlink_to("y.txt")
    (folder / "y.txt").symlink_to("x.txt")
    (folder / "self").symlink_to(folder)
    code = main(["--index", str(tmp_path / "index"), "ingest", str(good), str(loops / "l1.txt"),
                 str(folder), "--json"])
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert code == 1 and len(result["added"]) == 2 and result["reports"] == 2
    failed = sorted(f["path"].rsplit("/", 1)[1] for f in result["failed"])
    assert failed == ["l1.txt", "x.txt", "y.txt"]
    assert all("符号链接" in f["error"] for f in result["failed"]) and err.count("error: ") == 3
