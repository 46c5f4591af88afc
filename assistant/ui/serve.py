"""Launching the app: the exposure guard (loopback unless auth is set or --insecure), the
throttled login (ui/login.py), the first-start build (ui/startup.py), then the app ui/app.py
builds. Never a public share link."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from types import SimpleNamespace

from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from assistant import accounts, settings
from assistant.index import leftovers
from assistant.index.backend import open_store
from assistant.index.health import health
from assistant.index.index import Index
from assistant.index.pending import resume_in_background
from assistant.index.store import DB_NAME
from assistant.settings import AUTH_ENV
from assistant.ui.login import WINDOW_S, LoginGuard, Throttle, one_pair, password_check
from assistant.ui.startup import first_start
from assistant.ui.viewer import Viewer

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the app on this machine."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """`user:password` → (user, password); None when unset; ValueError when malformed."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("expected USER:PASSWORD")
    return user, password


def exposure_error(host: str, auth: tuple[str, str] | None, insecure: bool,
                   accounts: bool = False) -> str | None:
    """Why binding `host` is refused, or None: off loopback, a password (or accounts) is
    required."""
    if is_loopback(host) or auth is not None or insecure or accounts:
        return None
    return (
        f"binding {host} exposes the app to the network: give --auth USER:PASSWORD "
        f"(or {AUTH_ENV}), or --insecure to allow it without a password"
    )


def has_accounts(index_dir: str | Path) -> bool:
    """Whether the library (if there is one yet: nothing is created here) has accounts."""
    if not settings.current().database_url and not (Path(index_dir) / DB_NAME).exists():
        return False
    with open_store(index_dir) as store:
        return accounts.has_accounts(store)


def logged_in(request) -> str | None:
    """The user a request's Gradio session cookie belongs to (None: no login)."""
    app = request.app
    cookie = getattr(app, "cookie_id", None)
    if cookie is None:
        return None
    token = (request.cookies.get(f"access-token-{cookie}")
             or request.cookies.get(f"access-token-unsecure-{cookie}"))
    return getattr(app, "tokens", {}).get(token)


def health_route(index: Index) -> Route:
    """GET /healthz: the library's state as JSON (assistant/index/health.py), 503 when the store
    cannot be read; for a load balancer in front of several app processes (no login needed).
    Once the library has accounts, its counts are those of the caller's libraries: none
    without a login."""
    seen = Viewer(index)

    def healthz(request) -> JSONResponse:
        state = health(seen(SimpleNamespace(username=logged_in(request))))
        return JSONResponse(state, status_code=200 if state["status"] == "ok" else 503)

    return Route("/healthz", healthz, methods=["GET"])


def launch(
    index_dir: str | Path,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    insecure: bool = False,
    block: bool = True,
):
    """Open the index, start the first-start build if needed, and serve the app (ValueError
    when `host` is off loopback with neither `auth` nor `insecure` nor accounts). A library
    with accounts (`report-assistant user add`) asks every visitor to log in with one, on
    loopback too, and shows each only the libraries granted to it."""
    with_accounts = has_accounts(index_dir)
    refused = exposure_error(host, auth, insecure, with_accounts)
    if refused:
        raise ValueError(refused)
    index = Index(index_dir)
    settings.quiet_gradio()
    from assistant.ui.app import MAX_UPLOAD_MB, UPLOADS, build_app, launch_options

    leftovers.clean(UPLOADS, ["*"])  # uploads a killed run left (each is stored once ingested)
    startup = first_start(index)
    resume_in_background(index)  # vectors a killed ingest left to make
    app = build_app(index, startup)
    check = None
    window = float(settings.current().login_window or WINDOW_S)
    if with_accounts:
        def verify(user: str, password: str) -> bool:
            return accounts.authenticate(index.store, user, password) is not None

        check = password_check(verify, Throttle(window_s=window))
    elif auth is not None:
        check = password_check(one_pair(*auth), Throttle(window_s=window))
    print(f"report-assistant: http://{host}:{port}  (index {index.dir})", file=sys.stderr)
    app.launch(
        server_name=host,
        server_port=port,
        share=False,
        auth=check,
        auth_message="请输入用户名和密码" if check else None,
        # the health route goes before Gradio's own routes; the guard throttles logins
        app_kwargs={"routes": [health_route(index)], "middleware": [Middleware(LoginGuard)]},
        max_file_size=f"{MAX_UPLOAD_MB}mb",
        prevent_thread_lock=not block,
        quiet=True,
        **launch_options(),
    )
    return app
