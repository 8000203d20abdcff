"""Product search for a brief or a photo: embed → filtered vector search → metadata → rank.

``ProductSearcher`` runs where the models are (a worker, or this process in the
embedded setup); the conversation engine reaches it through the Workers port.

A text query searches text vectors (MiniLM); a photo (``SearchQuery.image_ref``) searches
CLIP image vectors; a photo with text fuses both in the index. The ranking's "cosine" is
the text cosine, the image cosine, or for a fused hit the mean of the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from .domain import ProductHit
from .ports import (
    CatalogRepo,
    Embedder,
    ImageEmbedder,
    ImageStore,
    IndexHit,
    ProductIndex,
    SearchFilters,
    SearchQuery,
)
from .ranking import RankingWeights, rank


class PhotoUnreadable(ValueError):
    """The query's photo cannot be opened or decoded; the message says why."""


@dataclass(frozen=True)
class _Vectors:
    """A query's vectors: text (MiniLM), image (CLIP), or both."""

    text: list[float] | None
    image: list[float] | None


class ProductSearcher:
    """Finds and ranks products for a query; hard filters never relax.

    The index is asked for ``candidates`` products (at least the query's ``top_k``),
    ranked with ``weights``. With an ``image_embedder`` and the ``images`` store its photos
    live in, it also searches by photo; without them a query with ``image_ref`` is refused.
    """

    def __init__(
        self,
        embedder: Embedder,
        index: ProductIndex,
        catalog: CatalogRepo,
        weights: RankingWeights,
        candidates: int,
        image_embedder: ImageEmbedder | None = None,
        images: ImageStore | None = None,
    ) -> None:
        self._embedder = embedder
        self._index = index
        self._catalog = catalog
        self._weights = weights
        self._candidates = candidates
        self._image_embedder = image_embedder
        self._images = images

    @property
    def searches_photos(self) -> bool:
        """Whether a query may carry a photo (an image encoder and image store are set)."""
        return self._image_embedder is not None and self._images is not None

    def search(self, query: SearchQuery) -> list[ProductHit]:
        """Top products for the query, best first; an empty list when nothing fits.

        Every filter holds, colour included: a shopper who asked for red is never shown
        green dresses (the conversation offers an atelier instead). Raises PhotoUnreadable
        for a photo that cannot be opened, and ValueError for a photo when photo search
        is off.
        """
        vectors = self._vectors(query)
        limit = max(self._candidates, query.top_k)
        return self._ranked(vectors, query.filters, limit, query)[: query.top_k]

    def _vectors(self, query: SearchQuery) -> _Vectors:
        if not query.image_ref:
            return _Vectors(self._embedder.embed_texts([query.text])[0], None)
        if self._image_embedder is None or self._images is None:
            raise ValueError("photo search needs an image encoder (image_encoder.model)")
        try:
            photo = self._images.open(query.image_ref)
            image = self._image_embedder.embed_images([photo])[0]
        except (OSError, ValueError) as error:
            raise PhotoUnreadable(f"cannot read the photo {query.image_ref!r}: {error}") from error
        text = self._embedder.embed_texts([query.text])[0] if query.text.strip() else None
        return _Vectors(text, image)

    def _nearest(self, vectors: _Vectors, filters: SearchFilters, limit: int) -> list[IndexHit]:
        if vectors.image is None:
            assert vectors.text is not None
            return self._index.search(vectors.text, filters, limit)
        if vectors.text is None:
            return self._index.search_image(vectors.image, filters, limit)
        return self._index.hybrid(vectors.text, vectors.image, filters, limit)

    def _ranked(
        self, vectors: _Vectors, filters: SearchFilters, limit: int, query: SearchQuery
    ) -> list[ProductHit]:
        raw = self._nearest(vectors, filters, limit)
        products = self._catalog.get_products([hit.product_id for hit in raw])
        candidates = [
            (products[hit.product_id], hit.cosine) for hit in raw if hit.product_id in products
        ]
        return rank(
            candidates,
            self._weights,
            query.budget_min,
            query.budget_max,
            query.top_k,
            query.prefer_terms,
        )
