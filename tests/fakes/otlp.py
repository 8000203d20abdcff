"""A fake OpenTelemetry collector on 127.0.0.1: OTLP over HTTP, traces only, stdlib only.

Processes started with ``STYLEGENIE_OBSERVABILITY__OTLP_ENDPOINT=collector.endpoint`` send
their spans here; a test reads them back decoded::

    with FakeCollector() as collector:
        ...  # run processes that export to collector.endpoint
        turn = next(s for s in collector.spans() if s.name == "turn")

``PostRecorder`` is the server underneath: it records every body POSTed to its paths (the
fake Sentry uses it too).
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from .threaded import HttpFake

TRACES_PATH = "/v1/traces"


class PostRecorder(HttpFake):
    """Records the bodies POSTed to ``paths`` (gunzipped) and answers each with ``reply``."""

    def __init__(self, paths: tuple[str, ...], reply: bytes, content_type: str) -> None:
        self.bodies: list[bytes] = []
        self._paths = paths
        self._reply = reply
        self._content_type = content_type
        self._lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """Answers through this fake."""
        return _handler_for(self)

    def received(self) -> list[bytes]:
        """Every body received so far, in order."""
        with self._lock:
            return list(self.bodies)

    def _record(self, path: str, body: bytes) -> bool:
        if path not in self._paths:
            return False
        with self._lock:
            self.bodies.append(body)
        return True


@dataclass(frozen=True)
class RecordedSpan:
    """One span as the collector received it (ids as hex, attributes as plain values)."""

    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    kind: int
    attributes: dict[str, Any]


class FakeCollector(PostRecorder):
    """Accepts ``POST /v1/traces`` (protobuf ``ExportTraceServiceRequest``) and keeps the spans."""

    def __init__(self) -> None:
        super().__init__((TRACES_PATH,), b"", "application/x-protobuf")

    @property
    def endpoint(self) -> str:
        """The base URL to give an OTLP/HTTP exporter (it adds ``/v1/traces``)."""
        return f"http://127.0.0.1:{self.port}"

    def spans(self) -> list[RecordedSpan]:
        """Every span received so far, decoded."""
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        spans: list[RecordedSpan] = []
        for body in self.received():
            request = ExportTraceServiceRequest.FromString(body)
            for batch in request.resource_spans:
                resource = _attributes(batch.resource.attributes)
                for scope in batch.scope_spans:
                    spans.extend(
                        RecordedSpan(
                            service=str(resource.get("service.name", "")),
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_id=span.parent_span_id.hex(),
                            kind=span.kind,
                            attributes=_attributes(span.attributes),
                        )
                        for span in scope.spans
                    )
        return spans


def _attributes(pairs: Any) -> dict[str, Any]:
    """OTLP ``KeyValue`` pairs as a dict of plain values (arrays as lists)."""
    return {pair.key: _value(pair.value) for pair in pairs}


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [_value(item) for item in any_value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(any_value.kvlist_value.values)
    return getattr(any_value, kind) if kind else None


def _handler_for(server: PostRecorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            recorded = server._record(self.path.split("?")[0], body)
            self.send_response(200 if recorded else 404)
            self.send_header("Content-Type", server._content_type)
            self.send_header("Content-Length", str(len(server._reply)))
            self.end_headers()
            self.wfile.write(server._reply)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler
