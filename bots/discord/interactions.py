"""Interactions in, kit turns out: every slash command and button press acknowledged at once.

Discord drops an interaction not acknowledged within 3 seconds, so each is deferred with
"thinking" before anything else, and the chat's turn (the kit's ``ChatOrder``: one
conversation's events in arrival order, conversations side by side) is awaited only
after. A press on a button of someone else's conversation gets a note only the presser
sees; a server outside ``allowed_guild_ids`` gets a plain refusal.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from stylegenie.bots.kit.order import ChatOrder
from stylegenie.bots.kit.turns import TurnRunner
from stylegenie.config.settings import DiscordSettings
from stylegenie.core.conversation.state import Incoming

from .chats import place_of, sender_of
from .commands import EventFor

log = logging.getLogger(__name__)

NOT_YOURS = "This isn't your design. Start your own with /design."
NOT_HERE = (
    "Sorry, this StyleGenie bot is private and this server isn't on its list. "
    "If you know the bot's owner, ask them to add server {guild_id}."
)


class Interactions:
    """Turns slash commands and button presses into the kit's turns."""

    def __init__(self, runner: TurnRunner, settings: DiscordSettings) -> None:
        self._runner = runner
        self._settings = settings
        self._order = ChatOrder()

    async def command(self, interaction: discord.Interaction, event: EventFor) -> None:
        """A slash command: the event built from its sender, run as a turn."""
        if await self._admitted(interaction):
            await self._turn(interaction, event(sender_of(interaction)))

    async def press(self, interaction: discord.Interaction, owner_id: int, choice_id: str) -> None:
        """A button press: the conversation's own person's press is run as a choice.

        A button from an earlier reply, or from before a restart, goes to the engine like
        any other: it continues the conversation or says plainly that it has expired.
        """
        if not await self._admitted(interaction):
            return
        if interaction.user.id != owner_id:
            await interaction.response.send_message(NOT_YOURS, ephemeral=True)
            return
        await self._turn(interaction, Incoming.choice(choice_id, sender_of(interaction)))

    async def _admitted(self, interaction: discord.Interaction) -> bool:
        """Whether the bot answers here (DMs and admins always); refuses plainly if not."""
        allowed = self._settings.allowed_guild_ids
        guild_id = interaction.guild_id
        if not allowed or guild_id is None or guild_id in allowed:
            return True
        if interaction.user.id in self._settings.admin_ids:
            return True
        await interaction.response.send_message(NOT_HERE.format(guild_id=guild_id), ephemeral=True)
        return False

    async def _turn(self, interaction: discord.Interaction, incoming: Incoming) -> None:
        """Acknowledge now, then run the turn when the conversation's earlier events are done."""
        chat = place_of(interaction).key
        ack = asyncio.ensure_future(interaction.response.defer(thinking=True))
        async with self._order.turn_of(chat):
            try:
                await ack
            except discord.HTTPException as error:
                log.warning("an interaction could not be acknowledged: %s", error)
                return
            await self._runner.run(chat, incoming, interaction)
