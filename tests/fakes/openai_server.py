"""A fake OpenAI-compatible server on 127.0.0.1 (chat, images, moderations), stdlib only.

A test queues what the next requests should get (a JSON reply, broken JSON, a slow
reply, an HTTP error) and reads back every request body the server received::

    with FakeOpenAIServer() as server:
        server.enqueue(Reply.json({"garment": "dress"}))
        ...  # call litellm with api_base=server.api_base
        assert server.requests[0]["response_format"]["type"] == "json_schema"

When the queue is empty the server answers 503, so a test never waits on a
behaviour it forgot to queue.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from .threaded import HttpFake

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
RAW_PATHS = ("/v1/images/generations", "/images/generations", "/v1/moderations", "/moderations")
"""Endpoints answered with a Reply's whole ``body`` (image generation, moderation)."""


@dataclass(frozen=True)
class Reply:
    """One canned behaviour: the assistant content to send, after a delay, with a status."""

    content: str = ""
    status: int = 200
    delay_s: float = 0.0
    body: dict[str, Any] | None = None

    @classmethod
    def json(cls, payload: dict[str, Any]) -> Reply:
        """A successful reply whose assistant content is ``payload`` as JSON."""
        return cls(content=json.dumps(payload))

    @classmethod
    def text(cls, content: str) -> Reply:
        """A successful reply with this exact content (e.g. broken JSON)."""
        return cls(content=content)

    @classmethod
    def slow(cls, delay_s: float, payload: dict[str, Any] | None = None) -> Reply:
        """A reply sent only after ``delay_s`` seconds, to trip the client's timeout."""
        return cls(content=json.dumps(payload or {}), delay_s=delay_s)

    @classmethod
    def raw(cls, body: dict[str, Any]) -> Reply:
        """A successful reply whose whole JSON body is ``body`` (images, moderations)."""
        return cls(body=body)

    @classmethod
    def error(cls, status: int = 500) -> Reply:
        """An OpenAI-style error body with this HTTP status."""
        return cls(status=status)


class FakeOpenAIServer(HttpFake):
    """Serves ``POST /v1/chat/completions`` from a queue of :class:`Reply` behaviours."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """Answers through this fake."""
        return _handler_for(self)

    @property
    def api_base(self) -> str:
        """The base URL to give an OpenAI-compatible client, ending in ``/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def enqueue(self, *replies: Reply) -> None:
        """Queue behaviours for the next requests, in order."""
        with self._lock:
            self._replies.extend(replies)

    def reset(self) -> None:
        """Forget the recorded requests and any queued behaviours not used yet."""
        with self._lock:
            self.requests.clear()
            self._replies.clear()

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            return self._replies.popleft() if self._replies else Reply.error(503)


def _completion(content: str, model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _handler_for(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            path = self.path.split("?")[0]
            if path not in CHAT_PATHS + RAW_PATHS:
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "fake"}})
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            reply = server._next(body)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.status != 200:
                error = {"message": f"fake error {reply.status}", "type": "server_error"}
                self._send(reply.status, {"error": error})
                return
            if reply.body is not None:
                self._send(200, reply.body)
                return
            self._send(200, _completion(reply.content, str(body.get("model", "fake"))))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler
