"""``FakeDiscord``: running it, what the test does and reads, and failure controls."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.discord.gateway import _Gateway
from tests.fakes.discord.ids import GUILD_ID, TOKEN, USERS
from tests.fakes.discord.interactions import _InteractionPayloads
from tests.fakes.discord.records import Attachment, Call, InteractionRecord, Message, _Session
from tests.fakes.discord.rest import ROUTES, _Rest, _route_regex
from tests.fakes.threaded import ThreadedServer


class FakeDiscord(ThreadedServer, _Gateway, _Rest, _InteractionPayloads):
    """The fake Discord: interactions pushed by the test, calls and messages recorded."""

    thread_name = "fake-discord"

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
        self.port = 0

    # ----- running -----

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

    # ----- dispatching -----

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
