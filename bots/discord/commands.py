"""The slash commands: the core's command list, plus ``/design`` and ``/search``.

Discord reads no free text from a server channel without a privileged intent, so
describing a garment is a command of its own: ``/design description`` and
``/search text [max_price]`` are the core's TEXT turns (a price becomes "under N" in the
words). Every command of ``core.commands.COMMANDS`` is a slash command with its
description and, where it takes one, its argument (``/ateliers [city]``,
``/budget [amount]``, ``/prefs [text]``). Each hands the client an event to build from
the person who sent it; the client acknowledges the interaction and runs the turn.

The commands are plain module functions (the client is the interaction's), so syncing
them needs no running bot.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, Protocol, cast

import discord
from discord import app_commands

from stylegenie.core.chats import Sender
from stylegenie.core.commands import COMMANDS
from stylegenie.core.conversation.state import Incoming, MessageKind

EventFor = Callable[[Sender], Incoming]
"""Builds the core's event once the sender is known."""
Callback = Callable[Concatenate[discord.Interaction, ...], Coroutine[Any, Any, None]]
"""A slash command's callback: the interaction, then the command's options."""

DESIGN = "Describe a garment or a look and get designs"
SEARCH = "Find shop items matching your words"
CONTEXTS = app_commands.AppCommandContext(guild=True, dm_channel=True)
INSTALLS = app_commands.AppInstallationType(guild=True)


class CommandHost(Protocol):
    """The client a slash command hands its event to."""

    async def command(self, interaction: discord.Interaction, event: EventFor) -> None:
        """Acknowledge the interaction and run the event as a turn."""
        ...


def text_event(words: str) -> EventFor:
    """A described garment, a TEXT turn."""
    return lambda sender: Incoming(kind=MessageKind.TEXT, sender=sender, text=words)


def command_event(name: str, argument: str | None = None) -> EventFor:
    """One of the core's commands with its argument."""
    return lambda sender: Incoming(
        kind=MessageKind.COMMAND, sender=sender, command=name, text=(argument or "").strip()
    )


def search_words(text: str, max_price: float | None) -> str:
    """``"linen shirt", 50`` -> ``"linen shirt, under 50"``: the price in the core's words."""
    return text if max_price is None else f"{text}, under {max_price:g}"


async def _hand(interaction: discord.Interaction, event: EventFor) -> None:
    await cast(CommandHost, interaction.client).command(interaction, event)


@app_commands.describe(description="What to design, e.g. a sage linen dress for a wedding")
async def design(interaction: discord.Interaction, description: str) -> None:
    """/design: the shopper's description, read and drawn."""
    await _hand(interaction, text_event(description))


@app_commands.describe(text="What to look for", max_price="The most you want to pay")
async def search(
    interaction: discord.Interaction,
    text: str,
    max_price: app_commands.Range[float, 1, 1_000_000] | None = None,
) -> None:
    """/search: the shopper's words with an optional price ceiling."""
    await _hand(interaction, text_event(search_words(text, max_price)))


@app_commands.describe(city="Where to look (default: the city you gave)")
async def ateliers(interaction: discord.Interaction, city: str | None = None) -> None:
    """/ateliers: makers for the picked design, near ``city`` when given."""
    await _hand(interaction, command_event("ateliers", city))


@app_commands.describe(amount="Your budget, e.g. 80")
async def budget(interaction: discord.Interaction, amount: str | None = None) -> None:
    """/budget: set the budget, or be asked for it."""
    await _hand(interaction, command_event("budget", amount))


@app_commands.describe(text="Your size, city or style, e.g. size M, Lisbon")
async def prefs(interaction: discord.Interaction, text: str | None = None) -> None:
    """/prefs: show, or with words set, the shopper's preferences."""
    await _hand(interaction, command_event("prefs", text))


WITH_ARGUMENT: dict[str, Callback] = {"ateliers": ateliers, "budget": budget, "prefs": prefs}


def _plain(name: str) -> Callback:
    """The callback of a command without an argument."""

    async def callback(interaction: discord.Interaction) -> None:
        await _hand(interaction, command_event(name))

    return callback


def slash_commands() -> list[app_commands.Command[Any, ..., None]]:
    """Every slash command, usable in servers and in DMs with the bot."""
    described: list[tuple[str, str, Callback]] = [
        ("design", DESIGN, design),
        ("search", SEARCH, search),
    ]
    described += [
        (command.name, command.description, WITH_ARGUMENT.get(command.name, _plain(command.name)))
        for command in COMMANDS
    ]
    return [
        app_commands.Command(
            name=name,
            description=description,
            callback=callback,
            allowed_contexts=CONTEXTS,
            allowed_installs=INSTALLS,
        )
        for name, description, callback in described
    ]
