"""One turn of a chat, the same on every platform: run off the loop, progress, reply.

The engine is synchronous (it may wait seconds on a render), so it runs in a thread
pool while the event loop shows progress and serves other chats. Callers keep one
chat's events in order (``ChatOrder``). A failure anywhere in a turn is logged, the
chat gets an apology and the admins a notice; the conversation's state is kept.

Every turn is counted and timed (``stylegenie_turns_total``, ``stylegenie_turn_seconds``),
traced as one ``turn`` span, and every line logged during it carries its turn id,
platform and hashed chat key (the turn itself is one DEBUG line: metrics count turns); the
engine's thread runs in the turn's context, so its logs and its Celery tasks belong to the
turn too.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import itertools
import logging
import os
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from time import perf_counter
from typing import Protocol

from prometheus_client import Counter, Histogram

from stylegenie.adapters.observability.logs import chat_hash, log_context
from stylegenie.adapters.observability.metrics import metrics
from stylegenie.adapters.observability.tracing import turn_span
from stylegenie.core.chats import ChatKey
from stylegenie.core.conversation import texts
from stylegenie.core.conversation.state import Incoming
from stylegenie.core.progress import ProgressCallback
from stylegenie.core.reply import Reply

from .progress import Pacing, ProgressPacer, ProgressView

log = logging.getLogger(__name__)

_PROCESS_PREFIX = os.urandom(4).hex()
_TURN_NUMBERS = itertools.count(1)
"""A turn's id is this process's random prefix and its number: unique, and cheap to make."""

APOLOGY = texts.SOMETHING_WENT_WRONG.format(doing="answering that")
ADMIN_NOTICE = "StyleGenie: a turn failed with {error}; the bot's log has the details."


def engine_threads(count: int) -> ThreadPoolExecutor:
    """A pool of ``count`` turn threads, every one started now.

    A thread pool starts its threads one per submit, and starting one waits for it to run:
    under a burst of chats that wait lands on the event loop (measured on Discord: 15 % of
    the loop's time in the first seconds of a 200-shopper burst). Started up front, a burst
    only hands turns to threads that are already waiting.
    """
    pool = ThreadPoolExecutor(count, thread_name_prefix="turn")
    release = threading.Event()
    for _ in range(count):
        pool.submit(release.wait)
    release.set()
    return pool


@functools.lru_cache(maxsize=256)
def _turn_series(platform: str, kind: str, outcome: str) -> tuple[Counter, Histogram]:
    """The turn counter and timer of one platform, kind and outcome (looked up once)."""
    measured = metrics()
    return (
        measured.turns.labels(platform, kind, outcome),
        measured.turn_seconds.labels(platform, kind),
    )


class TurnEngine(Protocol):
    """What a front-end needs from the conversation engine (a test can wrap or fake it)."""

    def handle(
        self, chat: ChatKey, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply: ...

    def may_be_slow(self, incoming: Incoming) -> bool: ...


class Surface(Protocol):
    """One platform as the turn runner sees it: progress, replies and the admins.

    ``event`` is the platform's own object for the event being answered (a Telegram
    Update, a Discord Interaction), passed through untouched so the platform can answer
    in context (edit the pressed message, follow up an interaction).
    """

    def progress_view(self, chat: ChatKey, event: object) -> ProgressView:
        """How progress shows in this chat for this event."""
        ...

    async def send(self, chat: ChatKey, reply: Reply, event: object) -> None:
        """Send a turn's reply (and settle the pressed message when it says so)."""
        ...

    async def tell_admins(self, text: str) -> None:
        """A notice to the people running the bot (may do nothing)."""
        ...


class TurnRunner:
    """Runs engine turns for one front-end."""

    def __init__(
        self, engine: TurnEngine, surface: Surface, executor: Executor, pacing: Pacing
    ) -> None:
        self._engine = engine
        self._surface = surface
        self._executor = executor
        self._pacing = pacing

    async def run(self, chat: ChatKey, incoming: Incoming, event: object = None) -> Reply | None:
        """Answer one event: progress while the engine works, then the reply; None if it failed."""
        kind = incoming.kind.value
        started = perf_counter()
        turn = log_context(
            turn_id=f"{_PROCESS_PREFIX}-{next(_TURN_NUMBERS):x}",
            platform=chat.platform,
            chat=chat_hash(chat),
        )
        with turn, turn_span(chat.platform, kind):
            reply = await self._answer(chat, incoming, event)
            seconds = perf_counter() - started
            outcome = "failed" if reply is None else "ok"
            log.debug("%s turn %s in %.0f ms", kind, outcome, seconds * 1000)
        counted, timed = _turn_series(chat.platform, kind, outcome)
        counted.inc()
        timed.observe(seconds)
        return reply

    async def _answer(self, chat: ChatKey, incoming: Incoming, event: object) -> Reply | None:
        loop = asyncio.get_running_loop()
        view = self._surface.progress_view(chat, event)
        slow = self._engine.may_be_slow(incoming)
        try:
            async with ProgressPacer(view, self._pacing, slow=slow) as pacer:
                in_turn = contextvars.copy_context()  # the turn's log fields and span
                reply = await loop.run_in_executor(
                    self._executor, in_turn.run, self._engine.handle, chat, incoming, pacer.report
                )
            try:
                await self._surface.send(chat, reply, event)
            finally:
                await pacer.clear()
        except Exception as error:
            await self.apologise(chat, error, event)
            return None
        return reply

    async def apologise(self, chat: ChatKey | None, error: BaseException, event: object) -> None:
        """Log a failure, apologise in the chat (when there is one) and tell the admins."""
        log.error("a %s turn failed", chat.platform if chat else "front-end", exc_info=error)
        if chat is not None:
            with contextlib.suppress(Exception):
                await self._surface.send(chat, Reply(text=APOLOGY), event)
        with contextlib.suppress(Exception):
            await self._surface.tell_admins(ADMIN_NOTICE.format(error=type(error).__name__))
