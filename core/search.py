"""Product search for a brief: embed → filtered vector search → metadata → rank.

``ProductSearcher`` runs where the models are (a worker, or this process in the
embedded setup); the conversation engine reaches it through the Workers port.
"""

from __future__ import annotations

from .domain import DesignBrief, ProductHit
from .ports import CatalogRepo, Embedder, ProductIndex, SearchFilters, SearchQuery
from .ranking import RankingWeights, rank


def query_from_brief(brief: DesignBrief, top_k: int = 5) -> SearchQuery:
    """The search a brief asks for: its words as the query, its hard constraints as filters."""
    words = [*brief.colours, brief.fabric, brief.length, brief.silhouette, brief.garment]
    text = " ".join(w for w in words if w) or "outfit"
    if brief.sleeves:
        text += f" with {brief.sleeves} sleeves"
    if brief.occasion:
        text += f" for {brief.occasion}"
    if brief.gender:
        text = f"{brief.gender} {text}"
    genders = [brief.gender, "unisex"] if brief.gender in ("men", "women") else []
    if brief.gender in ("boys", "girls"):
        genders = [brief.gender]
    filters = SearchFilters(
        min_price=brief.budget_min,
        max_price=brief.budget_max,
        article_types=brief.article_types,
        colours=brief.colours,
        genders=genders,
    )
    return SearchQuery(
        text=text,
        filters=filters,
        budget_min=brief.budget_min,
        budget_max=brief.budget_max,
        top_k=top_k,
    )


class ProductSearcher:
    """Finds and ranks products for a query; hard filters never relax except colour."""

    def __init__(
        self,
        embedder: Embedder,
        index: ProductIndex,
        catalog: CatalogRepo,
        weights: RankingWeights,
        candidates: int = 50,
    ) -> None:
        self._embedder = embedder
        self._index = index
        self._catalog = catalog
        self._weights = weights
        self._candidates = candidates

    def search(self, query: SearchQuery) -> list[ProductHit]:
        """Top products for the query, best first; an empty list when nothing fits.

        When the exact colour finds too few products, the colour filter alone is
        dropped for a second pass whose hits follow the exact-colour ones: budget,
        type, gender and stock always hold.
        """
        vector = self._embedder.embed_texts([query.text])[0]
        limit = max(self._candidates, query.top_k)
        hits = self._ranked(vector, query.filters, limit, query)
        if len(hits) < query.top_k and query.filters.colours:
            relaxed = query.filters.model_copy(update={"colours": []})
            shown = {hit.product.id for hit in hits}
            wanted = " or ".join(colour.lower() for colour in query.filters.colours)
            hits += [
                hit.model_copy(
                    update={
                        "why": f"in {hit.product.colour.lower()}, as no more {wanted} ones "
                        f"fit; {hit.why}"
                    }
                )
                for hit in self._ranked(vector, relaxed, limit, query)
                if hit.product.id not in shown
            ]
        return hits[: query.top_k]

    def _ranked(
        self, vector: list[float], filters: SearchFilters, limit: int, query: SearchQuery
    ) -> list[ProductHit]:
        raw = self._index.search(vector, filters, limit)
        products = self._catalog.get_products([hit.product_id for hit in raw])
        candidates = [
            (products[hit.product_id], hit.cosine) for hit in raw if hit.product_id in products
        ]
        return rank(candidates, self._weights, query.budget_min, query.budget_max)
