"""API keys on PostgreSQL: only a hash of each key is stored; the key is shown once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from pydantic import BaseModel

from stylegenie.core.domain import new_id

from .database import Database

KEY_PREFIX = "sg_"
"""Every key starts with this, so a leaked one is easy to recognise in a scan."""


class ApiKey(BaseModel):
    """One API key as stored: never the key itself."""

    id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


def hash_key(key: str) -> str:
    """The stored form of a key: its SHA-256 (keys are random, so no salt is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


class PostgresApiKeys:
    """Creates, finds, lists and revokes API keys."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, name: str) -> tuple[ApiKey, str]:
        """A new key named ``name``: the stored record and the key, which is never kept."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._db.connection() as conn:
            row = conn.execute(
                "INSERT INTO api_keys (id, name, key_hash) VALUES (%s, %s, %s) RETURNING *",
                (new_id("key"), name, hash_key(key)),
            ).fetchone()
        assert row is not None
        return ApiKey.model_validate(row), key

    def find(self, key: str) -> ApiKey | None:
        """The live (unrevoked) key record for a presented key; None when unknown or revoked."""
        with self._db.connection() as conn:
            row = conn.execute(
                "UPDATE api_keys SET last_used_at = now()"
                " WHERE key_hash = %s AND revoked_at IS NULL RETURNING *",
                (hash_key(key),),
            ).fetchone()
        return ApiKey.model_validate(row) if row else None

    def list(self) -> list[ApiKey]:
        """Every key, oldest first, revoked ones included."""
        with self._db.connection() as conn:
            rows = conn.execute("SELECT * FROM api_keys ORDER BY created_at, id").fetchall()
        return [ApiKey.model_validate(row) for row in rows]

    def revoke(self, id_or_name: str) -> list[ApiKey]:
        """Revoke the live keys with this id or name; the keys revoked now."""
        with self._db.connection() as conn:
            rows = conn.execute(
                "UPDATE api_keys SET revoked_at = now()"
                " WHERE (id = %s OR name = %s) AND revoked_at IS NULL RETURNING *",
                (id_or_name, id_or_name),
            ).fetchall()
        return [ApiKey.model_validate(row) for row in rows]
