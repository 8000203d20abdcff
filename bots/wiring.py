"""The composition root: builds the product's backends from Settings and hands out the engine.

Front-ends (terminal, Telegram, Discord, REST) call ``assemble(settings)`` once at
start and ``close()`` at exit. Which adapter serves each port is decided here and
nowhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from stylegenie.adapters.contact_cipher import cipher_from_settings
from stylegenie.adapters.geocoding import GeonamesGeocoder
from stylegenie.adapters.memory_stores import MemoryRateLimiter, MemorySessionStore
from stylegenie.adapters.moderation import moderator_from_settings
from stylegenie.adapters.notifiers import NotifierHub
from stylegenie.adapters.postgres.ateliers import PostgresAteliers
from stylegenie.adapters.postgres.database import Database, open_database
from stylegenie.adapters.postgres.leads import PostgresLeads
from stylegenie.adapters.postgres.repositories import PostgresCatalog, PostgresUsers
from stylegenie.config import Settings
from stylegenie.core.conversation.context import EngineOptions, EngineServices
from stylegenie.core.conversation.engine import ConversationEngine
from stylegenie.core.leads import LeadDesk, LeadPolicy
from stylegenie.core.money import CurrencyRates
from stylegenie.core.ports import BriefReader, Geocoder, RateLimiter, SessionStore, Workers
from stylegenie.core.understanding.rules import RuleBasedBriefReader
from stylegenie.gpu_workers import runtime
from stylegenie.gpu_workers.celery_app import configure_celery
from stylegenie.gpu_workers.client import CeleryWorkers

log = logging.getLogger(__name__)


@dataclass
class StyleGenie:
    """The assembled product: the engine and the repositories front-ends and commands use."""

    settings: Settings
    database: Database
    engine: ConversationEngine
    catalog: PostgresCatalog
    ateliers: PostgresAteliers
    users: PostgresUsers
    leads: PostgresLeads
    lead_desk: LeadDesk
    notifiers: NotifierHub
    geocoder: GeonamesGeocoder

    def run_lead_outbox(self) -> tuple[int, int]:
        """Deliver stored leads still waiting and expire unanswered ones: (delivered, expired).

        Front-ends call it once their notification senders are registered, and then
        periodically; it is what sends a lead stored just before a crash.
        """
        return self.lead_desk.deliver_due(), self.lead_desk.expire_due()

    def close(self) -> None:
        """Release the database pool (the embedded server keeps running for the next start)."""
        self.database.close()


def brief_reader_for(settings: Settings, geocoder: Geocoder | None = None) -> BriefReader:
    """The LLM with the rule-based reader as fallback, or the reader alone without a model.

    With a ``geocoder`` the rule-based reader knows every city it knows ("I'm in Denver").
    """
    rules = RuleBasedBriefReader(geocoder)
    if not settings.llm.model:
        return rules
    from stylegenie.adapters.llm_reader import FallbackBriefReader, LiteLLMBriefReader
    from stylegenie.core.understanding.vocabulary import COLOURS, GARMENTS

    article_types = sorted({t for garment in GARMENTS.values() for t in garment.article_types})
    llm = LiteLLMBriefReader(settings.llm, article_types, sorted(set(COLOURS.values())))
    return FallbackBriefReader(llm, rules)


def chat_state_for(settings: Settings) -> tuple[SessionStore, RateLimiter]:
    """Redis sessions and limits when a Redis URL is set, in-process ones otherwise."""
    per_minute = settings.chat.messages_per_minute
    if not settings.redis.url:
        return MemorySessionStore(), MemoryRateLimiter(per_minute)
    import redis

    from stylegenie.adapters.redis_stores import RedisRateLimiter, RedisSessionStore

    client = redis.Redis.from_url(settings.redis.url)
    prefix = settings.redis.key_prefix
    return RedisSessionStore(client, prefix), RedisRateLimiter(client, prefix, per_minute)


def workers_for(settings: Settings, catalog: PostgresCatalog) -> Workers:
    """Celery (or eager) Workers with product searches cached in Redis, or in-process without."""
    from stylegenie.adapters.search_cache import (
        CachedWorkers,
        MemorySearchCache,
        RedisSearchCache,
        SearchCache,
    )

    cache: SearchCache = MemorySearchCache()
    if settings.redis.url:
        import redis

        cache = RedisSearchCache(
            redis.Redis.from_url(settings.redis.url), settings.redis.key_prefix
        )
    inner = CeleryWorkers(settings.workers.task_timeout_s)
    return CachedWorkers(inner, cache, catalog.catalog_version, settings.search.cache_ttl_s)


def lead_policy(settings: Settings) -> LeadPolicy:
    """The lead flow's limits and timing from settings."""
    leads = settings.leads
    return LeadPolicy(
        expiry=timedelta(hours=leads.expiry_hours),
        delivery_attempts=leads.delivery_attempts,
        retry_backoff_s=leads.retry_backoff_s,
        daily_limit_per_shopper=leads.daily_limit_per_shopper,
        open_cap_per_atelier=leads.open_cap_per_atelier,
    )


def assemble(settings: Settings) -> StyleGenie:
    """Open every backend the settings choose and build the conversation engine."""
    database = open_database(settings)
    catalog = PostgresCatalog(database)
    configure_celery(settings)
    if settings.workers.mode == "eager":
        runtime.set_builder(lambda: runtime.runtime_from_settings(settings, catalog))
    sessions, limiter = chat_state_for(settings)
    ateliers = PostgresAteliers(database, cipher_from_settings(settings))
    users, leads, notifiers = PostgresUsers(database), PostgresLeads(database), NotifierHub()
    lead_desk = LeadDesk(leads, ateliers, notifiers, notifiers, lead_policy(settings))
    geocoder = GeonamesGeocoder()
    services = EngineServices(
        brief_reader=brief_reader_for(settings, geocoder),
        workers=workers_for(settings, catalog),
        sessions=sessions,
        users=users,
        ateliers=ateliers,
        leads=lead_desk,
        geocoder=geocoder,
        moderator=moderator_from_settings(settings.moderation, settings.llm),
        rate_limiter=limiter,
    )
    options = EngineOptions(
        designs_per_brief=settings.render.designs_per_brief,
        variation_strength=settings.render.variation_strength,
        atelier_radius_km=settings.chat.atelier_radius_km,
        max_message_chars=settings.chat.max_message_chars,
        rates=CurrencyRates.from_settings(settings),
    )
    return StyleGenie(
        settings=settings,
        database=database,
        engine=ConversationEngine(services, options),
        catalog=catalog,
        ateliers=ateliers,
        users=users,
        leads=leads,
        lead_desk=lead_desk,
        notifiers=notifiers,
        geocoder=geocoder,
    )
