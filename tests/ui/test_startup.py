"""The first start: the samples are indexed from the shipped vectors (nothing embedded), and a
question asked while the library is built is told so, with what is already searchable."""

from __future__ import annotations

import time

import pytest

from assistant.index.index import Index
from assistant.ui import chat
from assistant.ui.startup import Startup, build_samples, first_start
from tests.fixtures.paths import SAMPLE_REPORT_COUNT

BUILD_WAIT = 600  # seconds before a build that never ends fails the test (embedding all: ~70)


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """A vector cache nobody has filled: what a first start on a new machine meets."""
    monkeypatch.setenv("REPORT_ASSISTANT_VECTOR_CACHE", str(tmp_path / "fresh-vectors.sqlite"))


def test_first_start_indexes_the_samples_without_embedding(tmp_path, fresh_cache):
    index = Index(tmp_path / "index")
    startup = first_start(index)
    assert startup.running and startup.total > 0
    deadline = time.monotonic() + BUILD_WAIT
    while startup.running and time.monotonic() < deadline:
        time.sleep(0.2)
    assert startup.message == f"示例资料库已建立：{SAMPLE_REPORT_COUNT} 篇报告"
    assert len(index.store.list_reports()) == SAMPLE_REPORT_COUNT
    assert "passage" not in index.embedder._engines  # no passage was embedded
    assert first_start(index).running is False  # a second start finds the library
    index.close()


def test_a_question_on_the_empty_library_being_built_gets_the_notice(tmp_path):
    index = Index(tmp_path / "index")
    startup = Startup(running=True, total=303)
    *_, (messages, cards, _) = chat.respond(index, "县审计局存在哪些问题？", [], startup=startup)
    reply = messages[-1]["content"]
    assert reply.startswith("资料库正在建立（已完成 0/303），约 2 分钟后可检索全部内容")
    assert "未找到" not in reply
    index.close()


def test_an_answer_found_while_building_carries_the_notice(sample_index):
    startup = Startup(running=True, ready=303, total=303)
    *_, (messages, cards, _) = chat.respond(sample_index, "县审计局存在哪些问题？", [], startup=startup)
    reply = messages[-1]["content"]
    searchable = len(sample_index.derived().chunks)
    assert "县审计局报告中关于存在的问题的内容" in reply and 'class="cite-card"' in cards
    assert f"资料库正在建立（已完成 {searchable}/{searchable}），约 1 分钟后" in reply


def test_no_notice_once_built(sample_index):
    *_, (messages, _, _) = chat.respond(sample_index, "县审计局存在哪些问题？", [], startup=Startup())
    assert "正在建立" not in messages[-1]["content"]


def test_build_failure_is_reported_and_the_app_goes_on(tmp_path, monkeypatch):
    index = Index(tmp_path / "index")
    startup = Startup(running=True)
    monkeypatch.setattr("assistant.ui.startup.ingest", lambda *a, **k: 1 / 0)
    build_samples(index, startup)
    assert not startup.running and startup.message.startswith("示例资料库建立失败")
    index.close()
