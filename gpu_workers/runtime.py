"""What a worker process needs to run tasks: the models and stores, in one object.

The composition root (``stylegenie.bots.wiring``) builds it from Settings and hands the
Celery app a way to build it; the app builds it once per process, on the first task.
"""

from __future__ import annotations

from dataclasses import dataclass

from stylegenie.core.ports import (
    Embedder,
    ImageEmbedder,
    ImageStore,
    Moderator,
    ProductIndex,
    Renderer,
)
from stylegenie.core.search import ProductSearcher


@dataclass
class WorkerRuntime:
    """The models and stores a task uses: renderer, images, encoders, index, searcher.

    ``image_embedder`` (CLIP) is None when no image encoder is configured: no photo search.
    """

    renderer: Renderer
    images: ImageStore
    embedder: Embedder
    index: ProductIndex
    searcher: ProductSearcher
    moderator: Moderator
    image_embedder: ImageEmbedder | None = None
