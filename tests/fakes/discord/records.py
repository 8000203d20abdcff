"""What the fake records (calls, messages, interactions, sessions) and its API errors."""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.discord.ids import (
    APPLICATION_ID,
    EPHEMERAL,
    LOADING,
    SELECTS,
    _iso,
    _snowflake_time,
)
from tests.fakes.discord.payloads import _bot_user, _walk


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
