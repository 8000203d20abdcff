"""Engines for front-end tests: the real engine wrapped to watch or slow its turns."""

from __future__ import annotations

import time
from typing import Any

from stylegenie.bots.kit.turns import TurnEngine
from stylegenie.core.chats import ChatKey
from stylegenie.core.conversation.state import Incoming
from stylegenie.core.progress import ProgressCallback
from stylegenie.core.reply import Reply


class Spy:
    """Wraps an engine: keeps every event it is given; the texts in ``slow`` take that many
    seconds longer (a slow turn, for progress)."""

    def __init__(self, inner: TurnEngine, slow: dict[str, float] | None = None) -> None:
        self._inner = inner
        self._slow = slow or {}
        self.seen: list[Incoming] = []

    def may_be_slow(self, incoming: Incoming) -> bool:
        """As the wrapped engine says."""
        return self._inner.may_be_slow(incoming)

    def outfit(self, chat: ChatKey) -> Any:
        """The wrapped engine's outfit of the chat (for terminal transcripts)."""
        return self._inner.outfit(chat)  # type: ignore[attr-defined]

    def handle(
        self, chat: ChatKey, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply:
        """Keep the event, wait if it is a slow one, then let the engine answer."""
        self.seen.append(incoming)
        time.sleep(self._slow.get(incoming.text, 0.0))
        return self._inner.handle(chat, incoming, progress)
