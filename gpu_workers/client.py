"""The Workers port over Celery: the core's way to run heavy tasks, eager or remote.

A render outlives its worker: a task whose worker died is delivered again once its
visibility timeout has passed, so a client waits for a render through one redelivery
(``WorkerSettings.render_wait_s``) and, while no progress comes, tells the shopper the
designs are still being worked on instead of failing.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from typing import Any

from celery import states
from celery.result import EagerResult

from stylegenie.core.domain import Design, ProductHit
from stylegenie.core.ports import ProgressCallback, RenderFailed, RenderRefused, SearchQuery
from stylegenie.core.progress import drawing, rendering, still_drawing
from stylegenie.core.search import PhotoUnreadable

from .tasks import (
    embed_images,
    render_designs,
    search_by_photo,
    search_products,
    search_products_batch,
    zero_shot_category,
)

POLL_S = 0.5
"""How often a waiting render reads its task's state (chat progress is edited at most once a
second; hundreds of renders wait at once, each reading the result backend)."""
STALLED_S = 15.0
"""How long a render may report nothing new before the shopper hears it is still being
worked on (it waits in the queue, or its worker died and it waits to be delivered again)."""


class CeleryWorkers:
    """Sends tasks through Celery and waits for their results (inline in eager mode).

    A result is awaited ``timeout_s``, a render ``render_wait_s`` (``timeout_s`` if unset).
    """

    def __init__(self, timeout_s: float, render_wait_s: float | None = None) -> None:
        self._timeout_s = timeout_s
        self._render_wait_s = render_wait_s or timeout_s

    def render_designs(
        self, designs: Sequence[Design], progress: ProgressCallback | None = None
    ) -> list[Design]:
        """Render designs on a GPU worker, reporting drawing → rendering k/N while waiting
        (and "still working" when nothing new comes for ``STALLED_S``).

        Raises RenderRefused when moderation says no, RenderFailed when the task fails.
        """
        if progress:
            progress(drawing(len(designs)))
        result = render_designs.delay([d.model_dump(mode="json") for d in designs])
        try:
            answer = self._wait(result, progress)
        except Exception as error:
            raise RenderFailed(f"{type(error).__name__}: {error}"[:300]) from error
        if "refused" in answer:
            raise RenderRefused(answer["refused"])
        return [Design.model_validate(raw) for raw in answer["designs"]]

    def _wait(self, result: Any, progress: ProgressCallback | None) -> Any:
        """The render's value, telling each new PROGRESS state on the way and, once, each
        stretch of ``STALLED_S`` without one (remote tasks only)."""
        if progress is None or isinstance(result, EagerResult):  # an eager task is done already
            return _value(result, self._render_wait_s)
        news = time.monotonic()
        deadline = news + self._render_wait_s
        told: Any = None
        stalled = False
        while (now := time.monotonic()) < deadline:
            meta = result.backend.get_task_meta(result.id)  # one read: state and progress
            if meta["status"] in states.READY_STATES:
                break
            if meta["status"] == "PROGRESS" and meta["result"] != told:
                told, news, stalled = meta["result"], now, False
                progress(rendering(told["done"], told["total"]))
            elif not stalled and now - news > STALLED_S:
                stalled = True
                progress(still_drawing())
            time.sleep(POLL_S)
        return _value(result, max(0.1, deadline - time.monotonic()))

    def search_products(self, query: SearchQuery) -> list[ProductHit]:
        """Search products on a worker, where the encoders live (text, photo or both)."""
        result = search_products.delay(query.model_dump(mode="json"))
        return [ProductHit.model_validate(raw) for raw in _value(result, self._timeout_s)]

    def search_many(self, queries: Sequence[SearchQuery]) -> list[list[ProductHit]]:
        """Several text searches in one task: the hits of each query, in order."""
        result = search_products_batch.delay([query.model_dump(mode="json") for query in queries])
        return [
            [ProductHit.model_validate(raw) for raw in hits]
            for hits in _value(result, self._timeout_s)
        ]

    def search_by_photo(self, query: SearchQuery) -> list[ProductHit] | None:
        """Products like the query's photo; None when the workers have no image encoder.

        Raises PhotoUnreadable when the photo cannot be opened or decoded.
        """
        answer = _value(search_by_photo.delay(query.model_dump(mode="json")), self._timeout_s)
        if not answer["enabled"]:
            return None
        if "unreadable" in answer:
            raise PhotoUnreadable(answer["unreadable"])
        return [ProductHit.model_validate(raw) for raw in answer["hits"]]

    def embed_images(self, images: Sequence[bytes | str]) -> list[list[float] | None]:
        """CLIP vectors of image bytes or ImageStore references; None for an unreadable one."""
        items = [
            {"ref": image} if isinstance(image, str) else {"b64": base64.b64encode(image).decode()}
            for image in images
        ]
        vectors: list[list[float] | None] = _value(embed_images.delay(items), self._timeout_s)
        return vectors

    def zero_shot_category(self, image_ref: str, categories: Sequence[str]) -> str | None:
        """The CLIP zero-shot category of a stored image; None without an image encoder."""
        answer: str | None = _value(
            zero_shot_category.delay(image_ref, list(categories)), self._timeout_s
        )
        return answer


def _value(result: Any, timeout: float) -> Any:
    """A task's value. Front-ends wait from many threads at once; in eager mode Celery marks
    a thread that is running a task, and a plain ``get`` in another would refuse as a
    "sync subtask", so that check is off: these waits are never inside a task."""
    return result.get(timeout=timeout, disable_sync_subtasks=False)
