"""Accounts and department libraries on both backends: a 读者 granted one library never sees the
other's report — in search, ask (its 可能相关 list too), outline examples, the report list,
show and context views, counts — through the Python API and the CLI; a 读者 cannot add or
remove; a revoked grant takes effect on the next question; no plain password is stored."""

from __future__ import annotations

import sqlite3

import pytest

from assistant import accounts
from assistant.api import Library
from assistant.cli.main import main
from assistant.index.health import health
from assistant.index.index import Index, LibraryError
from assistant.ingest.pipeline import ingest, remove

OFFICE = ("县政府办公室2023年工作总结\n一、工作开展情况\n（一）文稿起草。全年起草各类文稿120篇，"
          "保障重要会议材料。\n（二）督查督办。开展专项督查15次，督查事项办结率达98%。\n二、存在问题\n"
          "督查成果运用还不够充分。\n三、2024年工作打算\n进一步提升文稿质量，加强督查督办。\n")
CIVIL = ("县民政局2023年工作总结\n一、主要工作\n（一）养老服务。新建农村互助幸福院12所，发放高龄津贴"
         "860万元。\n（二）社会救助。全年发放低保金3200万元，救助困难群众1.2万人次。\n二、存在问题\n"
         "养老服务人才不足。\n三、下一步打算\n推进居家养老服务中心建设。\n")
PASSWORD = "读者的密码123"
OFFICE_MARK = "督查"  # a word only the 办公室 report holds


def write_text(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def office_library(tmp_path) -> Index:
    """An index with a report in 办公室 and one in 民政科, and a 读者 granted 民政科."""
    write_text(tmp_path / "a" / "bangong.txt", OFFICE)
    write_text(tmp_path / "b" / "minzheng.txt", CIVIL)
    index = Index(tmp_path / "index")
    for name in ("办公室", "民政科"):
        accounts.add_library(index.store, name)
    assert not ingest([tmp_path / "a"], index, library="办公室").failed
    assert not ingest([tmp_path / "b"], index, library="民政科").failed
    accounts.add_user(index.store, "reader", "读者", PASSWORD)
    accounts.grant(index.store, "民政科", "reader")
    return index


@pytest.fixture
def office(tmp_path, backend):
    """office_library, and an 编辑 granted 办公室."""
    index = office_library(tmp_path)
    accounts.add_user(index.store, "editor", "编辑", "编辑的密码456")
    accounts.grant(index.store, "办公室", "editor")
    yield index
    index.close()


def office_id(index: Index) -> str:
    return next(s.report.id for s in index.store.list_reports() if s.report.library == "办公室")


def test_a_reader_sees_only_its_library_everywhere(office, tmp_path):
    lib = Library(tmp_path / "index", user="reader")
    assert [r.library for r in lib.reports()] == ["民政科"]
    hits = lib.search("督查督办的办结率是多少？", k=10)
    assert hits and {h.chunk.report_id for h in hits} != {office_id(office)}
    assert all("督查" not in h.chunk.text for h in hits)
    answer = lib.ask("县政府办公室开展了多少次专项督查？")
    cited = {c.hit.chunk.report_id for c in answer.citations}
    assert office_id(office) not in cited and OFFICE_MARK not in answer.text
    outline, examples = lib.outline("县政府办公室2024年工作计划")
    assert [e.report.library for e in examples] == ["民政科"]
    view = lib.index
    assert view.store.get_report(office_id(office)) is None  # show / context views
    assert view.store.resolve_id(office_id(office)[:8]) is None
    assert health(view)["reports"] == 1 and health(office)["reports"] == 2
    whole = Library(tmp_path / "index")  # no user: the operator's whole library
    assert {r.library for r in whole.reports()} == {"办公室", "民政科"}
    assert any(OFFICE_MARK in h.chunk.text for h in whole.search("督查督办的办结率是多少？"))


def test_a_reader_cannot_add_or_remove_and_an_editor_only_in_its_library(office, tmp_path):
    reader = accounts.caller_index(office, "reader")
    with pytest.raises(LibraryError):
        ingest([tmp_path / "b"], reader, library="民政科")
    removed, missing = remove(reader, [str(tmp_path / "b" / "minzheng.txt")])
    assert removed == [] and missing
    editor = accounts.caller_index(office, "editor")
    with pytest.raises(LibraryError):
        ingest([tmp_path / "b"], editor, library="民政科")
    removed, _ = remove(editor, [str(tmp_path / "b" / "minzheng.txt")])  # not its library
    assert removed == [] and len(office.store.list_reports()) == 2
    removed, _ = remove(editor, [office_id(office)])
    assert removed and [s.report.library for s in office.store.list_reports()] == ["民政科"]


def test_a_revoked_grant_takes_effect_on_the_next_question(office, tmp_path):
    accounts.grant(office.store, "办公室", "reader")
    lib = Library(tmp_path / "index", user="reader")
    assert any(OFFICE_MARK in h.chunk.text for h in lib.search("专项督查", k=5))
    accounts.revoke(office.store, "办公室", "reader")
    again = accounts.caller_index(office, "reader")
    from assistant.answer.retrieve import search

    assert not any(OFFICE_MARK in h.chunk.text for h in search(again, "专项督查", k=5))


def test_a_file_moves_to_another_library_only_for_who_may_write_both(office, tmp_path):
    accounts.add_user(office.store, "civil", "编辑", "民政科编辑的密码1")
    accounts.grant(office.store, "民政科", "civil")
    civil = accounts.caller_index(office, "civil")
    result = ingest([tmp_path / "a"], civil, library="民政科")  # 办公室's file: not civil's
    assert result.failed and "没有移动它的权限" in result.failed[0][1]
    assert sorted(s.report.library for s in office.store.list_reports()) == ["办公室", "民政科"]
    accounts.grant(office.store, "民政科", "editor")
    editor = accounts.caller_index(office, "editor")
    assert not ingest([tmp_path / "a"], editor, library="民政科").failed
    assert sorted(s.report.library for s in office.store.list_reports()) == ["民政科", "民政科"]
    reader = accounts.caller_index(office, "reader")
    assert len(reader.store.list_reports()) == 2


def test_the_store_holds_no_plain_password(office, backend):
    if backend == "embedded":
        with sqlite3.connect(office.dir / "reports.sqlite") as conn:
            rows = conn.execute("SELECT * FROM users").fetchall()
    else:
        rows = office.store.conn.execute("SELECT * FROM users").fetchall()
    stored = "\n".join(map(str, rows))
    assert PASSWORD not in stored and "编辑的密码456" not in stored
    assert all(row[2].startswith("scrypt$") for row in rows)
    assert accounts.authenticate(office.store, "reader", PASSWORD).name == "reader"
    assert accounts.authenticate(office.store, "reader", PASSWORD + "x") is None


def test_cli_commands_as_users(office, tmp_path, capsys, monkeypatch):
    ix = ["--index", str(tmp_path / "index")]
    assert main([*ix, "--user", "reader", "reports", "--json"]) == 0
    import json

    listed = json.loads(capsys.readouterr().out)
    assert [r["library"] for r in listed] == ["民政科"]
    assert main([*ix, "--user", "reader", "show", office_id(office)]) == 1
    assert main([*ix, "--user", "reader", "search", "专项督查", "--json"]) == 0
    assert OFFICE_MARK not in capsys.readouterr().out
    assert main([*ix, "--user", "reader", "ask", "县政府办公室开展了多少次专项督查？", "--json"]) == 0
    assert OFFICE_MARK not in capsys.readouterr().out
    assert main([*ix, "--user", "reader", "outline", "县政府办公室2024年工作计划", "--json"]) == 0
    chosen = json.loads(capsys.readouterr().out)["chosen"]
    assert [c["report_id"] for c in chosen] and office_id(office) not in {c["report_id"] for c in chosen}
    assert main([*ix, "--user", "reader", "ingest", str(tmp_path / "b"), "--library", "民政科"]) == 1
    assert "没有向资料库“民政科”添加或删除报告的权限" in capsys.readouterr().err
    assert main([*ix, "--user", "reader", "library", "add", "财政科"]) == 1  # not a 管理员
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("管理员的密码789\n"))
    assert main([*ix, "user", "add", "boss", "--role", "管理员"]) == 0
    assert main([*ix, "--user", "boss", "library", "add", "财政科"]) == 0
    assert main([*ix, "--user", "boss", "library", "grant", "财政科", "reader"]) == 0
    capsys.readouterr()
    assert main([*ix, "library", "list", "--json"]) == 0
    shelves = {s["name"]: s for s in json.loads(capsys.readouterr().out)}
    assert shelves["财政科"]["users"] == ["reader"] and shelves["办公室"]["reports"] == 1
    assert main([*ix, "--user", "boss", "library", "revoke", "财政科", "reader"]) == 0
    assert main([*ix, "user", "remove", "reader"]) == 0
    assert main([*ix, "--user", "reader", "reports"]) == 1  # no such account any more
    assert [u.name for u in accounts.users(office.store)] == ["boss", "editor"]
