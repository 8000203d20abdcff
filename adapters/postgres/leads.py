"""LeadRepo on PostgreSQL: the ``leads`` table is the outbox of the lead flow.

State changes are conditional updates (``WHERE status = ANY(...)``), so two
processes answering or expiring the same lead cannot both win.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from psycopg.types.json import Jsonb

from stylegenie.core.domain import Lead, LeadStatus

from .database import Database
from .repositories import select_query, to_models

_COLUMNS = tuple(Lead.model_fields)
_OPEN = [LeadStatus.NEW.value, LeadStatus.SENT.value]
_BY_ID = select_query("leads", _COLUMNS, "WHERE id = %s")
_BY_KEY = select_query("leads", _COLUMNS, "WHERE idempotency_key = %s")
_OF_USER = select_query("leads", _COLUMNS, "WHERE user_key = %s ORDER BY created_at, id")
_DUE = select_query(
    "leads",
    _COLUMNS,
    "WHERE status = 'new' AND (next_attempt_at IS NULL OR next_attempt_at <= %s)"
    " ORDER BY created_at",
)
_SENT_BEFORE = select_query(
    "leads", _COLUMNS, "WHERE status = 'sent' AND updated_at < %s ORDER BY updated_at"
)
_OPEN_FOR = select_query(
    "leads", _COLUMNS, "WHERE atelier_id = ANY(%s) AND status = ANY(%s) ORDER BY created_at"
)
_INSERT = (
    "INSERT INTO leads (id, user_key, shopper_handle, atelier_id, design, request, status,"
    " attempts, next_attempt_at, idempotency_key, created_at, updated_at)"
    " VALUES (%(id)s, %(user_key)s, %(shopper_handle)s, %(atelier_id)s, %(design)s, %(request)s,"
    " %(status)s, %(attempts)s, %(next_attempt_at)s, %(idempotency_key)s, %(created_at)s,"
    " %(updated_at)s) ON CONFLICT (idempotency_key) WHERE idempotency_key <> '' DO NOTHING"
)


class PostgresLeads:
    """The LeadRepo port; the status CHECK guards the state names."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create_lead(self, lead: Lead) -> Lead:
        """Store a new lead, or return the stored one with the same idempotency key."""
        row = lead.model_dump(mode="json")
        row.update(
            design=Jsonb(row["design"]),
            request=Jsonb(row["request"]),
            created_at=lead.created_at,
            updated_at=lead.updated_at,
            next_attempt_at=lead.next_attempt_at,
        )
        with self._db.connection() as conn:
            inserted = conn.execute(_INSERT, row).rowcount
            if inserted or not lead.idempotency_key:
                return lead
            rows = conn.execute(_BY_KEY, (lead.idempotency_key,)).fetchall()
        return to_models(Lead, rows)[0]

    def get_lead(self, lead_id: str) -> Lead | None:
        """The lead with this id, or None."""
        return next(iter(self._select(_BY_ID, (lead_id,))), None)

    def transition(self, lead_id: str, allowed_from: Sequence[LeadStatus], to: LeadStatus) -> bool:
        """Move a lead to ``to`` only from one of ``allowed_from``; False when it was elsewhere."""
        with self._db.connection() as conn:
            return bool(
                conn.execute(
                    "UPDATE leads SET status = %s, updated_at = now()"
                    " WHERE id = %s AND status = ANY(%s)",
                    (LeadStatus(to).value, lead_id, [LeadStatus(s).value for s in allowed_from]),
                ).rowcount
            )

    def record_attempt(self, lead_id: str, next_attempt_at: datetime) -> None:
        """Count a failed delivery and when to try again."""
        with self._db.connection() as conn:
            conn.execute(
                "UPDATE leads SET attempts = attempts + 1, next_attempt_at = %s, updated_at = now()"
                " WHERE id = %s",
                (next_attempt_at, lead_id),
            )

    def due_for_delivery(self, now: datetime) -> list[Lead]:
        """New leads whose next delivery attempt is due, oldest first."""
        return self._select(_DUE, (now,))

    def sent_before(self, cutoff: datetime) -> list[Lead]:
        """Sent leads with no answer since ``cutoff``."""
        return self._select(_SENT_BEFORE, (cutoff,))

    def count_created_since(self, user_key: str, since: datetime) -> int:
        """How many leads a shopper created since ``since``."""
        return self._count(
            "SELECT count(*) FROM leads WHERE user_key = %s AND created_at >= %s", (user_key, since)
        )

    def count_open(self, atelier_id: str) -> int:
        """Leads of an atelier still waiting for its answer."""
        return self._count(
            "SELECT count(*) FROM leads WHERE atelier_id = %s AND status = ANY(%s)",
            (atelier_id, _OPEN),
        )

    def open_for_ateliers(self, atelier_ids: Sequence[str]) -> list[Lead]:
        """Unanswered leads of these ateliers, oldest first."""
        return self._select(_OPEN_FOR, (list(atelier_ids), _OPEN))

    def leads_for_user(self, user_key: str) -> list[Lead]:
        """A shopper's leads, oldest first."""
        return self._select(_OF_USER, (user_key,))

    def _select(self, query: object, params: tuple[object, ...]) -> list[Lead]:
        with self._db.connection() as conn:
            return to_models(Lead, conn.execute(query, params).fetchall())  # type: ignore[arg-type]

    def _count(self, query: str, params: tuple[object, ...]) -> int:
        with self._db.connection() as conn:
            row = conn.execute(query, params).fetchone()
        return int(row["count"]) if row else 0  # type: ignore[index]
