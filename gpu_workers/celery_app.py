"""The Celery app: queues, routing and reliability settings, configured from Settings.

"eager" mode runs every task inline in the calling process (no broker needed);
"celery" mode sends them to worker processes through the broker. Heavy tasks go
to the ``gpu`` queue, everything else to ``default``.
"""

from __future__ import annotations

from celery import Celery
from kombu import Exchange, Queue

from stylegenie.config import Settings

app = Celery("stylegenie", include=["stylegenie.gpu_workers.tasks"])

QUEUES = ("gpu", "default")
"""Each queue has its own direct exchange, so a message lands in exactly one queue."""

GPU_TASKS = (
    "stylegenie.render_designs",
    "stylegenie.search_products",
    "stylegenie.search_by_photo",
    "stylegenie.embed_images",
    "stylegenie.zero_shot_category",
)


def configure_celery(settings: Settings) -> Celery:
    """Apply the worker settings to the shared app and return it."""
    eager = settings.workers.mode == "eager"
    app.conf.update(
        broker_url="memory://localhost/" if eager else settings.workers.broker_url,
        result_backend=None if eager else settings.workers.result_backend,
        task_always_eager=eager,
        task_eager_propagates=True,
        task_queues=tuple(Queue(name, Exchange(name), routing_key=name) for name in QUEUES),
        task_default_queue="default",
        task_default_exchange="default",
        task_default_routing_key="default",
        task_routes={name: {"queue": "gpu"} for name in GPU_TASKS},
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        result_expires=3600,
        broker_transport_options={
            "visibility_timeout": settings.workers.visibility_timeout_s,
            "global_keyprefix": settings.redis.key_prefix,
        },
        task_soft_time_limit=settings.workers.task_timeout_s,
        task_time_limit=settings.workers.task_timeout_s + 30,
    )
    _forget_connections()
    return app


def _forget_connections() -> None:
    """Drop what the app built under earlier settings: its broker pool and result backend.

    They keep the old broker options (the key prefix above all) and the old backend;
    kombu shares producer pools by connection options, so nothing in use is closed.
    """
    app._pool = None
    app.amqp._producer_pool = None
    vars(app._local).pop("backend", None)
