"""The search cache: repeated searches skip the workers until the catalogue changes.

Real PostgreSQL (the catalogue version of migration 0002) and real Redis on 127.0.0.1;
the inner Workers is a counting fake so a test can see whether it was called.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import pytest
import redis

from stylegenie.adapters.postgres.database import Database
from stylegenie.adapters.postgres.repositories import PostgresCatalog
from stylegenie.adapters.search_cache import (
    CachedWorkers,
    MemorySearchCache,
    RedisSearchCache,
    SearchCache,
    cache_key,
)
from stylegenie.core.domain import Design, Product, ProductHit, ScoreBreakdown
from stylegenie.core.ports import ProgressCallback, SearchQuery
from stylegenie.core.search_query import query_from_text

REDIS_URL = os.environ.get("STYLEGENIE_TEST_REDIS", "redis://127.0.0.1:6379/0")

TEE = Product(id="t1", name="Black Tee", article_type="Tshirts", colour="Black", price=12)
BREAKDOWN = ScoreBreakdown(
    cosine=0.8, price_alignment=0.5, brand_score=0.5, availability=1, total=0.7
)


class CountingWorkers:
    """A Workers fake: one fixed hit, and a count of the searches it ran."""

    def __init__(self) -> None:
        self.searches = 0
        self.renders = 0

    def render_designs(
        self, designs: Sequence[Design], progress: ProgressCallback | None = None
    ) -> list[Design]:
        self.renders += 1
        return list(designs)

    def search_products(self, query: SearchQuery) -> list[ProductHit]:
        self.searches += 1
        return [ProductHit(product=TEE, score=0.7, breakdown=BREAKDOWN, why="close")]


@pytest.fixture
def catalog(pg_url: str) -> Iterator[PostgresCatalog]:
    """A PostgresCatalog on a fresh, migrated database."""
    with Database(pg_url, pool_max=10) as database:
        database.apply_migrations()
        yield PostgresCatalog(database)


@pytest.fixture(params=["memory", "redis"])
def cache(request: pytest.FixtureRequest, redis_prefix: str) -> Iterator[SearchCache]:
    """Each test runs on the in-process LRU and on Redis."""
    if request.param == "memory":
        yield MemorySearchCache()
        return
    client = redis.Redis.from_url(REDIS_URL)
    yield RedisSearchCache(client, redis_prefix)
    client.close()


def test_a_second_identical_search_is_served_from_the_cache(
    catalog: PostgresCatalog, cache: SearchCache
) -> None:
    """The inner workers run once; both answers are equal; another query is a miss."""
    inner = CountingWorkers()
    workers = CachedWorkers(inner, cache, catalog.catalog_version, ttl_s=60)
    query = query_from_text("black tee under 20")
    first = workers.search_products(query)
    second = workers.search_products(query_from_text("black tee under 20"))
    assert inner.searches == 1 and first == second and second[0].product == TEE
    workers.search_products(query_from_text("black tee under 30"))
    assert inner.searches == 2


def test_every_query_field_is_part_of_the_key() -> None:
    """Searches that differ only in preferred words or excluded colours are cached apart."""
    query = query_from_text("green dress")
    variants = [
        query,
        query.model_copy(update={"prefer_terms": ["sage"]}),
        query.model_copy(update={"prefer_terms": ["linen"]}),
        query.model_copy(
            update={"filters": query.filters.model_copy(update={"exclude_colours": ["Black"]})}
        ),
    ]
    assert len({cache_key(variant, 1) for variant in variants}) == len(variants)
    assert cache_key(query, 1) == cache_key(query_from_text("green dress"), 1)


def test_an_ingest_invalidates_the_cache(catalog: PostgresCatalog, cache: SearchCache) -> None:
    """Upserting products bumps the catalogue version, so the next search runs again."""
    inner = CountingWorkers()
    workers = CachedWorkers(inner, cache, catalog.catalog_version, ttl_s=60)
    query = query_from_text("black tee")
    before = catalog.catalog_version()
    workers.search_products(query)
    catalog.upsert_products([TEE])
    assert catalog.catalog_version() == before + 1
    workers.search_products(query)
    workers.search_products(query)
    assert inner.searches == 2


def test_ttl_zero_disables_the_cache(catalog: PostgresCatalog, cache: SearchCache) -> None:
    """With TTL 0 every search reaches the workers; rendering always passes through."""
    inner = CountingWorkers()
    workers = CachedWorkers(inner, cache, catalog.catalog_version, ttl_s=0)
    query = query_from_text("black tee")
    workers.search_products(query)
    workers.search_products(query)
    workers.render_designs([])
    assert (inner.searches, inner.renders) == (2, 1)


def test_memory_entries_expire_and_the_least_recent_is_evicted() -> None:
    """A value lives for its TTL; beyond the cap the least recently used goes first."""
    now = [0.0]
    cache = MemorySearchCache(max_entries=2, clock=lambda: now[0])
    cache.set("a", "1", ttl_s=10)
    cache.set("b", "2", ttl_s=10)
    assert cache.get("a") == "1"
    cache.set("c", "3", ttl_s=10)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("1", None, "3")
    now[0] = 10.0
    assert cache.get("a") is None


def test_redis_entries_carry_the_ttl(redis_prefix: str) -> None:
    """Each Redis entry expires by itself, under the configured prefix."""
    client = redis.Redis.from_url(REDIS_URL)
    RedisSearchCache(client, redis_prefix).set("k", "v", ttl_s=30)
    assert 0 < client.ttl(f"{redis_prefix}search:k") <= 30
    client.close()


def test_an_unreachable_redis_never_fails_a_search(catalog: PostgresCatalog) -> None:
    """The cache is skipped and the workers answer."""
    dead = RedisSearchCache(redis.Redis(port=1, socket_connect_timeout=0.2), "sgtest:")
    inner = CountingWorkers()
    hits = CachedWorkers(inner, dead, catalog.catalog_version, ttl_s=60).search_products(
        query_from_text("black tee")
    )
    assert hits and inner.searches == 1


def test_the_wired_workers_cache_real_searches_in_redis(
    make_app: object, redis_prefix: str
) -> None:
    """The composition root: with Redis configured, a real search is stored and served again."""
    from stylegenie.bots.wiring import workers_for

    app = make_app(redis={"url": REDIS_URL, "key_prefix": redis_prefix})  # type: ignore[operator]
    workers = workers_for(app.settings, app.catalog)
    assert isinstance(workers, CachedWorkers)
    query = query_from_text("white tee for men")
    first = workers.search_products(query)
    client = redis.Redis.from_url(REDIS_URL)
    assert len(list(client.scan_iter(f"{redis_prefix}search:*"))) == 1
    client.close()
    assert first and workers.search_products(query) == first
