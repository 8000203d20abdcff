"""Images in and out of Telegram: shoppers' photos into the ImageStore, stored images out.

The bot gets its own ImageStore from the composition root (``wiring.image_store_for``):
the local folder ``settings.image_dir`` (the same folder the eager worker runtime writes
renders to) or the S3 bucket. It does not use the worker runtime's store, because building that
runtime loads the models, which a bot with separate workers must never do. With a local
store and separate workers, bot and workers must share the folder (compose mounts one
volume on both).
"""

from __future__ import annotations

import asyncio
import logging
from typing import NamedTuple

from telegram import Bot, Document, PhotoSize
from telegram.error import TelegramError

from stylegenie.core.ports import ImageStore

log = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 10 * 1024 * 1024
"""Largest shopper photo downloaded; Telegram's compressed photos are far smaller."""


class PhotoSource(NamedTuple):
    """An image for Telegram: a URL it fetches itself, or bytes to upload under a name."""

    media: str | bytes
    filename: str | None = None


async def photo_input(images: ImageStore, ref: str) -> PhotoSource | None:
    """What to hand Telegram for an image: a URL when there is one (a bucket's, made now),
    else the stored file as an upload.

    Only images the store serves are uploaded (never arbitrary paths); an unreadable
    one is logged and left out (None) so the rest of the reply still goes out.
    """
    try:
        url = await asyncio.to_thread(images.url, ref)
        if url:
            return PhotoSource(url)
        data = await asyncio.to_thread(images.open, ref)
    except (OSError, ValueError) as error:
        log.warning("image %r left out of the reply: %s", ref, error)
        return None
    return PhotoSource(data, ref.replace("\\", "/").rsplit("/", 1)[-1] or "image.png")


async def store_photo(
    bot: Bot, chat_id: int, photo: PhotoSize | Document, images: ImageStore
) -> str | None:
    """Download a shopper's photo (or image file) and store it; its reference, or None."""
    if photo.file_size and photo.file_size > MAX_PHOTO_BYTES:
        log.info("photo of %d bytes refused (limit %d)", photo.file_size, MAX_PHOTO_BYTES)
        return None
    try:
        file = await bot.get_file(photo.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError:
        log.warning("a shopper's photo could not be downloaded", exc_info=True)
        return None
    if len(data) > MAX_PHOTO_BYTES:
        return None
    name = f"tg-{chat_id}-{photo.file_unique_id}.jpg"
    return await asyncio.to_thread(images.put, name, data)
