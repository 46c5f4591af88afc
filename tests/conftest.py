"""Shared fixtures: the bundled sample corpus, parsed once per test session."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest

# One embedding cache for every index the tests build: the corpus is embedded once a session.
os.environ.setdefault(
    "REPORT_ASSISTANT_VECTOR_CACHE", str(Path(tempfile.gettempdir()) / "report-assistant-test-vectors.sqlite")
)

from assistant.load import load_file
from assistant.models import Report
from assistant.reports import parse_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))


def free_port() -> int:
    """A loopback port nobody listens on (for apps the tests launch)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def sample_reports() -> list[Report]:
    """All reports of the sample corpus, in file order."""
    return [report for path in SAMPLE_FILES for report in parse_file(load_file(path))]


@pytest.fixture(scope="session")
def report_by_title(sample_reports):
    """Look a sample report up by its exact title (the first one, titles may repeat)."""

    def find(title: str) -> Report:
        return next(r for r in sample_reports if r.title == title)

    return find


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory):
    """An index of the whole sample corpus, built once per session (vectors cached)."""
    from assistant.index import Index
    from assistant.ingest import ingest

    index = Index(tmp_path_factory.mktemp("sample-index"))
    result = ingest([SAMPLES], index)
    assert not result.failed and result.reports == 20
    return index


@pytest.fixture(scope="session")
def llm_server():
    """A real OpenAI-compatible server on loopback (tests/fake_llm.py), one per session."""
    from tests.fake_llm import FakeLLM

    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def fake_llm(llm_server, monkeypatch):
    """The LLM configured by environment to point at the fake server (timeout 2 s)."""
    monkeypatch.setenv("REPORT_ASSISTANT_LLM_BASE_URL", llm_server.base_url)
    monkeypatch.setenv("REPORT_ASSISTANT_LLM_MODEL", "fake-chat")
    monkeypatch.setenv("REPORT_ASSISTANT_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("REPORT_ASSISTANT_LLM_TIMEOUT", "2")
    llm_server.script()
    return llm_server
