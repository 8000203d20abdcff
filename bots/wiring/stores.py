"""Stores the settings choose: the database, chat sessions and rate limits, the search
cache, images and the key that guards atelier contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stylegenie.adapters.contact_cipher import ContactCipher, embedded_key
from stylegenie.adapters.memory_stores import MemoryRateLimiter, MemorySessionStore
from stylegenie.adapters.postgres.database import Database, embedded_database_url, open_database
from stylegenie.adapters.search_cache import MemorySearchCache, RedisSearchCache, SearchCache
from stylegenie.config import Settings
from stylegenie.core.ports import ImageStore, RateLimiter, SessionStore

if TYPE_CHECKING:
    import redis

    from stylegenie.adapters.redis_stores import RedisRateLimiter

REDIS_CONNECT_TIMEOUT_S = 2.0
REDIS_TIMEOUT_S = 3.0
"""Longest wait on one Redis command (sessions, limits and the cache answer in ~1 ms)."""


def database_for(settings: Settings) -> Database:
    """The configured PostgreSQL, or the embedded server under the data folder; migrated."""
    url = settings.database.url or embedded_database_url(settings.data_dir)
    return open_database(url, settings.database.pool_max)


def chat_state_for(settings: Settings) -> tuple[SessionStore, RateLimiter]:
    """Redis sessions and limits when a Redis URL is set, in-process ones otherwise."""
    limiter = rate_limiter_for(settings, settings.chat.messages_per_minute, "chat")
    client = _redis(settings)
    if client is None:
        return MemorySessionStore(), limiter
    from stylegenie.adapters.redis_stores import RedisSessionStore

    return RedisSessionStore(client, settings.redis.key_prefix), limiter


def rate_limiter_for(
    settings: Settings, per_minute: int, scope: str
) -> MemoryRateLimiter | RedisRateLimiter:
    """``per_minute`` events per key, counted in Redis (shared by every process) when a
    Redis URL is set, in this process otherwise; ``scope`` keeps each limit's keys apart."""
    client = _redis(settings)
    if client is None:
        return MemoryRateLimiter(per_minute)
    from stylegenie.adapters.redis_stores import RedisRateLimiter

    prefix = f"{settings.redis.key_prefix}{scope}:"
    return RedisRateLimiter(client, prefix, per_minute)


def search_cache_for(settings: Settings) -> SearchCache:
    """Product searches cached in Redis when a Redis URL is set, in this process otherwise."""
    client = _redis(settings)
    if client is None:
        return MemorySearchCache()
    return RedisSearchCache(client, settings.redis.key_prefix)


def image_store_for(settings: Settings) -> ImageStore:
    """Where images go: the local folder ``settings.image_dir``, or an S3-compatible bucket.

    Front-ends build theirs with it, without the worker runtime (which loads models); with
    a local store and separate workers, bot and workers must share the folder.
    """
    if settings.images.backend == "s3":
        from stylegenie.adapters.s3_image_store import S3ImageStore

        return S3ImageStore(settings.images)
    from stylegenie.adapters.image_store import LocalImageStore

    return LocalImageStore(settings.image_dir)


def cipher_for(settings: Settings) -> ContactCipher:
    """The configured contact keys, or the embedded key file under the data folder."""
    keys = [key.get_secret_value() for key in settings.privacy.contact_keys]
    return ContactCipher(keys or [embedded_key(settings.data_dir)])


def _redis(settings: Settings) -> redis.Redis | None:
    """A client of the configured Redis; None without a Redis URL.

    A Redis lost mid-run fails a turn within seconds (the shopper gets an apology) rather
    than after redis-py's ten retries; one quick retry reconnects to a Redis that came back.
    """
    if not settings.redis.url:
        return None
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        settings.redis.url,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
        socket_timeout=REDIS_TIMEOUT_S,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 1),
    )
