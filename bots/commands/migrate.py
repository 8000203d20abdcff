"""`stylegenie migrate`: bring the PostgreSQL schema up to date, then exit.

Every process migrates on start too; a deployment runs this once first (the compose stack's
``migrate`` job) so that services start on a ready schema and a failing migration stops the
rollout in one place.
"""

from __future__ import annotations

import argparse

from stylegenie.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the migrations not yet applied and say which ones ran."""
    from stylegenie.adapters.postgres.database import Database, embedded_database_url

    url = settings.database.url or embedded_database_url(settings.data_dir)
    with Database(url, pool_max=1) as database:
        applied = database.apply_migrations()
    if applied:
        print(f"applied migrations {', '.join(f'{v:04d}' for v in applied)}")
    else:
        print("the schema is up to date")
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``migrate``."""
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(run=run)
