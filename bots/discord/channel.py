"""Discord as a channel for messages outside a turn: leads to owners, news to shoppers.

The notifier hub calls ``deliver`` from an engine or outbox thread; the kit's bridge runs
the sending on the bot's event loop and waits. An owner is a Discord user id and gets
leads in their DMs, with Accept and Decline buttons they alone may press; a shopper's
news goes where their conversation is (their DMs, or the server channel, naming them).
A chat that can never get the message (DMs closed, 50007; an unknown user or channel;
no access) raises Unreachable; any other failure is left to the outbox to retry.
"""

from __future__ import annotations

from typing import NamedTuple

import discord
from discord.utils import DEFAULT_FILE_SIZE_LIMIT_BYTES

from stylegenie.bots.kit.bridge import LoopBridge
from stylegenie.bots.kit.sends import RecentSends
from stylegenie.core.ports import ImageStore, Unreachable
from stylegenie.core.reply import Reply

from .chats import PLATFORM, Place
from .sending import ChannelPosts, ReplySender, settle


class MessageRef(NamedTuple):
    """A delivered message as the lead desk stores it: ``"<channel id>/<message id>"``."""

    channel_id: int
    message_id: int

    @classmethod
    def parse(cls, ref: str) -> MessageRef:
        """Read a reference ``deliver`` returned; ValueError for anything else."""
        channel, _, message = ref.partition("/")
        return cls(int(channel), int(message))

    def __str__(self) -> str:
        return f"{self.channel_id}/{self.message_id}"


class DiscordChannel:
    """The ``discord`` platform of the notifier hub."""

    platform = PLATFORM

    def __init__(self, bridge: LoopBridge, images: ImageStore) -> None:
        self._bridge = bridge
        self._images = images
        self._client: discord.Client | None = None
        self._sent = RecentSends()

    def attach(self, client: discord.Client) -> None:
        """Send through this client (once it is running)."""
        self._client = client

    def deliver(self, chat_id: str, reply: Reply, idempotency_key: str) -> str:
        """Send the reply; the reference of its last message (the one with the buttons)."""
        sent = self._sent.get(idempotency_key)
        if sent is not None:
            return sent
        try:
            place = Place.parse(chat_id)
        except ValueError as error:
            raise Unreachable("this is not a Discord user or channel") from error
        try:
            message = self._bridge.call(lambda: self._send(place, reply))
        except discord.Forbidden as error:
            raise Unreachable(f"Discord refused ({error.code}): {error.text}") from error
        except discord.NotFound as error:
            raise Unreachable(f"Discord has no such user or channel ({error.code})") from error
        ref = str(MessageRef(message.channel.id, message.id))
        self._sent.remember(idempotency_key, ref)
        return ref

    def settle(self, chat_id: str, message_ref: str, outcome: str) -> None:
        """Replace a delivered message's words with its outcome and drop its buttons."""
        ref = MessageRef.parse(message_ref)
        self._bridge.call(lambda: self._settle(ref, outcome))

    async def _settle(self, ref: MessageRef, outcome: str) -> None:
        channel = self._running_client().get_partial_messageable(ref.channel_id)
        await settle(channel.get_partial_message(ref.message_id), outcome)

    async def _send(self, place: Place, reply: Reply) -> discord.Message:
        """DMs for a person's own chat; the server channel, naming them, for theirs there."""
        client = self._running_client()
        if place.channel_id is None:
            dm = await client.create_dm(discord.Object(place.user_id))
            posts = ChannelPosts(dm, DEFAULT_FILE_SIZE_LIMIT_BYTES)
        else:
            channel = client.get_partial_messageable(place.channel_id)
            posts = ChannelPosts(channel, DEFAULT_FILE_SIZE_LIMIT_BYTES, mention=place.user_id)
        return await ReplySender(self._images).send(posts, reply, place.user_id)

    def _running_client(self) -> discord.Client:
        if self._client is None:
            raise RuntimeError("the Discord bot is not running")
        return self._client
