"""People for tests: a sender for a chat key, and events from them."""

from __future__ import annotations

from stylegenie.core.chats import ChatKey, Sender
from stylegenie.core.conversation.state import Incoming, MessageKind


def person(key: str | ChatKey, name: str = "Ana", handle: str = "") -> Sender:
    """The person chatting in the private chat ``key`` ("test:ana")."""
    chat = key if isinstance(key, ChatKey) else ChatKey.parse(key)
    return Sender(user=chat, display_name=name, handle=handle)


def text(key: str | ChatKey, line: str) -> Incoming:
    """A typed line (a command when it starts with a slash) from the chat's person."""
    return Incoming.from_text(line, person(key))


def press(key: str | ChatKey, choice_id: str) -> Incoming:
    """A button press from the chat's person."""
    return Incoming.choice(choice_id, person(key))


def event(key: str | ChatKey, kind: MessageKind, **fields: object) -> Incoming:
    """Any other event (a sticker, a photo, a location) from the chat's person."""
    return Incoming(kind=kind, sender=person(key), **fields)  # type: ignore[arg-type]
