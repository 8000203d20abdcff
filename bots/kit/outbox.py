"""The lead outbox, run by every front-end that can deliver leads.

It runs at start (leads stored before a crash go out), every ``every_s`` (retries and
expiry), and at once when ``wake`` is called (a shopper just asked an atelier), in the
front-end's worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Protocol

from stylegenie.core.ports import Channel

log = logging.getLogger(__name__)


class ChannelRegistry(Protocol):
    """Where a front-end registers its channel (the app's notifier hub)."""

    def register(self, platform: str, channel: Channel) -> None: ...


@dataclass(frozen=True)
class LeadWiring:
    """The app's lead flow as a front-end sees it: where to register its channel, the
    outbox to run every ``every_s``, how to hear that a lead was just stored, and how to
    say at shutdown that this process delivers no more."""

    hub: ChannelRegistry
    run_outbox: Callable[[], object]
    listen: Callable[[Callable[[], None]], None]
    withdraw: Callable[[], None]
    every_s: float


class OutboxLoop:
    """Runs ``run`` off the loop: at start, periodically, and when woken."""

    def __init__(self, leads: LeadWiring, executor: Executor) -> None:
        self._run = leads.run_outbox
        self._withdraw = leads.withdraw
        self._executor = executor
        self._every_s = leads.every_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the runs on the running loop."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._forever(), name="lead-outbox")

    def wake(self) -> None:
        """Run again now; safe to call from any thread, a no-op before ``start``."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._woken.set)

    async def run_once(self) -> None:
        """One run now, awaited (the terminal runs it between script lines)."""
        loop = asyncio.get_running_loop()
        try:
            report = await loop.run_in_executor(self._executor, self._run)
            if report:
                log.info("lead outbox: %s", report)
        except Exception:
            log.exception("the lead outbox run failed; trying again later")

    async def stop(self) -> None:
        """Stop the runs (a run in progress finishes in its thread) and withdraw this
        process's platforms, so shoppers hear at once that its owners can't be reached."""
        self._loop = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._withdraw)
        except Exception:
            log.warning("could not withdraw this process's lead platforms", exc_info=True)

    async def _forever(self) -> None:
        while True:
            self._woken.clear()
            await self.run_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self._every_s)
