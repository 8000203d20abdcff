"""The PostgreSQL adapter against the real server on 127.0.0.1 (and once, pgserver)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stylegenie.adapters.postgres.database import (
    Database,
    embedded_database_url,
    find_migrations,
)
from stylegenie.adapters.postgres.repositories import (
    PostgresCatalog,
    PostgresUsers,
)
from stylegenie.core.domain import (
    Design,
    DesignBrief,
    Product,
    UserProfile,
)

ALL_VERSIONS = [migration.version for migration in find_migrations()]


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    """An open Database on a fresh test database with every migration applied."""
    with Database(pg_url, pool_max=4) as database:
        database.apply_migrations()
        yield database


def product(product_id: str, **changes: object) -> Product:
    """A small valid product; keyword arguments override fields."""
    fields: dict[str, object] = {
        "id": product_id,
        "name": f"Linen dress {product_id}",
        "brand": "Acme",
        "article_type": "Dresses",
        "colour": "Green",
        "gender": "women",
        "price": 89.9,
        "sizes": ["S", "M"],
        "brand_score": 0.7,
    }
    return Product.model_validate({**fields, **changes})


def design() -> Design:
    """A design with a non-trivial brief, as saved by a shopper."""
    brief = DesignBrief(garment="dress", colours=["sage"], fabric="linen", budget_max=120)
    return Design(brief=brief, prompt="a sage linen dress", seed=42, model="preview")


def test_migrations_apply_once_and_are_recorded(pg_url: str) -> None:
    with Database(pg_url, pool_max=10) as database:
        assert database.apply_migrations() == ALL_VERSIONS
        assert database.apply_migrations() == []
        with database.connection() as conn:
            rows = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
    assert [row["version"] for row in rows] == ALL_VERSIONS
    assert rows[0]["name"] == "initial"


def test_concurrent_migrations_apply_each_file_once(pg_url: str) -> None:
    start = threading.Barrier(2)
    results: list[list[int]] = []

    def migrate() -> None:
        with Database(pg_url, pool_max=1) as database:
            start.wait()
            results.append(database.apply_migrations())

    threads = [threading.Thread(target=migrate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(v for applied in results for v in applied) == ALL_VERSIONS, "each file once"
    with Database(pg_url, pool_max=10) as database, database.connection() as conn:
        row = conn.execute("SELECT count(*) AS n FROM schema_migrations").fetchone()
    assert row is not None and row["n"] == len(ALL_VERSIONS)


def test_catalog_upsert_is_idempotent_and_updates(db: Database) -> None:
    catalog = PostgresCatalog(db)
    first, second = product("p1"), product("p2", sizes=[], image_ref="img/p2.png")
    catalog.upsert_products([first, second])
    catalog.upsert_products([first, second])
    assert catalog.count_products() == 2
    assert catalog.get_products(["p1", "p2"]) == {"p1": first, "p2": second}

    cheaper = product("p1", price=59.5, in_stock=False, colour="Sage")
    catalog.upsert_products([cheaper])
    assert catalog.count_products() == 2
    assert catalog.get_products(["p1"]) == {"p1": cheaper}


def test_get_products_skips_unknown_ids(db: Database) -> None:
    catalog = PostgresCatalog(db)
    catalog.upsert_products([product("p1")])
    assert list(catalog.get_products(["nope", "p1", "also-nope"])) == ["p1"]
    assert catalog.get_products([]) == {}
    catalog.upsert_products([])
    assert catalog.count_products() == 1


def test_user_profile_round_trip(db: Database) -> None:
    users = PostgresUsers(db)
    assert users.get_user("tg:1") == UserProfile(user_key="tg:1")

    profile = UserProfile(
        user_key="tg:1",
        preferences=DesignBrief(size="M", city="Lisbon", budget_max=150, currency="EUR"),
        saved_designs=[design()],
    )
    users.save_user(profile)
    assert users.get_user("tg:1") == profile

    profile.saved_designs.append(design())
    users.save_user(profile)
    stored = users.get_user("tg:1")
    assert [d.id for d in stored.saved_designs] == [d.id for d in profile.saved_designs]
    assert stored.saved_designs[0].brief.colours == ["sage"]


def test_embedded_server_runs_migrations(tmp_path: Path) -> None:
    url = embedded_database_url(tmp_path)
    import pgserver  # imported by embedded_database_url, which silences its import warning

    pgdata = tmp_path / "postgres"
    try:
        with Database(url, pool_max=10) as database:
            assert database.apply_migrations() == ALL_VERSIONS
            assert PostgresCatalog(database).count_products() == 0
        assert embedded_database_url(tmp_path) == url
    finally:
        server = pgserver.get_server(pgdata, cleanup_mode=None)
        stop = pgserver.pg_ctl  # type: ignore[attr-defined]  # generated when pgserver loads
        stop(["-w", "stop"], pgdata=pgdata, user=server.system_user)
