"""Login for an exposed app: Gradio's password check behind a throttle, and session cookies
that other sites' pages cannot send.

Gradio answers a wrong password at once, every time (a probe tried 220 in under a second), and
sets its HTTPS session cookie SameSite=None. Here: after MAX_FAILURES wrong logins within the
window, for one user name or from one client address, every login of that user or address is
refused until the window has passed (logged); the cookies are rewritten SameSite=Lax. The
check is one `--auth` pair, or the library's accounts (assistant/accounts) once it has any."""

from __future__ import annotations

import asyncio
import contextvars
import hmac
import logging
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

LOG = logging.getLogger("report_assistant.login")

# Wrong logins tolerated per user name and per client address within the window: a person
# mistyping a password fails a few times; 20 a minute is a script guessing.
MAX_FAILURES = 20
WINDOW_S = 60.0  # the window (settings.login_window_s overrides it: tests make it short)
LOGIN_PATHS = ("/login", "/login/")
CROSS_SITE = re.compile(rb"samesite=none", re.IGNORECASE)  # Gradio's flag on its HTTPS cookie
SAME_SITE = b"SameSite=Lax"  # ours: another site's page cannot post with the user's session

CLIENT = contextvars.ContextVar("client_address", default="")

Check = Callable[[str, str], Awaitable[bool]]
Verify = Callable[[str, str], bool]


class Throttle:
    """Failed logins per key ("user:…", "addr:…") within a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S) -> None:
        self.max_failures, self.window_s = max_failures, window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] >= self.window_s:
            times.popleft()
        return times

    def locked(self, keys: list[str]) -> bool:
        """Whether any key has used up its failures within the window."""
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.max_failures for k in keys)

    def failed(self, keys: list[str]) -> None:
        """Record one failed login for each key."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)


def one_pair(user: str, password: str) -> Verify:
    """The check of `serve --auth USER:PASSWORD`: that one pair (constant-time comparison)."""

    def verify(given_user: str, given_password: str) -> bool:
        return hmac.compare_digest(given_user.encode(), user.encode()) and hmac.compare_digest(
            given_password.encode(), password.encode())

    return verify


def password_check(verify: Verify, throttle: Throttle) -> Check:
    """Gradio's `auth` callable: `verify` (one pair, or the library's accounts), refused while
    throttled; a slow check (scrypt) runs off the event loop."""

    async def check(given_user: str, given_password: str) -> bool:
        keys = [f"user:{given_user}", f"addr:{CLIENT.get()}"]
        if throttle.locked(keys):
            LOG.warning("login refused (too many failures): user %r from %s", given_user,
                        CLIENT.get())
            return False
        ok = await asyncio.to_thread(verify, given_user, given_password)
        if not ok:
            throttle.failed(keys)
            LOG.warning("login failed: user %r from %s", given_user, CLIENT.get())
        return ok

    return check


class LoginGuard:
    """ASGI middleware around the app: the login check sees the client's address, and the
    session cookies the login sets are SameSite=Lax."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("path") not in LOGIN_PATHS:
            await self.app(scope, receive, send)
            return

        async def strict_cookies(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (k, CROSS_SITE.sub(SAME_SITE, v) if k.lower() == b"set-cookie" else v)
                    for k, v in message.get("headers", [])
                ]
            await send(message)

        token = CLIENT.set((scope.get("client") or ("", 0))[0])
        try:
            await self.app(scope, receive, strict_cookies)
        finally:
            CLIENT.reset(token)
