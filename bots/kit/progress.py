"""Visible progress of a running turn, paced the same way on every platform.

The engine runs in a worker thread and reports ``ProgressEvent``s through a plain callback;
``ProgressPacer.report`` hands each to the event loop. One task per turn then shows them
through the platform's ``ProgressView``:

- an indicator ("typing…", "sending a photo…") as soon as there is something to show: a
  progress event, or the turn passing ``ack_after_s`` (0 for a turn the engine says may be
  slow, so it goes out before the turn starts), repeated every ``indicate_every_s``;
- one quiet progress message once the turn has run ``message_after_s`` (fast turns stay
  clean), edited as events arrive at most once per ``edit_every_s``, and removed when the
  reply has been sent.

Progress is decoration: a failed indicator or edit is logged and never fails a turn;
after a failure the turn's progress pauses for ``pause_after_failure_s``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from stylegenie.core.progress import Activity, ProgressEvent

log = logging.getLogger(__name__)

WORKING = "Working on it…"


class ProgressView(Protocol):
    """How one platform shows a turn's progress in one chat."""

    async def indicate(self, activity: Activity) -> None:
        """Show that the bot is busy (Telegram: a chat action); may be a no-op."""
        ...

    async def post(self, text: str) -> None:
        """Show a quiet progress message."""
        ...

    async def edit(self, text: str) -> None:
        """Change the progress message's words."""
        ...

    async def remove(self) -> None:
        """Take the progress message away (after the reply went out)."""
        ...


@dataclass(frozen=True)
class Pacing:
    """When progress shows: the platform's indicator lifetime and the settings' delays."""

    message_after_s: float
    ack_after_s: float = 0.3
    edit_every_s: float = 1.0
    indicate_every_s: float = 4.5
    pause_after_failure_s: float = 2.0


class ProgressPacer:
    """Shows one turn's progress in one chat; use as ``async with`` around the turn."""

    def __init__(self, view: ProgressView, pacing: Pacing, *, slow: bool = False) -> None:
        self._view = view
        self._pacing = pacing
        self._ack_after_s = 0.0 if slow else pacing.ack_after_s
        self._loop = asyncio.get_running_loop()
        self._started = self._loop.time()
        self._events: asyncio.Queue[ProgressEvent | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._latest: ProgressEvent | None = None
        self._shown: str | None = None
        self._posted = False
        self._activity: Activity | None = None
        self._indicated_at = 0.0
        self._edited_at = 0.0
        self._quiet_until = 0.0

    def report(self, event: ProgressEvent) -> None:
        """The engine's progress callback: safe to call from any thread."""
        self._loop.call_soon_threadsafe(self._events.put_nowait, event)

    async def __aenter__(self) -> ProgressPacer:
        """Start watching; a slow turn shows its indicator before the turn is handed off.

        Under a burst of chats the engine threads starting up would otherwise hold that
        first indicator back.
        """
        self._started = self._loop.time()
        if self._ack_after_s <= 0:
            await self._guarded(self._update(0.0))
        self._task = asyncio.create_task(self._show(), name="progress")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop showing progress; a request already on its way is let finish first."""
        if self._task is not None:
            self._events.put_nowait(None)
            await self._task

    async def clear(self) -> None:
        """Remove the progress message, if one was shown (call after the reply is sent)."""
        if self._posted:
            self._posted = False
            await self._guarded(self._view.remove())

    async def _show(self) -> None:
        while True:
            try:
                first = await asyncio.wait_for(self._events.get(), timeout=self._next_wake())
            except TimeoutError:
                pass
            else:
                for event in [first, *self._drain()]:
                    if event is None:
                        return
                    self._latest = event
            if self._loop.time() < self._quiet_until:
                continue
            await self._guarded(self._update(self._loop.time() - self._started))

    async def _guarded(self, update: Awaitable[None]) -> None:
        """Run one progress update; a failure is logged and pauses progress for a while."""
        try:
            await update
        except Exception as error:
            log.info("a progress update failed: %s", error)
            self._quiet_until = self._loop.time() + self._pacing.pause_after_failure_s

    def _drain(self) -> list[ProgressEvent | None]:
        events = []
        while not self._events.empty():
            events.append(self._events.get_nowait())
        return events

    def _next_wake(self) -> float:
        """Seconds until something may need doing even without a new event."""
        now, pacing = self._loop.time(), self._pacing
        elapsed = now - self._started
        if self._activity is not None:
            waits = [self._indicated_at + pacing.indicate_every_s - now]
        else:
            waits = [self._ack_after_s - elapsed]
        if not self._posted:
            waits.append(pacing.message_after_s - elapsed)
        elif self._text() != self._shown:
            waits.append(self._edited_at + pacing.edit_every_s - now)
        return max(0.0, min(waits), self._quiet_until - now)

    def _text(self) -> str:
        return self._latest.text if self._latest else WORKING

    async def _update(self, elapsed: float) -> None:
        now, pacing = self._loop.time(), self._pacing
        activity = self._latest.activity if self._latest else Activity.THINKING
        if self._activity is None:
            due = self._latest is not None or elapsed >= self._ack_after_s
        else:
            due = activity != self._activity or now - self._indicated_at >= pacing.indicate_every_s
        if due:
            self._activity, self._indicated_at = activity, now
            await self._view.indicate(activity)
        if not self._posted:
            if elapsed >= pacing.message_after_s:
                self._shown, self._edited_at = self._text(), now
                await self._view.post(self._shown)
                self._posted = True
        elif self._text() != self._shown and now - self._edited_at >= pacing.edit_every_s:
            self._shown, self._edited_at = self._text(), now
            await self._view.edit(self._shown)
