"""`stylegenie catalog ingest FILE`: load products from CSV or JSON Lines.

Options: ``--preset kagl|myntra`` for the known catalogue layouts, ``--map column=field``
(repeatable) to rename a feed's columns to product fields, ``--images DIR`` for product
photos (``<DIR>/<id>.jpg``, or an ``image`` column), ``--quiet`` for no progress bar.
Refused rows are listed on stderr with their line and reason; loading is idempotent, so
re-running a feed after a crash repairs it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from stylegenie.adapters.catalog_presets import PRESETS
from stylegenie.adapters.feeds import FeedError, FeedOptions, ProductFeed
from stylegenie.config import Settings
from stylegenie.core.ingest import IngestReport


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
    return 0 if report.loaded or not skipped else 1


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``catalog ingest``."""
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
