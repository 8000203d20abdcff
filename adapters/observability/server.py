"""The operator's listener next to a bot, worker or API process: ``/metrics`` and ``/healthz``.

It runs in a daemon thread on its own port (``observability.metrics_port``), so a busy
event loop or a worker deep in a render still answers Prometheus and the container's
health check. ``/healthz`` runs every dependency check, each with its own short timeout,
and answers 200 when all pass, 503 otherwise, with each check's result as JSON.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client.registry import Collector

from .metrics import exposition

log = logging.getLogger(__name__)

DependencyCheck = Callable[[], str]
"""Checks one dependency: returns what it saw (one line), raises when it is not usable."""


@dataclass(frozen=True)
class CheckResult:
    """One dependency's state: usable or not, and what was seen."""

    ok: bool
    detail: str


def run_checks(checks: Mapping[str, DependencyCheck]) -> dict[str, CheckResult]:
    """Run every check and report each; an exception is a failed check, never an error."""
    results = {}
    for name, check in checks.items():
        try:
            results[name] = CheckResult(ok=True, detail=check())
        except Exception as error:
            results[name] = CheckResult(ok=False, detail=f"{type(error).__name__}: {error}"[:200])
    return results


class OpsServer:
    """Serves ``/metrics`` and ``/healthz`` for one process until ``stop()``."""

    def __init__(
        self,
        host: str,
        port: int,
        checks: Mapping[str, DependencyCheck],
        collectors: Iterable[Collector] = (),
    ) -> None:
        self._checks = dict(checks)
        self._collectors = tuple(collectors)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ops-server", daemon=True
        )

    @property
    def port(self) -> int:
        """The port it listens on (the one chosen by the system when 0 was asked)."""
        return int(self._server.server_address[1])

    def start(self) -> OpsServer:
        """Start answering in the background."""
        self._thread.start()
        log.info("metrics and health on port %d", self.port)
        return self

    def stop(self) -> None:
        """Stop answering and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    body, content_type = exposition(server._collectors)
                    self._answer(200, body, content_type)
                elif path == "/healthz":
                    results = run_checks(server._checks)
                    healthy = all(result.ok for result in results.values())
                    report = {
                        "healthy": healthy,
                        "checks": {k: asdict(v) for k, v in results.items()},
                    }
                    self._answer(
                        200 if healthy else 503, json.dumps(report).encode(), "application/json"
                    )
                else:
                    self._answer(404, b"not found: try /metrics or /healthz\n", "text/plain")

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Scrapes every few seconds would flood the log: keep them out of it."""

        return Handler
