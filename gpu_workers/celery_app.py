"""The Celery app: queues, routing and reliability settings, configured from Settings.

"eager" mode runs every task inline in the calling process (no broker needed);
"celery" mode sends them to worker processes through the broker. Heavy tasks go
to the ``gpu`` queue, everything else to ``default``.
"""

from __future__ import annotations

from celery import Celery
from kombu import Queue

from stylegenie.config import Settings

app = Celery("stylegenie", include=["stylegenie.gpu_workers.tasks"])

GPU_TASKS = (
    "stylegenie.render_designs",
    "stylegenie.search_products",
    "stylegenie.search_by_photo",
    "stylegenie.embed_images",
)


def configure_celery(settings: Settings) -> Celery:
    """Apply the worker settings to the shared app and return it."""
    eager = settings.workers.mode == "eager"
    app.conf.update(
        broker_url="memory://localhost/" if eager else settings.workers.broker_url,
        result_backend=None if eager else settings.workers.result_backend,
        task_always_eager=eager,
        task_eager_propagates=True,
        task_queues=(Queue("gpu"), Queue("default")),
        task_default_queue="default",
        task_routes={name: {"queue": "gpu"} for name in GPU_TASKS},
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        result_expires=3600,
        task_soft_time_limit=settings.workers.task_timeout_s,
        task_time_limit=settings.workers.task_timeout_s + 30,
    )
    return app
