"""The `serve` command of `report-assistant` (registered into cli): the Gradio app on
127.0.0.1:7860; another host needs --auth USER:PASSWORD (or REPORT_ASSISTANT_AUTH) unless
--insecure. Gradio is imported only when the command runs."""

from __future__ import annotations

import argparse

from assistant import settings
from assistant.cli.registry import arg, command, error


@command(
    "serve",
    "the Gradio app (问答, 提纲, 资料库) on 127.0.0.1:7860",
    arg("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"),
    arg("--port", type=int, default=7860, help="port (default 7860)"),
    arg("--auth", metavar="USER:PASSWORD", help="require this login (env REPORT_ASSISTANT_AUTH)"),
    arg("--insecure", action="store_true", help="allow a non-loopback host without a password"),
)
def serve_cmd(args: argparse.Namespace) -> int:
    """Check the exposure rules, then serve until interrupted; 2 for a refused setup."""
    from assistant.ui.serve import launch, parse_auth

    try:
        auth = parse_auth(args.auth or settings.current().auth or None)
    except ValueError as exc:
        error("--auth", exc)
        return 2
    try:
        launch(args.index, args.host, args.port, auth, args.insecure)
    except ValueError as exc:  # exposed without a password or accounts (exposure_error)
        error("--host", exc)
        return 2
    return 0
