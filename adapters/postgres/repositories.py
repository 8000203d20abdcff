"""Repositories on PostgreSQL: the catalogue, ateliers, shopper profiles and leads.

Plain SQL through psycopg, no ORM. Column names match the pydantic models in
``stylegenie.core.domain``, so a ``dict_row`` validates straight into its model;
nested models and dicts travel as JSONB (``model_dump(mode="json")``), lists of
strings as ``text[]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, LiteralString, TypeVar

from psycopg import sql
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from stylegenie.core.domain import Atelier, Lead, LeadStatus, Product, UserProfile

from .database import Database

ModelT = TypeVar("ModelT", bound=BaseModel)

_PRODUCT_COLUMNS = tuple(Product.model_fields)
_ATELIER_COLUMNS = tuple(Atelier.model_fields)
_LEAD_COLUMNS = tuple(Lead.model_fields)


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


def _select_query(table: str, columns: Sequence[str], where: LiteralString) -> sql.Composed:
    """SELECT the model's columns from ``table``, followed by a literal WHERE/ORDER clause."""
    return sql.SQL("SELECT {columns} FROM {table} {where}").format(
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        table=sql.Identifier(table),
        where=sql.SQL(where),
    )


def _to_models(model: type[ModelT], rows: Iterable[DictRow]) -> list[ModelT]:
    """Validate each row (a dict of column → value) into ``model``."""
    return [model.model_validate(row) for row in rows]


_UPSERT_PRODUCT = _upsert_query("products", _PRODUCT_COLUMNS, "id")
_UPSERT_ATELIER = _upsert_query("ateliers", _ATELIER_COLUMNS, "id")
_SELECT_PRODUCTS = _select_query("products", _PRODUCT_COLUMNS, "WHERE id = ANY(%s)")
_SELECT_ATELIER = _select_query("ateliers", _ATELIER_COLUMNS, "WHERE id = %s")
_ALL_ATELIERS = _select_query("ateliers", _ATELIER_COLUMNS, "ORDER BY id")
_ATELIERS_IN = _select_query(
    "ateliers", _ATELIER_COLUMNS, "WHERE categories @> ARRAY[%s]::text[] ORDER BY id"
)
_SELECT_LEAD = _select_query("leads", _LEAD_COLUMNS, "WHERE id = %s")
_LEADS_OF_USER = _select_query(
    "leads", _LEAD_COLUMNS, "WHERE user_key = %s ORDER BY created_at, id"
)


class PostgresCatalog:
    """CatalogRepo: product metadata in the ``products`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def upsert_products(self, products: Sequence[Product]) -> None:
        """Insert new products and overwrite existing ones by id, in one transaction."""
        rows: list[dict[str, Any]] = [
            {**product.model_dump(), "sizes": Jsonb(product.sizes)} for product in products
        ]
        if not rows:
            return
        with self._db.connection() as conn, conn.cursor() as cur:
            cur.executemany(_UPSERT_PRODUCT, rows)

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        """The known products among ``ids``, by id; unknown ids are simply absent."""
        if not ids:
            return {}
        with self._db.connection() as conn:
            rows = conn.execute(_SELECT_PRODUCTS, (list(ids),)).fetchall()
        return {product.id: product for product in _to_models(Product, rows)}

    def count_products(self) -> int:
        """How many products the catalogue holds."""
        with self._db.connection() as conn:
            row = conn.execute("SELECT count(*) AS n FROM products").fetchone()
        return int(row["n"]) if row else 0


class PostgresAteliers:
    """AtelierRepo: ateliers and their capabilities in the ``ateliers`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def upsert_ateliers(self, ateliers: Sequence[Atelier]) -> None:
        """Insert new ateliers and overwrite existing ones by id, in one transaction."""
        rows: list[dict[str, Any]] = [
            {**atelier.model_dump(), "owner_chat_ids": Jsonb(atelier.owner_chat_ids)}
            for atelier in ateliers
        ]
        if not rows:
            return
        with self._db.connection() as conn, conn.cursor() as cur:
            cur.executemany(_UPSERT_ATELIER, rows)

    def list_ateliers(self, category: str | None = None) -> list[Atelier]:
        """Every atelier, or those whose categories include ``category``, by id."""
        with self._db.connection() as conn:
            if category is None:
                rows = conn.execute(_ALL_ATELIERS).fetchall()
            else:
                rows = conn.execute(_ATELIERS_IN, (category,)).fetchall()
        return _to_models(Atelier, rows)

    def get_atelier(self, atelier_id: str) -> Atelier | None:
        """The atelier with this id, or None."""
        with self._db.connection() as conn:
            rows = conn.execute(_SELECT_ATELIER, (atelier_id,)).fetchall()
        return next(iter(_to_models(Atelier, rows)), None)


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


class PostgresLeads:
    """LeadRepo: the ``leads`` outbox; the status CHECK guards the state names."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create_lead(self, lead: Lead) -> None:
        """Store a new lead; a duplicate id or an unknown atelier raises an IntegrityError."""
        with self._db.connection() as conn:
            conn.execute(
                "INSERT INTO leads (id, user_key, atelier_id, design, status, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    lead.id,
                    lead.user_key,
                    lead.atelier_id,
                    Jsonb(lead.design.model_dump(mode="json")),
                    lead.status.value,
                    lead.created_at,
                ),
            )

    def set_lead_status(self, lead_id: str, status: LeadStatus) -> None:
        """Move a lead to ``status``; an unknown lead id raises LookupError.

        Which transitions are allowed is the core's business; the table only
        refuses names outside the state machine.
        """
        with self._db.connection() as conn:
            cur = conn.execute(
                "UPDATE leads SET status = %s, updated_at = now() WHERE id = %s",
                (LeadStatus(status).value, lead_id),
            )
            if cur.rowcount == 0:
                raise LookupError(f"no lead with id {lead_id!r}")

    def get_lead(self, lead_id: str) -> Lead | None:
        """The lead with this id, or None."""
        with self._db.connection() as conn:
            rows = conn.execute(_SELECT_LEAD, (lead_id,)).fetchall()
        return next(iter(_to_models(Lead, rows)), None)

    def leads_for_user(self, user_key: str) -> list[Lead]:
        """A shopper's leads, oldest first."""
        with self._db.connection() as conn:
            rows = conn.execute(_LEADS_OF_USER, (user_key,)).fetchall()
        return _to_models(Lead, rows)
