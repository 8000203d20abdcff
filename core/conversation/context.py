"""What every part of the conversation shares: the ports it talks through and its options."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """Tunable behaviour of the conversation."""

    designs_per_brief: int = 3
    variation_strength: float = 0.45
    products_per_search: int = 4
    atelier_radius_km: float = 50.0
    max_message_chars: int = 2000
    rates: CurrencyRates = field(default_factory=lambda: CurrencyRates("EUR"))
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
