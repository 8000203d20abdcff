"""The Workers port over Celery: the core's way to run heavy tasks, eager or remote."""

from __future__ import annotations

from collections.abc import Sequence

from stylegenie.core.domain import Design, ProductHit
from stylegenie.core.ports import ProgressCallback, SearchQuery

from .tasks import render_designs, search_products


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
        """Search products on a worker, where the text encoder lives."""
        result = search_products.delay(query.model_dump(mode="json"))
        return [ProductHit.model_validate(raw) for raw in result.get(timeout=self._timeout_s)]
