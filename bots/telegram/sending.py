"""Sends a Reply to a chat: albums of designs and products, then the text with its keyboard."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from telegram import Bot, InputMediaPhoto, Message
from telegram.error import BadRequest

from stylegenie.bots.kit.layout import reply_text
from stylegenie.core.ports import ImageStore
from stylegenie.core.reply import Reply

from .files import PhotoSource, photo_input
from .rendering import CAPTION_LIMIT, MESSAGE_LIMIT, clip, keyboard, product_caption, split_text

ALBUM_LIMIT = 10
"""Most photos Telegram takes in one media group."""


class ReplySender:
    """Renders Replies into one chat's messages through the bot (rate-limited by it)."""

    def __init__(self, bot: Bot, images: ImageStore) -> None:
        self._bot = bot
        self._images = images

    async def send(self, chat_id: int, reply: Reply) -> int:
        """Designs album, product album, then the text (split if long); buttons on its end.

        Returns the id of the last message, the one that carries the buttons.
        """
        await self.album(chat_id, [(image.ref, image.caption) for image in reply.images])
        await self.album(
            chat_id,
            [
                (card.image_ref, product_caption(number, card))
                for number, card in enumerate(reply.products, 1)
                if card.image_ref
            ],
        )
        chunks = split_text(reply_text(reply))
        for chunk in chunks[:-1]:
            await self._bot.send_message(chat_id, chunk)
        last = await self._bot.send_message(chat_id, chunks[-1], reply_markup=keyboard(reply))
        return last.message_id

    async def settle(self, chat_id: int, message_id: int, text: str) -> None:
        """Show ``text`` in place of a message's words and take its buttons away."""
        with contextlib.suppress(BadRequest):  # already showing exactly that
            await self._bot.edit_message_text(
                clip(text, MESSAGE_LIMIT), chat_id, message_id, reply_markup=None
            )

    async def settle_pressed(self, message: Message, outcome: str) -> None:
        """The message whose button was pressed, with its outcome added and no buttons."""
        words = message.text or ""
        await self.settle(message.chat_id, message.message_id, f"{words}\n\n{outcome}".strip())

    async def album(self, chat_id: int, items: Sequence[tuple[str, str]]) -> None:
        """Photos (reference, caption) as media groups of up to ten; one alone as a photo."""
        photos: list[tuple[PhotoSource, str | None]] = []
        for ref, text in items:
            source = await photo_input(self._images, ref)
            if source is not None:
                photos.append((source, clip(text, CAPTION_LIMIT) or None))
        for start in range(0, len(photos), ALBUM_LIMIT):
            group = photos[start : start + ALBUM_LIMIT]
            if len(group) == 1:
                (media, filename), caption = group[0]
                await self._bot.send_photo(chat_id, media, caption=caption, filename=filename)
                continue
            await self._bot.send_media_group(
                chat_id,
                [
                    InputMediaPhoto(media, caption=caption, filename=filename)
                    for (media, filename), caption in group
                ],
            )
