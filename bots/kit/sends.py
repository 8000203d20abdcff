"""Recent sends of a platform channel by idempotency key, so a retry never sends twice.

The lead outbox gives each delivery an idempotency key (``core.ports.Channel.deliver``);
a platform that cannot check keys itself remembers the last few in this process.
"""

from __future__ import annotations

from collections import OrderedDict

REMEMBERED_SENDS = 1024
"""Keys kept: far more than the deliveries one outbox run can retry."""


class RecentSends:
    """Message references of recent sends by idempotency key, the oldest dropped first."""

    def __init__(self, size: int = REMEMBERED_SENDS) -> None:
        self._size = size
        self._sent: OrderedDict[str, str] = OrderedDict()

    def get(self, key: str) -> str | None:
        """The reference of the message already sent under ``key`` (never for an empty key)."""
        return self._sent.get(key) if key else None

    def remember(self, key: str, ref: str) -> None:
        """Note that ``key`` was sent as ``ref`` (an empty key asks for no check)."""
        if not key:
            return
        self._sent[key] = ref
        while len(self._sent) > self._size:
            self._sent.popitem(last=False)
