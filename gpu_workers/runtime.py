"""What a worker process needs to run tasks, built once, lazily, behind a lock.

In the embedded setup the application installs its own runtime (it already has
the models and stores); a standalone worker builds one from Settings on the first
task it receives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stylegenie.config import Settings
from stylegenie.core.ports import (
    CatalogRepo,
    Embedder,
    ImageEmbedder,
    ImageStore,
    Moderator,
    ProductIndex,
    Renderer,
)
from stylegenie.core.ranking import RankingWeights
from stylegenie.core.search import ProductSearcher

if TYPE_CHECKING:
    from stylegenie.adapters.postgres.repositories import PostgresCatalog


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


def runtime_from_settings(
    settings: Settings,
    catalog: PostgresCatalog,
    embedder: Embedder | None = None,
    image_embedder: ImageEmbedder | None = None,
) -> WorkerRuntime:
    """Build every backend a worker needs from settings (models load lazily on first use).

    Already loaded encoders can be shared instead of building them from settings; the
    CLIP encoder is built when ``image_encoder.model`` is set, and the index then holds
    image vectors of its dimension.
    """
    from stylegenie.adapters.image_store import image_store_from_settings
    from stylegenie.adapters.milvus_index import MilvusProductIndex
    from stylegenie.adapters.milvus_server import resolve_milvus_uri
    from stylegenie.adapters.moderation import moderator_from_settings
    from stylegenie.adapters.text_embedder import SentenceTransformerEmbedder

    embedder = embedder or SentenceTransformerEmbedder(settings.embedder)
    if image_embedder is None and settings.image_encoder.model:
        from stylegenie.adapters.clip_encoder import OpenClipEncoder

        image_embedder = OpenClipEncoder(settings.image_encoder)
    image_dimension = image_embedder.dimension if image_embedder else None
    milvus = settings.milvus.model_copy(update={"uri": resolve_milvus_uri(settings)})
    index = MilvusProductIndex(milvus, embedder, settings.data_dir, image_dimension)
    images = image_store_from_settings(settings)
    ranking = settings.ranking
    weights = RankingWeights(
        ranking.alpha, ranking.beta, ranking.gamma, ranking.delta, ranking.epsilon
    )
    return WorkerRuntime(
        renderer=renderer_from_settings(settings, images),
        images=images,
        embedder=embedder,
        index=index,
        searcher=ProductSearcher(
            embedder,
            index,
            searched_catalog(settings, catalog),
            weights,
            ranking.candidates,
            image_embedder,
            images,
        ),
        moderator=moderator_from_settings(settings.moderation, settings.llm),
        image_embedder=image_embedder,
    )


def searched_catalog(settings: Settings, catalog: PostgresCatalog) -> CatalogRepo:
    """The catalogue a searcher reads: behind an in-memory metadata cache unless it is off."""
    from stylegenie.adapters.product_cache import CachedCatalog

    search = settings.search
    if not search.metadata_cache_products:
        return catalog
    return CachedCatalog(
        catalog, catalog.catalog_version, search.metadata_cache_products, search.metadata_check_s
    )


def renderer_from_settings(settings: Settings, images: ImageStore) -> Renderer:
    """The renderer the settings choose: preview card, diffusers or a hosted API."""
    render = settings.render
    if render.backend == "diffusers":
        from stylegenie.adapters.diffusers_renderer import DiffusersRenderer

        return DiffusersRenderer(render, images.open)
    if render.backend == "hosted":
        from stylegenie.adapters.hosted_renderer import HostedRenderer

        return HostedRenderer(render, settings.llm)
    from stylegenie.adapters.preview_renderer import PreviewCardRenderer

    return PreviewCardRenderer(render.plan().size)


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
