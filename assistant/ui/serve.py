"""Launching the app: the exposure guard (loopback unless auth is set or --insecure), the
throttled login (ui/login.py), the first-start build (ui/startup.py), then the app ui/app.py
builds. Never a public share link."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from assistant import settings
from assistant.index import leftovers
from assistant.index.health import health
from assistant.index.index import Index
from assistant.index.pending import resume_in_background
from assistant.settings import AUTH_ENV
from assistant.ui.login import WINDOW_S, LoginGuard, Throttle, password_check
from assistant.ui.startup import first_start

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


def exposure_error(host: str, auth: tuple[str, str] | None, insecure: bool) -> str | None:
    """Why binding `host` is refused, or None: off loopback, a password is required."""
    if is_loopback(host) or auth is not None or insecure:
        return None
    return (
        f"binding {host} exposes the app to the network: give --auth USER:PASSWORD "
        f"(or {AUTH_ENV}), or --insecure to allow it without a password"
    )


def health_route(index: Index) -> Route:
    """GET /healthz: the library's state as JSON (assistant/index/health.py), 503 when the store
    cannot be read; for a load balancer in front of several app processes (no login needed)."""

    def healthz(_request) -> JSONResponse:
        state = health(index)
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
    when `host` is off loopback with neither `auth` nor `insecure`)."""
    refused = exposure_error(host, auth, insecure)
    if refused:
        raise ValueError(refused)
    settings.quiet_gradio()
    from assistant.ui.app import MAX_UPLOAD_MB, UPLOADS, build_app, launch_options

    leftovers.clean(UPLOADS, ["*"])  # uploads a killed run left (each is stored once ingested)
    index = Index(index_dir)
    startup = first_start(index)
    resume_in_background(index)  # vectors a killed ingest left to make
    app = build_app(index, startup)
    check = None
    if auth is not None:
        window = float(settings.current().login_window or WINDOW_S)
        check = password_check(*auth, Throttle(window_s=window))
    print(f"report-assistant: http://{host}:{port}  (index {index.dir})", file=sys.stderr)
    app.launch(
        server_name=host,
        server_port=port,
        share=False,
        auth=check,
        auth_message="请输入用户名和密码" if auth else None,
        # the health route goes before Gradio's own routes; the guard throttles logins
        app_kwargs={"routes": [health_route(index)], "middleware": [Middleware(LoginGuard)]},
        max_file_size=f"{MAX_UPLOAD_MB}mb",
        prevent_thread_lock=not block,
        quiet=True,
        **launch_options(),
    )
    return app
