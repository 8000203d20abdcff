"""The kit's Surface on Discord: progress in the deferred response, replies as follow-ups.

A reply goes out as the interaction's follow-ups while its token lives, in the channel
(or the DMs) after; the buttons on it belong to the conversation's person. A reply
that settles the pressed message (a lead answered) edits that message to show the
outcome without buttons. Admin notices go to the admins' DMs.
"""

from __future__ import annotations

from collections.abc import Callable

import discord

from stylegenie.config.settings import DiscordSettings
from stylegenie.core.chats import ChatKey
from stylegenie.core.ports import ImageStore
from stylegenie.core.reply import Reply

from .chats import Place
from .progress import DiscordProgressView
from .sending import ChannelPosts, FollowUps, ReplySender, followup_open, settle


def interaction_of(event: object) -> discord.Interaction:
    """The interaction a turn answers (every Discord turn has one)."""
    if not isinstance(event, discord.Interaction):
        raise TypeError(f"a Discord turn answers an interaction, not {type(event).__name__}")
    return event


class DiscordSurface:
    """Progress views, replies and admin notices for the kit's turn runner."""

    def __init__(self, client: discord.Client, images: ImageStore, settings: DiscordSettings):
        self._client = client
        self._images = images
        self._settings = settings

    def progress_view(self, chat: ChatKey, event: object) -> DiscordProgressView:
        """Progress in the interaction's original response."""
        interaction = interaction_of(event)
        return DiscordProgressView(interaction, self._token_open(interaction))

    async def send(self, chat: ChatKey, reply: Reply, event: object) -> None:
        """Send the reply; a pressed lead message is settled to show its outcome."""
        interaction = interaction_of(event)
        place = Place.parse(chat.id)
        if interaction.channel_id is None:
            raise RuntimeError("the interaction names no channel to answer in")
        channel = self._client.get_partial_messageable(
            interaction.channel_id, guild_id=interaction.guild_id
        )
        mention = place.user_id if place.channel_id is not None else None
        in_channel = ChannelPosts(channel, interaction.filesize_limit, mention)
        destination = FollowUps(interaction, self._token_open(interaction), in_channel)
        await ReplySender(self._images).send(destination, reply, place.user_id)
        pressed = interaction.message
        if reply.pressed_outcome and pressed is not None:
            await settle(pressed, f"{pressed.content}\n\n{reply.pressed_outcome}".strip())

    async def tell_admins(self, text: str) -> None:
        """Message every admin of the bot in their DMs."""
        for admin in self._settings.admin_ids:
            dm = await self._client.create_dm(discord.Object(admin))
            await dm.send(text)

    def _token_open(self, interaction: discord.Interaction) -> Callable[[], bool]:
        lifetime_s = self._settings.followup_lifetime_s
        return lambda: followup_open(interaction, lifetime_s)
