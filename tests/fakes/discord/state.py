"""The state every part of the fake shares (set up by ``FakeDiscord.__init__``), its
addresses, ids and channels."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from aiohttp import web

from tests.fakes.discord.ids import CHANNEL_ID, DISCORD_EPOCH_MS, GUILD_ID
from tests.fakes.discord.payloads import _user
from tests.fakes.discord.records import (
    ApiError,
    Attachment,
    Call,
    InteractionRecord,
    Message,
    _Session,
)


class _State:
    """Attributes and helpers shared by the gateway, the REST routes and the test side."""

    token: str
    ack_window: float
    token_lifetime: float
    attachment_size_limit: int
    heartbeat_interval_ms: int
    calls: list[Call]
    listeners: list[Callable[[Call], None]]
    dispatched_at: dict[int, float]
    acked_at: dict[int, float]
    identifies: list[dict[str, Any]]
    resumes: list[dict[str, Any]]
    interactions: dict[int, InteractionRecord]
    _lock: threading.Lock
    _ids: Iterator[int]
    _by_token: dict[str, InteractionRecord]
    _messages: dict[int, Message]
    _uploads: dict[int, Attachment]
    _users: dict[int, str]
    _dm_channels: dict[int, int]
    _closed_dms: set[int]
    _commands: dict[int | None, list[dict[str, Any]]]
    _failures: list[tuple[str, float, bool]]
    _sessions: dict[str, _Session]
    _live: _Session | None
    _sockets: set[web.WebSocketResponse]
    _routes: list[tuple[str, re.Pattern[str]]]
    _loop: asyncio.AbstractEventLoop | None
    _runner: web.AppRunner | None
    _thread: threading.Thread | None
    port: int

    @property
    def api_base(self) -> str:
        """The root to give the bot (``discord.api_base``); the API lives under /api/v10."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        """The websocket URL, as ``GET /gateway/bot`` and READY's resume URL give it."""
        return f"ws://127.0.0.1:{self.port}/gateway"

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

    def _original_id(self, record: InteractionRecord) -> int | None:
        if record.original_id is not None:
            return record.original_id
        if record.acked_at is not None and record.type == 3:
            return record.pressed_message_id
        return None
