"""`stylegenie worker --queues gpu`: run a Celery worker for the heavy tasks.

With a metrics port set, the worker's main process serves ``/metrics`` (its tasks' and,
for a prefork pool, every child's, shared through ``observability.metrics_dir``, plus the
queues' depth) and ``/healthz`` (database, Redis, Milvus, broker).
"""

from __future__ import annotations

import argparse
import logging
import sys

from stylegenie.config import Settings
from stylegenie.gpu_workers.celery_app import WorkerApp

log = logging.getLogger(__name__)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a Celery worker that serves the given queues; models load on the first task."""
    from stylegenie.adapters.observability.metrics import share_through

    from ..wiring import database_for, worker_app
    from ..wiring.health import dependency_checks, ops_server_for

    if settings.workers.mode == "eager":
        print(
            "STYLEGENIE_WORKERS__MODE is 'eager': tasks run inside the chat process; "
            "set it to 'celery' to run separate workers.",
            file=sys.stderr,
        )
        return 2
    note, slow = device_note(settings)
    log.log(logging.WARNING if slow else logging.INFO, "%s", note)
    if args.pool == "prefork":
        share_through(settings.observability.metrics_dir or settings.data_dir / "metrics")
    database = database_for(settings)
    app = worker_app(settings, database)
    ops = ops_server_for(settings, dependency_checks(settings, database, app), app)
    if settings.render.warm_up:
        warm_up(app.runtime)
    try:
        _serve(app, args)
    finally:
        if ops is not None:
            ops.stop()
        database.close()
    return 0


def _serve(app: WorkerApp, args: argparse.Namespace) -> None:
    """Run the Celery worker until it is stopped."""
    app.worker_main(
        [
            "worker",
            "--queues",
            args.queues,
            "--concurrency",
            str(args.concurrency),
            "--pool",
            args.pool,
            "--loglevel",
            "INFO",
            "--hostname",
            args.hostname,
        ]
    )


def device_note(settings: Settings) -> tuple[str, bool]:
    """One start-up line on where models will run, and whether it warns of slow renders."""
    try:
        import torch
    except ImportError:
        return "This worker has no torch installed: it can serve the default queue only.", False
    if torch.cuda.is_available():
        return f"GPU worker on {torch.cuda.get_device_name(0)}.", False
    if settings.render.backend == "diffusers":
        return "No CUDA device: this is a CPU-only worker; diffusers rendering will be slow.", True
    return "No CUDA device: this is a CPU-only worker.", False


def warm_up(worker: object) -> None:
    """Load the models now rather than on the first task (a loaded renderer answers faster)."""
    for part in ("renderer", "embedder", "image_embedder"):
        load = getattr(getattr(worker, part, None), "load", None)
        if load is not None:
            load()


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``worker``."""
    worker = commands.add_parser("worker", help="run a Celery worker (gpu and/or default queue)")
    worker.add_argument("--queues", default="gpu,default")
    worker.add_argument("--concurrency", type=int, default=1)
    worker.add_argument(
        "--pool",
        default="solo",
        choices=["solo", "prefork", "threads"],
        help="solo for GPU workers (CUDA cannot fork); prefork for CPU-only work",
    )
    worker.add_argument("--hostname", default="stylegenie@%h")
    worker.set_defaults(run=run)
