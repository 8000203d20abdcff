"""Who may call the API, and how often: API keys, web chat sessions, rate limits, body limits.

Every ``/api/v1`` route depends on ``caller``: it finds the caller from an ``X-API-Key``
header (hashed, looked up in PostgreSQL, remembered for ``KEY_CACHE_S``) or a web chat
session token (``Authorization: Bearer``), or lets anyone in when ``api.auth`` is "none",
then counts the call against the caller's per-minute limit (429 with Retry-After).
"""

from __future__ import annotations

import ipaddress
import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stylegenie.adapters.postgres.api_keys import ApiKey, PostgresApiKeys, hash_key
from stylegenie.core.chats import ChatKey

from .problems import Problem, problem_response
from .sessions import SessionTokens

KEY_CACHE_S = 30.0
"""How long a looked-up key is trusted without asking PostgreSQL again (a revoked key
stops working within this time in every process)."""

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
WEB = "web"
"""The chat platform of the web page and of API clients that hold conversations."""


class WaitingLimiter(Protocol):
    """A per-key limit that says how long to wait when it is reached."""

    def wait_s(self, key: str) -> float:
        """0.0 (and the call counted) when the key may go on; else seconds to wait."""
        ...


@dataclass(frozen=True)
class Caller:
    """Who is calling: an API key (``key``), the web page's session (``session``), or
    anyone when the API is open."""

    id: str
    key: ApiKey | None = None
    session: str | None = None

    def chat(self, session_id: str | None) -> ChatKey:
        """The conversation this caller holds under ``session_id``: the web page has one
        (its own session); a key holds any number, apart from other keys' ones."""
        if self.session is not None:
            return ChatKey(platform=WEB, id=self.session)
        if not session_id or not SESSION_ID.match(session_id):
            raise Problem(422, "session_id: 1-64 letters, digits, '-' or '_' are needed")
        if self.key is not None:
            return ChatKey(platform=WEB, id=f"{self.key.id}.{session_id}")
        return ChatKey(platform=WEB, id=session_id)


class Access:
    """Checks callers and counts their calls."""

    def __init__(
        self,
        keys: PostgresApiKeys,
        tokens: SessionTokens,
        limiter: WaitingLimiter,
        open_access: bool,
    ) -> None:
        self.keys = keys
        self.tokens = tokens
        self._limiter = limiter
        self._open = open_access
        self._known: dict[str, tuple[ApiKey, float]] = {}
        self._lock = threading.Lock()

    def identify(self, api_key: str | None, authorization: str | None) -> Caller:
        """The caller these headers name; Problem 401 when they name no one allowed."""
        if api_key:
            record = self._key(api_key)
            if record is None:
                raise Problem(401, "This API key is not valid (unknown or revoked).")
            return Caller(id=f"key:{record.id}", key=record)
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and token:
            session = self.tokens.session_of(token.strip())
            if session is None:
                raise Problem(401, "This chat session token is not valid; open a new session.")
            return Caller(id=f"session:{session}", session=session)
        if self._open:
            return Caller(id="open")
        raise Problem(
            401,
            "An API key is needed: send it as the X-API-Key header "
            "(create one with `stylegenie api-keys create NAME`).",
            {"WWW-Authenticate": 'ApiKey header="X-API-Key"'},
        )

    def count(self, caller: Caller) -> None:
        """Count one call; Problem 429 with Retry-After when the caller's minute is full."""
        refuse_when_full(self._limiter, caller.id, "Too many requests")

    def _key(self, presented: str) -> ApiKey | None:
        digest, now = hash_key(presented), time.monotonic()
        with self._lock:
            known = self._known.get(digest)
        if known and known[1] > now:
            return known[0]
        record = self.keys.find(presented)
        if record is not None:
            with self._lock:
                self._known[digest] = (record, now + KEY_CACHE_S)
        return record


def refuse_when_full(limiter: WaitingLimiter, key: str, what: str) -> None:
    """Count one event of ``key``; Problem 429 ("<what>; try again in N s.") with
    Retry-After when its limit is reached."""
    wait = limiter.wait_s(key)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise Problem(429, f"{what}; try again in {seconds} s.", {"Retry-After": str(seconds)})


def caller(request: Request) -> Caller:
    """The dependency of every ``/api/v1`` route: the identified, counted caller.

    A plain ``def``: FastAPI runs it in its thread pool, off the event loop, since it may
    ask PostgreSQL and Redis.
    """
    access: Access = request.app.state.services.access
    found = access.identify(request.headers.get("X-API-Key"), request.headers.get("Authorization"))
    access.count(found)
    return found


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BodyLimit:
    """ASGI middleware: refuses request bodies over a limit with 413, before a route reads
    them (multipart uploads get ``upload_bytes``, anything else ``body_bytes``)."""

    def __init__(self, app: ASGIApp, body_bytes: int, upload_bytes: int) -> None:
        self._app = app
        self._body = body_bytes
        self._upload = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        upload = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self._upload if upload else self._body
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit, scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:  # an HTTPException: FastAPI lets it through body parsing
                raise HTTPException(413, f"The request body is over {limit:,} bytes.")
            return message

        await self._app(scope, counted, send)


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(413, f"The request body is over {limit:,} bytes.")
    await response(scope, receive, send)


CallerDep = Annotated[Caller, Depends(caller)]
"""A route parameter that is the identified, counted caller."""
