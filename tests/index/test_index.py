"""The index against concurrent writers, on both backends: builds read one store snapshot, and threads sharing a
store never join each other's transaction."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.index import dense
from assistant.index.backend import open_store
from assistant.index.index import Index
from assistant.index.records import FileChange, resolve_path
from assistant.index.store import Store
from assistant.ingest.chunks import chunk_report
from assistant.ingest.load import load_file
from assistant.ingest.pipeline import ingest
from assistant.ingest.reports import parse_file


def report_text(name: str, detail: str) -> str:
    return (f"{name}2025年工作总结\n一、主要工作\n全年完成{detail}，群众满意度明显提升，"
            f"各项任务按期完成，工作台账全部归档。\n二、下一步打算\n持续推进{detail}。\n")


def test_snapshot_reads_do_not_see_a_commit_made_meanwhile(tmp_path, backend):
    with open_store(tmp_path) as store, open_store(tmp_path) as other:
        generation = store.generation
        with store.snapshot():
            assert store.generation == generation
            other.manifest_set("probe", "1")
            with other.transaction():  # another process commits a write
                pass
            assert store.generation == generation and store.manifest_get("probe") is None
        assert store.generation == generation + 1 and store.manifest_get("probe") == "1"


def test_threads_sharing_a_store_never_join_each_others_transaction(tmp_path, backend):
    with open_store(tmp_path) as store:
        inside, release = threading.Event(), threading.Event()

        def rolled_back() -> None:
            with pytest.raises(RuntimeError), store.transaction():
                inside.set()
                release.wait(5)
                raise RuntimeError("rolled back")

        first = threading.Thread(target=rolled_back)
        first.start()
        assert inside.wait(5)
        second = threading.Thread(target=store.manifest_set, args=("kept", "yes"))
        second.start()  # waits for the first transaction instead of joining it
        second.join(0.3)
        assert second.is_alive()
        release.set()
        first.join(5)
        second.join(5)
        assert store.manifest_get("kept") == "yes"


def test_a_build_sees_a_file_committed_meanwhile_whole_or_not_at_all(tmp_path, monkeypatch,
                                                                     backend):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(report_text("县林业局", "森林防火巡查"), encoding="utf-8")
    b.write_text(report_text("县水务局", "农村饮水安全巩固"), encoding="utf-8")
    index = Index(tmp_path / "index")
    assert not ingest([a, b], index).failed
    old_ids = {s.report.id for s in index.store.list_reports()}

    a.write_text(report_text("县林业局", "古树名木挂牌保护"), encoding="utf-8")
    [changed] = parse_file(load_file(a))
    assert changed.id not in old_ids
    other = open_store(index.dir)  # another process's connection to the same store
    real_chunks = Store.chunks
    commits: list[int] = []

    def chunks_then_commit(self, report_id=None):
        chunks = real_chunks(self, report_id)
        if self is index.store and not commits:  # right after the build read its chunks
            with other.transaction():  # a.txt's report replaced by another one, whole
                other.apply_files([FileChange(resolve_path(a), "h2", "utf-8", [changed])])
                other.replace_chunks(changed.id, chunk_report(changed))
            commits.append(other.generation)
        return chunks

    monkeypatch.setattr(Store, "chunks", chunks_then_commit)
    derived = index.rebuild()
    assert commits and derived.generation < commits[0]
    assert set(derived.reports) == old_ids  # the state before the commit, all of it
    assert {c.report_id for c in derived.chunks} == old_ids

    monkeypatch.undo()
    current = index.derived()  # the newer generation is built on the next search
    assert current.generation == commits[0]
    assert {c.report_id for c in current.chunks} == set(current.reports)
    assert changed.id in current.reports and len(current.reports) == 2
    other.close()
    index.close()


def test_a_rebuild_takes_the_vectors_the_last_build_holds(tmp_path, monkeypatch):
    """Only passages new since the last build are read from the vector cache."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.txt").write_text(report_text("县甲局", "古树名木挂牌三百株"), encoding="utf-8")
    index = Index(tmp_path / "index")
    ingest([folder], index)
    derived = index.derived()
    before = {c.id: row for c, row in zip(derived.chunks, dense.vectors(derived.dense.index), strict=True)}
    asked: list[int] = []
    embed_chunks = index.embed_chunks
    monkeypatch.setattr(index, "embed_chunks", lambda chunks, *a, **k: asked.append(len(chunks))
                        or embed_chunks(chunks, *a, **k))
    (folder / "b.txt").write_text(report_text("县乙局", "候鸟通道巡护九十次"), encoding="utf-8")
    ingest([folder], index)
    derived = index.derived()
    new = [c for c in derived.chunks if c.id not in before]
    assert new and asked and max(asked) == len(new)  # never the passages of a.txt again
    rows = dense.vectors(derived.dense.index)
    for c, row in zip(derived.chunks, rows, strict=True):
        if c.id in before:
            assert np.array_equal(row, before[c.id])
    index.close()
