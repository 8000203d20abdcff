"""Updates of one chat strictly in order, different chats concurrently.

python-telegram-bot's ``concurrent_updates`` runs every update in its own task; this
update processor (the library's hook for exactly this) adds one ``asyncio.Lock`` per
chat around each update. Tasks are started in the order updates arrive and each asks
for its chat's lock first, and ``asyncio.Lock`` serves waiters first come, first
served, so one chat's updates run one after another while other chats go on. Locks of
idle chats are dropped, so memory follows the chats in flight, not all chats ever seen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently across chats and in arrival order within a chat."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handlers while holding its chat's lock (no lock without a chat)."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:
                del self._waiting[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
