"""The web chat page: ``/`` serves ``web/index.html``, ``/web/<file>`` its scripts and style.

Plain files, no build step and nothing from another site: the page talks only to this
API (``/api/v1/chat``). It is served while ``api.web_chat`` is on (404 otherwise).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from ..problems import Problem

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "api.js": "text/javascript; charset=utf-8",
    "render.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: blob: data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
"""Only this API's scripts and styles run; product photos may come from shops (https)."""

router = APIRouter(include_in_schema=False)


@router.get("/")
async def page(request: Request) -> FileResponse:
    """The chat page."""
    return _file(request, "index.html")


@router.get("/web/{name}")
async def asset(request: Request, name: str) -> FileResponse:
    """One of the page's scripts or its style sheet."""
    return _file(request, name)


def _file(request: Request, name: str) -> FileResponse:
    media_type = FILES.get(name)
    if media_type is None or not request.app.state.services.app.settings.api.web_chat:
        raise Problem(404, "Not found.")
    return FileResponse(WEB_DIR / name, media_type=media_type, headers=SECURITY_HEADERS)
