"""The Celery side from settings: how tasks are sent, where they run, and on what runtime.

``configure_celery`` points the shared Celery app at the configured broker (or runs tasks
inline in "eager" mode) and hands it the builder of this process's worker runtime;
``worker_app`` does both for a standalone worker process; ``workers_for`` is the Workers
port the engine sends tasks through.
"""

from __future__ import annotations

from typing import Any

from stylegenie.adapters.postgres.database import Database
from stylegenie.adapters.postgres.repositories import PostgresCatalog
from stylegenie.adapters.search_cache import CachedWorkers
from stylegenie.config import Settings
from stylegenie.config.settings import RESTORE_SWEEP_S
from stylegenie.core.ports import Workers
from stylegenie.gpu_workers.celery_app import RuntimeBuilder, WorkerApp, app
from stylegenie.gpu_workers.client import CeleryWorkers

from .runtime import worker_runtime_for
from .stores import search_cache_for


def configure_celery(settings: Settings, runtime: RuntimeBuilder | None = None) -> WorkerApp:
    """The Celery app, set up for these settings, running tasks on what ``runtime`` builds.

    ``runtime`` is called once, on the first task this process runs (eager mode, or a
    worker); None for a process that only sends tasks to separate workers.
    """
    return app.reconfigure(_celery_conf(settings), runtime)


def _celery_conf(settings: Settings) -> dict[str, Any]:
    """The Celery settings the workers section chooses: broker, results, limits.

    A task whose worker died stays unacknowledged on Redis until its visibility timeout
    has passed and a worker's sweep (every ``RESTORE_SWEEP_S``, each sweep scanning:
    kombu's default scans every tenth, ~100 s apart) delivers it again.
    """
    workers = settings.workers
    eager = workers.mode == "eager"
    return {
        "broker_url": "memory://localhost/" if eager else workers.broker_url,
        "result_backend": None if eager else workers.result_backend,
        "task_always_eager": eager,
        "broker_transport_options": {
            "visibility_timeout": workers.redelivery_s,
            "unacked_restore_interval": RESTORE_SWEEP_S,
            "unacked_restore_throttle": 1,
            "global_keyprefix": settings.redis.key_prefix,
        },
        "task_soft_time_limit": workers.task_timeout_s,
        "task_time_limit": workers.hard_time_limit_s,
    }


def worker_app(settings: Settings, database: Database) -> WorkerApp:
    """The Celery app of a standalone worker: its runtime is built from settings, over
    ``database``, on the first task (or on ``app.runtime`` to warm it up)."""
    return configure_celery(
        settings, lambda: worker_runtime_for(settings, PostgresCatalog(database))
    )


def workers_for(settings: Settings, catalog: PostgresCatalog) -> Workers:
    """Celery (or eager) Workers with product searches cached (in Redis when configured)."""
    inner = CeleryWorkers(
        settings.workers.task_timeout_s, render_wait_s=settings.workers.render_wait_s
    )
    return CachedWorkers(
        inner, search_cache_for(settings), catalog.catalog_version, settings.search.cache_ttl_s
    )
