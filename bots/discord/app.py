"""The Discord bot: a discord.py ``Client`` owning the slash-command tree and the buttons.

``StyleGenieClient`` wires the library the way the bot needs it: Discord's REST root and
gateway from settings (a test points them at a fake); only the ``guilds`` intent (slash
commands and buttons need no privileged one; guilds keep discord.py's state whole);
discord.py's rate-limit buckets with the settings' ``max_ratelimit_timeout`` (a longer
wait fails the request, and the shopper gets the kit's apology); turns run by the kit's
``TurnRunner`` in a thread pool of ``engine_threads``; the choice buttons registered as
dynamic items at start; and, with the app's lead wiring, the Discord lead channel and the
kit's lead outbox. Commands are synced only on request (``sync_commands``), never on
start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import discord
import yarl
from discord import app_commands

from stylegenie.bots.kit.bridge import LoopBridge
from stylegenie.bots.kit.outbox import LeadWiring, OutboxLoop
from stylegenie.bots.kit.turns import TurnEngine, TurnRunner, engine_threads
from stylegenie.config.settings import DiscordSettings
from stylegenie.core.ports import ImageStore

from .buttons import ChoiceButton
from .channel import DiscordChannel
from .commands import EventFor, slash_commands
from .interactions import Interactions
from .progress import pacing_for
from .surface import DiscordSurface

log = logging.getLogger(__name__)

API_VERSION = 10
INTENTS = discord.Intents(guilds=True)
SEND_TIMEOUT_S = 30.0
"""Longest an outbox thread waits for the bot to send one message outside a turn."""


def point_at_discord(settings: DiscordSettings) -> None:
    """Send discord.py's REST calls and gateway connection where the settings say.

    Both are class attributes of the library, so this holds for the whole process.
    """
    discord.http.Route.BASE = f"{settings.api_base.rstrip('/')}/api/v{API_VERSION}"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_address)


def token_of(settings: DiscordSettings) -> str:
    """The bot token; ValueError naming the setting when there is none."""
    if settings.token is None:
        raise ValueError("the Discord bot needs a token (STYLEGENIE_DISCORD__TOKEN)")
    return settings.token.get_secret_value()


def command_tree(client: discord.Client) -> app_commands.CommandTree[discord.Client]:
    """A command tree for the client holding every slash command."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    for command in slash_commands():
        tree.add_command(command)
    return tree


class StyleGenieClient(discord.Client):
    """The bot: slash commands and button presses in, the kit's turns out.

    With ``leads``, it also delivers lead messages to atelier owners and news to shoppers
    on Discord, and runs the lead outbox while it is up.
    """

    def __init__(
        self,
        settings: DiscordSettings,
        engine: TurnEngine,
        images: ImageStore,
        leads: LeadWiring | None = None,
    ) -> None:
        point_at_discord(settings)
        super().__init__(
            intents=INTENTS,
            application_id=settings.application_id,
            max_ratelimit_timeout=settings.max_ratelimit_timeout_s,
        )
        self.settings = settings
        self.tree = command_tree(self)
        self._executor = engine_threads(settings.engine_threads)
        runner = TurnRunner(
            engine, DiscordSurface(self, images, settings), self._executor, pacing_for(settings)
        )
        self._interactions = Interactions(runner, settings)
        self._bridge = LoopBridge(SEND_TIMEOUT_S)
        self._channel = DiscordChannel(self._bridge, images)
        self._outbox = OutboxLoop(leads, self._executor) if leads else None
        if leads and self._outbox:
            leads.hub.register(self._channel.platform, self._channel)
            leads.listen(self._outbox.wake)

    async def setup_hook(self) -> None:
        """At login: buttons of any message answerable, lead sends and the outbox on."""
        self.add_dynamic_items(ChoiceButton)
        self._bridge.start()
        self._channel.attach(self)
        if self._outbox:
            self._outbox.start()

    async def command(self, interaction: discord.Interaction, event: EventFor) -> None:
        """A slash command's event (``commands.CommandHost``)."""
        await self._interactions.command(interaction, event)

    async def press(self, interaction: discord.Interaction, owner_id: int, choice_id: str) -> None:
        """A choice button's press (``buttons.ButtonHost``)."""
        await self._interactions.press(interaction, owner_id, choice_id)

    async def close(self) -> None:
        """Stop the outbox and lead sends, disconnect, and let the engine threads go."""
        if self.is_closed():
            return
        if self._outbox:
            await self._outbox.stop()
        self._bridge.stop()
        await super().close()
        self._executor.shutdown(wait=False, cancel_futures=True)


def run(client: StyleGenieClient) -> None:
    """Serve until interrupted, logging through the process's logging set-up."""
    client.run(token_of(client.settings), log_handler=None)


@asynccontextmanager
async def serving(client: StyleGenieClient) -> AsyncIterator[StyleGenieClient]:
    """Serve inside an already running event loop (tests, benchmarks, embedding): log in,
    connect, and yield once READY; close on the way out."""
    connection: asyncio.Task[None] | None = None
    try:
        await client.login(token_of(client.settings))
        connection = asyncio.create_task(client.connect(), name="discord-gateway")
        ready = asyncio.create_task(client.wait_until_ready())
        await asyncio.wait([connection, ready], return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await connection  # raises why the connection ended
            raise RuntimeError("the Discord gateway closed before READY")
        yield client
    finally:
        await client.close()
        if connection is not None:
            await asyncio.gather(connection, return_exceptions=True)


async def sync_commands(settings: DiscordSettings, guild_ids: Sequence[int]) -> list[str]:
    """Register the slash commands with Discord: in each of ``guild_ids`` (at once, for
    development), or globally without any (may take up to an hour to show). Returns the
    names registered; needs only the token, not a running bot."""
    point_at_discord(settings)
    client = discord.Client(intents=discord.Intents.none(), application_id=settings.application_id)
    tree = command_tree(client)
    async with client:
        await client.login(token_of(settings))
        if not guild_ids:
            return [command.name for command in await tree.sync()]
        names: list[str] = []
        for guild_id in guild_ids:
            guild = discord.Object(guild_id)
            tree.copy_global_to(guild=guild)
            names = [command.name for command in await tree.sync(guild=guild)]
            log.info("synced %d commands to server %d", len(names), guild_id)
        return names
