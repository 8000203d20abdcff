"""The web chat's inbox on PostgreSQL: messages for a session sent outside a turn.

Every write to one chat's messages holds that chat's advisory lock until it commits, so
the ``changed`` numbers of one chat become visible in order and a reader that asks for
"changed after N" never skips one (the ``web_inbox`` migration explains ``changed``).
"""

from __future__ import annotations

from psycopg import Connection
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from stylegenie.core.reply import Reply

from .database import Database

_LOCK_CLASS = 0x5347_5749  # "SGWI": the advisory lock class of web inbox chats
PAGE = 50
"""Most messages one read returns; the reader asks again from the last one's ``changed``."""


class InboxMessage(BaseModel):
    """One stored message: its id (the message reference), the reply, and its outcome once
    answered; ``changed`` is where a reader that has seen it goes on from."""

    id: int
    reply: Reply
    outcome: str | None = None
    changed: int


class PostgresWebInbox:
    """Stores, settles and reads web chat messages sent outside a turn."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def put(self, chat_id: str, reply: Reply, idempotency_key: str) -> int:
        """Store a message for the chat; its id. A second put with the same non-empty key
        for the chat stores nothing and returns the first one's id."""
        key = idempotency_key or None
        with self._db.connection() as conn:
            _lock(conn, chat_id)
            if key is not None:
                found = conn.execute(
                    "SELECT id FROM web_inbox WHERE chat_id = %s AND idempotency_key = %s",
                    (chat_id, key),
                ).fetchone()
                if found is not None:
                    return int(found["id"])
            row = conn.execute(
                "INSERT INTO web_inbox (id, chat_id, reply, idempotency_key, changed)"
                " SELECT n, %s, %s, %s, n FROM nextval('web_inbox_seq') AS n RETURNING id",
                (chat_id, Jsonb(reply.model_dump(mode="json")), key),
            ).fetchone()
        assert row is not None
        return int(row["id"])

    def settle(self, chat_id: str, message_id: int, outcome: str) -> bool:
        """Record the outcome of the chat's message; False when the chat has no such one."""
        with self._db.connection() as conn:
            _lock(conn, chat_id)
            row = conn.execute(
                "UPDATE web_inbox SET outcome = %s, changed = nextval('web_inbox_seq')"
                " WHERE id = %s AND chat_id = %s RETURNING id",
                (outcome, message_id, chat_id),
            ).fetchone()
        return row is not None

    def since(self, chat_id: str, after: int, limit: int = PAGE) -> list[InboxMessage]:
        """The chat's messages new or settled after ``after`` (0: all), in that order."""
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT id, reply, outcome, changed FROM web_inbox"
                " WHERE chat_id = %s AND changed > %s ORDER BY changed LIMIT %s",
                (chat_id, after, limit),
            ).fetchall()
        return [InboxMessage.model_validate(row) for row in rows]


def _lock(conn: Connection[DictRow], chat_id: str) -> None:
    """Hold the chat's write lock until the transaction ends."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, chat_id))
