"""Telegram as a channel for messages outside a turn: leads to owners, news to shoppers.

The notifier hub calls ``deliver`` from an engine or outbox thread; the kit's bridge runs
the sending on the bot's event loop and waits. A chat that can never get the message
(the person blocked the bot, never started it, or the chat is gone) raises Unreachable;
any other failure is left to the outbox to retry.
"""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from stylegenie.bots.kit.bridge import LoopBridge
from stylegenie.bots.kit.sends import RecentSends
from stylegenie.core.ports import ImageStore, Unreachable
from stylegenie.core.reply import Reply

from .sending import ReplySender


class TelegramChannel:
    """The ``telegram`` platform of the notifier hub."""

    platform = "telegram"

    def __init__(self, bridge: LoopBridge, images: ImageStore) -> None:
        self._bridge = bridge
        self._images = images
        self._bot: Bot | None = None
        self._sent = RecentSends()

    def attach(self, bot: Bot) -> None:
        """Send through this bot (once the application is running)."""
        self._bot = bot

    def deliver(self, chat_id: str, reply: Reply, idempotency_key: str) -> str:
        """Send the reply; the id of its last message (the one with the buttons)."""
        already = self._sent.get(idempotency_key)
        if already is not None:
            return already
        bot = self._running_bot()
        try:
            message_id = self._bridge.call(lambda: ReplySender(bot, self._images).send(
                int(chat_id), reply
            ))
        except Forbidden as error:
            raise Unreachable(f"Telegram refused: {error.message}") from error
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                raise Unreachable("Telegram has no such chat") from error
            raise
        ref = str(message_id)
        self._sent.remember(idempotency_key, ref)
        return ref

    def settle(self, chat_id: str, message_ref: str, outcome: str) -> None:
        """Replace a delivered message's words with its outcome and drop its buttons."""
        bot = self._running_bot()
        self._bridge.call(
            lambda: ReplySender(bot, self._images).settle(int(chat_id), int(message_ref), outcome)
        )

    def _running_bot(self) -> Bot:
        if self._bot is None:
            raise RuntimeError("the Telegram bot is not running")
        return self._bot
