"""`stylegenie worker --queues gpu`: run a Celery worker."""

from __future__ import annotations

import argparse
import sys

from stylegenie.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a Celery worker that serves the configured queues."""
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


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``worker``."""
    worker = commands.add_parser("worker", help="run a Celery worker (gpu and/or default queue)")
    worker.add_argument("--queues", default="gpu,default")
    worker.add_argument("--concurrency", type=int, default=1)
    worker.set_defaults(run=run)
