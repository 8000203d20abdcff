"""Sends paced the way Telegram asks: overall, per group, and per private chat.

python-telegram-bot's ``AIORateLimiter`` throttles the bot as a whole and each group
(20 messages a minute), retries flood-control answers, and leaves private chats alone.
Telegram also asks bots not to send more than about one message a second to one chat;
a burst above that earns a 429 for that chat. ``ChatPacedRateLimiter`` adds a leaky
bucket per private chat on the sending methods: a reply of a few messages goes out at
once, a longer stream is paced to ``per_chat_per_second``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

from stylegenie.config.settings import TelegramSettings

UNPACED = frozenset({"sendChatAction"})
"""Sending methods that are not messages (a chat action never floods a chat)."""
REMEMBERED_CHATS = 4096


class ChatPacedRateLimiter(AIORateLimiter):
    """AIORateLimiter plus a per-private-chat bucket for the methods that send messages."""

    def __init__(self, settings: TelegramSettings) -> None:
        super().__init__(
            overall_max_rate=settings.sends_per_second, max_retries=settings.flood_retries
        )
        self._burst = settings.per_chat_burst
        self._period_s = settings.per_chat_burst / settings.per_chat_per_second
        self._chats: dict[int, AsyncLimiter] = {}

    def chat_limiter(self, chat_id: int) -> AsyncLimiter:
        """The bucket of one private chat (idle buckets are dropped when there are many)."""
        if len(self._chats) > REMEMBERED_CHATS:
            for stale in [c for c, b in self._chats.items() if b.has_capacity(self._burst)]:
                del self._chats[stale]
        if chat_id not in self._chats:
            self._chats[chat_id] = AsyncLimiter(self._burst, self._period_s)
        return self._chats[chat_id]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Wait for the chat's bucket (private chats, sending methods), then the library's."""
        chat_id = data.get("chat_id")
        if (
            endpoint.startswith("send")
            and endpoint not in UNPACED
            and isinstance(chat_id, int)
            and chat_id > 0
        ):
            async with self.chat_limiter(chat_id):
                pass
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
