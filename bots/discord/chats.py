"""Who and where on Discord: an interaction's chat, a chat id's place, and its person.

A shopper has one conversation per server channel, answered in that channel for all to
see (chat id ``"<channel id>:<user id>"``), and one in their DMs with the bot (chat id
``"<user id>"``). The DM key is the person's own key, so an atelier owner named by user
id in the atelier feed (``owner_chat_ids``: ``discord=<user id>``) answers leads in
their DMs. Chat ids are written and read here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from stylegenie.core.chats import ChatKey, Sender

PLATFORM = "discord"


@dataclass(frozen=True)
class Place:
    """Where one Discord conversation lives: a person in a server channel, or their DMs."""

    user_id: int
    channel_id: int | None = None
    """The server channel; None for the person's DMs with the bot."""

    @classmethod
    def parse(cls, chat_id: str) -> Place:
        """``"456"`` -> DMs of user 456; ``"123:456"`` -> user 456 in channel 123.

        Raises ValueError for anything else.
        """
        channel, separator, user = chat_id.rpartition(":")
        if not user.isdigit() or (separator and not channel.isdigit()):
            raise ValueError(f"not a Discord chat id: {chat_id[:60]!r}")
        return cls(user_id=int(user), channel_id=int(channel) if separator else None)

    @property
    def chat_id(self) -> str:
        """The chat id as the core stores it."""
        if self.channel_id is None:
            return str(self.user_id)
        return f"{self.channel_id}:{self.user_id}"

    @property
    def key(self) -> ChatKey:
        """The core's key of this conversation."""
        return ChatKey(platform=PLATFORM, id=self.chat_id)


def user_key(user_id: int) -> ChatKey:
    """A person's own key (the same as their DM conversation's)."""
    return Place(user_id).key


def place_of(interaction: discord.Interaction) -> Place:
    """The conversation an interaction belongs to: the person in its server channel, or
    their DMs."""
    channel_id = interaction.channel_id if interaction.guild_id else None
    return Place(user_id=interaction.user.id, channel_id=channel_id)


def sender_of(interaction: discord.Interaction) -> Sender:
    """The person behind an interaction: display name, @username and profile link.

    In a server, a member with the Administrator permission counts as the chat's admin.
    """
    user = interaction.user
    return Sender(
        user=user_key(user.id),
        display_name=user.display_name,
        handle=f"@{user.name}",
        link=f"https://discord.com/users/{user.id}",
        is_chat_admin=bool(interaction.guild_id) and interaction.permissions.administrator,
    )
