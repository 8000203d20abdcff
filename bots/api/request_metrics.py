"""ASGI middleware: every API request counted and timed, and logged under its request id.

Requests are labelled by their route template (``/api/v1/ateliers/{atelier_id}``), never
the raw path, so ids in paths do not grow the number of series; a path no route matched
is labelled ``unmatched``. The request id comes from ``X-Request-ID`` when a proxy sets a
sane one, otherwise it is made here; it is sent back in the same header and marks every
log line written while the request runs.
"""

from __future__ import annotations

import re
import uuid
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stylegenie.adapters.observability.logs import log_context
from stylegenie.adapters.observability.metrics import metrics

REQUEST_ID_HEADER = b"x-request-id"
SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")


class RequestMetrics:
    """Counts (``stylegenie_http_requests_total``) and times (``stylegenie_http_request_seconds``)
    each HTTP request by method, route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = 500  # what the client sees when the app fails before answering

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((REQUEST_ID_HEADER, request_id.encode()))
            await send(message)

        started = perf_counter()
        try:
            with log_context(request_id=request_id):
                await self._app(scope, receive, answer)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            measured = metrics()
            measured.http_requests.labels(scope["method"], route, str(status)).inc()
            measured.http_seconds.labels(scope["method"], route).observe(perf_counter() - started)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and SANE_REQUEST_ID.fullmatch(value):
            return value.decode()
    return uuid.uuid4().hex[:16]
