"""The ``stylegenie`` command: one subcommand per capability, one module each in ``commands/``.

stylegenie chat [--script FILE]       talk to StyleGenie in the terminal
stylegenie catalog ingest FILE        load products (CSV or JSON Lines)
stylegenie ateliers import FILE       load ateliers (CSV or JSON Lines)
stylegenie search "TEXT"              search the catalogue from the shell
stylegenie worker --queues gpu        run a Celery worker
stylegenie telegram                   run the Telegram bot
stylegenie discord [sync-commands]    run the Discord bot, or register its slash commands
stylegenie api [--host H] [--port P]  serve the REST API and the web chat page
stylegenie api-keys create|list|revoke   manage API keys
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable

from stylegenie.config import Settings, SettingsError, load_settings

from .commands import api, ateliers, catalog, chat, discord, search, telegram, worker

Command = Callable[[argparse.Namespace, Settings], int]
SUBCOMMANDS = (chat, catalog, ateliers, search, worker, telegram, discord, api)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="stylegenie", description="StyleGenie, the fashion design assistant."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``stylegenie`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    run: Command = args.run
    return run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
