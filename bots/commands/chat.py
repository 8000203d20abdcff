"""`stylegenie chat`: talk to StyleGenie in the terminal, or replay a script."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from stylegenie.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Talk to StyleGenie in the terminal, or replay a script."""
    from ..terminal import TerminalChat
    from ..wiring import assemble, text_pacing_for

    script: list[str] | None = None
    if args.script:
        try:
            script = Path(args.script).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            why = (error.strerror or str(error)).lower()
            print(f"stylegenie chat: can't read the script {args.script}: {why}", file=sys.stderr)
            return 2
        except UnicodeDecodeError:
            print(f"stylegenie chat: the script {args.script} is not UTF-8 text", file=sys.stderr)
            return 2
    app = assemble(settings)
    chat = TerminalChat(
        app.engine,
        args.user,
        pacing=text_pacing_for(settings),
        jsonl=args.jsonl,
        leads=app.lead_wiring(),
    )
    try:
        chat.start()
        if script is not None:
            chat.replay(script)
        else:
            chat.interactive()
    finally:
        chat.close()
        app.close()
    return 0


def login_name() -> str:
    """The person at this terminal: their login name, or "local" when none is known."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``chat``."""
    chat = commands.add_parser("chat", help="talk to StyleGenie in the terminal")
    chat.add_argument("--script", help="replay a conversation file and print the transcript")
    chat.add_argument(
        "--user",
        default=login_name(),
        help="who is chatting: their saved designs, and the name an atelier gets on accept "
        "(default: your login name)",
    )
    chat.add_argument(
        "--jsonl",
        action="store_true",
        help="print one JSON object per turn (the outfit after it and the reply) for scoring",
    )
    chat.set_defaults(run=run)
