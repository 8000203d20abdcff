"""In-process session store and rate limiter: the embedded defaults (lost on restart)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any


class MemorySessionStore:
    """Conversation state in a dict; states are stored as JSON so nothing is shared by reference."""

    def __init__(self) -> None:
        self._states: dict[str, str] = {}
        self._lock = threading.Lock()

    def load(self, key: str) -> dict[str, Any] | None:
        """The saved state of a chat, or None for a new chat."""
        with self._lock:
            raw = self._states.get(key)
        return json.loads(raw) if raw is not None else None

    def save(self, key: str, state: dict[str, Any]) -> None:
        """Replace the saved state of a chat."""
        raw = json.dumps(state)
        with self._lock:
            self._states[key] = raw


class MemoryRateLimiter:
    """A sliding one-minute window per key."""

    def __init__(self, per_minute: int, clock: Any = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """True, and the event counted, when the key has room in the last minute."""
        return self.wait_s(key) == 0.0

    def wait_s(self, key: str) -> float:
        """0.0, and the event counted, when the key has room in the last minute; otherwise
        the seconds until it has (nothing counted)."""
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= 60.0:
                events.popleft()
            if len(events) >= self._per_minute:
                return max(0.001, 60.0 - (now - events[0]))
            events.append(now)
            return 0.0
