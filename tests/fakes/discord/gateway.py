"""The gateway websocket: HELLO, IDENTIFY → READY and GUILD_CREATE, heartbeats, RESUME,
member chunks and dispatched events."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord.ids import (
    ADMIN,
    ALL_PERMISSIONS,
    APPLICATION_ID,
    BOT_NAME,
    BOT_USER_ID,
    CHANNEL_ID,
    GUILD_ID,
    USERS,
    _iso,
)
from tests.fakes.discord.payloads import _bot_user, _member
from tests.fakes.discord.records import _Session
from tests.fakes.discord.state import _State


class _Gateway(_State):
    """One websocket session per connection; events go to the newest live one."""

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
