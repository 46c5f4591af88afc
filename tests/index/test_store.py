"""The store on both backends (SQLite, PostgreSQL): round trips, one-transaction writes, shared sources, removal, prefixes."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from assistant.index.backend import open_store
from assistant.index.records import (
    FileChange,
    report_to_dict,
    resolve_path,
    section_from_dict,
    section_to_dict,
)
from assistant.index.store import Store
from assistant.models import Chunk, Report, Section


def make_report(rid: str, title: str = "县民政局2023年工作总结") -> Report:
    """A report with a three-level section tree using every Section field."""
    leaf = Section(heading="兜底保障", level=3, role="summary",
                   path=["一、成效", "（一）民生", "1.兜底保障"], text="低保提标。", items=["一是提标", "二是扩面"], marker="1.", span=(5, 6))
    mid = Section(heading="民生", level=2, role="summary", path=["一、成效", "（一）民生"],
                  text="", children=[leaf], marker="（一）", span=(4, 6))
    top = Section(heading="成效", level=1, role="summary", path=["一、成效"], text="总体平稳。",
                  children=[mid], marker="一、", span=(3, 6))
    plan = Section(heading="2024年工作计划", level=1, role="plan", path=["二、2024年工作计划"],
                   text="继续推进。", marker="二、", span=(7, 8))
    return Report(id=rid, title=title, org="县民政局", level="县", department="民政",
                  period="2023年度", kind="总结+计划", span=(1, 8), sections=[top, plan],
                  preamble="今年以来……", signoff="县民政局 2023年12月")


@pytest.fixture
def store(tmp_path, backend):
    """The store of the backend under test (see tests/fixtures/postgres.py `backend`)."""
    with open_store(tmp_path / "index") as s:
        yield s


@pytest.fixture
def sqlite_store(tmp_path):
    with Store(tmp_path / "index") as s:
        yield s


def change(path, *reports: Report, content_hash: str = "h1") -> FileChange:
    return FileChange(str(path), content_hash, "utf-8", list(reports))


def test_section_dict_round_trip():
    section = make_report("a" * 16).sections[0]
    assert section_from_dict(section_to_dict(section)) == section


def test_report_round_trip_with_nested_tree(store, tmp_path):
    report = make_report("abcdef0123456789")
    store.apply_files([change(tmp_path / "a.txt", report)])
    got = store.get_report(report.id)
    assert got is not None
    assert got.sections == report.sections
    assert got.sections[0].children[0].children[0].items == ["一是提标", "二是扩面"]
    assert got.source == [resolve_path(tmp_path / "a.txt")]
    expected = report_to_dict(report) | {"source": got.source}
    assert report_to_dict(got) == expected
    assert store.file_hash(tmp_path / "a.txt") == "h1"
    [summary] = store.list_reports()
    assert summary.sections == 4 and summary.chunks == 0 and summary.report.sections == []
    assert summary.to_dict()["id"] == report.id


def test_failed_apply_keeps_previous_state(store, tmp_path):
    first = make_report("1111111111111111")
    store.apply_files([change(tmp_path / "a.txt", first)])
    generation = store.generation
    broken = make_report("2222222222222222")
    broken.sections = [object()]  # asdict fails in the middle of the transaction
    with pytest.raises(TypeError):
        store.apply_files([change(tmp_path / "b.txt", make_report("3333333333333333")),
                           change(tmp_path / "a.txt", broken, content_hash="h2")])
    assert [s.report.id for s in store.list_reports()] == [first.id]
    assert store.file_hash(tmp_path / "a.txt") == "h1"
    assert store.file_hash(tmp_path / "b.txt") is None
    assert store.generation == generation


def test_same_report_from_two_files_stored_once(store, tmp_path):
    report = make_report("abcdef0123456789")
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    store.apply_files([change(a, report), change(b, report)])
    [summary] = store.list_reports()
    assert summary.report.source == sorted([resolve_path(a), resolve_path(b)])
    assert store.remove([str(a)]) == []
    assert store.get_report(report.id).source == [resolve_path(b)]
    assert store.remove([str(b)]) == [report.id]
    assert store.list_reports() == []


def test_changed_file_replaces_its_reports_and_chunks(store, tmp_path):
    old, new = make_report("1111111111111111"), make_report("2222222222222222", "新标题")
    store.apply_files([change(tmp_path / "a.txt", old)])
    store.replace_chunks(old.id, [Chunk("c1", old.id, ["一、成效"], "正文", (3, 4))])
    assert len(store.chunks()) == 1
    store.apply_files([change(tmp_path / "a.txt", new, content_hash="h2")])
    assert [s.report.id for s in store.list_reports()] == [new.id]
    assert store.chunks() == []
    assert store.file_hash(tmp_path / "a.txt") == "h2"


def test_chunks_round_trip(store, tmp_path):
    report = make_report("1111111111111111")
    store.apply_files([change(tmp_path / "a.txt", report)])
    chunk = Chunk("c1", report.id, ["一、成效", "（一）民生"], "低保提标。", (4, 6),
                  role="summary", heading_only=True)
    store.replace_chunks(report.id, [chunk])
    assert store.chunks(report.id) == [replace(chunk, report_title=report.title)]
    assert store.counts_for_paths([tmp_path / "a.txt"]) == (1, 1)
    assert store.list_reports()[0].chunks == 1


def test_prefix_lookup(store, tmp_path):
    store.apply_files([change(tmp_path / "a.txt", make_report("abcdef0123456789"),
                              make_report("abcdef9999999999", "另一篇"))])
    assert store.get_report("abcdef01").id == "abcdef0123456789"
    assert store.get_report("abcdef") is None  # ambiguous
    assert store.get_report("abcd") is None  # too short
    assert store.get_report("abcdef9999999999").title == "另一篇"
    assert store.get_report("ffffff") is None


def test_remove_by_id_marks_file_stale_and_by_folder(store, tmp_path):
    r1, r2 = make_report("1111111111111111"), make_report("2222222222222222")
    folder = tmp_path / "docs"
    store.apply_files([change(folder / "a.txt", r1, r2)])
    assert store.remove_items(["111111", "nothing-like-this"]) == ([r1.id], ["nothing-like-this"])
    assert store.file_hash(folder / "a.txt") is None  # a later ingest re-parses the file
    assert store.remove([str(folder)]) == [r2.id]
    assert store.list_reports() == []


def test_generation_bumps_on_every_write(store, tmp_path):
    g0 = store.generation
    report = make_report("1111111111111111")
    store.apply_files([change(tmp_path / "a.txt", report)])
    assert store.generation == g0 + 1
    store.replace_chunks(report.id, [])
    assert store.generation == g0 + 2
    with store.transaction():  # nested writes bump once
        store.replace_chunks(report.id, [])
        store.replace_chunks(report.id, [])
    assert store.generation == g0 + 3
    store.manifest_set("faiss_generation", str(store.generation))
    assert store.manifest_get("faiss_generation") == str(g0 + 3)
    assert store.generation == g0 + 3
    store.remove([report.id])
    assert store.generation == g0 + 4


def test_wal_mode_and_concurrent_reader(sqlite_store, tmp_path):
    store = sqlite_store
    store.apply_files([change(tmp_path / "a.txt", make_report("1111111111111111"))])
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with store.transaction():  # a writer holds the lock: another Store still opens and reads
        store.replace_chunks("1111111111111111", [])
        with Store(tmp_path / "index") as reader:
            assert len(reader.list_reports()) == 1
            reader.conn.execute("PRAGMA busy_timeout = 100")
            with pytest.raises(sqlite3.OperationalError):
                reader.manifest_set("x", "1")  # but cannot write until the writer commits


def test_an_older_store_is_migrated_when_opened(tmp_path):
    import sqlite3

    from assistant.index.sqlschema import SCHEMA_VERSION
    from assistant.index.store import Store

    with Store(tmp_path) as store:
        store.conn.execute("DROP TABLE report_chrome")
        store.conn.execute("UPDATE manifest SET value = '1' WHERE key = 'schema_version'")
    with Store(tmp_path) as store:
        assert store.manifest_get("schema_version") == SCHEMA_VERSION
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert "report_chrome" in tables
    with sqlite3.connect(tmp_path / "reports.sqlite") as conn:  # a current store writes nothing
        assert conn.execute("SELECT value FROM manifest WHERE key='schema_version'").fetchone()[0] == SCHEMA_VERSION


def test_reports_are_listed_a_page_at_a_time(store, tmp_path):
    reports = [make_report(f"{n:016d}", f"县民政局{n}号报告") for n in range(5)]
    store.apply_files([change(tmp_path / "a.txt", *reports)])
    store.apply_files([change(tmp_path / "b.txt", reports[1])])  # one report, two sources
    whole = store.list_reports()
    pages = [s for o in (0, 2, 4) for s in store.list_reports(limit=2, offset=o)]
    assert pages == whole and len(whole) == 5  # sources, counts and all, as the whole list
    assert whole[1].report.source == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
