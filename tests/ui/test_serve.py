"""`report-assistant serve` as a user runs it: a fresh index is built from the bundled samples
in the background while the app already answers HTTP; later starts reuse it; an exposed host
without a password is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

from assistant.index.store import Store
from tests.fixtures.network import free_port
from tests.fixtures.paths import SAMPLE_REPORT_COUNT

START_TIMEOUT = 180  # seconds; a cold vector cache needs about a minute on 2 cores


def wait_for(check, timeout: float) -> float:
    """Seconds until check() is true (AssertionError after `timeout`)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            if check():
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("timed out")


def serve(index_dir, port: int, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "REPORT_ASSISTANT_INDEX": str(index_dir), "GRADIO_ANALYTICS_ENABLED": "False"}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        cwd=tmp_path,  # works from any directory
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def reports_in(index_dir) -> int:
    if not (index_dir / "reports.sqlite").exists():
        return 0
    with Store(index_dir) as store:
        return len(store.list_reports())


def test_first_start_builds_the_samples_then_reuses_them(tmp_path):
    index_dir, port = tmp_path / "index", free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = serve(index_dir, port, tmp_path)
    try:
        up = wait_for(lambda: urllib.request.urlopen(url, timeout=2).status == 200, START_TIMEOUT)
        config = json.loads(urllib.request.urlopen(url + "config", timeout=5).read())
        texts = [str(c.get("props", {}).get("value")) for c in config["components"]]
        assert config["title"] == "工作总结范文助手"
        assert any("首次启动" in t or "20 篇报告" in t for t in texts)  # progress, or done
        built = wait_for(lambda: reports_in(index_dir) == SAMPLE_REPORT_COUNT, START_TIMEOUT)
        print(f"first start: page up after {up:.1f} s, samples indexed after {up + built:.1f} s")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "首次启动：建立示例资料库" in output and f"http://127.0.0.1:{port}" in output
    proc = serve(index_dir, port, tmp_path)
    try:
        wait_for(lambda: urllib.request.urlopen(url, timeout=2).status == 200, START_TIMEOUT)
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "首次启动" not in output and reports_in(index_dir) == SAMPLE_REPORT_COUNT


def test_exposed_host_without_password_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "--index", str(tmp_path / "ix"), "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: --host: binding 0.0.0.0 exposes the app")
