"""A web chat turn through the front-end kit: the kit's Surface and ProgressView for one
HTTP request, and the turn answered as JSON or as server-sent events.

Like on every chat surface, one chat's turns run in order (``ChatOrder``), the engine on
the API's engine threads, progress paced by the kit, and the kit's apology on a failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from fastapi.responses import Response
from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import BaseModel

from stylegenie.bots.kit.progress import Pacing
from stylegenie.bots.kit.turns import APOLOGY, TurnRunner
from stylegenie.core.chats import ChatKey
from stylegenie.core.conversation.state import Incoming
from stylegenie.core.progress import Activity
from stylegenie.core.reply import Reply

from .chat_views import ReplyView
from .inbox import WebInbox
from .services import ApiServices

log = logging.getLogger(__name__)

PACING = Pacing(message_after_s=0.0, edit_every_s=0.0)
"""A stream shows the first words of progress at once and every change as it comes."""

_running: set[asyncio.Task[Reply]] = set()
"""Streamed turns in flight: a page that goes away does not stop its turn."""


@dataclass
class WebTurn:
    """One request's turn, the kit's event: where its progress goes (a stream, or nowhere
    for a JSON answer), the inbox message whose button was pressed, and the reply."""

    events: asyncio.Queue[bytes | None] | None = None
    pressed: int | None = None
    reply: Reply | None = None


def _sse(event: str, data: BaseModel | dict[str, Any]) -> bytes:
    body = data.model_dump_json() if isinstance(data, BaseModel) else json.dumps(data)
    return format_sse_event(event=event, data_str=body)


class TurnProgress:
    """The kit's ProgressView for one request: ``progress`` events on its stream, each
    with the activity and the words so far (nothing for a JSON answer)."""

    def __init__(self, events: asyncio.Queue[bytes | None] | None) -> None:
        self._events = events
        self._activity = Activity.THINKING
        self._text = ""
        self._sent: tuple[Activity, str] | None = None

    async def indicate(self, activity: Activity) -> None:
        """The turn is busy with ``activity``."""
        self._activity = activity
        self._emit()

    async def post(self, text: str) -> None:
        """The first words of progress."""
        self._text = text
        self._emit()

    async def edit(self, text: str) -> None:
        """New words of progress."""
        await self.post(text)

    async def remove(self) -> None:
        """Nothing to take away: the reply event ends the stream."""

    def _emit(self) -> None:
        state = (self._activity, self._text)
        if self._events is None or state == self._sent:
            return
        self._sent = state
        self._events.put_nowait(_sse("progress", {"activity": state[0], "text": state[1]}))


class WebSurface:
    """The kit's Surface for web turns: replies are kept on the request's ``WebTurn``."""

    def __init__(self, inbox: WebInbox, executor: Executor) -> None:
        self._inbox = inbox
        self._executor = executor

    def progress_view(self, chat: ChatKey, event: object) -> TurnProgress:
        """Progress on the request's stream."""
        return TurnProgress(_turn_of(event).events)

    async def send(self, chat: ChatKey, reply: Reply, event: object) -> None:
        """Keep the reply for the response; a pressed inbox message records its outcome."""
        turn = _turn_of(event)
        turn.reply = reply
        if reply.pressed_outcome and turn.pressed is not None:
            settle = self._inbox.settle
            try:
                await asyncio.get_running_loop().run_in_executor(
                    self._executor, settle, chat.id, turn.pressed, reply.pressed_outcome
                )
            except Exception:
                log.warning("a pressed web inbox message could not be settled", exc_info=True)

    async def tell_admins(self, text: str) -> None:
        """The web has no admin chat: the people running the API read its log."""
        log.warning("%s", text)


def _turn_of(event: object) -> WebTurn:
    if not isinstance(event, WebTurn):
        raise TypeError(f"a web turn answers a WebTurn, not {type(event).__name__}")
    return event


async def run_turn(
    services: ApiServices, chat: ChatKey, incoming: Incoming, turn: WebTurn
) -> Reply:
    """One turn in the chat's order; the reply (the kit's apology when it failed)."""
    surface = WebSurface(services.inbox, services.executor)
    runner = TurnRunner(services.engine, surface, services.executor, PACING)
    async with services.order.turn_of(chat):
        await runner.run(chat, incoming, turn)
    return turn.reply or Reply(text=APOLOGY)


def streamed_turn(
    services: ApiServices, chat: ChatKey, incoming: Incoming, turn: WebTurn
) -> Response:
    """The turn as server-sent events: ``progress`` as it comes, then ``reply``."""
    events: asyncio.Queue[bytes | None] = asyncio.Queue()
    turn.events = events
    task = asyncio.create_task(run_turn(services, chat, incoming, turn), name="web-turn")
    _running.add(task)
    task.add_done_callback(_running.discard)
    task.add_done_callback(lambda _: events.put_nowait(None))

    async def body() -> AsyncIterator[bytes]:
        while (event := await events.get()) is not None:
            yield event
        yield _sse("reply", ReplyView.of(task.result(), services.images))

    # No caching, and no buffering in a proxy (nginx) that would hold progress back.
    return EventSourceResponse(
        body(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
