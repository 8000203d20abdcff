"""The REST API under ``/api/v10``: routing, auth, rate limits, recording, and answers."""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

from aiohttp import web

from tests.fakes.discord.checks import _check_command
from tests.fakes.discord.ids import APPLICATION_ID, BOT_USER_ID, GUILD_ID
from tests.fakes.discord.messages import _Messages
from tests.fakes.discord.payloads import _app_info, _bot_user, _user
from tests.fakes.discord.records import ApiError, Call, _form_error

ROUTES = (
    "GET /users/@me",
    "GET /oauth2/applications/@me",
    "GET /gateway",
    "GET /gateway/bot",
    "GET /applications/{application_id}/commands",
    "PUT /applications/{application_id}/commands",
    "GET /applications/{application_id}/guilds/{guild_id}/commands",
    "PUT /applications/{application_id}/guilds/{guild_id}/commands",
    "POST /interactions/{interaction_id}/{token}/callback",
    "POST /webhooks/{application_id}/{token}",
    "GET /webhooks/{application_id}/{token}/messages/{message_id}",
    "PATCH /webhooks/{application_id}/{token}/messages/{message_id}",
    "DELETE /webhooks/{application_id}/{token}/messages/{message_id}",
    "POST /users/@me/channels",
    "GET /users/{user_id}",
    "GET /channels/{channel_id}",
    "POST /channels/{channel_id}/typing",
    "POST /channels/{channel_id}/messages",
    "GET /channels/{channel_id}/messages/{message_id}",
    "PATCH /channels/{channel_id}/messages/{message_id}",
    "DELETE /channels/{channel_id}/messages/{message_id}",
)


class _Rest(_Messages):
    """Each call is matched to a route, checked, answered and recorded."""

    async def _api(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        call = Call(request.method, path, query=dict(request.query))
        try:
            call.body, call.files = await _read(request)
            call.route, call.params = self._match(request.method, path)
            self._check_auth(call, request)
            self._check_rate_limit(call)
            status, call.result = self._answer(call)
        except ApiError as error:
            call.status, call.error_code = error.status, error.code
            self._record(call)
            return _json(error.status, error.body())
        except _RateLimited as limited:
            call.status = 429
            self._record(call)
            return limited.response()
        except Exception as error:  # a bug in the fake: a 400 the bot sees at once, not a 500
            call.status, call.result = 400, f"fake Discord failed: {error!r}"  # it would retry
            self._record(call)
            return _json(400, {"code": 0, "message": call.result})
        call.status = status
        self._record(call)
        return web.Response(status=204) if status == 204 else _json(status, call.result)

    async def _attachment(self, request: web.Request) -> web.Response:
        wanted = int(request.match_info["id"])
        with self._lock:
            found = self._uploads.get(wanted) or next(
                (a for m in self._messages.values() for a in m.attachments if a.id == wanted),
                None,
            )
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found.data, content_type="application/octet-stream")

    def _match(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        for route, pattern in self._routes:
            found = pattern.fullmatch(f"{method} {path}")
            if found:
                return route, found.groupdict()
        raise ApiError(404, 0, "404: Not Found")

    def _check_auth(self, call: Call, request: web.Request) -> None:
        if call.path.startswith(("/webhooks/", "/interactions/")) or call.path == "/gateway":
            return
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise ApiError(401, 0, "401: Unauthorized")

    def _check_rate_limit(self, call: Call) -> None:
        with self._lock:
            for index, (pattern, retry_after, is_global) in enumerate(self._failures):
                if call.matches(pattern):
                    del self._failures[index]
                    raise _RateLimited(retry_after, is_global)

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
        for listener in self.listeners:
            listener(call)

    def _answer(self, call: Call) -> tuple[int, Any]:
        """Status and JSON of a matched route; all state changes under the lock."""
        p, body = call.params, call.body
        with self._lock:
            match call.route.split(" ", 1)[1]:
                case "/users/@me":
                    return 200, {**_bot_user(), "verified": True, "flags": 0}
                case "/oauth2/applications/@me":
                    return 200, _app_info()
                case "/gateway":
                    return 200, {"url": self.gateway_url}
                case "/gateway/bot":
                    limit = {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    }
                    return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}
                case "/applications/{application_id}/commands":
                    return 200, self._sync(call, None)
                case "/applications/{application_id}/guilds/{guild_id}/commands":
                    return 200, self._sync(call, int(p["guild_id"]))
                case "/interactions/{interaction_id}/{token}/callback":
                    return self._callback(call)
                case "/webhooks/{application_id}/{token}":
                    return self._follow_up(call)
                case "/webhooks/{application_id}/{token}/messages/{message_id}":
                    return self._webhook_message(call)
                case "/users/@me/channels":
                    recipient = int(body["recipient_id"])
                    self._users.setdefault(recipient, f"person{recipient % 10000}")
                    return 200, self._channel(self._dm_channel(recipient))
                case "/users/{user_id}":
                    uid = int(p["user_id"])
                    if uid == BOT_USER_ID:
                        return 200, _bot_user()
                    if uid not in self._users:
                        raise ApiError(404, 10013, "Unknown User")
                    return 200, _user(uid, self._users[uid])
                case "/channels/{channel_id}":
                    return 200, self._channel(int(p["channel_id"]))
                case "/channels/{channel_id}/typing":
                    self._channel(int(p["channel_id"]))
                    return 204, None
                case "/channels/{channel_id}/messages":
                    return 200, self._post(call)
                case "/channels/{channel_id}/messages/{message_id}":
                    return self._channel_message(call)
        raise ApiError(404, 0, "404: Not Found")

    # ----- commands -----

    def _sync(self, call: Call, guild_id: int | None) -> list[dict[str, Any]]:
        if int(call.params["application_id"]) != APPLICATION_ID:
            raise ApiError(403, 50001, "Missing Access")
        if guild_id is not None and guild_id != GUILD_ID:
            raise ApiError(403, 50001, "Missing Access")
        if call.method == "GET":
            return copy.deepcopy(self._commands.get(guild_id, []))
        if not isinstance(call.body, list) or len(call.body) > 100:
            raise _form_error("_root", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        before = {(c["name"], c.get("type", 1)): c["id"] for c in self._commands.get(guild_id, [])}
        stored = []
        for index, command in enumerate(call.body):
            _check_command(command, str(index))
            kind = command.get("type", 1)
            saved = {
                "type": kind,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **command,
                "id": before.get((command["name"], kind)) or str(self._snowflake()),
                "application_id": str(APPLICATION_ID),
                "version": str(self._snowflake()),
            }
            if guild_id is not None:
                saved["guild_id"] = str(guild_id)
            stored.append(saved)
        names = [(c["name"], c["type"]) for c in stored]
        if len(set(names)) != len(names):
            raise _form_error("_root", "APPLICATION_COMMANDS_DUPLICATE_NAME", "duplicate names")
        self._commands[guild_id] = stored
        return copy.deepcopy(stored)


class _RateLimited(Exception):
    def __init__(self, retry_after: float, is_global: bool) -> None:
        super().__init__("rate limited")
        self.retry_after, self.is_global = retry_after, is_global

    def response(self) -> web.Response:
        body = {
            "message": "You are being rate limited.",
            "retry_after": self.retry_after,
            "global": self.is_global,
        }
        headers = {
            "Retry-After": str(math.ceil(self.retry_after)),
            "Via": "1.1 google",  # discord.py retries a 429 only when this is there
            "X-RateLimit-Scope": "global" if self.is_global else "user",
        }
        if self.is_global:
            headers["X-RateLimit-Global"] = "true"
        return _json(429, body, headers)


def _route_regex(route: str) -> re.Pattern[str]:
    method, path = route.split(" ", 1)
    parts = re.split(r"\{(\w+)\}", path)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
    )
    return re.compile(f"{method} {regex}")


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with exactly ``application/json``: with a charset discord.py reads a string."""
    data = json.dumps(body).encode()
    return web.Response(
        status=status, body=data, headers={"Content-Type": "application/json", **(headers or {})}
    )


async def _read(request: web.Request) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """The JSON body, or a multipart's ``payload_json`` and its files."""
    if request.content_type == "multipart/form-data":
        body: Any = None
        files: dict[str, tuple[str, bytes]] = {}
        async for part in await request.multipart():
            name = part.name or ""  # type: ignore[union-attr]
            if part.filename is not None:  # type: ignore[union-attr]
                files[name] = (part.filename, bytes(await part.read()))  # type: ignore[union-attr]
            elif name == "payload_json":
                body = json.loads(await part.text())  # type: ignore[union-attr]
        return body, files
    if request.can_read_body:
        raw = await request.read()
        return (json.loads(raw) if raw else None), {}
    return None, {}
