"""`stylegenie ateliers import FILE` and `stylegenie ateliers rotate-key`.

``import`` lists each refused row on stderr with its line and reason (no city, an unknown
city, coordinates out of range, prices that are not finite or the wrong way round, a
duplicate id), and each loaded row no one can reach (no contact, no owner chat) as a
warning; a CSV structure error (a stray quote that swallowed rows) makes it exit 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stylegenie.config import Settings


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """Load ateliers from a CSV or JSON Lines feed; rows without coordinates are placed offline."""
    from stylegenie.adapters.feeds import FeedError, read_ateliers

    from ..wiring import assemble

    app = assemble(settings)
    try:
        ateliers, problems = read_ateliers(Path(args.file), app.geocoder)
        for problem in problems:
            print(f"{args.file} {problem}", file=sys.stderr)
        app.ateliers.upsert_ateliers(ateliers)
    except FeedError as error:  # no such file, or not .csv / .jsonl
        print(error, file=sys.stderr)
        return 2
    finally:
        app.close()
    skipped = sum(problem.skipped for problem in problems)
    warned = len(problems) - skipped
    print(f"loaded {len(ateliers)} ateliers ({skipped} rows skipped, {warned} with a warning)")
    if any(problem.through for problem in problems):
        return 1
    return 0 if ateliers or not skipped else 1


def run_rotate(args: argparse.Namespace, settings: Settings) -> int:
    """Re-encrypt every stored contact with the first key of STYLEGENIE_PRIVACY__CONTACT_KEYS."""
    from ..wiring import assemble, cipher_for

    if len(settings.privacy.contact_keys) < 2:
        print(
            "Put the new key first and the old one after it in STYLEGENIE_PRIVACY__CONTACT_KEYS,"
            " then run this again.",
            file=sys.stderr,
        )
        return 2
    app = assemble(settings)
    try:
        count = app.ateliers.rotate_contacts(cipher_for(settings))
    finally:
        app.close()
    print(f"re-encrypted {count} contacts with the new key; the old key can now be removed")
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``ateliers import`` and ``ateliers rotate-key``."""
    actions = commands.add_parser("ateliers", help="manage ateliers").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    command = actions.add_parser("import", help="load ateliers from a CSV or JSON Lines file")
    command.add_argument("file")
    command.set_defaults(run=run_import)
    rotate = actions.add_parser("rotate-key", help="re-encrypt contacts with the newest key")
    rotate.set_defaults(run=run_rotate)
