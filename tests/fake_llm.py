"""A real OpenAI-compatible chat-completions server on loopback, with scripted replies.

It speaks the wire protocol the LangChain client uses (POST /v1/chat/completions, JSON or
server-sent events when "stream" is true), so tests exercise HTTP, streaming and timeouts for
real. Each request takes the next scripted `Reply` (the last one repeats) and is recorded.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
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


class FakeLLM:
    """The server: `replies` is the script, `requests` the JSON bodies received."""

    def __init__(self, replies: list[Reply] | None = None) -> None:
        self.replies = list(replies or [Reply("好的。")])
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True  # a "slow" reply still sleeping does not block stop()
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        """Replace the script (and forget earlier requests)."""
        with self._lock:
            self.replies, self.requests = list(replies) or [Reply("好的。")], []

    def next_reply(self, body: dict) -> Reply:
        with self._lock:
            self.requests.append(body)
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

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
                events = [_delta(p, model) for p in _chunks(reply.text, reply.pieces)]
                events.append(_delta(None, model, "stop"))
                payload = "".join(f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events)
                self._send(200, (payload + "data: [DONE]\n\n").encode(), "text/event-stream")
            else:
                data = json.dumps(_completion(reply.text, model), ensure_ascii=False)
                self._send(200, data.encode(), "application/json")

    return Handler
