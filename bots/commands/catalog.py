"""`stylegenie catalog ingest FILE`: load products from CSV or JSON Lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stylegenie.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load products from a CSV or JSON Lines feed, metadata first, then vectors."""
    from stylegenie.adapters.feeds import read_products
    from stylegenie.core.ingest import CatalogIngestor, unique_by_id
    from stylegenie.gpu_workers.runtime import runtime_from_settings

    from ..wiring import assemble

    products, errors = read_products(Path(args.file))
    for error in errors:
        print(f"skipped {args.file} {error}", file=sys.stderr)
    app = assemble(settings)
    try:
        worker = runtime_from_settings(settings, app.catalog)
        ingestor = CatalogIngestor(worker.embedder, worker.index, app.catalog)
        count = ingestor.ingest(unique_by_id(products))
    finally:
        app.close()
    print(f"loaded {count} products ({len(errors)} rows skipped)")
    return 0 if count or not errors else 1


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``catalog ingest``."""
    actions = commands.add_parser("catalog", help="manage the product catalogue").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    command = actions.add_parser("ingest", help="load products from a CSV or JSON Lines file")
    command.add_argument("file")
    command.set_defaults(run=run)
