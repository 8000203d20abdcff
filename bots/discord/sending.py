"""Sends a Reply's messages to Discord: as an interaction's follow-ups, or in a channel.

An interaction's token lets the bot follow up for 15 minutes (``followup_lifetime_s``);
``FollowUps`` posts through it while it lives and in the channel (or the DMs) after,
naming the shopper there so they hear of it. Pictures are read from the ImageStore and
uploaded; one that cannot be read or is over the size limit is logged and left out, so
the rest of the reply still goes out.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import discord
from discord.utils import utcnow

from stylegenie.bots.kit.layout import clip
from stylegenie.core.ports import ImageStore
from stylegenie.core.reply import Reply

from .buttons import view_for
from .rendering import MESSAGE_LIMIT, Outgoing, Picture, lay_out

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
TOKEN_GONE = frozenset({10015, 50027})
"""Discord's codes for an interaction token it no longer takes (unknown webhook, invalid
token): the follow-up goes to the channel instead."""


def followup_open(interaction: discord.Interaction, lifetime_s: float) -> bool:
    """Whether the interaction's token still takes follow-ups and edits, with a margin of a
    tenth of its lifetime (30 s at most) for the sends still to come."""
    left = lifetime_s - (utcnow() - interaction.created_at).total_seconds()
    return left > min(30.0, lifetime_s / 10)


@dataclass
class Prepared:
    """One message ready to send: its words, files read into memory, embeds and buttons."""

    content: str = ""
    uploads: list[tuple[bytes, Picture]] = field(default_factory=list)
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None

    def kwargs(self, mention: int | None = None) -> dict[str, Any]:
        """The keyword arguments of a send, with fresh files (discord.py closes them after
        each attempt); with ``mention``, the words start by naming that user."""
        content = self.content
        if mention is not None:
            ping = f"<@{mention}> "
            content = ping + clip(content, MESSAGE_LIMIT - len(ping))
        message: dict[str, Any] = {}
        if content:
            message["content"] = content
        if self.uploads:
            message["files"] = [
                discord.File(io.BytesIO(data), p.filename, description=p.description or None)
                for data, p in self.uploads
            ]
        if self.embeds:
            message["embeds"] = self.embeds
        if self.view is not None:
            message["view"] = self.view
        return message

    @property
    def empty(self) -> bool:
        """Whether there is nothing to send (every picture of it was left out)."""
        return not (self.content or self.uploads or self.embeds or self.view is not None)


class Destination(Protocol):
    """Where a reply's messages go."""

    filesize_limit: int
    """Largest file, in bytes, a message there may carry."""

    async def post(self, message: Prepared) -> discord.Message:
        """Send one message; the message sent."""
        ...


class ChannelPosts:
    """Messages the bot posts in a channel or DMs; the first names ``mention`` (a user id)."""

    def __init__(
        self, channel: discord.abc.Messageable, filesize_limit: int, mention: int | None = None
    ) -> None:
        self.filesize_limit = filesize_limit
        self._channel = channel
        self._mention = mention

    async def post(self, message: Prepared) -> discord.Message:
        """Post the message; the first one starts with the mention."""
        mention, self._mention = self._mention, None
        allowed = (
            discord.AllowedMentions(users=[discord.Object(mention)]) if mention else NO_MENTIONS
        )
        return await self._channel.send(allowed_mentions=allowed, **message.kwargs(mention))


class FollowUps:
    """An interaction's follow-ups while its token lives, ``fallback`` after."""

    def __init__(
        self, interaction: discord.Interaction, open_: Callable[[], bool], fallback: ChannelPosts
    ) -> None:
        self.filesize_limit = interaction.filesize_limit
        self._interaction = interaction
        self._open = open_
        self._fallback = fallback

    async def post(self, message: Prepared) -> discord.Message:
        """Follow up, or post in the channel once the token is spent or refused."""
        if self._open():
            try:
                return await self._interaction.followup.send(
                    wait=True, allowed_mentions=NO_MENTIONS, **message.kwargs()
                )
            except discord.HTTPException as error:
                if error.code not in TOKEN_GONE:
                    raise
                log.info("an interaction token was refused; replying in the channel")
                self._open = lambda: False
        return await self._fallback.post(message)


class ReplySender:
    """Lays Replies out (``rendering``) and sends them to a destination."""

    def __init__(self, images: ImageStore) -> None:
        self._images = images

    async def send(self, destination: Destination, reply: Reply, owner_id: int) -> discord.Message:
        """Send every message of the reply; the last one (the one with the buttons).

        The buttons belong to ``owner_id``'s conversation: only they may press them.
        """
        last: discord.Message | None = None
        for outgoing in lay_out(await self._linked(reply)):
            prepared = await self._prepare(outgoing, owner_id, destination.filesize_limit)
            if not prepared.empty:
                last = await destination.post(prepared)
        assert last is not None, "lay_out gives at least one message"
        return last

    async def _linked(self, reply: Reply) -> Reply:
        """The reply with each product photo the store has a URL for as that URL, made now
        (a bucket's presigned URL dies), for Discord to show; the others are uploaded."""
        cards = [
            card.model_copy(update={"image_ref": await self._url(card.image_ref)})
            for card in reply.products
        ]
        return reply.model_copy(update={"products": cards})

    async def _url(self, ref: str | None) -> str | None:
        """The store's URL for an image; the reference itself when it has none."""
        if not ref:
            return ref
        try:
            return await asyncio.to_thread(self._images.url, ref) or ref
        except ValueError:
            return ref

    async def _prepare(self, outgoing: Outgoing, owner_id: int, size_limit: int) -> Prepared:
        """The message with its pictures read and its buttons built."""
        uploads = []
        for picture in outgoing.pictures:
            data = await self._read(picture, size_limit)
            if data is not None:
                uploads.append((data, picture))
            else:
                _forget_picture(outgoing.embeds, picture)
        return Prepared(
            content=outgoing.content,
            uploads=uploads,
            embeds=outgoing.embeds,
            view=view_for(owner_id, outgoing.links, outgoing.choices),
        )

    async def _read(self, picture: Picture, size_limit: int) -> bytes | None:
        """The picture's bytes; None (logged) when unreadable or too big."""
        try:
            data = await asyncio.to_thread(self._images.open, picture.ref)
        except (OSError, ValueError) as error:
            log.warning("image %r left out of a Discord message: %s", picture.ref, error)
            return None
        if len(data) > size_limit:
            log.warning("image %r of %d bytes is over Discord's limit", picture.ref, len(data))
            return None
        return data


def _forget_picture(embeds: list[discord.Embed], picture: Picture) -> None:
    """Drop an embed's image that pointed at a picture left out of the message."""
    for embed in embeds:
        if embed.image.url == f"attachment://{picture.filename}":
            embed.set_image(url=None)


async def settle(message: discord.Message | discord.PartialMessage, text: str) -> None:
    """Show ``text`` in place of a message's words and take its buttons away."""
    await message.edit(content=clip(text, MESSAGE_LIMIT), view=None)
