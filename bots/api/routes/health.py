"""``/healthz`` (the process answers) and ``/readyz`` (every backend it needs answers).

Readiness checks each dependency on its own, with a short timeout, and reports all of
them: the database, Redis, the Milvus server and the Celery broker. An embedded backend
(Milvus Lite, eager tasks, in-process limits) is reported as such and counts as ready.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from stylegenie.bots.wiring import StyleGenie

CHECK_TIMEOUT_S = 2.0

router = APIRouter(tags=["health"])


class Check(BaseModel):
    """One dependency's state: reachable or not, and what was checked."""

    ok: bool
    detail: str


class Readiness(BaseModel):
    """Every dependency's check; ``ready`` when all of them pass."""

    ready: bool
    checks: dict[str, Check]


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    """Answers at once while the process runs (for a liveness probe)."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Every backend is reachable",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "a backend is not reachable"}},
)
def readyz(request: Request) -> JSONResponse:
    """The database, Redis, Milvus and the broker, each checked and reported; 503 when any
    of them fails (for a readiness probe)."""
    app: StyleGenie = request.app.state.services.app
    checks = {name: _run(check, app) for name, check in CHECKS.items()}
    readiness = Readiness(ready=all(c.ok for c in checks.values()), checks=checks)
    return JSONResponse(readiness.model_dump(), status_code=200 if readiness.ready else 503)


def _run(check: Callable[[StyleGenie], str], app: StyleGenie) -> Check:
    try:
        return Check(ok=True, detail=check(app))
    except Exception as error:
        return Check(ok=False, detail=f"{type(error).__name__}: {error}"[:200])


def _database(app: StyleGenie) -> str:
    with app.database.connection() as conn:
        conn.execute("SELECT 1")
    return "PostgreSQL answers"


def _redis(app: StyleGenie) -> str:
    url = app.settings.redis.url
    if not url:
        return "not configured: sessions and limits live in this process"
    import redis

    client = redis.Redis.from_url(url, socket_timeout=CHECK_TIMEOUT_S)
    try:
        client.ping()
    finally:
        client.close()
    return "Redis answers"


def _milvus(app: StyleGenie) -> str:
    milvus = app.settings.milvus
    if milvus.uri:
        address = urlsplit(milvus.uri)
        _connect(address.hostname or "127.0.0.1", address.port or 19530)
        return f"Milvus server at {address.hostname}:{address.port} accepts connections"
    if milvus.managed_server:
        _connect("127.0.0.1", milvus.managed_port)
        return f"managed Milvus server on port {milvus.managed_port} accepts connections"
    return "embedded: Milvus Lite file, opened by the process that searches"


def _broker(app: StyleGenie) -> str:
    if app.settings.workers.mode == "eager":
        return "eager: tasks run in this process"
    with app.celery.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_S)
    return "Celery broker answers"


def _connect(host: str, port: int) -> None:
    socket.create_connection((host, port), timeout=CHECK_TIMEOUT_S).close()


CHECKS: dict[str, Callable[[StyleGenie], str]] = {
    "database": _database,
    "redis": _redis,
    "milvus": _milvus,
    "broker": _broker,
}
