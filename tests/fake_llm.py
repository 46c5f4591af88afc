"""A real OpenAI-compatible chat-completions server on loopback, with scripted replies.

It speaks the wire protocol the LangChain client uses (POST /v1/chat/completions, JSON or
server-sent events when "stream" is true, written delta by delta), so tests exercise HTTP,
streaming and timeouts for real. Each request is recorded and takes the next scripted `Reply`
(the last one repeats) or, when the script is a function, the Reply it makes of the request.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What the server does for one request."""

    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering (longer than the client timeout = "slow")
    malformed: bool = False  # a body that is not the protocol (broken JSON / SSE)
    pieces: int = 4  # streamed deltas the text is cut into
    gap: float = 0.0  # seconds between streamed deltas (longer than the timeout = a stall)


Script = Callable[[dict], Reply]  # the reply made from the request's JSON body


class FakeLLM:
    """The server: `replies` is the script, `requests` the JSON bodies received."""

    def __init__(self, replies: list[Reply] | None = None) -> None:
        self.replies: list[Reply] | Script = list(replies or [Reply("好的。")])
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True  # a "slow" reply still sleeping does not block stop()
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: Reply | Script) -> None:
        """Replace the script with replies in turn or one function (and forget the requests)."""
        with self._lock:
            if len(replies) == 1 and callable(replies[0]):
                self.replies = replies[0]
            else:
                self.replies = [r for r in replies if isinstance(r, Reply)] or [Reply("好的。")]
            self.requests = []

    def next_reply(self, body: dict) -> Reply:
        """Record the request and decide its reply."""
        with self._lock:
            self.requests.append(body)
            if callable(self.replies):
                script = self.replies
            else:
                return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return script(body)

    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _chunks(text: str, n: int) -> list[str]:
    """`text` cut into about n pieces (at least one)."""
    size = max(1, -(-len(text) // max(n, 1)))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _completion(text: str, model: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _delta(content: str | None, model: str, finish: str | None = None) -> dict:
    delta = {"role": "assistant", "content": content} if content is not None else {}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # a client that gave up (a timeout test) has nothing left to be told
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            models = {"object": "list", "data": [{"id": "fake", "object": "model"}]}
            self._send(200, json.dumps(models).encode(), "application/json")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            reply = fake.next_reply(body)
            time.sleep(reply.delay)
            model = body.get("model", "fake")
            if reply.status != 200:
                error = {"error": {"message": "scripted failure", "type": "server_error"}}
                self._send(reply.status, json.dumps(error).encode(), "application/json")
            elif reply.malformed:
                kind = "text/event-stream" if body.get("stream") else "application/json"
                self._send(200, b"data: {not json\n\n<html>oops", kind)
            elif body.get("stream"):
                self._stream(reply, model)
            else:
                data = json.dumps(_completion(reply.text, model), ensure_ascii=False)
                self._send(200, data.encode(), "application/json")

        def _stream(self, reply: Reply, model: str) -> None:
            """The reply as server-sent events, flushed one delta at a time, `gap` apart."""
            events = [_delta(p, model) for p in _chunks(reply.text, reply.pieces)]
            events.append(_delta(None, model, "stop"))
            lines = [f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events]
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")  # the body ends when the connection does
            self.end_headers()
            self.close_connection = True
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for i, line in enumerate([*lines, "data: [DONE]\n\n"]):
                    if i and reply.gap:
                        time.sleep(reply.gap)
                    self.wfile.write(line.encode())
                    self.wfile.flush()

    return Handler
