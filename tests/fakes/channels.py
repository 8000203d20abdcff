"""Channels for tests: a platform in memory, and one that writes what it sends to a file.

``MemoryChannel`` records every message and edit; it can fail a number of times (a flaky
platform), refuse some chats for good (``Unreachable``), or hold each runner thread at a
barrier on its first send (two runners sending at the same time). ``FileChannel`` appends
one line per message to a file, so sends of several processes can be counted.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from stylegenie.core.ports import Unreachable
from stylegenie.core.reply import Reply


@dataclass(frozen=True)
class Sent:
    """One message a channel took."""

    chat_id: str
    reply: Reply
    idempotency_key: str


class MemoryChannel:
    """A Channel that keeps what it sent and settled."""

    def __init__(
        self,
        failures: int = 0,
        unreachable: Collection[str] = (),
        barrier: threading.Barrier | None = None,
    ) -> None:
        self.failures = failures
        self.unreachable = set(unreachable)
        self.sent: list[Sent] = []
        self.settled: list[tuple[str, str, str]] = []
        self._barrier = barrier
        self._waited: set[int] = set()
        self._lock = threading.Lock()

    def deliver(self, chat_id: str, reply: Reply, idempotency_key: str) -> str:
        """Keep the message (or fail as told); its reference is "m<number>"."""
        if chat_id in self.unreachable:
            raise Unreachable("this chat never started the bot")
        self._meet()
        with self._lock:
            if self.failures:
                self.failures -= 1
                raise ConnectionError("the platform is down")
            self.sent.append(Sent(chat_id, reply, idempotency_key))
            return f"m{len(self.sent)}"

    def settle(self, chat_id: str, message_ref: str, outcome: str) -> None:
        """Keep the edit."""
        with self._lock:
            self.settled.append((chat_id, message_ref, outcome))

    def to(self, chat_id: str) -> list[Reply]:
        """What this chat got, in order."""
        with self._lock:
            return [sent.reply for sent in self.sent if sent.chat_id == chat_id]

    def _meet(self) -> None:
        """A thread's first send waits until another runner thread is sending too."""
        if self._barrier is None:
            return
        me = threading.get_ident()
        with self._lock:
            first = me not in self._waited
            self._waited.add(me)
        if first:
            self._barrier.wait()


class FileChannel:
    """A Channel that appends "<chat_id> <idempotency_key>" to a file for each message."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def deliver(self, chat_id: str, reply: Reply, idempotency_key: str) -> str:
        """Append the line; the reference is its number."""
        with self._path.open("a", encoding="utf-8") as file:
            file.write(f"{chat_id} {idempotency_key}\n")
        return str(len(self.lines()))

    def settle(self, chat_id: str, message_ref: str, outcome: str) -> None:
        """Nothing to edit in a file."""

    def lines(self) -> list[str]:
        """Every line written so far (by any process)."""
        if not self._path.exists():
            return []
        return self._path.read_text(encoding="utf-8").splitlines()
