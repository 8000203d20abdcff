"""Popular searches cached: a Workers wrapper that remembers product-search results.

``CachedWorkers`` implements the Workers port around another one (Celery or eager):
rendering passes straight through; ``search_products`` looks up a key made of a hash of
the query's JSON and the catalogue version, and only on a miss asks the inner Workers.
The catalogue version comes from PostgreSQL (``PostgresCatalog.catalog_version``), bumped
in the same transaction as every product upsert, so an ingest in any process invalidates
every cache at once: old keys are simply never asked for again and expire.

Two stores hold the hits as JSON: ``RedisSearchCache`` (shared by every process, each entry
with a TTL) and ``MemorySearchCache`` (a small in-process LRU with the same TTL) when no
Redis is configured. A TTL of 0 turns caching off. A Redis outage never fails a search:
the cache is skipped and the search runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

import redis

from stylegenie.core.domain import Design, ProductHit
from stylegenie.core.ports import ProgressCallback, SearchQuery, Workers

__all__ = ["CachedWorkers", "MemorySearchCache", "RedisSearchCache", "SearchCache", "cache_key"]

log = logging.getLogger(__name__)


class SearchCache(Protocol):
    """Where cached results live: text values by key, each with a time to live."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, ttl_s: int) -> None: ...


class MemorySearchCache:
    """An in-process LRU of at most ``max_entries`` values, each expiring after its TTL."""

    def __init__(self, max_entries: int = 256, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        """The value under ``key`` while it is fresh, else None (a stale one is dropped)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if self._clock() >= expires:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: str, ttl_s: int) -> None:
        """Store ``value`` for ``ttl_s`` seconds; the least recently used go beyond the cap."""
        with self._lock:
            self._entries[key] = (self._clock() + ttl_s, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


class RedisSearchCache:
    """Values under ``<prefix>search:<key>`` in Redis, with Redis's own expiry."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix + "search:"

    def get(self, key: str) -> str | None:
        """The cached value, or None when absent, expired or Redis cannot be reached."""
        try:
            raw = self._client.get(self._prefix + key)
        except redis.RedisError as error:
            log.warning("search cache unavailable, searching without it: %s", error)
            return None
        return raw.decode() if isinstance(raw, bytes) else raw

    def set(self, key: str, value: str, ttl_s: int) -> None:
        """Store the value with an expiry; a Redis error is logged and ignored."""
        try:
            self._client.set(self._prefix + key, value, ex=ttl_s)
        except redis.RedisError as error:
            log.warning("search cache unavailable, result not cached: %s", error)


def cache_key(query: SearchQuery, catalog_version: int) -> str:
    """A SHA-256 of the query's canonical JSON and the catalogue version."""
    payload = json.dumps(
        {"catalog": catalog_version, "query": query.model_dump(mode="json")}, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class CachedWorkers:
    """The Workers port with product searches served from a cache while the catalogue holds.

    ``catalog_version`` is called on every search (one small query on PostgreSQL); a new
    version means new keys, so nothing cached before an ingest is served after it.
    """

    def __init__(
        self,
        inner: Workers,
        cache: SearchCache,
        catalog_version: Callable[[], int],
        ttl_s: int,
    ) -> None:
        self._inner = inner
        self._cache = cache
        self._catalog_version = catalog_version
        self._ttl_s = ttl_s

    def render_designs(
        self, designs: Sequence[Design], progress: ProgressCallback | None = None
    ) -> list[Design]:
        """Rendering is never cached: each call draws new seeds."""
        return self._inner.render_designs(designs, progress)

    def search_products(self, query: SearchQuery) -> list[ProductHit]:
        """The cached hits for this query and catalogue version, or a fresh search (then cached)."""
        if self._ttl_s <= 0:
            return self._inner.search_products(query)
        key = cache_key(query, self._catalog_version())
        cached = self._cache.get(key)
        if cached is not None:
            return [ProductHit.model_validate(raw) for raw in json.loads(cached)]
        hits = self._inner.search_products(query)
        value = json.dumps([hit.model_dump(mode="json") for hit in hits])
        self._cache.set(key, value, self._ttl_s)
        return hits

    def search_by_photo(self, query: SearchQuery) -> list[ProductHit] | None:
        """Photo searches are not cached: every photo is a new query."""
        return self._inner.search_by_photo(query)

    def embed_images(self, images: Sequence[bytes | str]) -> list[list[float] | None]:
        """Image embeddings pass straight through to the workers."""
        return self._inner.embed_images(images)

    def zero_shot_category(self, image_ref: str, categories: Sequence[str]) -> str | None:
        """Classification passes straight through to the workers."""
        return self._inner.zero_shot_category(image_ref, categories)
