"""Product search for a brief or a photo: embed → filtered vector search → metadata → rank.

``ProductSearcher`` runs where the models are (a worker, or this process in the
embedded setup); the conversation engine reaches it through the Workers port.

A text query searches text vectors (MiniLM); a photo (``SearchQuery.image_ref``) searches
CLIP image vectors; a photo with text fuses both in the index. The ranking's "cosine" is
the text cosine, the image cosine, or for a fused hit the mean of the two.

``ProductSearcher.search_many`` answers several text queries together: one encoder call,
one index call per group of queries with the same filters, one metadata read, then each
query ranked on its own, exactly as ``search`` would rank it. ``with_explicit_filters``
narrows a query by filters a client states as fields (category, colour, gender, prices,
stock), read with the same vocabulary as the shopper's words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pydantic import BaseModel, Field

from .domain import DesignBrief, Gender, Product, ProductHit
from .ports import (
    CatalogRepo,
    Embedder,
    ImageEmbedder,
    ImageStore,
    IndexHit,
    ProductIndex,
    SearchFilters,
    SearchQuery,
    SearchStages,
    VectorQuery,
)
from .ranking import RankingWeights, rank
from .search_query import UnsearchableQuery, query_from_brief
from .understanding.rules import read_brief


class PhotoUnreadable(ValueError):
    """The query's photo cannot be opened or decoded; the message says why."""


@dataclass(frozen=True)
class _Vectors:
    """A query's vectors: text (MiniLM), image (CLIP), or both."""

    text: list[float] | None
    image: list[float] | None


class _Untimed:
    """Stages nobody watches (tests, benches, the ingest)."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield


class ProductSearcher:
    """Finds and ranks products for a query; hard filters never relax.

    The index is asked for ``candidates`` products (at least the query's ``top_k``),
    ranked with ``weights``. With an ``image_embedder`` and the ``images`` store its photos
    live in, it also searches by photo; without them a query with ``image_ref`` is refused.
    ``stages`` times each stage (embed, index, metadata, rank) for the operators.
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
        stages: SearchStages | None = None,
    ) -> None:
        self._stages: SearchStages = stages or _Untimed()
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
        with self._stages.stage("embed"):
            vectors = self._vectors(query)
        with self._stages.stage("index"):
            raw = self._nearest(vectors, query.filters, self._limit(query))
        with self._stages.stage("metadata"):
            products = self._catalog.get_products([hit.product_id for hit in raw])
        with self._stages.stage("rank"):
            return self._ranked(raw, products, query)

    def search_many(self, queries: Sequence[SearchQuery]) -> list[list[ProductHit]]:
        """The hits of each text query, in order, the same as ``search`` gives each alone.

        One encoder call embeds every distinct text; one batched index search answers all
        of them (see ``ProductIndex.search_many``); one metadata read serves them all.
        Raises ValueError for a query with a photo (photos are searched one by one).
        """
        if any(query.image_ref for query in queries):
            raise ValueError("search_many takes text queries; search a photo with search()")
        texts = list(dict.fromkeys(query.text for query in queries))
        with self._stages.stage("embed"):
            vectors = dict(zip(texts, self._embedder.embed_texts(texts), strict=True))
        with self._stages.stage("index"):
            raw = self._index.search_many(
                [VectorQuery(vectors[q.text], q.filters, self._limit(q)) for q in queries]
            )
        ids = list(dict.fromkeys(hit.product_id for hits in raw for hit in hits))
        with self._stages.stage("metadata"):
            products = self._catalog.get_products(ids)
        pairs = zip(raw, queries, strict=True)
        with self._stages.stage("rank"):
            return [self._ranked(hits, products, query) for hits, query in pairs]

    def _limit(self, query: SearchQuery) -> int:
        """How many candidates the index is asked for."""
        return max(self._candidates, query.top_k)

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
        self, raw: list[IndexHit], products: dict[str, Product], query: SearchQuery
    ) -> list[ProductHit]:
        """The query's index hits with their metadata, ranked; hits without metadata dropped."""
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


class ExplicitFilters(BaseModel):
    """Filters a client states as fields, on top of what its words or its design say.

    ``category`` is a garment word or a catalogue article type ("sneakers", "Tshirts"),
    ``colour`` a colour or shade word ("sage"); prices are in the catalogue's currency.
    """

    category: str | None = None
    colour: str | None = None
    gender: Gender | None = None
    min_price: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    max_price: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    in_stock: bool = True


def with_explicit_filters(query: SearchQuery, explicit: ExplicitFilters) -> SearchQuery:
    """The query narrowed by ``explicit``: its category, colour and gender replace what the
    words said, read as ``search_query`` reads a shopper's (article types, colour families,
    who a gender's items are for); its prices narrow the budget; its ``in_stock`` decides.

    Raises UnsearchableQuery for a category or colour the vocabulary does not know, or a
    minimum price above the maximum.
    """
    fields: dict[str, object] = {"gender": explicit.gender}
    if explicit.category:
        fields["article_types"] = read_brief(explicit.category).article_types
        if not fields["article_types"]:
            raise UnsearchableQuery(
                f"{explicit.category!r} is not a category I know; name a garment or a "
                'catalogue article type, e.g. "dress", "sneakers", "Tshirts"'
            )
    if explicit.colour:
        read = read_brief(explicit.colour)
        if not read.colours:
            raise UnsearchableQuery(
                f'{explicit.colour!r} is not a colour I know; try e.g. "navy", "sage", "red"'
            )
        fields.update(colours=read.colours, shades=read.shades)
    mapped = query_from_brief(DesignBrief.model_validate(fields))
    filters = query.filters.model_copy(update={"in_stock_only": explicit.in_stock})
    if explicit.category:
        filters.article_types = mapped.filters.article_types
    if explicit.colour:
        filters.colours = mapped.filters.colours
        filters.exclude_colours = [c for c in filters.exclude_colours if c not in filters.colours]
    if explicit.gender:
        filters.genders = mapped.filters.genders
    low = _bound(max, query.budget_min, explicit.min_price)
    high = _bound(min, query.budget_max, explicit.max_price)
    if low is not None and high is not None and low > high:
        raise UnsearchableQuery(f"a minimum price of {low:g} is above the maximum of {high:g}")
    filters.min_price = _bound(max, filters.min_price, explicit.min_price)
    filters.max_price = _bound(min, filters.max_price, explicit.max_price)
    return query.model_copy(
        update={
            "filters": filters,
            "budget_min": low,
            "budget_max": high,
            "prefer_terms": list(dict.fromkeys([*query.prefer_terms, *mapped.prefer_terms])),
        }
    )


def _bound(pick: Callable[[float, float], float], a: float | None, b: float | None) -> float | None:
    """``pick`` (min or max) of the two values, or the one that is set (None for neither)."""
    if a is None or b is None:
        return b if a is None else a
    return pick(a, b)
