"""`stylegenie discord`: run the Discord bot; `stylegenie discord sync-commands`: register
its slash commands (explicitly, never on every start).

Without ``--guild`` the commands go to the development servers of
``STYLEGENIE_DISCORD__DEV_GUILD_IDS`` when set (they show at once), globally otherwise
(or with ``--global``; Discord may take up to an hour to show them everywhere).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from stylegenie.config import Settings

NO_TOKEN = (
    "The Discord bot needs a token: set STYLEGENIE_DISCORD__TOKEN "
    "(Discord developer portal, your application, Bot tab)."
)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot until interrupted; without a token, say which setting is missing."""
    if settings.discord.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from ..discord import StyleGenieClient
    from ..discord import run as serve
    from ..wiring import assemble, image_store_for

    app = assemble(settings)
    app.serve_ops()
    app.geocoder.load()  # now, not in the first shopper's atelier search
    try:
        images = image_store_for(settings)
        client = StyleGenieClient(settings.discord, app.engine, images, app.lead_wiring())
        serve(client)
    finally:
        app.close()
    return 0


def sync(args: argparse.Namespace, settings: Settings) -> int:
    """Register the slash commands in the chosen servers, or globally."""
    if settings.discord.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from ..discord import sync_commands

    guilds = [] if args.everywhere else args.guild or settings.discord.dev_guild_ids
    names = asyncio.run(sync_commands(settings.discord, guilds))
    where = f"server(s) {', '.join(map(str, guilds))}" if guilds else "every server (global)"
    print(f"Synced {len(names)} commands to {where}: " + " ".join(f"/{n}" for n in names))
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``discord`` and ``discord sync-commands``."""
    discord = commands.add_parser("discord", help="run the Discord bot")
    discord.set_defaults(run=run)
    actions = discord.add_subparsers(dest="action", metavar="ACTION")
    syncing = actions.add_parser("sync-commands", help="register the slash commands with Discord")
    where = syncing.add_mutually_exclusive_group()
    where.add_argument(
        "--guild", type=int, action="append", metavar="ID", help="a server to sync to (repeatable)"
    )
    where.add_argument(
        "--global", dest="everywhere", action="store_true", help="sync globally, not to dev servers"
    )
    syncing.set_defaults(run=sync)
