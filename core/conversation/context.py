"""What every part of the conversation shares: the ports it talks through and its options."""

from __future__ import annotations

from dataclasses import dataclass

from ..leads import LeadDesk
from ..money import CurrencyRates
from ..ports import (
    AtelierRepo,
    BriefReader,
    Geocoder,
    Moderator,
    RateLimiter,
    SessionStore,
    UserRepo,
    Workers,
)


@dataclass(frozen=True)
class EngineOptions:
    """Tunable behaviour of the conversation; the values (and their defaults) come from
    Settings through the composition root."""

    designs_per_brief: int
    variation_strength: float
    products_per_search: int
    atelier_radius_km: float
    max_message_chars: int
    rates: CurrencyRates
    """The shop's currency and exchange rates, to compare budgets in other currencies."""


@dataclass
class EngineServices:
    """The ports the engine talks through."""

    brief_reader: BriefReader
    workers: Workers
    sessions: SessionStore
    users: UserRepo
    ateliers: AtelierRepo
    leads: LeadDesk
    geocoder: Geocoder
    moderator: Moderator
    rate_limiter: RateLimiter
