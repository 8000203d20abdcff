"""`stylegenie telegram`: run the Telegram bot (long polling, or a webhook by settings)."""

from __future__ import annotations

import argparse
import sys

from stylegenie.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot until interrupted; without a token, say which setting is missing."""
    if settings.telegram.token is None:
        print(
            "The Telegram bot needs a token: set STYLEGENIE_TELEGRAM__TOKEN "
            "(ask @BotFather on Telegram for one).",
            file=sys.stderr,
        )
        return 2
    from ..telegram import build_application, use_fast_event_loop
    from ..telegram import run as serve
    from ..wiring import assemble, image_store_for

    app = assemble(settings)
    app.serve_ops()
    app.geocoder.load()  # now, not in the first shopper's atelier search
    try:
        images = image_store_for(settings)
        application = build_application(settings.telegram, app.engine, images, app.lead_wiring())
        use_fast_event_loop()
        serve(application, settings.telegram)
    finally:
        app.close()
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``telegram``."""
    telegram = commands.add_parser("telegram", help="run the Telegram bot")
    telegram.set_defaults(run=run)
