"""Atelier matching: who can make this design, near the shopper, within the budget.

A candidate must make the brief's category and be within the radius of the
shopper's city (or work remotely). Among those, the score weighs distance, budget
overlap and rating, and each match carries a one-line reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from .domain import Atelier, AtelierMatch, DesignBrief
from .geo import city_coordinates, haversine_km


def _budget_overlap(atelier: Atelier, brief: DesignBrief) -> float:
    """1.0 when the shopper's budget reaches the atelier's range, less as it falls short."""
    if brief.budget_max is None:
        return 0.5
    if brief.budget_max >= atelier.price_min:
        return 1.0
    return max(0.0, brief.budget_max / max(atelier.price_min, 1.0))


def match_ateliers(
    brief: DesignBrief, ateliers: Iterable[Atelier], radius_km: float, limit: int = 3
) -> list[AtelierMatch]:
    """The best ateliers for a brief, best first, at most ``limit``."""
    origin = city_coordinates(brief.city) if brief.city else None
    matches = []
    for atelier in ateliers:
        if brief.category and brief.category not in atelier.categories:
            continue
        distance = haversine_km(*origin, atelier.lat, atelier.lon) if origin else None
        nearby = distance is not None and distance <= radius_km
        if origin and not nearby and not atelier.remote_friendly:
            continue
        closeness = 1.0 - distance / radius_km if nearby and distance is not None else 0.3
        budget = _budget_overlap(atelier, brief)
        score = 0.4 * closeness + 0.35 * budget + 0.25 * atelier.rating / 5
        matches.append(
            AtelierMatch(
                atelier=atelier,
                score=round(score, 4),
                distance_km=round(distance, 1) if distance is not None else None,
                reason=_reason(atelier, brief, distance, nearby, budget),
            )
        )
    matches.sort(key=lambda match: match.score, reverse=True)
    return matches[:limit]


def _reason(
    atelier: Atelier, brief: DesignBrief, distance: float | None, nearby: bool, budget: float
) -> str:
    what = f"makes {brief.category}" if brief.category else "makes custom pieces"
    where = (
        f"{distance:.0f} km from you in {atelier.city}"
        if nearby and distance is not None
        else f"works remotely from {atelier.city}"
        if atelier.remote_friendly
        else f"in {atelier.city}"
    )
    price = f"from {atelier.price_min:g} {atelier.currency}"
    if budget < 1.0 and brief.budget_max is not None:
        price += " (above your budget)"
    return f"{what}, {where}, {price}, rated {atelier.rating:.1f}"
