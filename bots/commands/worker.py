"""`stylegenie worker --queues gpu`: run a Celery worker for the heavy tasks."""

from __future__ import annotations

import argparse
import sys

from stylegenie.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a Celery worker that serves the given queues; models load on the first task."""
    from ..wiring import worker_app

    if settings.workers.mode == "eager":
        print(
            "STYLEGENIE_WORKERS__MODE is 'eager': tasks run inside the chat process; "
            "set it to 'celery' to run separate workers.",
            file=sys.stderr,
        )
        return 2
    print(device_note(settings), file=sys.stderr, flush=True)
    app = worker_app(settings)
    if settings.render.warm_up:
        warm_up(app.runtime)
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
    return 0


def device_note(settings: Settings) -> str:
    """One start-up line on where models will run, plainly saying when that is only a CPU."""
    try:
        import torch
    except ImportError:
        return "This worker has no torch installed: it can serve the default queue only."
    if torch.cuda.is_available():
        return f"GPU worker on {torch.cuda.get_device_name(0)}."
    heavy = settings.render.backend == "diffusers"
    return "No CUDA device: this is a CPU-only worker" + (
        "; diffusers rendering will be slow." if heavy else "."
    )


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
