"""The web chat's inbox: messages for a session sent outside a turn (a lead to an atelier
owner, news to a shopper), kept in PostgreSQL until the page reads them.

``WebChannel`` is the "web" platform of the notifier hub: delivering stores the message
(the page polls ``GET /api/v1/chat/inbox``), settling records its outcome (the page then
shows it without buttons). A web chat is reachable whenever its id is one: its messages
wait for the page to open.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from stylegenie.adapters.postgres.web_inbox import PostgresWebInbox
from stylegenie.core.ports import Unreachable
from stylegenie.core.reply import Reply

CHAT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64})?$")
"""A web chat: a session id, or an API key's id and the session id it named."""

WebInbox: TypeAlias = PostgresWebInbox
"""Messages for web chat sessions, on the app's database."""


class WebChannel:
    """The ``web`` platform of the notifier hub: called from engine and outbox threads."""

    def __init__(self, inbox: WebInbox) -> None:
        self._inbox = inbox

    def deliver(self, chat_id: str, reply: Reply, idempotency_key: str) -> str:
        """Store the message for the chat; its id as the message reference (the same id
        again for a repeated non-empty ``idempotency_key``); Unreachable for a chat id no
        session can have (a mistyped owner chat)."""
        if not CHAT_ID.match(chat_id):
            raise Unreachable(f"{chat_id[:80]!r} is not a web chat session id")
        return str(self._inbox.put(chat_id, reply, idempotency_key))

    def settle(self, chat_id: str, message_ref: str, outcome: str) -> None:
        """Record the outcome of a delivered message (ValueError for a foreign reference)."""
        self._inbox.settle(chat_id, int(message_ref), outcome)
