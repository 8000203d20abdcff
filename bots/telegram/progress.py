"""Visible progress of a running turn: chat actions and one progress message edited in place.

The engine runs in a worker thread and reports notes ("Drawing 3 designs…") through a
plain callback; ``TurnProgress.report`` hands each note to the event loop with
``call_soon_threadsafe``. One task per turn then shows them:

- a chat action as soon as there is something to show (a note, or the turn passing
  ``ack_after_s``: at once for a turn known to be slow, ``ACK_AFTER_S`` otherwise):
  ``upload_photo`` while drawing or rendering, ``typing`` otherwise, repeated before
  Telegram's five-second display runs out;
- one silent progress message once the turn has run ``delay_s`` (fast turns stay clean),
  edited in place as notes arrive (at most once per ``EDIT_EVERY_S``), and deleted when
  the reply has been sent.

Progress is decoration: a failed chat action or edit is logged and never fails a turn;
after a failure the turn's progress pauses for ``RETRY_AFTER_FAILURE_S``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from types import TracebackType

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

log = logging.getLogger(__name__)

ACK_AFTER_S = 0.3
ACTION_EVERY_S = 4.5
EDIT_EVERY_S = 1.0
RETRY_AFTER_FAILURE_S = 2.0
WORKING = "Working on it…"


def action_for(note: str | None) -> ChatAction:
    """``upload_photo`` while images are being made, ``typing`` for everything else."""
    lowered = (note or "").lower()
    drawing = "draw" in lowered or "render" in lowered
    return ChatAction.UPLOAD_PHOTO if drawing else ChatAction.TYPING


class TurnProgress:
    """Shows one turn's progress in one chat; use as ``async with`` around the turn."""

    def __init__(
        self, bot: Bot, chat_id: int, delay_s: float, ack_after_s: float = ACK_AFTER_S
    ) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._delay_s = delay_s
        self._ack_after_s = ack_after_s
        self._loop = asyncio.get_running_loop()
        self._started = self._loop.time()
        self._notes: asyncio.Queue[str | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._note: str | None = None
        self._shown: str | None = None
        self._action: ChatAction | None = None
        self._action_at = 0.0
        self._edited_at = 0.0
        self._quiet_until = 0.0
        self.message_id: int | None = None

    def report(self, note: str) -> None:
        """The engine's progress callback: safe to call from any thread."""
        self._loop.call_soon_threadsafe(self._notes.put_nowait, note)

    async def __aenter__(self) -> TurnProgress:
        """Start watching the turn; a turn known to be slow shows ``typing`` before it starts.

        That first chat action goes out before the turn is handed to an engine thread: under
        a burst of chats, the engine threads starting up would otherwise hold it back.
        """
        self._started = self._loop.time()
        if self._ack_after_s <= 0:
            await self._guarded(self._update(0.0))
        self._task = asyncio.create_task(self._show(), name=f"progress:{self._chat_id}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop showing progress; a request already on its way is let finish first."""
        if self._task is not None:
            self._notes.put_nowait(None)
            await self._task

    async def clear(self) -> None:
        """Delete the progress message, if one was shown (call after the reply is sent)."""
        if self.message_id is None:
            return
        message_id, self.message_id = self.message_id, None
        with contextlib.suppress(TelegramError):
            await self._bot.delete_message(self._chat_id, message_id)

    async def _show(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                first = await asyncio.wait_for(self._notes.get(), timeout=self._next_wake())
                for note in [first, *self._drain()]:
                    if note is None:
                        return
                    self._note = note
            if self._loop.time() < self._quiet_until:
                continue
            await self._guarded(self._update(self._loop.time() - self._started))

    async def _guarded(self, update: Awaitable[None]) -> None:
        """Run one progress update; a failure is logged and pauses progress for a while."""
        try:
            await update
        except TelegramError as error:
            log.info("progress update failed in one chat: %s", error)
            self._quiet_until = self._loop.time() + RETRY_AFTER_FAILURE_S

    def _drain(self) -> list[str | None]:
        notes = []
        while not self._notes.empty():
            notes.append(self._notes.get_nowait())
        return notes

    def _next_wake(self) -> float:
        """Seconds until something may need doing even without a new note."""
        now = self._loop.time()
        elapsed = now - self._started
        waits = [
            self._action_at + ACTION_EVERY_S - now if self._action else self._ack_after_s - elapsed
        ]
        if self.message_id is None:
            waits.append(self._delay_s - elapsed)
        elif self._note not in (None, self._shown):
            waits.append(self._edited_at + EDIT_EVERY_S - now)
        return max(0.0, min(waits), self._quiet_until - now)

    async def _update(self, elapsed: float) -> None:
        now = self._loop.time()
        action = action_for(self._note)
        if self._action is None:
            due = self._note is not None or elapsed >= self._ack_after_s
        else:
            due = action != self._action or now - self._action_at >= ACTION_EVERY_S
        if due:
            self._action, self._action_at = action, now
            await self._bot.send_chat_action(self._chat_id, action)
        if self.message_id is None:
            if elapsed >= self._delay_s:
                self._shown = self._note or WORKING
                self._edited_at = now
                message = await self._bot.send_message(
                    self._chat_id, self._shown, disable_notification=True
                )
                self.message_id = message.message_id
        elif self._note not in (None, self._shown) and now - self._edited_at >= EDIT_EVERY_S:
            self._shown, self._edited_at = self._note, now
            await self._bot.edit_message_text(self._shown, self._chat_id, self.message_id)
