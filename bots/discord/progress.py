"""A turn's progress on Discord: the deferred response's "thinking…", then words edited in.

Every interaction is deferred with "thinking" before the engine is called, and Discord
shows that until the bot answers: it is the indicator, so ``indicate`` does nothing.
Once the turn has run ``progress_after_s`` the kit's pacer posts its words into the
original response and edits them at most every ``progress_edit_every_s``; after the reply
went out as follow-ups the progress message is deleted. Past the token's lifetime the
response can no longer be edited, and progress stops showing.
"""

from __future__ import annotations

from collections.abc import Callable

import discord

from stylegenie.bots.kit.progress import Pacing
from stylegenie.config.settings import DiscordSettings
from stylegenie.core.progress import Activity


def pacing_for(settings: DiscordSettings) -> Pacing:
    """The kit's pacing with the settings' delay and edit interval."""
    return Pacing(
        message_after_s=settings.progress_after_s,
        edit_every_s=settings.progress_edit_every_s,
    )


class DiscordProgressView:
    """The kit's ProgressView for one interaction."""

    def __init__(self, interaction: discord.Interaction, open_: Callable[[], bool]) -> None:
        self._interaction = interaction
        self._open = open_
        self._message_id: int | None = None

    async def indicate(self, activity: Activity) -> None:
        """Nothing to do: the deferred response shows "thinking…" until the bot answers."""

    async def post(self, text: str) -> None:
        """Put the progress words in place of "thinking…"."""
        if self._open():
            message = await self._interaction.edit_original_response(content=text)
            self._message_id = message.id

    async def edit(self, text: str) -> None:
        """Change the progress words."""
        if self._open() and self._message_id is not None:
            await self._interaction.edit_original_response(content=text)

    async def remove(self) -> None:
        """Delete the progress message (through the channel once the token is spent)."""
        if self._message_id is None:
            return
        message_id, self._message_id = self._message_id, None
        if self._open():
            await self._interaction.delete_original_response()
            return
        channel_id = self._interaction.channel_id
        if channel_id is not None:
            channel = self._interaction.client.get_partial_messageable(channel_id)
            await channel.get_partial_message(message_id).delete()
