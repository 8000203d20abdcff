"""Where an atelier's owner can be reached: their chats by platform, or the atelier's e-mail.

An owner is reachable on a platform when the atelier names a chat there
(``owner_chat_ids``) and some running process can deliver on it (a "live" platform,
see the outbox's heartbeat). The atelier's own e-mail address counts as the platform
``email`` when an e-mail channel is live; chats come first.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from .chats import ChatKey
from .domain import Atelier

EMAIL = "email"
"""The platform name of the e-mail channel; its chat id is the atelier's contact address."""

_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+")


def is_email(contact: str) -> bool:
    """Whether a contact is one plain e-mail address ("hello@atelier.example")."""
    return bool(_ADDRESS.fullmatch(contact.strip()))


def owner_platforms(atelier: Atelier) -> list[str]:
    """Every platform the atelier's owner can get a lead on, chats first, then e-mail."""
    chats = [platform for platform, chat_id in atelier.owner_chat_ids.items() if chat_id]
    return [*chats, EMAIL] if is_email(atelier.contact) else chats


def owner_chat(atelier: Atelier, platform: str) -> ChatKey | None:
    """The owner's chat on ``platform`` (the contact address for e-mail), or None."""
    if platform == EMAIL:
        return (
            ChatKey(platform=EMAIL, id=atelier.contact.strip())
            if is_email(atelier.contact)
            else None
        )
    chat_id = atelier.owner_chat_ids.get(platform)
    return ChatKey(platform=platform, id=chat_id) if chat_id else None


def route(atelier: Atelier, live: Collection[str]) -> str | None:
    """The first platform the owner can get a lead on now, or None when none is live."""
    return next((p for p in owner_platforms(atelier) if p in live), None)
