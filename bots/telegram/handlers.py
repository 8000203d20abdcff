"""Telegram updates in, engine turns out: one small handler per kind of update.

Every handler ends in ``run_turn``: the engine (synchronous: it may wait seconds on a
render) runs in a thread pool while the event loop shows progress and serves other
chats; the Reply is then sent the Telegram way. Every update gets an answer: a turn's
reply, a plain refusal for chats outside the allowlist, or an apology when something
failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Protocol

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from stylegenie.config.settings import TelegramSettings
from stylegenie.core.conversation import texts
from stylegenie.core.conversation.state import Incoming, MessageKind
from stylegenie.core.ports import ImageStore, ProgressCallback
from stylegenie.core.reply import Reply

from .files import store_photo
from .progress import ACK_AFTER_S, TurnProgress
from .sending import ReplySender

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

NOT_ALLOWED = (
    "Sorry, this StyleGenie bot is private and this chat isn't on its list. "
    "If you know the bot's owner, ask them to add chat id {chat_id}."
)
APOLOGY = texts.SOMETHING_WENT_WRONG.format(doing="answering that")
ADMIN_NOTICE = "StyleGenie bot: an update failed with {error}; the bot log has the details."


class TurnEngine(Protocol):
    """What the bot needs from the conversation engine (a test can wrap or fake it)."""

    def handle(
        self, chat_key: str, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply: ...


def chat_key(chat_id: int) -> str:
    """The engine's key for a Telegram chat (its state and rate limit live under it)."""
    return f"telegram:{chat_id}"


@dataclass(frozen=True)
class BotDeps:
    """What the handlers share: the engine, where images live, the turn threads, settings."""

    engine: TurnEngine
    images: ImageStore
    executor: Executor
    settings: TelegramSettings


class ChatHandlers:
    """The shopper-facing handlers: text and commands, buttons, photos, stickers, the rest."""

    def __init__(self, deps: BotDeps) -> None:
        self._deps = deps

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers; register more specific ones (e.g. owners' leads) before this."""
        application.add_handler(TypeHandler(Update, self.gate), group=-1)
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(MessageHandler(filters.TEXT, self.text))
        application.add_handler(MessageHandler(filters.PHOTO, self.photo))
        application.add_handler(MessageHandler(filters.Sticker.ALL, self.sticker))
        application.add_handler(MessageHandler(filters.ALL, self.other))
        application.add_error_handler(self.failed)

    async def run_turn(
        self, update: Update, context: Context, incoming: Incoming, *, slow: bool = False
    ) -> None:
        """One engine turn in the thread pool, with progress shown, then its reply sent.

        A ``slow`` turn (free text read by the LLM, a photo to search by) shows a chat
        action at once; others only once they have run ``ACK_AFTER_S``.
        """
        chat = update.effective_chat
        if chat is None:
            return
        loop = asyncio.get_running_loop()
        delay_s = self._deps.settings.progress_delay_s
        ack_after_s = 0.0 if slow else ACK_AFTER_S
        async with TurnProgress(context.bot, chat.id, delay_s, ack_after_s) as p:
            reply = await loop.run_in_executor(
                self._deps.executor, self._deps.engine.handle, chat_key(chat.id), incoming, p.report
            )
        try:
            await ReplySender(context.bot, self._deps.images).send(chat.id, reply)
        finally:
            await p.clear()

    async def gate(self, update: Update, context: Context) -> None:
        """Refuse, in plain words, chats outside the allowlist (admins are always let in)."""
        settings = self._deps.settings
        chat, user = update.effective_chat, update.effective_user
        if not settings.allowed_chat_ids or (chat and chat.id in settings.allowed_chat_ids):
            return
        if user and user.id in settings.admin_ids:
            return
        if update.callback_query:
            await update.callback_query.answer()
        if chat:
            await context.bot.send_message(chat.id, NOT_ALLOWED.format(chat_id=chat.id))
        raise ApplicationHandlerStop

    async def text(self, update: Update, context: Context) -> None:
        """Typed text; "/budget 80" and other commands become engine commands."""
        message = update.effective_message
        if message is not None and message.text is not None:
            incoming = Incoming.from_text(message.text)
            slow = incoming.kind is MessageKind.TEXT and bool(incoming.text.strip())
            await self.run_turn(update, context, incoming, slow=slow)

    async def button(self, update: Update, context: Context) -> None:
        """A button press: answered at once (stops the spinner), then run as a choice.

        A button from an earlier set of designs, or sent before a restart, goes to the
        engine like any other: it continues the chat from the stored state, or says
        plainly that the button has expired and shows where the chat stands.
        """
        query = update.callback_query
        if query is None:
            return
        with contextlib.suppress(TelegramError):
            await query.answer()
        if query.data:
            await self.run_turn(update, context, Incoming.choice(query.data))

    async def photo(self, update: Update, context: Context) -> None:
        """A photo, with or without caption: stored, then searched for (or read by caption)."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not message.photo:
            return
        ref = await store_photo(context.bot, chat.id, message.photo[-1], self._deps.images)
        if ref is None:
            await context.bot.send_message(chat.id, texts.PHOTO_UNREADABLE)
            return
        incoming = Incoming(kind=MessageKind.PHOTO, text=message.caption or "", image_ref=ref)
        await self.run_turn(update, context, incoming, slow=True)

    async def sticker(self, update: Update, context: Context) -> None:
        """A sticker."""
        await self.run_turn(update, context, Incoming(kind=MessageKind.STICKER))

    async def other(self, update: Update, context: Context) -> None:
        """Voice, video, documents, locations and anything else the engine cannot read."""
        await self.run_turn(update, context, Incoming(kind=MessageKind.OTHER))

    async def failed(self, update: object, context: Context) -> None:
        """Log a failure; for a failed update, apologise in its chat and tell the admins.

        Errors without an update (the network dropping while polling) are only logged,
        so an outage does not flood the admins' chats.
        """
        log.error("the Telegram bot hit an error", exc_info=context.error)
        if not isinstance(update, Update):
            return
        notices = [(update.effective_chat.id, APOLOGY)] if update.effective_chat else []
        error = type(context.error).__name__
        admins = self._deps.settings.admin_ids
        notices += [(admin, ADMIN_NOTICE.format(error=error)) for admin in admins]
        for chat_id, text in notices:
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(chat_id, text)
