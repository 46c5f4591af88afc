"""Launching the app: the exposure guard (loopback unless auth is set or --insecure), and the
first start on an empty index, which indexes the bundled samples in the background with
progress in the terminal and on the page. Never a public share link."""

from __future__ import annotations

import ipaddress
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from assistant.index import Index
from assistant.ingest import ingest

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
MAX_UPLOAD_MB = 50  # the loader refuses larger files anyway: a report is a few MB at most
MAX_UPLOAD = f"{MAX_UPLOAD_MB}mb"
AUTH_ENV = "REPORT_ASSISTANT_AUTH"  # user:password, the env form of --auth
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


@dataclass
class Startup:
    """The first-start build of the sample library, as the page and terminal report it."""

    running: bool = False
    message: str = ""

    def text(self) -> str:
        return f"**{self.message}**" if self.running else ""  # no emoji: CJK fonts lack them


def build_samples(index: Index, startup: Startup) -> None:
    """Index the bundled samples, reporting progress to `startup` and the terminal."""
    from tqdm import tqdm

    bar = tqdm(total=0, file=sys.stderr, desc="首次启动：建立示例资料库", unit="段")

    def embedded(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        startup.message = f"首次启动，正在建立示例资料库：向量化 {done}/{total} 段"

    try:
        result = ingest([SAMPLES], index, embed_progress=embedded)
        startup.message = f"示例资料库已建立：{result.reports} 篇报告"
    except Exception as exc:  # shown on the page and in the terminal; the app keeps running
        startup.message = f"示例资料库建立失败：{exc}"
        print(f"error: {SAMPLES}: {exc}", file=sys.stderr)
    finally:
        startup.running = False
        bar.close()


def first_start(index: Index) -> Startup:
    """On an empty index, start indexing the samples in the background; else nothing."""
    startup = Startup()
    if index.store.list_reports():
        return startup
    if not SAMPLES.is_dir():
        print(
            f"error: {SAMPLES}: bundled samples not found; the library starts empty",
            file=sys.stderr,
        )
        return startup
    startup.running, startup.message = True, "首次启动，正在读取示例报告…"
    threading.Thread(target=build_samples, args=(index, startup), daemon=True).start()
    return startup


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
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui.app import CSS, build_app

    index = Index(index_dir)
    startup = first_start(index)
    app = build_app(index, startup)
    print(f"report-assistant: http://{host}:{port}  (index {index.dir})", file=sys.stderr)
    app.launch(
        server_name=host,
        server_port=port,
        share=False,
        auth=auth,
        auth_message="请输入用户名和密码" if auth else None,
        max_file_size=MAX_UPLOAD,
        prevent_thread_lock=not block,
        css=CSS,
        quiet=True,
    )
    return app
