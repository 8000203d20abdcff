"""`stylegenie catalog ingest FILE` and `stylegenie catalog check [--repair]`.

``ingest`` loads products from CSV or JSON Lines. Options: ``--preset kagl|myntra`` for the
known catalogue layouts, ``--map column=field`` (repeatable) to rename a feed's columns to
product fields, ``--images DIR`` for product photos (``<DIR>/<id>.jpg``, or an ``image``
column naming a file inside DIR), ``--quiet`` for no progress bar. Refused rows are listed on
stderr with their line and reason; a CSV structure error (a stray quote that swallowed rows)
names the lines it swallowed and makes the command exit 1, though the other rows load.
Loading is idempotent, so re-running a feed after a crash repairs it.

``check`` compares the product ids of PostgreSQL (metadata) and Milvus (vectors), which a
crash between the two stores, or a store restored from a backup, can leave apart; it exits 1
when they disagree. ``--repair`` indexes what Milvus lacks, embedded again from the
PostgreSQL rows, and deletes from Milvus what PostgreSQL lacks.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path

from tqdm import tqdm

from stylegenie.adapters.catalog_presets import PRESETS
from stylegenie.adapters.feeds import FeedError, FeedOptions, ProductFeed
from stylegenie.adapters.milvus_server import MilvusLiteInUse
from stylegenie.config import Settings
from stylegenie.core.ingest import IngestReport, StoreCheck, check_stores

SHOWN_IDS = 10
"""Ids listed per side by ``catalog check``; the counts say how many there are."""


def _mapping(text: str) -> tuple[str, str]:
    """``column=field`` → (column, field), validated at the edge."""
    column, _, field = text.rpartition("=")
    if not column.strip() or not field.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: write --map column=field")
    return column.strip(), field.strip()


def _ingest(feed: ProductFeed, settings: Settings, bar: tqdm, done: list[int]) -> IngestReport:
    """Build the stores and models, ingest the feed; ``done`` holds the products loaded so far."""
    from ..wiring import assemble, ingestor_for, worker_runtime_for

    def progress(loaded: int) -> None:
        done[0] = loaded
        bar.update(feed.rows_read - bar.n)

    app = assemble(settings)
    try:
        worker = worker_runtime_for(settings, app.catalog)
        try:
            return ingestor_for(settings, app.catalog, worker).ingest_items(feed, on_batch=progress)
        finally:
            close_index = getattr(worker.index, "close", None)
            if close_index:
                close_index()
    finally:
        app.close()


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load products from a CSV or JSON Lines feed: photos, metadata, then vectors."""
    options = FeedOptions(
        preset=PRESETS[args.preset] if args.preset else None,
        columns=dict(args.map or []),
        images=Path(args.images) if args.images else None,
    )
    if options.images is not None and not options.images.is_dir():
        print(f"--images {args.images}: no such folder", file=sys.stderr)
        return 2
    try:
        feed = ProductFeed(Path(args.file), options)
    except FeedError as error:
        print(error, file=sys.stderr)
        return 2
    show = not args.quiet and sys.stderr.isatty()
    total = feed.count_rows() if show else None
    done = [0]
    bar = tqdm(total=total, unit=" rows", desc="ingesting", file=sys.stderr, disable=not show)
    with bar:
        try:
            report = _ingest(feed, settings, bar, done)
        except MilvusLiteInUse:
            raise  # its own message says what to do; re-running would not help
        except Exception as error:  # a store or model failed: say how to finish, no traceback
            print(
                f"ingest stopped after {done[0]} products: {type(error).__name__}: {error}\n"
                "Re-run the same command: loading is idempotent and completes a partial run.",
                file=sys.stderr,
            )
            return 1
    problems = sorted([*feed.problems, *report.problems], key=lambda problem: problem.line)
    for problem in problems:
        print(f"{args.file} {problem}", file=sys.stderr)
    skipped = sum(problem.skipped for problem in problems)
    print(
        f"loaded {report.loaded} products ({skipped} rows skipped, "
        f"{len(problems) - skipped} loaded with a warning, {report.photos} photos)"
    )
    if feed.lost_rows:
        return 1
    return 0 if report.loaded or not skipped else 1


def _ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown + (f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")


def _report(check: StoreCheck) -> None:
    """The check's verdict on stdout: agreement, or the counts and ids on each side."""
    if check.agree:
        print(f"PostgreSQL and Milvus agree: {check.catalog_count} products")
        return
    print(f"PostgreSQL has {check.catalog_count} products, Milvus {check.index_count}")
    if check.catalog_only:
        only = len(check.catalog_only)
        print(f"{only} only in PostgreSQL (no search finds them): {_ids(check.catalog_only)}")
    if check.index_only:
        only = len(check.index_only)
        print(f"{only} only in Milvus (found, then dropped): {_ids(check.index_only)}")


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Compare the product ids of PostgreSQL and Milvus; with ``--repair``, make them agree."""
    from stylegenie.adapters.postgres.repositories import PostgresCatalog
    from stylegenie.core.ingest import CatalogIngestor

    from ..wiring import (
        database_for,
        image_embedder_for,
        image_store_for,
        product_index_for,
        text_embedder_for,
    )

    embedder, image_embedder = text_embedder_for(settings), image_embedder_for(settings)
    with (
        closing(database_for(settings)) as database,
        closing(product_index_for(settings, embedder, image_embedder)) as index,
    ):
        catalog = PostgresCatalog(database)
        check = check_stores(catalog, index)
        _report(check)
        if check.agree:
            return 0
        if not args.repair:
            print("Run `stylegenie catalog check --repair` to make them agree.")
            return 1
        images = image_store_for(settings)
        ingestor = CatalogIngestor(
            embedder, index, catalog, images=images, image_embedder=image_embedder
        )
        indexed = ingestor.reindex(check.catalog_only)
        index.delete(check.index_only)
        print(
            f"repaired: indexed {indexed.loaded} products again ({indexed.photos} with their "
            f"photo), deleted {len(check.index_only)} from Milvus"
        )
        after = check_stores(catalog, index)
        _report(after)
        return 0 if after.agree else 1


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``catalog ingest`` and ``catalog check``."""
    actions = commands.add_parser("catalog", help="manage the product catalogue").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    command = actions.add_parser("ingest", help="load products from a CSV or JSON Lines file")
    command.add_argument("file", help="a .csv or .jsonl feed")
    command.add_argument("--preset", choices=sorted(PRESETS), help="a known catalogue layout")
    command.add_argument(
        "--map",
        action="append",
        type=_mapping,
        metavar="COLUMN=FIELD",
        help="rename a feed column to a product field (repeatable)",
    )
    command.add_argument("--images", metavar="DIR", help="folder of product photos (<id>.jpg)")
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    command.set_defaults(run=run)
    check = actions.add_parser("check", help="compare the products of PostgreSQL and Milvus")
    check.add_argument(
        "--repair",
        action="store_true",
        help="index what Milvus lacks and delete from it what PostgreSQL lacks",
    )
    check.set_defaults(run=run_check)
