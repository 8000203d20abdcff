"""Events of one chat in arrival order, different chats side by side."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class ChatOrder:
    """One ``asyncio.Lock`` per chat, held around each event of that chat.

    Tasks that ask in arrival order are served first come, first served (asyncio locks
    wake waiters in order), so a chat's events run one after another while other chats
    go on. Locks of idle chats are dropped.
    """

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._waiting: dict[Hashable, int] = {}

    @asynccontextmanager
    async def turn_of(self, chat: Hashable) -> AsyncIterator[None]:
        """Hold the chat's turn for the body of the ``async with``."""
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:
                del self._waiting[chat], self._locks[chat]

    def __len__(self) -> int:
        """Chats with an event running or waiting."""
        return len(self._locks)
