"""What a worker process needs to run tasks, built once, lazily, behind a lock.

In the embedded setup the application installs its own runtime (it already has
the models and stores); a standalone worker builds one from Settings on the first
task it receives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from stylegenie.config import Settings
from stylegenie.core.ports import CatalogRepo, Embedder, ImageStore, ProductIndex, Renderer
from stylegenie.core.ranking import RankingWeights
from stylegenie.core.search import ProductSearcher


@dataclass
class WorkerRuntime:
    """The models and stores a task uses: renderer, images, text encoder, index, searcher."""

    renderer: Renderer
    images: ImageStore
    embedder: Embedder
    index: ProductIndex
    searcher: ProductSearcher


def runtime_from_settings(
    settings: Settings, catalog: CatalogRepo, embedder: Embedder | None = None
) -> WorkerRuntime:
    """Build every backend a worker needs from settings (models load lazily on first use).

    An already loaded ``embedder`` can be shared instead of building one from settings.
    """
    from stylegenie.adapters.image_store import LocalImageStore
    from stylegenie.adapters.milvus_index import MilvusProductIndex
    from stylegenie.adapters.preview_renderer import PreviewCardRenderer
    from stylegenie.adapters.text_embedder import SentenceTransformerEmbedder

    embedder = embedder or SentenceTransformerEmbedder(settings.embedder)
    index = MilvusProductIndex(settings.milvus, embedder, settings.data_dir)
    ranking = settings.ranking
    weights = RankingWeights(ranking.alpha, ranking.beta, ranking.gamma, ranking.delta)
    return WorkerRuntime(
        renderer=PreviewCardRenderer(settings.render.image_size),
        images=LocalImageStore(settings.image_dir),
        embedder=embedder,
        index=index,
        searcher=ProductSearcher(embedder, index, catalog, weights, ranking.candidates),
    )


_lock = threading.Lock()
_runtime: WorkerRuntime | None = None
_builder: Callable[[], WorkerRuntime] | None = None


def install(runtime: WorkerRuntime) -> None:
    """Use this runtime for every task run in this process."""
    global _runtime
    with _lock:
        _runtime = runtime


def set_builder(builder: Callable[[], WorkerRuntime]) -> None:
    """Build the runtime with this function on first use (a standalone worker's start-up)."""
    global _builder
    with _lock:
        _builder = builder


def current() -> WorkerRuntime:
    """The process's runtime, built on first use."""
    global _runtime
    with _lock:
        if _runtime is None:
            if _builder is None:
                raise RuntimeError("the worker runtime is not configured in this process")
            _runtime = _builder()
        return _runtime
