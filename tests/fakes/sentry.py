"""A fake Sentry on 127.0.0.1: accepts envelopes for project 1 and keeps their events.

A process given ``dsn`` sends its error events here; a test reads them back as the JSON
Sentry would store::

    with FakeSentry() as sentry:
        ...  # run a process with STYLEGENIE_OBSERVABILITY__SENTRY_DSN=sentry.dsn
        assert sentry.events()[0]["exception"]["values"][0]["type"] == "OperationalError"
"""

from __future__ import annotations

import json
from typing import Any

from .otlp import PostRecorder

ENVELOPE_PATH = "/api/1/envelope/"


class FakeSentry(PostRecorder):
    """Accepts ``POST /api/1/envelope/`` and keeps every envelope's raw bytes."""

    def __init__(self) -> None:
        super().__init__((ENVELOPE_PATH,), b'{"id": "0"}', "application/json")

    @property
    def dsn(self) -> str:
        """A DSN for project 1 on this server."""
        return f"http://publickey@127.0.0.1:{self.port}/1"

    def events(self) -> list[dict[str, Any]]:
        """The error events of every envelope received so far."""
        return [
            payload
            for body in self.received()
            for kind, payload in envelope_items(body)
            if kind == "event"
        ]


def envelope_items(body: bytes) -> list[tuple[str, Any]]:
    """(item type, JSON payload) of each item of an envelope.

    An envelope is a JSON header line, then per item a JSON header line and a payload of
    ``length`` bytes when the header says so, else up to the next newline.
    """
    _, _, rest = body.partition(b"\n")
    items: list[tuple[str, Any]] = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header.get("type", ""), json.loads(payload) if payload else None))
    return items
