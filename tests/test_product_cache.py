"""The searcher's in-memory product metadata: fewer PostgreSQL reads, never stale for long.

Real PostgreSQL on 127.0.0.1: two ``PostgresCatalog`` objects on one database stand for
two processes (a worker that searches, an ingest run elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stylegenie.adapters.postgres.database import Database
from stylegenie.adapters.postgres.repositories import PostgresCatalog
from stylegenie.adapters.product_cache import CachedCatalog
from stylegenie.core.domain import Product
from tests.fakes.ports import CountingCatalog


def tee(pid: str, price: float = 12.0) -> Product:
    return Product(id=pid, name=f"Tee {pid}", article_type="Tshirts", price=price)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    with Database(pg_url, pool_max=10) as db:
        db.apply_migrations()
        yield db


def test_products_already_fetched_are_answered_from_memory(database: Database) -> None:
    catalog = PostgresCatalog(database)
    catalog.upsert_products([tee("a"), tee("b"), tee("c")])
    counting = CountingCatalog(catalog)
    cached = CachedCatalog(counting, catalog.catalog_version, 20_000, 2.0, Clock())

    first = cached.get_products(["a", "b", "missing"])
    second = cached.get_products(["b", "a", "c"])

    assert sorted(first) == ["a", "b"] and sorted(second) == ["a", "b", "c"]
    assert second["a"] == first["a"] == tee("a")
    assert counting.asked == [["a", "b", "missing"], ["c"]]  # unknown ids are asked again


def test_another_process_ingest_is_seen_after_the_check_interval(database: Database) -> None:
    searching, ingesting = PostgresCatalog(database), PostgresCatalog(database)
    searching.upsert_products([tee("a", price=12)])
    clock = Clock()
    cached = CachedCatalog(searching, searching.catalog_version, 20_000, 2.0, clock)
    assert cached.get_products(["a"])["a"].price == 12

    ingesting.upsert_products([tee("a", price=30)])
    clock.now = 1.0
    assert cached.get_products(["a"])["a"].price == 12  # within the interval: held copy
    clock.now = 2.5
    assert cached.get_products(["a"])["a"].price == 30  # version moved: fetched again


def test_own_upserts_are_seen_at_once(database: Database) -> None:
    catalog = PostgresCatalog(database)
    cached = CachedCatalog(catalog, catalog.catalog_version, 20_000, 2.0, Clock())
    cached.upsert_products([tee("a", price=12)])
    assert cached.get_products(["a"])["a"].price == 12
    cached.upsert_products([tee("a", price=19)])
    assert cached.get_products(["a"])["a"].price == 19
    assert cached.count_products() == 1


def test_memory_is_bounded_and_the_least_recently_used_go_first(database: Database) -> None:
    catalog = PostgresCatalog(database)
    catalog.upsert_products([tee(pid) for pid in "abcd"])
    counting = CountingCatalog(catalog)
    cached = CachedCatalog(counting, catalog.catalog_version, 3, 2.0, Clock())
    cached.get_products(["a", "b", "c"])
    cached.get_products(["a"])  # a is now the most recently used
    cached.get_products(["d"])  # evicts b
    assert len(cached) == 3
    counting.asked.clear()
    cached.get_products(["a", "b", "c", "d"])
    assert counting.asked == [["b"]]
