"""The ``stylegenie`` command: one subcommand per capability.

stylegenie chat [--script FILE]       talk to StyleGenie in the terminal
stylegenie catalog ingest FILE        load products (CSV or JSON Lines)
stylegenie ateliers import FILE       load ateliers (CSV or JSON Lines)
stylegenie search "TEXT"              search the catalogue from the shell
stylegenie worker --queues gpu        run a Celery worker
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from stylegenie.config import Settings, SettingsError, load_settings

Command = Callable[[argparse.Namespace, Settings], int]


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from .terminal import TerminalChat
    from .wiring import assemble

    app = assemble(settings)
    try:
        chat = TerminalChat(app.engine, chat_key=f"terminal:{args.user}")
        if args.script:
            chat.replay(Path(args.script).read_text(encoding="utf-8").splitlines())
        else:
            chat.interactive()
    finally:
        app.close()
    return 0


def _catalog_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from stylegenie.adapters.feeds import read_products
    from stylegenie.core.ingest import CatalogIngestor, unique_by_id
    from stylegenie.gpu_workers.runtime import runtime_from_settings

    from .wiring import assemble

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


def _ateliers_import(args: argparse.Namespace, settings: Settings) -> int:
    from stylegenie.adapters.feeds import read_ateliers

    from .wiring import assemble

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


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from stylegenie.core.ports import SearchFilters, SearchQuery
    from stylegenie.gpu_workers.runtime import runtime_from_settings

    from .wiring import assemble

    if not args.text.strip():
        print(
            'Give some words to search for, e.g. stylegenie search "red summer dress"',
            file=sys.stderr,
        )
        return 2
    app = assemble(settings)
    try:
        searcher = runtime_from_settings(settings, app.catalog).searcher
        query = SearchQuery(
            text=args.text[: settings.chat.max_message_chars],
            filters=SearchFilters(max_price=args.max_price),
            budget_max=args.max_price,
            top_k=args.top,
        )
        hits = searcher.search(query)
    finally:
        app.close()
    for hit in hits:
        if args.json:
            print(
                json.dumps(
                    {
                        "product_id": hit.product.id,
                        "name": hit.product.name,
                        "price": hit.product.price,
                        "score": hit.score,
                        "breakdown": hit.breakdown.model_dump(),
                    }
                )
            )
        else:
            print(
                f"{hit.score:.3f}  {hit.product.price:>8g} {hit.product.currency}  "
                f"{hit.product.name}  ({hit.why})"
            )
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from stylegenie.adapters.postgres.database import open_database
    from stylegenie.adapters.postgres.repositories import PostgresCatalog
    from stylegenie.gpu_workers import runtime
    from stylegenie.gpu_workers.celery_app import configure_celery

    if settings.workers.mode == "eager":
        print(
            "STYLEGENIE_WORKERS__MODE is 'eager': tasks run inside the chat process; "
            "set it to 'celery' to run separate workers.",
            file=sys.stderr,
        )
        return 2
    database = open_database(settings)
    runtime.set_builder(lambda: runtime.runtime_from_settings(settings, PostgresCatalog(database)))
    app = configure_celery(settings)
    app.worker_main(
        [
            "worker",
            "--queues",
            args.queues,
            "--concurrency",
            str(args.concurrency),
            "--loglevel",
            "INFO",
        ]
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="stylegenie", description="StyleGenie, the fashion design assistant."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="talk to StyleGenie in the terminal")
    chat.add_argument("--script", help="replay a conversation file and print the transcript")
    chat.add_argument("--user", default="local", help="who is chatting (keeps their saved designs)")
    chat.set_defaults(run=_chat)

    catalog = commands.add_parser("catalog", help="manage the product catalogue").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    ingest = catalog.add_parser("ingest", help="load products from a CSV or JSON Lines file")
    ingest.add_argument("file")
    ingest.set_defaults(run=_catalog_ingest)

    ateliers = commands.add_parser("ateliers", help="manage ateliers").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    atelier_import = ateliers.add_parser(
        "import", help="load ateliers from a CSV or JSON Lines file"
    )
    atelier_import.add_argument("file")
    atelier_import.set_defaults(run=_ateliers_import)

    search = commands.add_parser("search", help="search the catalogue")
    search.add_argument("text")
    search.add_argument("--max-price", type=float, default=None)
    search.add_argument("--top", type=int, default=10)
    search.add_argument("--json", action="store_true", help="one JSON object per product")
    search.set_defaults(run=_search)

    worker = commands.add_parser("worker", help="run a Celery worker (gpu and/or default queue)")
    worker.add_argument("--queues", default="gpu,default")
    worker.add_argument("--concurrency", type=int, default=1)
    worker.set_defaults(run=_worker)
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
