"""The app with accounts over real HTTP: a real login, then the Gradio API calls a page makes.
A 读者 granted one library gets answers, outline examples, report lists and section views of
that library only; a wrong password is refused; /healthz counts only the caller's reports."""

from __future__ import annotations

import json
import urllib.request

import pytest

from assistant import accounts
from assistant.index.index import Index
from assistant.ui.serve import launch
from tests.fixtures.network import free_port
from tests.test_accounts import OFFICE_MARK, PASSWORD, office_library


@pytest.fixture
def served(tmp_path, backend):
    """The app over an index with 办公室 and 民政科, a 读者 granted 民政科."""
    index = office_library(tmp_path)
    office = next(s.report.id for s in index.store.list_reports() if s.report.library == "办公室")
    index.close()
    port = free_port()
    app = launch(tmp_path / "index", port=port, block=False)
    yield f"http://127.0.0.1:{port}/", office
    app.close()


def test_a_reader_over_http_sees_only_its_library(served):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    url, office = served
    with pytest.raises(Exception):  # noqa: B017 (gradio_client raises its own for a bad login)
        Client(url, auth=("reader", "错误的密码"), verbose=False)
    client = Client(url, auth=("reader", PASSWORD), verbose=False)
    chat, cards, _ = client.predict("县政府办公室开展了多少次专项督查？", [], "", "", "", "",
                                    api_name="/ask")
    said = [m for m in chat if m["role"] == "assistant"]
    assert said and OFFICE_MARK not in json.dumps(said, ensure_ascii=False) + cards
    body, *_ = client.predict("县政府办公室2024年工作计划", [], [], api_name="/outline")
    assert "督查" not in body and "县民政局" in body
    rows, *_ = client.predict("", None, None, api_name="/reports")
    titles = [row[1] for row in rows["data"]]
    assert titles == ["县民政局2023年工作总结"]
    try:  # the picker refuses a report the user cannot see; were it let through, no tree
        tree = client.predict(office, api_name="/report")
    except AppError as exc:
        tree = str(exc)
    assert OFFICE_MARK not in tree and ("请选择" in tree or "not in the list of choices" in tree)
    with urllib.request.urlopen(url + "healthz", timeout=10) as response:
        anonymous = json.load(response)
    assert anonymous["status"] == "ok" and anonymous["reports"] == 0


def test_the_page_shows_writers_controls_and_the_user_tab_by_role(tmp_path):
    from types import SimpleNamespace

    from assistant.ui import accounts_tab
    from assistant.ui.viewer import Viewer

    index = Index(tmp_path / "index")
    seen = Viewer(index)
    alone = accounts_tab.writer_controls(seen, None, None)  # no account: everything, as today
    assert alone[0] == "" and alone[2].visible and alone[3].visible
    accounts.add_library(index.store, "民政科")
    for name, role in (("boss", "管理员"), ("civil", "编辑"), ("reader", "读者")):
        accounts.add_user(index.store, name, role, PASSWORD)
        accounts.grant(index.store, "民政科", name)
    as_ = {name: SimpleNamespace(username=name) for name in ("boss", "civil", "reader")}
    line, picker, uploads, removing = accounts_tab.writer_controls(seen, as_["civil"], None)
    assert "民政科（0 篇）" in line and picker.choices == [("民政科", "民政科")]
    assert uploads.visible and removing.visible
    line, picker, uploads, removing = accounts_tab.writer_controls(seen, as_["reader"], None)
    assert "读者" in line and not uploads.visible and not removing.visible
    assert not accounts_tab.writer_controls(seen, None, None)[2].visible  # no login: nothing
    assert accounts_tab.admin_view(seen, as_["boss"])[0].visible
    assert not accounts_tab.admin_view(seen, as_["civil"])[0].visible
    assert seen(as_["reader"]).readable == frozenset({"民政科"})
    assert seen(None).readable == frozenset()
    index.close()
