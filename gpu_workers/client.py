"""The Workers port over Celery: the core's way to run heavy tasks, eager or remote."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from stylegenie.core.domain import Design, ProductHit
from stylegenie.core.ports import ProgressCallback, SearchQuery
from stylegenie.core.search import PhotoUnreadable

from .tasks import embed_images, render_designs, search_by_photo, search_products


class CeleryWorkers:
    """Sends tasks through Celery and waits for their results (inline in eager mode)."""

    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s

    def render_designs(
        self, designs: Sequence[Design], progress: ProgressCallback | None = None
    ) -> list[Design]:
        """Render designs on a GPU worker; reports one progress line before waiting."""
        if progress:
            count = len(designs)
            progress(f"Drawing {count} design{'s' if count != 1 else ''}…")
        result = render_designs.delay([d.model_dump(mode="json") for d in designs])
        return [Design.model_validate(raw) for raw in result.get(timeout=self._timeout_s)]

    def search_products(self, query: SearchQuery) -> list[ProductHit]:
        """Search products on a worker, where the encoders live (text, photo or both)."""
        result = search_products.delay(query.model_dump(mode="json"))
        return [ProductHit.model_validate(raw) for raw in result.get(timeout=self._timeout_s)]

    def search_by_photo(self, query: SearchQuery) -> list[ProductHit] | None:
        """Products like the query's photo; None when the workers have no image encoder.

        Raises PhotoUnreadable when the photo cannot be opened or decoded.
        """
        answer = search_by_photo.delay(query.model_dump(mode="json")).get(timeout=self._timeout_s)
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
        vectors: list[list[float] | None] = embed_images.delay(items).get(timeout=self._timeout_s)
        return vectors
