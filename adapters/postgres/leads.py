"""LeadRepo on PostgreSQL: the ``leads`` table is the outbox of the lead flow.

State changes are conditional updates (``WHERE status = ANY(...)``), so two processes
answering or expiring the same lead cannot both win. Outbox runners lease leads with
``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``, so two runners never
hold one lead; ``lead_deliveries`` records each message a platform took (committed
before the lead is marked sent), and ``outbox_platforms`` says which platforms some
runner renewed lately. Every lead stored and every state it enters is counted in
``stylegenie_leads_total{state}``, the lead funnel operators watch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from psycopg import sql
from psycopg.types.json import Jsonb

from stylegenie.adapters.observability.metrics import metrics
from stylegenie.core.domain import Lead, LeadDelivery, LeadStatus
from stylegenie.core.ports import OutboxClaim

from .database import Database
from .repositories import select_query, to_models

_COLUMNS = tuple(Lead.model_fields)
_OPEN = [LeadStatus.NEW.value, LeadStatus.SENT.value]
_BY_ID = select_query("leads", _COLUMNS, "WHERE id = %s")
_BY_KEY = select_query("leads", _COLUMNS, "WHERE idempotency_key = %s")
_OF_USER = select_query("leads", _COLUMNS, "WHERE user_key = %s ORDER BY created_at, id")
_SENT_BEFORE = select_query(
    "leads",
    _COLUMNS,
    "WHERE status = 'sent' AND updated_at < %s AND owner_platform = ANY(%s) ORDER BY updated_at",
)
_OPEN_FOR = select_query(
    "leads", _COLUMNS, "WHERE atelier_id = ANY(%s) AND status = ANY(%s) ORDER BY created_at"
)
_INSERT = sql.SQL(
    "INSERT INTO leads ({columns}) VALUES ({values})"
    " ON CONFLICT (idempotency_key) WHERE idempotency_key <> '' DO NOTHING"
).format(
    columns=sql.SQL(", ").join(map(sql.Identifier, _COLUMNS)),
    values=sql.SQL(", ").join(map(sql.Placeholder, _COLUMNS)),
)
_CLAIM = sql.SQL(
    "UPDATE leads SET lease_until = %(lease_until)s, leased_by = %(runner)s"
    " WHERE id = (SELECT id FROM leads"
    "  WHERE status = 'new' AND owner_platform = ANY(%(platforms)s)"
    "   AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)"
    "   AND (lease_until IS NULL OR lease_until <= %(now)s)"
    "   AND NOT (id = ANY(%(skip)s))"
    "  ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " RETURNING {columns}"
).format(columns=sql.SQL(", ").join(map(sql.Identifier, _COLUMNS)))


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
            if inserted:
                metrics().leads.labels(lead.status.value).inc()
            if inserted or not lead.idempotency_key:
                return lead
            rows = conn.execute(_BY_KEY, (lead.idempotency_key,)).fetchall()
        return to_models(Lead, rows)[0]

    def get_lead(self, lead_id: str) -> Lead | None:
        """The lead with this id, or None."""
        return next(iter(self._select(_BY_ID, (lead_id,))), None)

    def transition(self, lead_id: str, allowed_from: Sequence[LeadStatus], to: LeadStatus) -> bool:
        """Move a lead to ``to`` only from one of ``allowed_from``; False when it was elsewhere."""
        state = LeadStatus(to).value
        with self._db.connection() as conn:
            moved = conn.execute(
                "UPDATE leads SET status = %s, lease_until = NULL, updated_at = now()"
                " WHERE id = %s AND status = ANY(%s)",
                (state, lead_id, [LeadStatus(s).value for s in allowed_from]),
            ).rowcount
        if moved:
            metrics().leads.labels(state).inc()
        return bool(moved)

    def claim_next(self, claim: OutboxClaim) -> Lead | None:
        """Lease the oldest due new lead on the claim's platforms (locked ones are skipped)."""
        params = {
            "lease_until": claim.lease_until,
            "runner": claim.runner,
            "platforms": list(claim.platforms),
            "now": claim.now,
            "skip": list(claim.skip),
        }
        with self._db.connection() as conn:
            rows = conn.execute(_CLAIM, params).fetchall()
        return next(iter(to_models(Lead, rows)), None)

    def delivery(self, lead_id: str) -> LeadDelivery | None:
        """The recorded delivery of the lead's message, or None."""
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT lead_id, platform, message_ref, delivered_at FROM lead_deliveries"
                " WHERE lead_id = %s",
                (lead_id,),
            ).fetchone()
        return LeadDelivery.model_validate(row) if row else None

    def record_delivery(self, delivery: LeadDelivery) -> None:
        """Record (and commit) a delivered lead message; a second record changes nothing."""
        with self._db.connection() as conn:
            conn.execute(
                "INSERT INTO lead_deliveries (lead_id, platform, message_ref, delivered_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (lead_id) DO NOTHING",
                (delivery.lead_id, delivery.platform, delivery.message_ref, delivery.delivered_at),
            )

    def mark_sent(self, lead_id: str) -> bool:
        """A delivered new lead becomes sent and its lease ends; False when it was not new."""
        return self.transition(lead_id, [LeadStatus.NEW], LeadStatus.SENT)

    def record_attempt(self, lead_id: str, next_attempt_at: datetime) -> int:
        """Count a failed delivery, end the lease, and set the next try; the new count."""
        with self._db.connection() as conn:
            row = conn.execute(
                "UPDATE leads SET attempts = attempts + 1, next_attempt_at = %s,"
                " lease_until = NULL, updated_at = now() WHERE id = %s RETURNING attempts",
                (next_attempt_at, lead_id),
            ).fetchone()
        return int(row["attempts"]) if row else 0

    def heartbeat(self, runner: str, platforms: Sequence[str], seen_until: datetime) -> None:
        """Renew ``runner``'s platforms until ``seen_until`` and drop its others (and rows
        of runners gone for a day)."""
        with self._db.connection() as conn:
            conn.execute(
                "DELETE FROM outbox_platforms WHERE (runner = %s AND NOT (platform = ANY(%s)))"
                " OR seen_until < %s - interval '1 day'",
                (runner, list(platforms), seen_until),
            )
            for platform in platforms:
                conn.execute(
                    "INSERT INTO outbox_platforms (runner, platform, seen_until)"
                    " VALUES (%s, %s, %s)"
                    " ON CONFLICT (runner, platform)"
                    " DO UPDATE SET seen_until = EXCLUDED.seen_until",
                    (runner, platform, seen_until),
                )

    def live_platforms(self, now: datetime) -> set[str]:
        """Platforms some runner renewed until after ``now``."""
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT DISTINCT platform FROM outbox_platforms WHERE seen_until > %s", (now,)
            ).fetchall()
        return {row["platform"] for row in rows}

    def sent_before(self, cutoff: datetime, platforms: Sequence[str]) -> list[Lead]:
        """Sent leads on these owner platforms with no answer since ``cutoff``."""
        return self._select(_SENT_BEFORE, (cutoff, list(platforms)))

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

    def _select(self, query: sql.Composed, params: tuple[object, ...]) -> list[Lead]:
        with self._db.connection() as conn:
            return to_models(Lead, conn.execute(query, params).fetchall())

    def _count(self, query: str, params: tuple[object, ...]) -> int:
        with self._db.connection() as conn:
            row = conn.execute(query, params).fetchone()
        return int(row["count"]) if row else 0
