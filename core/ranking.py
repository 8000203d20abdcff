"""Ranking: score = α·cosine + β·price_alignment + γ·brand_score + δ·availability
+ ε·attribute_match.

Hard filters (budget, stock, type, colour family, gender, excluded colours) are applied in
the index before ranking; this module orders what is left and keeps each term so a reply
can say why a product was chosen. ``attribute_match`` is the share of the shopper's own
words (``SearchQuery.prefer_terms``: a shade, "sage", and a fabric, "linen") that the
product's name, description, fabric or colour names: the colour filter takes every green,
and this term puts the sage linen ones first. It is part of ``total``; ``ScoreBreakdown``
has no field of its own for it, so the matched words go into the ``why`` line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from .domain import Product, ProductHit, ScoreBreakdown


@dataclass(frozen=True)
class RankingWeights:
    """The α, β, γ, δ, ε of the ranking formula (from ``Settings.ranking``)."""

    alpha: float
    beta: float
    gamma: float
    delta: float
    epsilon: float


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


class _Term(NamedTuple):
    """A word the shopper asked for and the pattern that finds it as a whole word."""

    word: str
    pattern: re.Pattern[str]


def _terms(prefer_terms: Sequence[str]) -> list[_Term]:
    """Each distinct non-empty word, matched case-insensitively, a plural "s" allowed."""
    words = dict.fromkeys(" ".join(term.lower().split()) for term in prefer_terms)
    return [
        _Term(word, re.compile(rf"\b{re.escape(word)}s?\b", re.IGNORECASE))
        for word in words
        if word
    ]


def _matched(product: Product, terms: list[_Term]) -> tuple[str, ...]:
    """The shopper's words (shades, fabric) that the product's text names, in their order."""
    if not terms:
        return ()
    text = f"{product.name} {product.description} {product.fabric} {product.colour}"
    return tuple(term.word for term in terms if term.pattern.search(text))


class _Scored(NamedTuple):
    """One candidate's unweighted terms and weighted total, before any model is built."""

    product: Product
    similarity: float
    price: float
    availability: float
    matched: tuple[str, ...]
    attribute_match: float
    total: float


def _score_all(
    candidates: list[tuple[Product, float]],
    weights: RankingWeights,
    budget_min: float | None,
    budget_max: float | None,
    prefer_terms: Sequence[str],
) -> list[_Scored]:
    """Every candidate's terms and weighted total, in the candidates' order.

    One loop with the weights in locals: a search scores ~50 candidates, and a call per
    candidate cost as much as the rest of the ranking.
    """
    alpha, beta, gamma, delta = weights.alpha, weights.beta, weights.gamma, weights.delta
    terms = _terms(prefer_terms)
    epsilon = weights.epsilon / len(terms) if terms else 0.0
    scored = []
    for product, cosine in candidates:
        similarity = min(1.0, max(0.0, cosine))
        price = price_alignment(product.price, budget_min, budget_max)
        availability = 1.0 if product.in_stock else 0.0
        matched = _matched(product, terms)
        total = alpha * similarity + beta * price + gamma * product.brand_score
        total += delta * availability + epsilon * len(matched)
        share = len(matched) / len(terms) if terms else 0.0
        scored.append(
            _Scored(product, similarity, price, availability, matched, share, round(total, 4))
        )
    return scored


def _breakdown(scored: _Scored) -> ScoreBreakdown:
    return ScoreBreakdown(
        cosine=round(scored.similarity, 4),
        price_alignment=round(scored.price, 4),
        brand_score=round(scored.product.brand_score, 4),
        availability=scored.availability,
        attribute_match=round(scored.attribute_match, 4),
        total=scored.total,
    )


def score_product(
    product: Product,
    cosine: float,
    weights: RankingWeights,
    budget_min: float | None = None,
    budget_max: float | None = None,
    prefer_terms: Sequence[str] = (),
) -> ScoreBreakdown:
    """Every term of the formula for one product, and the weighted total."""
    scored = _score_all([(product, cosine)], weights, budget_min, budget_max, prefer_terms)
    return _breakdown(scored[0])


def explain(
    product: Product,
    breakdown: ScoreBreakdown,
    budget_max: float | None,
    matched: Sequence[str] = (),
) -> str:
    """One plain line on why this product was chosen; ``matched``: the shopper's words it names."""
    closeness = (
        "very close"
        if breakdown.cosine >= 0.6
        else "close"
        if breakdown.cosine >= 0.4
        else "a loose"
    )
    parts = [f"{closeness} match to your design" if closeness != "a loose" else "a loose match"]
    if matched:
        parts.append(f"{' '.join(matched)}, like you asked")
    if budget_max is not None:
        parts.append(f"{product.price:g} {product.currency} fits your budget")
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
    limit: int | None = None,
    prefer_terms: Sequence[str] = (),
) -> list[ProductHit]:
    """Score (product, cosine) pairs, best first, collapsing near-duplicate products.

    ``prefer_terms`` are the shopper's shade and fabric words, credited by ``attribute_match``.
    Only the first ``limit`` hits (all without one) are built, explained and returned.
    """
    scored = _score_all(candidates, weights, budget_min, budget_max, prefer_terms)
    scored.sort(key=attrgetter("total"), reverse=True)
    kept = _collapse_duplicates(scored, limit)
    hits = []
    for item in kept:
        breakdown = _breakdown(item)
        why = explain(item.product, breakdown, budget_max, item.matched)
        hit = ProductHit(product=item.product, score=item.total, breakdown=breakdown, why=why)
        hits.append(hit)
    return hits


def _collapse_duplicates(scored: list[_Scored], limit: int | None) -> list[_Scored]:
    """The best of products that share brand, name and colour (listings of one item), up to
    ``limit`` of them (all without one)."""
    seen: set[tuple[str, str, str]] = set()
    kept: list[_Scored] = []
    for item in scored:
        if len(kept) == limit:
            break
        product = item.product
        name = " ".join(product.name.lower().split())
        key = (product.brand.lower(), name, product.colour.lower())
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
