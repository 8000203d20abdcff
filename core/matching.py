"""Atelier matching: who can make this design, near the shopper, within budget and deadline.

Hard requirements: the atelier makes the design's category, takes its complexity,
is within the radius of the shopper (or works remotely), its price range meets the
budget (in the shop's currency) and its lead time fits the deadline. Among those, a
score weighs closeness, budget fit, rating and time to spare; each match keeps that
breakdown and a one-line reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from .classify import classify, within
from .domain import Atelier, AtelierMatch, DesignBrief, MatchRequest
from .geo import haversine_km
from .money import CurrencyRates
from .ports import Place

WEIGHTS = {"closeness": 0.35, "budget": 0.25, "rating": 0.25, "time": 0.15}
REMOTE_CLOSENESS = 0.3
"""Closeness credited to a remote-friendly atelier outside the radius."""


def _budget_fit(atelier: Atelier, request: MatchRequest) -> float | None:
    """1.0 when the budget meets the price range comfortably, None when they do not meet."""
    if request.budget_max is None:
        return 0.5
    if request.budget_max < atelier.price_min:
        return None
    if request.budget_min is not None and request.budget_min > atelier.price_max:
        return None
    span = max(atelier.price_max - atelier.price_min, 1.0)
    return min(1.0, 0.5 + (request.budget_max - atelier.price_min) / (2 * span))


def _distance(atelier: Atelier, request: MatchRequest) -> float | None:
    if not request.has_origin:
        return None
    return haversine_km(request.latitude, request.longitude, atelier.lat, atelier.lon)  # type: ignore[arg-type]


def score_atelier(atelier: Atelier, request: MatchRequest) -> AtelierMatch | None:
    """The atelier's match for the request, or None when a hard requirement fails."""
    if atelier.id in request.exclude_ids or request.category not in atelier.categories:
        return None
    if not within(request.complexity, atelier.max_complexity):
        return None
    if request.deadline_days is not None and atelier.lead_time_days > request.deadline_days:
        return None
    budget = _budget_fit(atelier, request)
    if budget is None:
        return None
    distance = _distance(atelier, request)
    nearby = distance is not None and distance <= request.radius_km
    if request.has_origin and not nearby and not atelier.remote_friendly:
        return None
    closeness = (
        1.0 - distance / request.radius_km if nearby and distance is not None else REMOTE_CLOSENESS
    )
    time = (
        0.5
        if request.deadline_days is None
        else 1.0 - atelier.lead_time_days / max(request.deadline_days, 1)
    )
    breakdown = {
        "closeness": closeness,
        "budget": budget,
        "rating": atelier.rating / 5,
        "time": time,
    }
    score = sum(WEIGHTS[name] * value for name, value in breakdown.items())
    return AtelierMatch(
        atelier=atelier,
        score=round(score, 4),
        distance_km=round(distance, 1) if distance is not None else None,
        breakdown={name: round(value, 3) for name, value in breakdown.items()},
        reason=_reason(atelier, request, distance, nearby),
    )


def match_ateliers(request: MatchRequest, ateliers: Iterable[Atelier]) -> list[AtelierMatch]:
    """The best ateliers for the request, best first, at most ``request.limit``."""
    matches = [m for a in ateliers if (m := score_atelier(a, request)) is not None]
    matches.sort(key=lambda match: match.score, reverse=True)
    return matches[: request.limit]


def _reason(atelier: Atelier, request: MatchRequest, distance: float | None, nearby: bool) -> str:
    where = (
        f"{distance:.0f} km away in {atelier.city}"
        if nearby and distance is not None
        else f"works remotely from {atelier.city}"
        if atelier.remote_friendly
        else f"in {atelier.city}"
    )
    return (
        f"makes {request.category} up to {atelier.max_complexity} work, {where}, "
        f"{atelier.price_min:g}–{atelier.price_max:g} {atelier.currency}, "
        f"~{atelier.lead_time_days} days, rated {atelier.rating:.1f}"
    )


def match_request(
    brief: DesignBrief,
    radius_km: float,
    place: Place | None,
    zero_shot_category: str | None = None,
    rates: CurrencyRates | None = None,
) -> MatchRequest:
    """The matching request of a brief: its category, complexity, place, budget and deadline.

    With ``rates`` the budget is converted from ``brief.currency`` into the shop's currency
    (``rates.base``, the ateliers' price ranges); raises ``UnknownCurrency`` when that
    currency has no rate. Without them the amounts are taken as they are.
    """
    classification = classify(brief, zero_shot_category)
    low, high = brief.budget_min, brief.budget_max
    if rates is not None:
        low, high = rates.to_base(low, brief.currency), rates.to_base(high, brief.currency)
    return MatchRequest(
        category=classification.category,
        complexity=classification.complexity,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        radius_km=radius_km,
        budget_min=low,
        budget_max=high,
        deadline_days=brief.deadline_days,
    )
