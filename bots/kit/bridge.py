"""Platform sends called from engine threads, run on the front-end's event loop.

The lead outbox and the engine run in worker threads; a platform client (python-telegram-bot,
discord.py) lives on one event loop. ``LoopBridge.call`` hands a coroutine to that loop and
waits for its result in the calling thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class NotRunning(RuntimeError):
    """The front-end is not running, so nothing can be sent through it now."""


class LoopBridge:
    """Runs coroutines on the front-end's loop for callers on other threads."""

    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Send through the running loop from now on (call on that loop)."""
        self._loop = asyncio.get_running_loop()

    def stop(self) -> None:
        """Refuse to send; callers get NotRunning (leads wait in the outbox)."""
        self._loop = None

    def call(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run ``make()`` on the loop and return its result; raises what it raised.

        Must not be called from the loop's own thread (it would wait on itself).
        """
        loop = self._loop
        if loop is None:
            raise NotRunning("the front-end is not running")
        if _running_loop() is loop:
            raise RuntimeError("LoopBridge.call must be used from a worker thread")

        async def run() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(run(), loop).result(self._timeout_s)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
