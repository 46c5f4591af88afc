"""Login throttling of `serve --auth` over real HTTP: after 20 wrong passwords within the
window, the user and the client address are refused even with the right password until the
window has passed; the session cookies are HttpOnly and SameSite=Lax."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.parse
import urllib.request

from assistant.index.index import Index
from assistant.ingest.pipeline import ingest
from assistant.settings import LOGIN_WINDOW_ENV
from assistant.ui.login import MAX_FAILURES, Throttle
from assistant.ui.serve import launch
from tests.fixtures.network import free_port

WINDOW_S = 6.0  # the test's window: ample for 22 local logins (well under 1 s), short to wait out
REPORT = "县测试局2023年工作总结\n一、主要工作\n（一）燃气安全检查全覆盖。\n"


def login(url: str, user: str, password: str) -> tuple[int, list[str]]:
    """POST the login form; (status, Set-Cookie headers)."""
    data = urllib.parse.urlencode({"username": user, "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "login", data=data), timeout=10) as r:
            return r.status, r.headers.get_all("set-cookie") or []
    except urllib.error.HTTPError as exc:
        return exc.code, []


def test_throttle_counts_failures_per_key_within_the_window():
    throttle = Throttle(max_failures=2, window_s=0.2)
    throttle.failed(["user:a", "addr:1"])
    assert not throttle.locked(["user:a"])
    throttle.failed(["user:a", "addr:2"])
    assert throttle.locked(["user:a"]) and throttle.locked(["user:b", "addr:1"]) is False
    time.sleep(0.25)
    assert not throttle.locked(["user:a"])


def test_the_21st_login_in_a_minute_is_refused_until_the_window_passes(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(LOGIN_WINDOW_ENV, str(WINDOW_S))
    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    index = Index(tmp_path / "index")
    ingest([tmp_path / "r.txt"], index)  # not empty: no first-start build
    index.close()
    port = free_port()
    app = launch(tmp_path / "index", port=port, auth=("官员", "正确密码"), block=False)
    url = f"http://127.0.0.1:{port}/"
    try:
        with caplog.at_level(logging.WARNING, logger="report_assistant.login"):
            assert [login(url, "官员", f"错{i}")[0] for i in range(MAX_FAILURES)] == [400] * MAX_FAILURES
            assert login(url, "官员", "正确密码")[0] == 400  # the 21st: refused, right or wrong
            assert login(url, "别人", "正确密码")[0] == 400  # the same address is refused too
        assert any("login refused" in r.getMessage() for r in caplog.records)
        time.sleep(WINDOW_S)
        status, cookies = login(url, "官员", "正确密码")
        assert status == 200 and len(cookies) == 2
        for cookie in cookies:
            flags = [f.strip().lower() for f in cookie.split(";")]
            assert "httponly" in flags and "samesite=lax" in flags, cookie
    finally:
        app.close()
