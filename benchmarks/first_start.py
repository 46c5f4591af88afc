"""First start: how soon a new user's `report-assistant serve` answers from the samples.

A fresh index and an empty vector cache (only the vectors shipped with the package), in a
process of its own, as the README's first command runs it. Prints seconds from launch until the
page answers HTTP, until the first question (asked as soon as the page is up) is answered and
from what, and until all samples are searchable, with the build time the server reports.

    python -m benchmarks.first_start
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from assistant.settings import INDEX_ENV, VECTOR_CACHE_ENV

QUESTION = "县审计局存在哪些问题？"
TIMEOUT = 300  # seconds before a start that never comes up is reported as failed
SAMPLE_REPORTS = 20


def first_serve(home: Path, port: int) -> subprocess.Popen:
    """A `serve` process on `port` over home/index, its vector cache inside that index."""
    env = {k: v for k, v in os.environ.items() if k != VECTOR_CACHE_ENV}
    env.update({INDEX_ENV: str(home / "index"), "GRADIO_ANALYTICS_ENABLED": "False"})
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _until(check, start: float) -> float:
    """Seconds since `start` when check() first holds (SystemExit after TIMEOUT)."""
    while time.perf_counter() - start < TIMEOUT:
        try:
            if check():
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"error: first start: nothing after {TIMEOUT} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def figures() -> dict[str, object]:
    """One first start, measured."""
    from gradio_client import Client

    with tempfile.TemporaryDirectory() as home:
        port = _free_port()
        url = f"http://127.0.0.1:{port}/"
        start = time.perf_counter()
        proc = first_serve(Path(home), port)
        try:
            up = _until(lambda: urllib.request.urlopen(url, timeout=2).status == 200, start)
            message, _, _ = Client(url, verbose=False).predict(
                QUESTION, [], "", "", "", "", api_name="/ask"
            )
            answered = time.perf_counter() - start
            content = message[-1]["content"]  # the client hands it back as text parts
            reply = "".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)
            built = _until(lambda: _reports(Path(home) / "index") == SAMPLE_REPORTS, start)
        finally:
            proc.terminate()
            log = proc.communicate(timeout=30)[0]
    built_line = next((line for line in log.splitlines() if "示例资料库已建立" in line), "")
    return {"page up s": up, "first answer s": answered, "answer starts": reply[:40],
            "samples searchable s": built, "server says": built_line.strip()}


def _reports(index_dir: Path) -> int:
    from assistant.index.store import Store

    if not (index_dir / "reports.sqlite").exists():
        return 0
    with Store(index_dir) as store:
        return len(store.list_reports())


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    for name, value in figures().items():
        shown = f"{value:.1f}" if isinstance(value, float) else value
        print(f"{name:>22}: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
