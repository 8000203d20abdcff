"""`stylegenie ateliers import FILE`: load ateliers from CSV or JSON Lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stylegenie.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load ateliers from a CSV or JSON Lines feed."""
    from stylegenie.adapters.feeds import read_ateliers

    from ..wiring import assemble

    ateliers, errors = read_ateliers(Path(args.file))
    for error in errors:
        print(f"skipped {args.file} {error}", file=sys.stderr)
    app = assemble(settings)
    try:
        app.ateliers.upsert_ateliers(ateliers)
    finally:
        app.close()
    print(f"loaded {len(ateliers)} ateliers ({len(errors)} rows skipped)")
    return 0 if ateliers or not errors else 1


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``ateliers import``."""
    actions = commands.add_parser("ateliers", help="manage ateliers").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    command = actions.add_parser("import", help="load ateliers from a CSV or JSON Lines file")
    command.add_argument("file")
    command.set_defaults(run=run)
