"""Redis-backed session store and rate limiter: state survives a restart of any process."""

from __future__ import annotations

import json
import time
from typing import Any

import redis

SESSION_TTL_S = 30 * 24 * 3600


class RedisSessionStore:
    """Conversation state as JSON under ``<prefix>session:<key>``, kept 30 days after last use."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    def load(self, key: str) -> dict[str, Any] | None:
        """The saved state of a chat, or None for a new chat."""
        raw = self._client.get(self._prefix + "session:" + key)
        return json.loads(raw) if raw is not None else None

    def save(self, key: str, state: dict[str, Any]) -> None:
        """Replace the saved state of a chat and renew its expiry."""
        self._client.set(self._prefix + "session:" + key, json.dumps(state), ex=SESSION_TTL_S)


class RedisRateLimiter:
    """A fixed one-minute window per key, shared by every process that uses the same Redis."""

    def __init__(self, client: redis.Redis, prefix: str, per_minute: int) -> None:
        self._client = client
        self._prefix = prefix
        self._per_minute = per_minute

    def allow(self, key: str) -> bool:
        """True when the key has made fewer than the allowed events this minute."""
        return self.wait_s(key) == 0.0

    def wait_s(self, key: str) -> float:
        """0.0 when the key has made fewer than the allowed events this minute; otherwise
        the seconds until the next minute starts."""
        now = time.time()
        window = int(now // 60)
        name = f"{self._prefix}rate:{key}:{window}"
        pipe = self._client.pipeline()
        pipe.incr(name)
        pipe.expire(name, 120)
        count, _ = pipe.execute()
        if int(count) <= self._per_minute:
            return 0.0
        return max(0.001, (window + 1) * 60 - now)
