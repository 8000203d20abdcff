"""The heavy tasks: render designs, search products, embed images. Arguments and results are JSON.

Images travel as ``{"ref": <ImageStore reference>}`` (cheap: the worker reads the store) or
``{"b64": <base64 bytes>}`` (for bytes that are in no store).
"""

from __future__ import annotations

import base64
import binascii
from time import perf_counter
from typing import Any

from pydantic import ValidationError

from stylegenie.adapters.observability.metrics import metrics
from stylegenie.core.classify import zero_shot
from stylegenie.core.domain import Design
from stylegenie.core.ports import ImageEmbedder, ImageStore, RenderRefused, SearchQuery
from stylegenie.core.search import PhotoUnreadable

from .celery_app import RuntimeTask, app


class TransientWorkerError(RuntimeError):
    """A failure worth retrying (the GPU ran out of memory, a store timed out)."""


@app.task(
    name="stylegenie.render_designs",
    bind=True,
    autoretry_for=(TransientWorkerError, ConnectionError, TimeoutError),
    retry_backoff=2,
    retry_backoff_max=30,
    retry_jitter=True,
    max_retries=3,
)
def render_designs(self: RuntimeTask, designs: list[dict[str, Any]]) -> dict[str, Any]:
    """Moderate, draw and store designs: ``{"designs": [...]}`` or ``{"refused": why}``.

    Progress goes to the task state: PROGRESS with ``{"done", "total"}`` while drawing.
    Malformed arguments fail this task with a ValueError; the worker goes on serving.
    Each render is counted by outcome and timed by renderer for the operators.
    """
    worker = self.runtime
    try:
        parsed = [Design.model_validate(raw) for raw in designs]
    except (ValidationError, TypeError) as error:
        raise ValueError(f"malformed render arguments: {error}"[:500]) from None
    measured = metrics()
    for prompt in dict.fromkeys(d.prompt for d in parsed):
        reason = worker.moderator.refusal(prompt)
        if reason:
            measured.renders.labels("refused").inc()
            return {"refused": reason}

    def report(done: int, total: int) -> None:
        if not self.app.conf.task_always_eager and self.request.id:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    started = perf_counter()
    try:
        images = worker.renderer.render(parsed, report)
    except RenderRefused as refusal:  # the image safety hook flagged a result
        measured.renders.labels("refused").inc()
        return {"refused": str(refusal)}
    except Exception as error:
        measured.renders.labels("failed").inc()
        if type(error).__name__ == "OutOfMemoryError":  # torch.cuda.OutOfMemoryError
            raise TransientWorkerError(f"the GPU ran out of memory: {error}") from error
        raise
    measured.render_seconds.labels(worker.renderer.model_name).observe(perf_counter() - started)
    measured.renders.labels("ok").inc()
    model, extension = worker.renderer.model_name, worker.renderer.extension
    stored = [
        d.model_copy(
            update={"image_ref": worker.images.put(f"{d.id}.{extension}", data), "model": model}
        )
        for d, data in zip(parsed, images, strict=True)
    ]
    return {"designs": [d.model_dump(mode="json") for d in stored]}


@app.task(name="stylegenie.search_products", bind=True)
def search_products(self: RuntimeTask, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Search and rank products for a query (text, photo or both); hits as JSON."""
    hits = self.runtime.searcher.search(SearchQuery.model_validate(query))
    return [hit.model_dump(mode="json") for hit in hits]


@app.task(name="stylegenie.search_products_batch", bind=True, queue="gpu")
def search_products_batch(
    self: RuntimeTask, queries: list[dict[str, Any]]
) -> list[list[dict[str, Any]]]:
    """Search and rank several text queries together (one encoder call, one index call per
    filter group); each query's hits as JSON, in order."""
    parsed = [SearchQuery.model_validate(query) for query in queries]
    found = self.runtime.searcher.search_many(parsed)
    return [[hit.model_dump(mode="json") for hit in hits] for hits in found]


@app.task(name="stylegenie.search_by_photo", bind=True)
def search_by_photo(self: RuntimeTask, query: dict[str, Any]) -> dict[str, Any]:
    """Search by the query's photo: ``{"enabled": false}`` when this worker has no image
    encoder, ``{"enabled": true, "unreadable": why}`` for a broken photo, else the hits."""
    searcher = self.runtime.searcher
    if not searcher.searches_photos:
        return {"enabled": False}
    try:
        hits = searcher.search(SearchQuery.model_validate(query))
    except PhotoUnreadable as error:
        return {"enabled": True, "unreadable": str(error)}
    return {"enabled": True, "hits": [hit.model_dump(mode="json") for hit in hits]}


@app.task(name="stylegenie.embed_images", bind=True)
def embed_images(self: RuntimeTask, images: list[dict[str, str]]) -> list[list[float] | None]:
    """A CLIP vector per image, in order; null for a missing or unreadable one."""
    worker = self.runtime
    if worker.image_embedder is None:
        raise RuntimeError("this worker has no image encoder: set image_encoder.model")
    return embed_readable(worker.image_embedder, [_image_bytes(worker.images, i) for i in images])


def embed_readable(embedder: ImageEmbedder, images: list[bytes | None]) -> list[list[float] | None]:
    """Vectors for the images that decode, None for the others (and for None items).

    The encoder checks a whole batch before embedding it and names the unreadable items
    (``UnreadableImageError.reasons``), so a batch with broken images costs one retry.
    """
    readable = [i for i, data in enumerate(images) if data is not None]
    try:
        vectors = embedder.embed_images([images[i] for i in readable])  # type: ignore[misc]
    except ValueError as error:
        broken = getattr(error, "reasons", None)
        if broken is None:
            raise
        readable = [i for position, i in enumerate(readable) if position not in broken]
        vectors = embedder.embed_images([images[i] for i in readable])  # type: ignore[misc]
    out: list[list[float] | None] = [None] * len(images)
    for i, vector in zip(readable, vectors, strict=True):
        out[i] = vector
    return out


def _image_bytes(store: ImageStore, item: dict[str, str]) -> bytes | None:
    try:
        if "ref" in item:
            return store.open(item["ref"])
        return base64.b64decode(item["b64"], validate=True)
    except (OSError, ValueError, KeyError, binascii.Error):
        return None


@app.task(name="stylegenie.zero_shot_category", bind=True)
def zero_shot_category(self: RuntimeTask, image_ref: str, categories: list[str]) -> str | None:
    """CLIP zero-shot: the "a photo of a {category}" closest to the image; None without CLIP."""
    worker = self.runtime
    if worker.image_embedder is None:
        return None
    [vector] = embed_readable(
        worker.image_embedder, [_image_bytes(worker.images, {"ref": image_ref})]
    )
    if vector is None:
        return None
    prompts = worker.image_embedder.embed_texts([f"a photo of a {c}" for c in categories])
    return zero_shot(vector, dict(zip(categories, prompts, strict=True)))
