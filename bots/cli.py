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
stylegenie migrate                    bring the database schema up to date

Before a command runs, the servers its settings name are checked (``wiring.preflight``). A
command that fails, and a mistake on the command line, print one line on stderr and exit
non-zero (2 when the message says what to fix: a dead server, a held Milvus Lite file);
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from stylegenie.adapters.observability.logs import configure_logging
from stylegenie.adapters.observability.tracing import configure_tracing
from stylegenie.config import Settings, SettingsError, load_settings

from .commands import api, ateliers, catalog, chat, discord, migrate, search, telegram, worker

Command = Callable[[argparse.Namespace, Settings], int]
SUBCOMMANDS = (chat, catalog, ateliers, search, worker, telegram, discord, api, migrate)
OFFLINE: set[Command] = {discord.sync}
"""Commands that use no server of the settings, so none is checked before them."""
INDEX_COMMANDS = {"catalog", "worker"}
"""Commands that open the product index in their own process."""
EAGER_INDEX_COMMANDS = {"chat", "search", "telegram", "discord", "api"}
"""Commands that open it in eager mode, where their tasks run in their own process."""


class Parser(argparse.ArgumentParser):
    """An argument parser that states a mistake in one line, and where help is."""

    def error(self, message: str) -> NoReturn:
        """Exit with code 2 and ``prog: message (see prog --help)``."""
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = Parser(prog="stylegenie", description="StyleGenie, the fashion design assistant.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback when a command fails"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``stylegenie`` console script."""
    args = build_parser().parse_args(argv)
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(settings.observability, service=args.command, verbose=args.verbose)
    configure_tracing(settings.observability, service=args.command)
    run: Command = args.run
    try:
        if run not in OFFLINE:
            from .wiring.preflight import preflight

            preflight(settings, opens_index=opens_index(args.command, settings))
        return run(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if args.debug:
            raise
        explained = explanation(error)
        print(explained or unexplained(args.command, error), file=sys.stderr)
        return 2 if explained else 1


def opens_index(command: str, settings: Settings) -> bool:
    """Whether ``command`` opens the product index (a Milvus Lite file) in its process."""
    eager = settings.workers.mode == "eager"
    return command in INDEX_COMMANDS or (eager and command in EAGER_INDEX_COMMANDS)


def explanation(error: Exception) -> str | None:
    """The message of a failure that already says what to do (a dead server, one line
    each; a Milvus Lite file another process holds), or None for any other failure."""
    from stylegenie.adapters.milvus_server import MilvusLiteInUse

    from .wiring.preflight import ServerUnavailable

    return str(error) if isinstance(error, ServerUnavailable | MilvusLiteInUse) else None


def unexplained(command: str, error: Exception) -> str:
    """One line for any other failure: its type, its first line, the way to the traceback."""
    first = (str(error).strip().splitlines() or [""])[0]
    return (
        f"stylegenie {command}: {type(error).__name__}: {first} "
        "(run with --debug for the traceback)"
    )


if __name__ == "__main__":
    sys.exit(main())
