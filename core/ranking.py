"""Ranking: score = α·cosine + β·price_alignment + γ·brand_score + δ·availability.

Hard filters (budget, stock, type, colour, gender) are applied in the index before
ranking; this module orders what is left and keeps each term so a reply can say
why a product was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from .domain import Product, ProductHit, ScoreBreakdown


@dataclass(frozen=True)
class RankingWeights:
    """The α, β, γ, δ of the ranking formula."""

    alpha: float = 0.65
    beta: float = 0.2
    gamma: float = 0.1
    delta: float = 0.05


def price_alignment(price: float, budget_min: float | None, budget_max: float | None) -> float:
    """How well a price suits the budget, in [0, 1].

    Without a budget every price is neutral (0.5). Inside a range [min, max] the fit is
    full (1.0). With only a ceiling, cheaper is a little better: 1.0 at zero down to 0.5 at
    the ceiling. Outside the budget the fit falls off with the relative distance.
    """
    if budget_max is None and budget_min is None:
        return 0.5
    if budget_max is not None and price > budget_max:
        return max(0.0, 0.5 - (price - budget_max) / max(budget_max, 1.0))
    if budget_min is not None and price < budget_min:
        return max(0.0, 0.5 - (budget_min - price) / max(budget_min, 1.0))
    if budget_min is not None or budget_max is None:
        return 1.0
    return 1.0 - 0.5 * price / max(budget_max, 1.0)


def score_product(
    product: Product,
    cosine: float,
    weights: RankingWeights,
    budget_min: float | None = None,
    budget_max: float | None = None,
) -> ScoreBreakdown:
    """Every term of the formula for one product, and the weighted total."""
    similarity = min(1.0, max(0.0, cosine))
    price = price_alignment(product.price, budget_min, budget_max)
    availability = 1.0 if product.in_stock else 0.0
    total = (
        weights.alpha * similarity
        + weights.beta * price
        + weights.gamma * product.brand_score
        + weights.delta * availability
    )
    return ScoreBreakdown(
        cosine=round(similarity, 4),
        price_alignment=round(price, 4),
        brand_score=round(product.brand_score, 4),
        availability=availability,
        total=round(total, 4),
    )


def explain(product: Product, breakdown: ScoreBreakdown, budget_max: float | None) -> str:
    """One plain line on why this product was chosen."""
    closeness = (
        "very close"
        if breakdown.cosine >= 0.6
        else "close"
        if breakdown.cosine >= 0.4
        else "a loose"
    )
    parts = [f"{closeness} match to your design" if closeness != "a loose" else "a loose match"]
    if budget_max is not None:
        parts.append(f"{product.price:g} {product.currency} fits your {budget_max:g} budget")
    if product.brand_score >= 0.75:
        parts.append("well-rated brand")
    if not product.in_stock:
        parts.append("currently out of stock")
    return "; ".join(parts)


def rank(
    candidates: list[tuple[Product, float]],
    weights: RankingWeights,
    budget_min: float | None = None,
    budget_max: float | None = None,
) -> list[ProductHit]:
    """Score (product, cosine) pairs, best first, collapsing near-duplicate products."""
    hits = []
    for product, cosine in candidates:
        breakdown = score_product(product, cosine, weights, budget_min, budget_max)
        hits.append(
            ProductHit(
                product=product,
                score=breakdown.total,
                breakdown=breakdown,
                why=explain(product, breakdown, budget_max),
            )
        )
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return _collapse_duplicates(hits)


def _collapse_duplicates(hits: list[ProductHit]) -> list[ProductHit]:
    """Keep the best of products that share brand, name and colour (listings of one item)."""
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for hit in hits:
        key = (
            hit.product.brand.lower(),
            " ".join(hit.product.name.lower().split()),
            hit.product.colour.lower(),
        )
        if key not in seen:
            seen.add(key)
            kept.append(hit)
    return kept
