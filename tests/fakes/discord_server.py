"""A fake Discord on 127.0.0.1 for the real discord.py 2.7 client to talk to.

It speaks the gateway over a websocket (HELLO, IDENTIFY → READY and GUILD_CREATE,
heartbeat ACKs, RESUME, member chunks) and the REST routes a bot uses under ``/api/v10``:
login (``/users/@me``, ``/oauth2/applications/@me``), ``/gateway/bot``, application
command sync, interaction callbacks, webhook follow-ups and edits, DMs and channel
messages (JSON or multipart with ``payload_json`` and ``files[n]``). Every call is
recorded; every message the bot creates is stored, with its edits and files, so a test
can read what a person saw.

Point discord.py at it with ``discord.http.Route.BASE = f"{fake.api_base}/api/v10"`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``: a
plain ``Client`` dials that constant and never asks ``/gateway/bot``.

Like Discord it answers an interaction callback later than ``ack_window`` seconds after
the dispatch with 404/10062, a follow-up or edit later than ``token_lifetime`` with
401/50027, a message to a user whose DMs are closed (``close_dms``) with 403/50007, and
the next call matching a pattern (``fail_next``) with 429 and ``retry_after``. Run it
inside an event loop (``await start()``) or on its own thread (``start_in_thread()``);
the test side pushes interactions (``slash``, ``press``) from any thread.
"""

from __future__ import annotations

import asyncio
import copy
import fnmatch
import itertools
import json
import math
import mimetypes
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

TOKEN = "FAKE.discord-bot.token"
BOT_USER_ID = APPLICATION_ID = 1300000000000000001  # the same id, as for any recent app
GUILD_ID = 1300000000000000100
CHANNEL_ID = 1300000000000000200
SHOPPER, OTHER, OWNER, ADMIN = (1300000000000001001 + i for i in range(4))
USERS = {SHOPPER: "shopper", OTHER: "other_shopper", OWNER: "atelier_owner", ADMIN: "admin"}
BOT_NAME = "StyleGenie"
ALL_PERMISSIONS = str((1 << 51) - 1)
DISCORD_EPOCH_MS = 1420070400000
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
LOADING, EPHEMERAL, COMPONENTS_V2 = 1 << 7, 1 << 6, 1 << 15
KEPT_FLAGS = EPHEMERAL | 1 << 2 | 1 << 12 | COMPONENTS_V2  # ephemeral, no embeds, silent, v2
SELECTS = {3, 5, 6, 7, 8}
OPTION_KINDS = {bool: 5, int: 4, float: 10, str: 3, bytes: 11, tuple: 11}


class ApiError(Exception):
    """An error answer of the Discord API: HTTP status, Discord's JSON error code, message."""

    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def _unknown_interaction() -> ApiError:
    return ApiError(404, 10062, "Unknown interaction")


def _invalid_token() -> ApiError:
    return ApiError(401, 50027, "Invalid Webhook Token")


def _unknown_message() -> ApiError:
    return ApiError(404, 10008, "Unknown Message")


def _form_error(where: str, code: str, message: str) -> ApiError:
    """400/50035 with Discord's nested ``errors``, e.g. where="components.0.custom_id"."""
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(where.split(".")):
        errors = {key: errors}
    return ApiError(400, 50035, "Invalid Form Body", errors)


@dataclass
class Call:
    """One HTTP request the bot made, and how the fake answered it.

    ``route`` is the template (``"POST /channels/{channel_id}/messages"``), ``path`` the
    concrete path after ``/api/v10``; ``body`` the JSON (or multipart ``payload_json``);
    ``files`` maps form field (``files[0]``) to (filename, bytes).
    """

    method: str
    path: str
    route: str = ""
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    error_code: int | None = None
    result: Any = None
    interaction_id: int | None = None

    @property
    def channel_id(self) -> int | None:
        """The channel of a ``/channels/{channel_id}/...`` call."""
        value = self.params.get("channel_id")
        return int(value) if value is not None else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def matches(self, pattern: str) -> bool:
        """``pattern`` is a route template or a glob over ``"METHOD /path"``."""
        return pattern == self.route or fnmatch.fnmatchcase(f"{self.method} {self.path}", pattern)


@dataclass
class Attachment:
    """A file on a message (or uploaded as a command option), served back by the fake."""

    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    def payload(self, api_base: str, channel_id: int) -> dict[str, Any]:
        url = f"{api_base}/attachments/{channel_id}/{self.id}/{self.filename}"
        body: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": url,
            "proxy_url": url,
        }
        if self.content_type:
            body["content_type"] = self.content_type
        if self.description:
            body["description"] = self.description
        return body


@dataclass
class Message:
    """A message the bot created, in its current state.

    ``history`` holds the contents it had before each edit, ``edits`` when each edit came
    (monotonic seconds). ``interaction_id`` is the interaction whose token created it.
    """

    id: int
    channel_id: int
    guild_id: int | None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    interaction_id: int | None = None
    webhook: bool = False
    deleted: bool = False
    created: float = field(default_factory=time.monotonic)
    edits: list[float] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Still the "is thinking..." message of a deferred interaction."""
        return bool(self.flags & LOADING)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every interactive component (buttons and selects), in order."""
        return [c for c in _walk(self.components) if c.get("type") in {2, *SELECTS}]

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.buttons if "custom_id" in c]

    @property
    def filenames(self) -> list[str]:
        return [a.filename for a in self.attachments]

    @property
    def files(self) -> dict[str, bytes]:
        return {a.filename: a.data for a in self.attachments}

    def payload(self, api_base: str) -> dict[str, Any]:
        """The message as Discord's JSON."""
        since_edit = time.monotonic() - self.edits[-1] if self.edits else None
        edited = _iso(time.time() - since_edit) if since_edit is not None else None
        body: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": self.type,
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "attachments": [a.payload(api_base, self.channel_id) for a in self.attachments],
            "author": _bot_user(),
            "flags": self.flags,
            "timestamp": _iso(_snowflake_time(self.id)),
            "edited_timestamp": edited,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
        }
        if self.guild_id is not None:
            body["guild_id"] = str(self.guild_id)
        if self.webhook:
            body["webhook_id"] = body["application_id"] = str(APPLICATION_ID)
        return body


@dataclass
class InteractionRecord:
    """An interaction the test dispatched and what the bot did with it.

    ``type`` is 2 (command) or 3 (component); ``name`` the command or the custom_id;
    ``ack_type`` the callback type (4 message, 5 deferred "thinking", 6 deferred update,
    7 update, 9 modal); ``late`` whether a callback came after the window (10062);
    ``expired_calls`` how many webhook calls came after the token's lifetime (50027).
    """

    id: int
    token: str
    type: int
    name: str
    user_id: int
    channel_id: int
    guild_id: int | None
    attachment_size_limit: int
    dispatched_at: float = 0.0
    acked_at: float | None = None
    ack_type: int | None = None
    original_id: int | None = None
    pressed_message_id: int | None = None
    message_ids: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    late: bool = False
    expired_calls: int = 0


@dataclass
class _Session:
    id: str
    ws: web.WebSocketResponse | None
    intents: int
    seq: int = 0
    sent: list[str] = field(default_factory=list)


class FakeDiscord:
    """The fake Discord: interactions pushed by the test, calls and messages recorded."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        ack_window: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        attachment_size_limit: int = 10 * 1024 * 1024,
        heartbeat_interval_ms: int = 41250,
    ) -> None:
        self.token = token
        self.ack_window = ack_window
        self.token_lifetime = token_lifetime
        self.attachment_size_limit = attachment_size_limit
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.calls: list[Call] = []
        self.listeners: list[Callable[[Call], None]] = []
        self.dispatched_at: dict[int, float] = {}
        self.acked_at: dict[int, float] = {}
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._by_token: dict[str, InteractionRecord] = {}
        self._messages: dict[int, Message] = {}
        self._uploads: dict[int, Attachment] = {}
        self._users: dict[int, str] = dict(USERS)
        self._dm_channels: dict[int, int] = {}
        self._closed_dms: set[int] = set()
        self._commands: dict[int | None, list[dict[str, Any]]] = {}
        self._failures: list[tuple[str, float, bool]] = []
        self._sessions: dict[str, _Session] = {}
        self._live: _Session | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._routes = [(r, _route_regex(r)) for r in ROUTES]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # ----- running -----

    @property
    def api_base(self) -> str:
        """The root to give the bot (``discord.api_base``); the API lives under /api/v10."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        """The websocket URL, as ``GET /gateway/bot`` and READY's resume URL give it."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1 in the running loop."""
        self._loop = asyncio.get_running_loop()
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", r"/api/v{version:\d+}/{path:.*}", self._api)
        app.router.add_get("/attachments/{channel}/{id}/{filename}", self._attachment)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close the gateway connections and stop listening."""
        for ws in list(self._sockets):
            await ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    def start_in_thread(self) -> FakeDiscord:
        """Run the server on its own event loop thread (for synchronous tests)."""
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-discord", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop_thread(self) -> None:
        """Stop a server started with ``start_in_thread``."""
        if self._thread is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    # ----- what the test does -----

    def slash(
        self,
        user_id: int,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        channel_id: int | None = None,
        guild_id: int | None = GUILD_ID,
        locale: str = "en-US",
    ) -> int:
        """A person runs ``/name`` with ``options`` (a subcommand as ``"leads accept"``);
        in the guild's text channel by default, in their DM with ``guild_id=None``.
        Option types come from the synced command, else from the Python values
        (bytes upload an attachment). Returns the interaction id."""
        payload = self.command_payload(
            user_id, name, options, channel_id=channel_id, guild_id=guild_id, locale=locale
        )
        return self._run(self.dispatch(payload))

    def press(
        self,
        user_id: int,
        message_id: int,
        custom_id: str,
        *,
        values: list[str] | None = None,
        channel_id: int | None = None,
        guild_id: int | None = None,
        locale: str = "en-US",
    ) -> int:
        """A person presses the component ``custom_id`` on a stored message (``values``
        for a select). Channel and guild default to the message's. Returns the id."""
        payload = self.component_payload(
            user_id,
            message_id,
            custom_id,
            values=values,
            channel_id=channel_id,
            guild_id=guild_id,
            locale=locale,
        )
        return self._run(self.dispatch(payload))

    def send_event(self, name: str, data: dict[str, Any]) -> None:
        """Dispatch any other gateway event (``MESSAGE_CREATE``...) to the bot."""
        self._run(self._dispatch_event(name, data))

    def reconnect(self, *, resume: bool = True) -> None:
        """Ask the bot to reconnect: op 7 RECONNECT (it resumes), or with ``resume=False``
        op 9 INVALID_SESSION (it identifies again)."""
        frame = {"op": 7, "d": None} if resume else {"op": 9, "d": False}
        self._run(self._send_live(json.dumps(frame)))

    def wait_connected(self, timeout: float = 10.0) -> str:
        """Wait until a bot has identified (or resumed); return its session id."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            live = self._live
            if live is not None and live.ws is not None:
                return live.id
            time.sleep(0.01)
        raise AssertionError("no bot connected to the fake gateway")

    def close_dms(self, user_id: int) -> None:
        """This person stops accepting DMs: sending to their DM channel answers 50007."""
        with self._lock:
            self._closed_dms.add(user_id)

    def open_dms(self, user_id: int) -> None:
        with self._lock:
            self._closed_dms.discard(user_id)

    def fail_next(self, pattern: str, retry_after: float = 1.0, *, is_global: bool = False) -> None:
        """Answer the next call matching ``pattern`` (a route template or a glob over
        ``"METHOD /path"``, e.g. ``"POST /channels/*/messages"``) with 429."""
        with self._lock:
            self._failures.append((pattern, retry_after, is_global))

    def dm_channel_of(self, user_id: int) -> int:
        """The id of the DM channel between the bot and this person (made on first use)."""
        with self._lock:
            return self._dm_channel(user_id)

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """The commands last synced globally, or to ``guild_id``."""
        with self._lock:
            return copy.deepcopy(self._commands.get(guild_id, []))

    def message(self, message_id: int) -> Message:
        """A stored message in its current state (a copy)."""
        with self._lock:
            return copy.deepcopy(self._messages[message_id])

    def messages_for(self, channel_or_user: int, *, deleted: bool = False) -> list[Message]:
        """The bot's messages in a channel, or in a person's DM, oldest first."""
        with self._lock:
            channel = self._dm_channels.get(channel_or_user, channel_or_user)
            found = [
                m
                for m in self._messages.values()
                if m.channel_id == channel and (deleted or not m.deleted)
            ]
            return copy.deepcopy(sorted(found, key=lambda m: m.id))

    def replies_to(self, interaction_id: int) -> list[Message]:
        """What the person saw for an interaction, in its final state: the response
        message, follow-ups and the pressed message when the bot updated it."""
        with self._lock:
            record = self.interactions[interaction_id]
            found = [self._messages[i] for i in sorted(set(record.message_ids))]
            return copy.deepcopy([m for m in found if not m.deleted])

    def original_response(self, interaction_id: int) -> Message | None:
        """The interaction's original response (the pressed message for a component
        answered by an update), or None before any."""
        with self._lock:
            record = self.interactions[interaction_id]
            original = self._original_id(record)
            return copy.deepcopy(self._messages[original]) if original else None

    def interaction(self, interaction_id: int) -> InteractionRecord:
        with self._lock:
            return copy.deepcopy(self.interactions[interaction_id])

    def calls_for(
        self,
        route: str | None = None,
        *,
        interaction_id: int | None = None,
        channel_id: int | None = None,
        status: int | None = None,
    ) -> list[Call]:
        """Recorded calls matching ``route`` (template or glob over "METHOD /path"): the
        successful ones, or with ``status`` those answered with it."""
        with self._lock:
            return [
                c
                for c in self.calls
                if (c.ok if status is None else c.status == status)
                and (route is None or c.matches(route))
                and (interaction_id is None or c.interaction_id == interaction_id)
                and (channel_id is None or c.channel_id == channel_id)
            ]

    def failures(self, code: int | None = None) -> list[Call]:
        """Calls answered with an error, optionally with this Discord error code
        (10062 late acknowledgement, 50027 expired token, 50007 closed DMs...)."""
        with self._lock:
            return [
                c
                for c in self.calls
                if not c.ok and (code is None or c.error_code == code or c.status == code)
            ]

    def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 15.0) -> Any:
        """Poll the recorded calls until ``predicate`` returns something truthy; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                calls = list(self.calls)
            found = predicate(calls)
            if found:
                return found
            time.sleep(0.01)
        with self._lock:
            last = [(c.method, c.path, c.status) for c in self.calls[-15:]]
        raise AssertionError(f"timed out; last calls: {last}")

    # ----- interaction payloads -----

    def command_payload(
        self,
        user_id: int,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        channel_id: int | None = None,
        guild_id: int | None = GUILD_ID,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of ``slash`` (not dispatched)."""
        with self._lock:
            base = self._interaction_base(2, name, user_id, channel_id, guild_id, locale)
            parts = name.split()
            command, scope = self._synced(parts[0], guild_id)
            data: dict[str, Any] = {
                "id": command["id"] if command else str(_stable_id(parts[0])),
                "name": parts[0],
                "type": 1,
            }
            if scope is not None:
                data["guild_id"] = str(scope)
            resolved: dict[str, dict[str, Any]] = {}
            node = _subcommand(command or {}, parts[1:])
            leaf = self._options(node, options or {}, resolved, guild_id, channel_id)
            data["options"] = _nest(command or {}, parts[1:], leaf)
            if resolved:
                data["resolved"] = resolved
            base["data"] = data
            return base

    def component_payload(
        self,
        user_id: int,
        message_id: int,
        custom_id: str,
        *,
        values: list[str] | None = None,
        channel_id: int | None = None,
        guild_id: int | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of ``press`` (not dispatched)."""
        with self._lock:
            message = self._messages.get(message_id)
            if message is None or message.deleted:
                raise KeyError(f"no message {message_id} to press a button on")
            component = next((c for c in message.buttons if c.get("custom_id") == custom_id), None)
            if component is None:
                raise ValueError(f"message {message_id} has no component {custom_id!r}")
            channel = channel_id or message.channel_id
            guild = guild_id if guild_id is not None else message.guild_id
            base = self._interaction_base(3, custom_id, user_id, channel, guild, locale)
            base["data"] = {"custom_id": custom_id, "component_type": component["type"]}
            if component["type"] in SELECTS:
                base["data"]["values"] = values or []
            base["message"] = message.payload(self.api_base)
            self.interactions[int(base["id"])].pressed_message_id = message_id
            return base

    def _interaction_base(
        self,
        kind: int,
        name: str,
        user_id: int,
        channel_id: int | None,
        guild_id: int | None,
        locale: str,
    ) -> dict[str, Any]:
        self._users.setdefault(user_id, f"person{user_id % 10000}")
        iid = self._snowflake()
        token = f"itok{iid}.{secrets.token_urlsafe(24)}"
        if guild_id is None:
            channel_id = channel_id or self._dm_channel(user_id)
        channel_id = channel_id or CHANNEL_ID
        record = InteractionRecord(
            iid, token, kind, name, user_id, channel_id, guild_id, self.attachment_size_limit
        )
        self.interactions[iid] = self._by_token[token] = record
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "channel_id": str(channel_id),
            "channel": {**self._channel(channel_id), "permissions": ALL_PERMISSIONS},
            "app_permissions": ALL_PERMISSIONS,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": self.attachment_size_limit,
        }
        if guild_id is not None:
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member={**_member(user_id, self._users[user_id]), "permissions": ALL_PERMISSIONS},
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                user=_user(user_id, self._users[user_id]),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        return payload

    def _options(
        self,
        command: dict[str, Any],
        values: dict[str, Any],
        resolved: dict[str, dict[str, Any]],
        guild_id: int | None,
        channel_id: int | None,
    ) -> list[dict[str, Any]]:
        schema = {o["name"]: o for o in _leaf_schema(command)}
        options = []
        for name, value in values.items():
            kind = schema.get(name, {}).get("type") or OPTION_KINDS.get(type(value), 3)
            if kind == 6:  # a user: value is the id, the person in resolved
                person = _user(int(value), self._users.setdefault(int(value), f"person{value}"))
                resolved.setdefault("users", {})[str(value)] = person
                if guild_id is not None:
                    member = _member(int(value), person["username"])
                    del member["user"]
                    resolved.setdefault("members", {})[str(value)] = member
            elif kind == 7:  # a channel
                found = self._channel(int(value))
                found["permissions"] = ALL_PERMISSIONS
                resolved.setdefault("channels", {})[str(value)] = found
            elif kind == 11:  # an attachment: bytes, or (filename, bytes)
                filename, data = value if isinstance(value, tuple) else ("upload.png", value)
                kind_of_file = mimetypes.guess_type(filename)[0]
                upload = Attachment(self._snowflake(), filename, data, kind_of_file)
                self._uploads[upload.id] = upload
                where = channel_id or CHANNEL_ID
                resolved.setdefault("attachments", {})[str(upload.id)] = upload.payload(
                    self.api_base, where
                )
                value = str(upload.id)
            if kind in (3, 6, 7):
                value = str(value)
            elif kind == 4:
                value = int(value)
            options.append({"name": name, "type": kind, "value": value})
        return options

    def _synced(self, name: str, guild_id: int | None) -> tuple[dict[str, Any] | None, int | None]:
        """The synced command of that name: a guild one (its guild) or a global one."""
        if guild_id is not None:
            found = _named(self._commands.get(guild_id, []), name)
            if found:
                return found, guild_id
        return _named(self._commands.get(None, []), name), None

    async def dispatch(self, payload: dict[str, Any]) -> int:
        """Send an INTERACTION_CREATE built by ``command_payload``/``component_payload``
        (for tests on the fake's own loop); the clock of the 3 s window starts now."""
        if self._live is None or self._live.ws is None:
            raise RuntimeError("no bot is connected to the fake gateway")
        iid = int(payload["id"])
        with self._lock:
            self.dispatched_at[iid] = self.interactions[iid].dispatched_at = time.monotonic()
        await self._dispatch_event("INTERACTION_CREATE", payload)
        return iid

    def _run(self, coro: Any) -> Any:
        if self._loop is None:
            raise RuntimeError("the fake Discord is not running")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            coro.close()
            raise RuntimeError("on the fake's own loop, await fake.dispatch(...) instead")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    # ----- gateway -----

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        hello = {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
        await ws.send_str(json.dumps({**hello, "s": None, "t": None}))
        session: _Session | None = None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, data = frame.get("op"), frame.get("d")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif op == 2:
                    session = await self._identify(ws, data)
                elif op == 6:
                    session = await self._resume(ws, data)
                elif op == 8:
                    await self._members_chunk(ws, session, data)
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> _Session | None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        with self._lock:
            self.identifies.append(data)
        session = _Session(secrets.token_hex(16), ws, int(data.get("intents", 0)))
        self._sessions[session.id] = session
        ready = {
            "v": 10,
            "user": {**_bot_user(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": data.get("shard", [0, 1]),
            "application": {"id": str(APPLICATION_ID), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }
        await self._send(session, "READY", ready)
        if session.intents & 1:  # GUILDS
            await self._send(session, "GUILD_CREATE", self._guild(session.intents))
        self._live = session  # interactions go to the newest session, after its guild
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> _Session | None:
        session = self._sessions.get(data.get("session_id", ""))
        with self._lock:
            self.resumes.append(data)
        if session is None or data.get("token") != self.token:
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        session.ws = ws
        self._live = session
        seen = data.get("seq") or 0
        for frame in session.sent[seen:]:
            await ws.send_str(frame)
        await self._send(session, "RESUMED", {"_trace": ["fake-discord"]})
        return session

    async def _members_chunk(
        self, ws: web.WebSocketResponse, session: _Session | None, data: dict[str, Any]
    ) -> None:
        if session is None:
            return
        members = [_member(BOT_USER_ID, BOT_NAME, bot=True)]
        members += [_member(uid, name) for uid, name in USERS.items()]
        chunk = {
            "guild_id": str(data.get("guild_id")),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }
        await self._send(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _dispatch_event(self, name: str, data: dict[str, Any]) -> None:
        if self._live is None or self._live.ws is None:
            raise RuntimeError("no bot is connected to the fake gateway")
        await self._send(self._live, name, data)

    async def _send(self, session: _Session, name: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = json.dumps({"op": 0, "t": name, "s": session.seq, "d": data})
        session.sent.append(frame)
        if session.ws is not None:
            await session.ws.send_str(frame)

    async def _send_live(self, frame: str) -> None:
        if self._live is None or self._live.ws is None:
            raise RuntimeError("no bot is connected to the fake gateway")
        await self._live.ws.send_str(frame)

    def _guild(self, intents: int) -> dict[str, Any]:
        people = [_member(uid, name) for uid, name in USERS.items()]
        bot = _member(BOT_USER_ID, BOT_NAME, bot=True)
        members = [bot, *people] if intents & 2 else [bot]  # GUILD_MEMBERS
        everyone = {
            "id": str(GUILD_ID),
            "name": "@everyone",
            "color": 0,
            "hoist": False,
            "position": 0,
            "permissions": ALL_PERMISSIONS,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        return {
            "id": str(GUILD_ID),
            "name": "StyleGenie fans",
            "owner_id": str(ADMIN),
            "unavailable": False,
            "large": False,
            "member_count": len(people) + 1,
            "members": members,
            "channels": [self._channel(CHANNEL_ID)],
            "roles": [everyone],
            "joined_at": _iso(time.time()),
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "preferred_locale": "en-US",
            "premium_tier": 0,
        }

    # ----- HTTP -----

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

    # ----- interactions -----

    def _callback(self, call: Call) -> tuple[int, Any]:
        iid = int(call.params["interaction_id"])
        call.interaction_id = iid
        record = self.interactions.get(iid)
        if record is None or record.token != call.params["token"] or not record.dispatched_at:
            raise _unknown_interaction()
        if record.acked_at is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if call.at - record.dispatched_at > self.ack_window:
            record.late = True
            raise _unknown_interaction()
        body = call.body or {}
        kind, data = body.get("type"), body.get("data") or {}
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}}[record.type]
        if kind not in allowed:
            raise _form_error("type", "INTERACTION_RESPONSE_TYPE_INVALID", f"type {kind}")
        message: Message | None = None
        files = _files(call, data)
        if kind == 4:
            message = self._new_message(record.channel_id, record.guild_id, data, files, record)
            message.type = 20 if record.type == 2 else 0
        elif kind == 5:
            thinking = {"flags": LOADING | (data.get("flags", 0) & EPHEMERAL)}
            message = self._new_message(record.channel_id, record.guild_id, thinking, {}, record)
            message.type = 20 if record.type == 2 else 0
        elif kind in (6, 7) and record.pressed_message_id is not None:
            message = self._messages[record.pressed_message_id]
            if kind == 7:
                self._edit(message, data, files, record.attachment_size_limit)
                record.message_ids.append(message.id)
        elif kind == 9:
            record.modal = data
        record.acked_at = self.acked_at[iid] = call.at
        record.ack_type = kind
        if kind in (4, 5):
            assert message is not None
            record.original_id = message.id
        if call.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        response = {
            "interaction": {
                "id": str(iid),
                "type": record.type,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message.ephemeral),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            response["interaction"]["response_message_id"] = str(message.id)
            response["resource"]["message"] = message.payload(self.api_base)
        return 200, response

    def _token_record(self, call: Call) -> InteractionRecord:
        if int(call.params["application_id"]) != APPLICATION_ID:
            raise ApiError(404, 10015, "Unknown Webhook")
        record = self._by_token.get(call.params["token"])
        if record is None:
            raise _invalid_token()
        call.interaction_id = record.id
        if call.at - record.dispatched_at > self.token_lifetime:
            record.expired_calls += 1
            raise _invalid_token()
        return record

    def _follow_up(self, call: Call) -> tuple[int, Any]:
        record = self._token_record(call)
        if record.acked_at is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        data, files = call.body or {}, _files(call, call.body or {})
        original = self._messages.get(record.original_id or 0)
        if original is not None and original.loading and not original.deleted:
            # the first follow-up after a "thinking" defer replaces the thinking message
            self._edit(original, data, files, record.attachment_size_limit)
            original.flags &= ~LOADING
            message = original
        else:
            message = self._new_message(record.channel_id, record.guild_id, data, files, record)
        if call.query.get("wait") in ("1", "true", "True"):
            return 200, message.payload(self.api_base)
        return 204, None

    def _webhook_message(self, call: Call) -> tuple[int, Any]:
        record = self._token_record(call)
        wanted = call.params["message_id"]
        if wanted == "@original":
            message = self._messages.get(self._original_id(record) or 0)
        else:
            message = self._messages.get(int(wanted))
            if (
                message is not None
                and not message.webhook
                and message.id != self._original_id(record)
            ):
                message = None
        if message is None or message.deleted:
            raise _unknown_message()
        if call.method == "DELETE":
            message.deleted = True
            return 204, None
        if call.method == "PATCH":
            data = call.body or {}
            self._edit(message, data, _files(call, data), record.attachment_size_limit)
            message.flags &= ~LOADING
            record.message_ids.append(message.id)
        return 200, message.payload(self.api_base)

    def _original_id(self, record: InteractionRecord) -> int | None:
        if record.original_id is not None:
            return record.original_id
        if record.acked_at is not None and record.type == 3:
            return record.pressed_message_id
        return None

    # ----- channel messages -----

    def _post(self, call: Call) -> dict[str, Any]:
        channel_id = int(call.params["channel_id"])
        channel = self._channel(channel_id)
        if channel["type"] == 1 and int(channel["recipients"][0]["id"]) in self._closed_dms:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        data = call.body or {}
        data = {**data, "flags": data.get("flags", 0) & ~EPHEMERAL}
        guild_id = int(channel["guild_id"]) if "guild_id" in channel else None
        message = self._new_message(channel_id, guild_id, data, _files(call, data), None)
        return message.payload(self.api_base)

    def _channel_message(self, call: Call) -> tuple[int, Any]:
        channel_id = int(call.params["channel_id"])
        self._channel(channel_id)
        message = self._messages.get(int(call.params["message_id"]))
        if message is None or message.deleted or message.channel_id != channel_id:
            raise _unknown_message()
        if call.method == "DELETE":
            message.deleted = True
            return 204, None
        if call.method == "PATCH":
            data = call.body or {}
            self._edit(message, data, _files(call, data), self.attachment_size_limit)
        return 200, message.payload(self.api_base)

    def _new_message(
        self,
        channel_id: int,
        guild_id: int | None,
        data: dict[str, Any],
        files: dict[int, Attachment],
        record: InteractionRecord | None,
    ) -> Message:
        limit = record.attachment_size_limit if record else self.attachment_size_limit
        message = Message(self._snowflake(), channel_id, guild_id)
        message.flags = data.get("flags", 0) & (KEPT_FLAGS | LOADING)
        _apply(message, data, files, limit, new=True)
        if record is not None:
            message.interaction_id, message.webhook = record.id, True
            record.message_ids.append(message.id)
        self._messages[message.id] = message
        return message

    def _edit(
        self, message: Message, data: dict[str, Any], files: dict[int, Attachment], limit: int
    ) -> None:
        before = message.content
        _apply(message, data, files, limit, new=False)
        message.history.append(before)
        message.edits.append(time.monotonic())

    # ----- ids and objects -----

    def _snowflake(self) -> int:
        """A fresh id with the current time in it (discord.py reads times from ids)."""
        millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (millis << 22) | (next(self._ids) & 0x3FFFFF)

    def _dm_channel(self, user_id: int) -> int:
        if user_id not in self._dm_channels:
            self._users.setdefault(user_id, f"person{user_id % 10000}")
            self._dm_channels[user_id] = self._snowflake()
        return self._dm_channels[user_id]

    def _channel(self, channel_id: int) -> dict[str, Any]:
        if channel_id == CHANNEL_ID:
            return {
                "id": str(CHANNEL_ID),
                "type": 0,
                "guild_id": str(GUILD_ID),
                "name": "style-help",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "rate_limit_per_user": 0,
                "last_message_id": None,
                "flags": 0,
            }
        for user_id, dm in self._dm_channels.items():
            if dm == channel_id:
                return {
                    "id": str(dm),
                    "type": 1,
                    "last_message_id": None,
                    "recipients": [_user(user_id, self._users[user_id])],
                    "flags": 0,
                }
        raise ApiError(404, 10003, "Unknown Channel")


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


# ----- payloads -----


def _bot_user() -> dict[str, Any]:
    return {**_user(BOT_USER_ID, BOT_NAME), "bot": True}


def _user(user_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name.replace("_", " ").title(),
        "avatar": None,
        "public_flags": 0,
    }


def _member(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    user = _bot_user() if bot else _user(user_id, name)
    return {
        "user": user,
        "roles": [],
        "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "avatar": None,
        "premium_since": None,
        "communication_disabled_until": None,
    }


def _app_info() -> dict[str, Any]:
    return {
        "id": str(APPLICATION_ID),
        "name": BOT_NAME,
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": _user(ADMIN, USERS[ADMIN]),
        "team": None,
        "verify_key": "0" * 64,
        "summary": "",
        "flags": 0,
        "bot": _bot_user(),
        "interactions_endpoint_url": None,  # set, discord.py warns it gets no interactions
    }


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat()


def _snowflake_time(snowflake: int) -> float:
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


def _stable_id(name: str) -> int:
    """An id for a command nobody synced (discord.py only looks commands up by name)."""
    return 1300000000000500000 + sum(ord(c) * 31**i for i, c in enumerate(name)) % 99991


def _named(commands: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((c for c in commands if c["name"] == name and c.get("type", 1) == 1), None)


def _leaf_schema(command: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in command.get("options", []) if o.get("type") not in (1, 2)]


def _subcommand(command: dict[str, Any], path: list[str]) -> dict[str, Any]:
    """The synced schema of ``command``'s subcommand at ``path`` ({} when unknown)."""
    for name in path:
        command = next((o for o in command.get("options", []) if o["name"] == name), {})
    return command


def _nest(
    command: dict[str, Any], path: list[str], leaf: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Wrap options in their subcommand (and group): ``["accept"]`` or ``["leads", "accept"]``."""
    if not path:
        return leaf
    node = next((o for o in command.get("options", []) if o["name"] == path[0]), None)
    kind = node["type"] if node else (1 if len(path) == 1 else 2)
    inner = _nest(node or {}, path[1:], leaf)
    return [{"name": path[0], "type": kind, "options": inner}]


def _walk(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for component in components:
        found.append(component)
        found += _walk(component.get("components", []))
        if isinstance(component.get("accessory"), dict):
            found.append(component["accessory"])
    return found


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


def _files(call: Call, data: dict[str, Any]) -> dict[int, Attachment]:
    """The uploaded files by index (``files[0]``...), named as the payload lists them."""
    listed = {str(a.get("id")): a for a in data.get("attachments") or []}
    found = {}
    for name, (filename, content) in call.files.items():
        index = re.fullmatch(r"files\[(\d+)\]", name)
        if index is None:
            continue
        entry = listed.get(index.group(1), {})
        found[int(index.group(1))] = Attachment(
            0,
            entry.get("filename") or filename,
            content,
            entry.get("content_type"),
            entry.get("description"),
        )
    return found


def _apply(
    message: Message, data: dict[str, Any], files: dict[int, Attachment], limit: int, new: bool
) -> None:
    """Check a create or edit payload like Discord does, then apply it to ``message``."""
    content = data.get("content", message.content) or ""
    embeds = data.get("embeds", message.embeds) or []
    components = data.get("components", message.components) or []
    if "attachments" in data:
        keep = {str(a["id"]) for a in data["attachments"] or []}
        attachments = [a for a in message.attachments if str(a.id) in keep]
    else:
        attachments = list(message.attachments)
    for index in sorted(files):
        attachment = files[index]
        attachment.id = int(time.time() * 1000) << 22 | secrets.randbits(22)
        attachments.append(attachment)
    if len(content) > 2000:
        raise _form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    _check_embeds(embeds)
    flags = data.get("flags", message.flags)
    _check_components(components, v2=bool(flags & COMPONENTS_V2))
    if len(attachments) > 10:
        raise _form_error("attachments", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    if any(len(a.data) > limit for a in files.values()):
        raise ApiError(413, 40005, "Request entity too large")
    empty = not (content or embeds or components or attachments or data.get("poll"))
    if empty and not flags & LOADING:
        raise ApiError(400, 50006, "Cannot send an empty message")
    message.content, message.embeds, message.components = content, embeds, components
    message.attachments = attachments
    if not new and "flags" in data:  # ephemerality is fixed when the message is made
        kept = data["flags"] & KEPT_FLAGS & ~EPHEMERAL
        message.flags = (message.flags & (EPHEMERAL | LOADING)) | kept


def _check_embeds(embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > 10:
        raise _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        for key, most in (("title", 256), ("description", 4096)):
            if len(embed.get(key) or "") > most:
                raise _form_error(f"embeds.{i}.{key}", "BASE_TYPE_MAX_LENGTH", f"over {most}")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise _form_error(f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "over 25")
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        total += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in fields)
    if total > 6000:
        raise _form_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size")


def _check_components(components: list[dict[str, Any]], *, v2: bool) -> None:
    if not v2 and len(components) > 5:
        raise _form_error("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for i, row in enumerate(components):
        if not v2 and row.get("type") != 1:
            raise _form_error(f"components.{i}", "UNION_TYPE_CHOICES", "must be an action row")
        if row.get("type") == 1 and len(row.get("components", [])) > 5:
            raise _form_error(f"components.{i}.components", "BASE_TYPE_MAX_LENGTH", "over 5")
    for item in _walk(components):
        where = f"components.{item.get('custom_id', '?')}"
        if item.get("type") == 2 and item.get("style") in (5, 6):
            if "custom_id" in item:
                raise _form_error(where, "BUTTON_COMPONENT_CUSTOM_ID_FORBIDDEN", "no custom_id")
            continue
        if item.get("type") not in {2, *SELECTS}:
            continue
        custom_id = item.get("custom_id") or ""
        if not 1 <= len(custom_id) <= 100:
            raise _form_error(where, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if custom_id in seen:
            raise _form_error(where, "COMPONENT_CUSTOM_ID_DUPLICATED", "duplicated custom_id")
        seen.add(custom_id)


def _check_command(command: dict[str, Any], where: str) -> None:
    name = command.get("name", "")
    kind = command.get("type", 1)
    if kind == 1 and (not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower()):
        raise _form_error(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
    if kind == 1 and not 1 <= len(command.get("description", "")) <= 100:
        raise _form_error(f"{where}.description", "BASE_TYPE_BAD_LENGTH", "1 to 100 characters")
    options = command.get("options") or []
    if len(options) > 25:
        raise _form_error(f"{where}.options", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer.")
    optional = False
    for i, option in enumerate(options):
        if option.get("type") in (1, 2):
            _check_command({**option, "type": 1}, f"{where}.options.{i}")
            continue
        if optional and option.get("required"):
            raise _form_error(
                f"{where}.options.{i}", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "order"
            )
        optional = optional or not option.get("required")
