"""The Celery app: queues, routing and reliability, and the worker runtime its tasks run on.

The composition root (``stylegenie.bots.wiring.configure_celery``) applies what Settings
choose: "eager" mode runs every task inline in the calling process (no broker needed),
"celery" mode sends them to worker processes through the broker. Heavy tasks go to the
``gpu`` queue, everything else to ``default``.

Tasks reach their models through ``self.runtime`` (``RuntimeTask``): the app builds the
runtime once per process, on the first task, with the builder the root handed it. No
module global is set from outside.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from celery import Celery, Task
from kombu import Exchange, Queue

from stylegenie.adapters.lazy_model import LazyModel

from .runtime import WorkerRuntime

QUEUES = ("gpu", "default")
"""Each queue has its own direct exchange, so a message lands in exactly one queue."""

GPU_TASKS = (
    "stylegenie.render_designs",
    "stylegenie.search_products",
    "stylegenie.search_by_photo",
    "stylegenie.embed_images",
    "stylegenie.zero_shot_category",
)

RuntimeBuilder = Callable[[], WorkerRuntime]
"""Builds a process's worker runtime (models load lazily inside it)."""


class WorkerApp(Celery):
    """The Celery app, and the worker runtime its tasks run on in this process."""

    def __init__(self, main: str, **kwargs: Any) -> None:
        super().__init__(main, **kwargs)
        self._runtime: LazyModel[WorkerRuntime] | None = None

    def reconfigure(self, conf: Mapping[str, Any], runtime: RuntimeBuilder | None) -> WorkerApp:
        """Apply ``conf`` and run this process's tasks on what ``runtime`` builds.

        The runtime is built on the first task, once, behind a lock; None means this
        process runs no tasks (it only sends them to workers). Connections made under the
        earlier configuration are dropped.
        """
        self.conf.update(conf)
        self._runtime = LazyModel(runtime) if runtime is not None else None
        self._forget_connections()
        return self

    @property
    def runtime(self) -> WorkerRuntime:
        """This process's worker runtime, built now if this is the first use."""
        if self._runtime is None:
            raise RuntimeError("the worker runtime is not configured in this process")
        return self._runtime.get()

    def _forget_connections(self) -> None:
        """Drop what the app built under earlier settings: its broker pool and result backend.

        They keep the old broker options (the key prefix above all) and the old backend;
        kombu shares producer pools by connection options, so nothing in use is closed.
        """
        self._pool = None
        self.amqp._producer_pool = None
        self._local.__dict__.pop("backend", None)


class RuntimeTask(Task):
    """A task that runs on its app's worker runtime: ``self.runtime`` in a bound task."""

    @property
    def runtime(self) -> WorkerRuntime:
        """The worker runtime of the app this task belongs to."""
        return cast(WorkerApp, self.app).runtime


app = WorkerApp("stylegenie", include=["stylegenie.gpu_workers.tasks"], task_cls=RuntimeTask)
app.conf.update(
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
)
