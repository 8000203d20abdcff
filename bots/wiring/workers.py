"""The Celery side from settings: how tasks are sent, where they run, and on what runtime.

``configure_celery`` points the shared Celery app at the configured broker (or runs tasks
inline in "eager" mode) and hands it the builder of this process's worker runtime;
``worker_app`` does both for a standalone worker process; ``workers_for`` is the Workers
port the engine sends tasks through.
"""

from __future__ import annotations

from typing import Any

from stylegenie.adapters.postgres.repositories import PostgresCatalog
from stylegenie.adapters.search_cache import CachedWorkers
from stylegenie.config import Settings
from stylegenie.core.ports import Workers
from stylegenie.gpu_workers.celery_app import RuntimeBuilder, WorkerApp, app
from stylegenie.gpu_workers.client import CeleryWorkers

from .runtime import worker_runtime_for
from .stores import database_for, search_cache_for


def configure_celery(settings: Settings, runtime: RuntimeBuilder | None = None) -> WorkerApp:
    """The Celery app, set up for these settings, running tasks on what ``runtime`` builds.

    ``runtime`` is called once, on the first task this process runs (eager mode, or a
    worker); None for a process that only sends tasks to separate workers.
    """
    return app.reconfigure(_celery_conf(settings), runtime)


def _celery_conf(settings: Settings) -> dict[str, Any]:
    """The Celery settings the workers section chooses: broker, results, limits."""
    workers = settings.workers
    eager = workers.mode == "eager"
    return {
        "broker_url": "memory://localhost/" if eager else workers.broker_url,
        "result_backend": None if eager else workers.result_backend,
        "task_always_eager": eager,
        "broker_transport_options": {
            "visibility_timeout": workers.visibility_timeout_s,
            "global_keyprefix": settings.redis.key_prefix,
        },
        "task_soft_time_limit": workers.task_timeout_s,
        "task_time_limit": workers.task_timeout_s + 30,
    }


def worker_app(settings: Settings) -> WorkerApp:
    """The Celery app of a standalone worker: its runtime is built from settings, over its
    own database pool, on the first task (or on ``app.runtime`` to warm it up)."""
    database = database_for(settings)
    return configure_celery(
        settings, lambda: worker_runtime_for(settings, PostgresCatalog(database))
    )


def workers_for(settings: Settings, catalog: PostgresCatalog) -> Workers:
    """Celery (or eager) Workers with product searches cached (in Redis when configured)."""
    inner = CeleryWorkers(settings.workers.task_timeout_s)
    return CachedWorkers(
        inner, search_cache_for(settings), catalog.catalog_version, settings.search.cache_ttl_s
    )
