"""``/healthz`` (the process answers) and ``/readyz`` (every backend it needs answers).

Readiness runs the same dependency checks as every bot's and worker's ``/healthz``
(``stylegenie.bots.wiring.health``): the database, Redis, the Milvus server and the
Celery broker, each on its own with a short timeout, all reported.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from stylegenie.adapters.observability.server import run_checks
from stylegenie.bots.wiring import StyleGenie
from stylegenie.bots.wiring.health import dependency_checks

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
    results = run_checks(dependency_checks(app.settings, app.database, app.celery))
    checks = {name: Check(**asdict(result)) for name, result in results.items()}
    readiness = Readiness(ready=all(c.ok for c in checks.values()), checks=checks)
    return JSONResponse(readiness.model_dump(), status_code=200 if readiness.ready else 503)
