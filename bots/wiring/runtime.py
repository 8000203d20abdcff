"""The worker runtime from settings: encoders, the product index, search and rendering.

Everything here may load models (lazily, on first use); a bot process that sends its tasks
to separate workers never calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stylegenie.adapters.observability.metrics import metrics
from stylegenie.config import Settings
from stylegenie.core.ports import CatalogRepo, Embedder, ImageEmbedder, ImageStore, Renderer
from stylegenie.core.ranking import RankingWeights
from stylegenie.core.search import ProductSearcher
from stylegenie.gpu_workers.runtime import WorkerRuntime

from .conversation import moderator_for
from .stores import image_store_for

if TYPE_CHECKING:
    from stylegenie.adapters.milvus_index import MilvusProductIndex
    from stylegenie.adapters.postgres.repositories import PostgresCatalog
    from stylegenie.core.ingest import CatalogIngestor


def worker_runtime_for(
    settings: Settings,
    catalog: PostgresCatalog,
    embedder: Embedder | None = None,
    image_embedder: ImageEmbedder | None = None,
) -> WorkerRuntime:
    """Every backend a worker needs, from settings (models load lazily on first use).

    Already loaded encoders can be shared instead of building them from settings (a test's
    or a bench's); the index then holds image vectors of the image encoder's dimension.
    """
    if embedder is None:
        embedder = text_embedder_for(settings)
    if image_embedder is None:
        image_embedder = image_embedder_for(settings)
    index = product_index_for(settings, embedder, image_embedder)
    images = image_store_for(settings)
    return WorkerRuntime(
        renderer=renderer_for(settings, images),
        images=images,
        embedder=embedder,
        index=index,
        searcher=ProductSearcher(
            embedder,
            index,
            searched_catalog(settings, catalog),
            ranking_weights_for(settings),
            settings.ranking.candidates,
            image_embedder,
            images,
            stages=metrics(),
        ),
        moderator=moderator_for(settings),
        image_embedder=image_embedder,
    )


def ingestor_for(
    settings: Settings, catalog: PostgresCatalog, worker: WorkerRuntime
) -> CatalogIngestor:
    """Loads products into the catalogue and the worker's index: photos as thumbnails,
    text vectors, and image vectors when the worker has an image encoder."""
    from stylegenie.adapters.thumbnails import PillowPhotos
    from stylegenie.core.ingest import CatalogIngestor

    return CatalogIngestor(
        worker.embedder,
        worker.index,
        catalog,
        photos=PillowPhotos(settings.search.thumbnail_px),
        images=worker.images,
        image_embedder=worker.image_embedder,
    )


def text_embedder_for(settings: Settings) -> Embedder:
    """The text encoder (all-MiniLM-L6-v2 unless configured otherwise)."""
    from stylegenie.adapters.text_embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings.embedder)


def image_embedder_for(settings: Settings) -> ImageEmbedder | None:
    """The CLIP encoder when ``image_encoder.model`` is set; None means no photo search."""
    if not settings.image_encoder.model:
        return None
    from stylegenie.adapters.clip_encoder import OpenClipEncoder

    return OpenClipEncoder(settings.image_encoder)


def product_index_for(
    settings: Settings, embedder: Embedder, image_embedder: ImageEmbedder | None
) -> MilvusProductIndex:
    """The Milvus index of product vectors, on the server ``milvus_uri_for`` names."""
    from stylegenie.adapters.milvus_index import MilvusProductIndex

    milvus = settings.milvus.model_copy(update={"uri": milvus_uri_for(settings)})
    image_dimension = image_embedder.dimension if image_embedder else None
    return MilvusProductIndex(milvus, embedder, settings.data_dir, image_dimension)


def milvus_uri_for(settings: Settings) -> str | None:
    """The Milvus server URI to use: the configured one, the managed server's, or None (Lite).

    ``STYLEGENIE_MILVUS__URI`` wins; otherwise ``STYLEGENIE_MILVUS__MANAGED_SERVER=true``
    starts (or reuses) the managed server under ``<data_dir>/milvus-server``; otherwise
    None, meaning the Milvus Lite file ``<data_dir>/products.db``.
    """
    milvus = settings.milvus
    if milvus.uri:
        return milvus.uri
    if not milvus.managed_server:
        return None
    from stylegenie.adapters.milvus_server import managed_server

    server = managed_server(
        settings.data_dir, milvus.managed_port, auto_compaction=milvus.managed_auto_compaction
    )
    return server.uri


def ranking_weights_for(settings: Settings) -> RankingWeights:
    """The α, β, γ, δ, ε of the ranking formula."""
    ranking = settings.ranking
    return RankingWeights(
        ranking.alpha, ranking.beta, ranking.gamma, ranking.delta, ranking.epsilon
    )


def searched_catalog(settings: Settings, catalog: PostgresCatalog) -> CatalogRepo:
    """The catalogue a searcher reads: behind an in-memory metadata cache unless it is off."""
    from stylegenie.adapters.product_cache import CachedCatalog

    search = settings.search
    if not search.metadata_cache_products:
        return catalog
    return CachedCatalog(
        catalog,
        catalog.catalog_version,
        search.metadata_cache_products,
        search.metadata_check_s,
    )


def renderer_for(settings: Settings, images: ImageStore) -> Renderer:
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
