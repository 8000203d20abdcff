"""Telegram updates in, kit turns out: one small handler per kind of update.

Each handler turns an update into the core's ``Incoming`` (with the person who sent it)
and hands it to the kit's turn runner. Every update gets an answer: a turn's reply, a
plain refusal for chats outside the allowlist, or an apology when something failed.
Commands addressed to another bot in a group (``/help@OtherBot``) are not ours and get
no answer.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from telegram import Chat, Document, Message, PhotoSize, Update, User
from telegram.constants import ChatMemberStatus, ChatType, MessageEntityType
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

from stylegenie.bots.kit.turns import TurnRunner
from stylegenie.config.settings import TelegramSettings
from stylegenie.core.chats import ChatKey, Sender
from stylegenie.core.conversation import texts
from stylegenie.core.conversation.state import Incoming, MessageKind
from stylegenie.core.ports import ImageStore

from .albums import Albums
from .files import store_photo

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

NOT_ALLOWED = (
    "Sorry, this StyleGenie bot is private and this chat isn't on its list. "
    "If you know the bot's owner, ask them to add chat id {chat_id}."
)
OWNER_ANSWERS = ("lead-accept:", "lead-decline:")
"""Presses that answer a lead: in a group, who pressed matters."""


def chat_key(chat_id: int) -> ChatKey:
    """The core's key for a Telegram chat (its state and rate limit live under it)."""
    return ChatKey(platform="telegram", id=str(chat_id))


def sender_of(user: User | None, chat: Chat, is_admin: bool = False) -> Sender:
    """The person behind an update: their name, @username and a link that opens a chat.

    Without a public username the link is ``tg://user?id=…``, which opens the person's
    profile in any Telegram app. A post with no user (a channel) speaks as the chat.
    """
    if user is None:
        return Sender(user=chat_key(chat.id), display_name=chat.title or "this chat")
    handle = f"@{user.username}" if user.username else ""
    link = f"https://t.me/{user.username}" if user.username else f"tg://user?id={user.id}"
    return Sender(
        user=chat_key(user.id),
        display_name=user.full_name,
        handle=handle,
        link=link,
        is_chat_admin=is_admin,
    )


def for_another_bot(message: Message, bot_username: str) -> bool:
    """Whether the message is a command addressed to a different bot (``/help@OtherBot``)."""
    entities = message.parse_entities([MessageEntityType.BOT_COMMAND])
    for command in entities.values():
        _, _, addressee = command.partition("@")
        return bool(addressee) and addressee.lower() != bot_username.lower()
    return False


@dataclass(frozen=True)
class HandlerDeps:
    """What the handlers share: the turn runner, images, albums and settings."""

    runner: TurnRunner
    images: ImageStore
    albums: Albums
    settings: TelegramSettings


class ChatHandlers:
    """The handlers of every update a person can send."""

    def __init__(self, deps: HandlerDeps) -> None:
        self._deps = deps

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers, the allowlist gate first and the error handler last."""
        application.add_handler(TypeHandler(Update, self.gate), group=-1)
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(MessageHandler(filters.TEXT, self.text))
        application.add_handler(MessageHandler(filters.PHOTO | filters.Document.IMAGE, self.photo))
        application.add_handler(MessageHandler(filters.Sticker.ALL, self.sticker))
        application.add_handler(MessageHandler(filters.LOCATION | filters.VENUE, self.location))
        application.add_handler(MessageHandler(filters.ALL, self.other))
        application.add_error_handler(self.failed)

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
        message, chat = update.effective_message, update.effective_chat
        if message is None or message.text is None or chat is None:
            return
        if for_another_bot(message, context.bot.username):
            return
        sender = sender_of(update.effective_user, chat)
        await self._turn(chat, Incoming.from_text(message.text, sender), update)

    async def button(self, update: Update, context: Context) -> None:
        """A button press: answered at once (stops the spinner), then run as a choice.

        A button from an earlier set of designs, or sent before a restart, goes to the
        engine like any other: it continues the chat from the stored state, or says
        plainly that the button has expired and shows where the chat stands.
        """
        query, chat = update.callback_query, update.effective_chat
        if query is None or chat is None:
            return
        with contextlib.suppress(TelegramError):
            await query.answer()
        if not query.data:
            return
        is_admin = False
        if query.data.startswith(OWNER_ANSWERS) and chat.type != ChatType.PRIVATE:
            is_admin = await self._is_admin(context, chat.id, query.from_user.id)
        sender = sender_of(query.from_user, chat, is_admin)
        await self._turn(chat, Incoming.choice(query.data, sender), update)

    async def photo(self, update: Update, context: Context) -> None:
        """A photo (or an image sent as a file), with or without caption; an album is one turn."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None:
            return
        caption = message.caption or ""
        if message.media_group_id:
            album = await self._deps.albums.gather(message)
            if album is None:
                return  # answered with the album's first photo
            message, caption = album
        ref = await store_photo(context.bot, chat.id, image_of(message), self._deps.images)
        if ref is None:
            await context.bot.send_message(chat.id, texts.PHOTO_UNREADABLE)
            return
        sender = sender_of(update.effective_user, chat)
        incoming = Incoming(kind=MessageKind.PHOTO, sender=sender, text=caption, image_ref=ref)
        await self._turn(chat, incoming, update)

    async def sticker(self, update: Update, context: Context) -> None:
        """A sticker."""
        await self._simple(update, MessageKind.STICKER)

    async def location(self, update: Update, context: Context) -> None:
        """A shared location or venue: the engine asks which city it is."""
        await self._simple(update, MessageKind.LOCATION)

    async def other(self, update: Update, context: Context) -> None:
        """Voice, video, documents and anything else the engine cannot read."""
        await self._simple(update, MessageKind.OTHER)

    async def failed(self, update: object, context: Context) -> None:
        """A handler failed: the kit logs it, apologises in its chat and tells the admins.

        Errors without an update (the network dropping while polling) are only logged,
        so an outage does not flood the admins' chats.
        """
        if not isinstance(update, Update):
            log.error("the Telegram bot hit an error", exc_info=context.error)
            return
        chat = update.effective_chat
        error = context.error or RuntimeError("unknown error")
        await self._deps.runner.apologise(chat_key(chat.id) if chat else None, error, update)

    async def _simple(self, update: Update, kind: MessageKind) -> None:
        chat = update.effective_chat
        if chat is not None:
            incoming = Incoming(kind=kind, sender=sender_of(update.effective_user, chat))
            await self._turn(chat, incoming, update)

    async def _turn(self, chat: Chat, incoming: Incoming, update: Update) -> None:
        await self._deps.runner.run(chat_key(chat.id), incoming, update)

    async def _is_admin(self, context: Context, chat_id: int, user_id: int) -> bool:
        """Whether Telegram says this person administers the group (False when unsure)."""
        try:
            member = await context.bot.get_chat_member(chat_id, user_id)
        except TelegramError:
            return False
        return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def image_of(message: Message) -> PhotoSize | Document:
    """The message's picture: the largest size of a photo, or the file of an image document."""
    if message.photo:
        return message.photo[-1]
    document = message.document
    assert document is not None, "only photos and image documents reach the photo handler"
    return document
