"""Repositories on PostgreSQL: the catalogue and shopper profiles (ateliers.py, leads.py: theirs).

Plain SQL through psycopg, no ORM. Column names match the pydantic models in
``stylegenie.core.domain``, so a ``dict_row`` validates straight into its model;
nested models and dicts travel as JSONB (``model_dump(mode="json")``), lists of
strings as ``text[]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, LiteralString, TypeVar

from psycopg import sql
from psycopg.rows import DictRow, scalar_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from stylegenie.core.domain import Product, UserProfile

from .database import Database

ModelT = TypeVar("ModelT", bound=BaseModel)

_PRODUCT_COLUMNS = tuple(Product.model_fields)


def _upsert_query(table: str, columns: Sequence[str], key: str) -> sql.Composed:
    """INSERT every column; on a clash of ``key`` overwrite the others and stamp updated_at."""
    return sql.SQL(
        "INSERT INTO {table} ({columns}) VALUES ({values}) "
        "ON CONFLICT ({key}) DO UPDATE SET {updates}, updated_at = now()"
    ).format(
        table=sql.Identifier(table),
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        values=sql.SQL(", ").join(map(sql.Placeholder, columns)),
        key=sql.Identifier(key),
        updates=sql.SQL(", ").join(
            sql.SQL("{column} = EXCLUDED.{column}").format(column=sql.Identifier(column))
            for column in columns
            if column != key
        ),
    )


def select_query(table: str, columns: Sequence[str], where: LiteralString) -> sql.Composed:
    """SELECT the model's columns from ``table``, followed by a literal WHERE/ORDER clause."""
    return sql.SQL("SELECT {columns} FROM {table} {where}").format(
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        table=sql.Identifier(table),
        where=sql.SQL(where),
    )


def to_models(model: type[ModelT], rows: Iterable[DictRow]) -> list[ModelT]:
    """Validate each row (a dict of column → value) into ``model``."""
    return [model.model_validate(row) for row in rows]


_UPSERT_PRODUCT = _upsert_query("products", _PRODUCT_COLUMNS, "id")
_SELECT_PRODUCTS = select_query("products", _PRODUCT_COLUMNS, "WHERE id = ANY(%s)")
_BUMP_VERSION = "UPDATE catalog_version SET version = version + 1, updated_at = now()"


class PostgresCatalog:
    """CatalogRepo: product metadata in the ``products`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def upsert_products(self, products: Sequence[Product]) -> None:
        """Insert new products and overwrite existing ones by id, in one transaction.

        The same transaction bumps the catalogue version, so caches keyed by it go stale
        exactly when the new rows become visible.
        """
        rows: list[dict[str, Any]] = [
            {**product.model_dump(), "sizes": Jsonb(product.sizes)} for product in products
        ]
        if not rows:
            return
        with self._db.connection() as conn, conn.cursor() as cur:
            cur.executemany(_UPSERT_PRODUCT, rows)
            cur.execute(_BUMP_VERSION)

    def catalog_version(self) -> int:
        """A number that grows with every change of the catalogue (by any process)."""
        with self._db.connection() as conn:
            row = conn.execute("SELECT version FROM catalog_version").fetchone()
        return int(row["version"]) if row else 0

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        """The known products among ``ids``, by id; unknown ids are simply absent."""
        if not ids:
            return {}
        with self._db.connection() as conn:
            rows = conn.execute(_SELECT_PRODUCTS, (list(ids),)).fetchall()
        return {product.id: product for product in to_models(Product, rows)}

    def count_products(self) -> int:
        """How many products the catalogue holds."""
        with self._db.connection() as conn:
            row = conn.execute("SELECT count(*) AS n FROM products").fetchone()
        return int(row["n"]) if row else 0

    def product_ids(self) -> set[str]:
        """Every product id in the catalogue (to check it against the product index)."""
        with self._db.connection() as conn, conn.cursor(row_factory=scalar_row) as cur:
            return {str(product_id) for product_id in cur.stream("SELECT id FROM products")}


class PostgresUsers:
    """UserRepo: preferences and saved designs as JSONB in the ``users`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def get_user(self, user_key: str) -> UserProfile:
        """The stored profile, or a fresh empty one when this shopper has none yet."""
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT user_key, preferences, saved_designs FROM users WHERE user_key = %s",
                (user_key,),
            ).fetchone()
        return UserProfile.model_validate(row) if row else UserProfile(user_key=user_key)

    def save_user(self, profile: UserProfile) -> None:
        """Insert or replace the profile's preferences and saved designs."""
        with self._db.connection() as conn:
            conn.execute(
                "INSERT INTO users (user_key, preferences, saved_designs)"
                " VALUES (%s, %s, %s)"
                " ON CONFLICT (user_key) DO UPDATE SET preferences = EXCLUDED.preferences,"
                " saved_designs = EXCLUDED.saved_designs, updated_at = now()",
                (
                    profile.user_key,
                    Jsonb(profile.preferences.model_dump(mode="json")),
                    Jsonb([design.model_dump(mode="json") for design in profile.saved_designs]),
                ),
            )
