"""AtelierRepo on PostgreSQL, with contact details encrypted at rest.

The ``contact`` of an Atelier never reaches a column in plaintext: it is stored as
a Fernet token in ``contact_encrypted`` and decrypted only when an atelier is read
back for the lead flow (which reveals it to a shopper only after acceptance). A row
whose contact no configured key opens (encrypted under another key) is skipped with one
warning naming the atelier, so matching goes on for every other atelier.
Candidates for matching are pre-filtered in SQL (category, complexity, price, lead
time, and a bounding box around the shopper unless the atelier works remotely).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from stylegenie.adapters.contact_cipher import ContactCipher, ContactCipherError
from stylegenie.core.classify import COMPLEXITY_ORDER
from stylegenie.core.domain import Atelier, MatchRequest

from .database import Database

_STORED = tuple(name for name in Atelier.model_fields if name != "contact")
_COLUMNS = sql.SQL(", ").join(map(sql.Identifier, (*_STORED, "contact_encrypted")))
_UPSERT = sql.SQL(
    "INSERT INTO ateliers ({columns}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET {updates},"
    " updated_at = now()"
).format(
    columns=_COLUMNS,
    values=sql.SQL(", ").join(map(sql.Placeholder, (*_STORED, "contact_encrypted"))),
    updates=sql.SQL(", ").join(
        sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c))
        for c in (*_STORED, "contact_encrypted")
        if c != "id"
    ),
)
_SELECT = sql.SQL("SELECT {columns} FROM ateliers ").format(columns=_COLUMNS)
KM_PER_DEGREE = 111.2

log = logging.getLogger(__name__)


class PostgresAteliers:
    """The AtelierRepo port; contacts pass through a ContactCipher on the way in and out."""

    def __init__(self, database: Database, cipher: ContactCipher) -> None:
        self._db = database
        self._cipher = cipher

    def upsert_ateliers(self, ateliers: Sequence[Atelier]) -> None:
        """Insert or overwrite ateliers by id, in one transaction, contacts encrypted."""
        rows = [self._row(atelier) for atelier in ateliers]
        if rows:
            with self._db.connection() as conn, conn.cursor() as cur:
                cur.executemany(_UPSERT, rows)

    def list_ateliers(self, category: str | None = None) -> list[Atelier]:
        """Every atelier, or those that make ``category``, by id."""
        if category is None:
            return self._select(sql.SQL("ORDER BY id"), ())
        return self._select(
            sql.SQL("WHERE categories @> ARRAY[%s]::text[] ORDER BY id"), (category,)
        )

    def get_atelier(self, atelier_id: str) -> Atelier | None:
        """The atelier with this id, or None."""
        return next(iter(self._select(sql.SQL("WHERE id = %s"), (atelier_id,))), None)

    def ateliers_of_owner(self, owner_key: str) -> list[Atelier]:
        """Ateliers whose owner chats as ``owner_key`` ("telegram:123")."""
        platform, _, chat_id = owner_key.partition(":")
        return self._select(
            sql.SQL("WHERE owner_chat_ids @> %s ORDER BY id"), (Jsonb({platform: chat_id}),)
        )

    def find_ateliers(self, request: MatchRequest) -> list[Atelier]:
        """Candidates for a match; scoring and the exact distance are the core's."""
        allowed = list(COMPLEXITY_ORDER[COMPLEXITY_ORDER.index(request.complexity) :])
        conditions = ["categories @> ARRAY[%s]::text[]", "max_complexity = ANY(%s)"]
        params: list[Any] = [request.category, allowed]
        if request.budget_max is not None:
            conditions.append("price_min <= %s")
            params.append(request.budget_max)
        if request.deadline_days is not None:
            conditions.append("lead_time_days <= %s")
            params.append(request.deadline_days)
        if request.has_origin:
            lat, lon = request.latitude, request.longitude
            dlat = request.radius_km / KM_PER_DEGREE
            dlon = request.radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))  # type: ignore[arg-type]
            conditions.append(
                "(remote_friendly OR (lat BETWEEN %s AND %s AND lon BETWEEN %s AND %s))"
            )
            params += [lat - dlat, lat + dlat, lon - dlon, lon + dlon]  # type: ignore[operator]
        where = sql.SQL("WHERE " + " AND ".join(conditions))  # type: ignore[arg-type]
        return self._select(where, tuple(params))

    def rotate_contacts(self, new_cipher: ContactCipher) -> int:
        """Re-encrypt every stored contact with ``new_cipher``'s first key; returns the count."""
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT id, contact_encrypted FROM ateliers WHERE contact_encrypted IS NOT NULL"
            ).fetchall()
            for row in rows:
                conn.execute(
                    "UPDATE ateliers SET contact_encrypted = %s WHERE id = %s",
                    (new_cipher.rotate(row["contact_encrypted"]), row["id"]),
                )
        return len(rows)

    def _row(self, atelier: Atelier) -> dict[str, Any]:
        row = atelier.model_dump(exclude={"contact"})
        row["owner_chat_ids"] = Jsonb(atelier.owner_chat_ids)
        row["owner_user_ids"] = Jsonb(atelier.owner_user_ids)
        row["contact_encrypted"] = (
            self._cipher.encrypt(atelier.contact) if atelier.contact else None
        )
        return row

    def _select(self, where: sql.Composable, params: tuple[Any, ...]) -> list[Atelier]:
        """The matching rows as Ateliers; a row whose contact cannot be decrypted is left out."""
        with self._db.connection() as conn:
            rows = conn.execute(_SELECT + where, params).fetchall()
        ateliers = []
        for row in rows:
            token = row.pop("contact_encrypted")
            try:
                contact = self._cipher.decrypt(token) if token is not None else ""
            except ContactCipherError:
                _warn_undecryptable(row["id"])
                continue
            ateliers.append(Atelier.model_validate({**row, "contact": contact}))
        return ateliers


_warned: set[str] = set()
_warned_lock = threading.Lock()


def _warn_undecryptable(atelier_id: str) -> None:
    """One warning per atelier and process: its id, never the token or a contact."""
    with _warned_lock:
        if atelier_id in _warned:
            return
        _warned.add(atelier_id)
    log.warning(
        "atelier %s is skipped: its contact cannot be decrypted with the configured keys "
        "(re-import it, or add the key it was encrypted with)",
        atelier_id,
    )
