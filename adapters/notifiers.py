"""Getting messages to people outside a turn: lead messages to atelier owners, news to shoppers.

Front-ends register a sender for their platform ("telegram", "discord", "terminal");
the hub routes each message by the platform of the chat key ("telegram:123") and
falls back to the log when no sender serves that platform, so the embedded setup
works with no chat platform at all. A sender that raises makes the delivery fail,
and the lead flow retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from stylegenie.core.domain import Atelier, Lead
from stylegenie.core.reply import Reply

log = logging.getLogger("stylegenie.notifications")

OwnerSender = Callable[[str, Lead, Atelier], None]
"""Sends a lead to the owner chat id given first (the platform's own id, e.g. "123")."""
ShopperSender = Callable[[str, Reply], None]
"""Sends a reply to the shopper chat id given first."""


class NotifierHub:
    """LeadNotifier and ShopperNotifier in one, routing by platform."""

    def __init__(self) -> None:
        self._owners: dict[str, OwnerSender] = {}
        self._shoppers: dict[str, ShopperSender] = {}

    def register(self, platform: str, owners: OwnerSender, shoppers: ShopperSender) -> None:
        """Deliver this platform's messages with these senders from now on."""
        self._owners[platform] = owners
        self._shoppers[platform] = shoppers

    def notify(self, lead: Lead, atelier: Atelier) -> None:
        """Send the lead to the owner on every registered platform they use (else log it)."""
        delivered = False
        for platform, chat_id in atelier.owner_chat_ids.items():
            sender = self._owners.get(platform)
            if sender is not None:
                sender(chat_id, lead, atelier)
                delivered = True
        if not delivered:
            log.info("lead %s for %s: %s", lead.id, atelier.name, lead.design.brief.summary())

    def tell(self, user_key: str, reply: Reply) -> None:
        """Send a reply to a shopper on their platform (else log that it could not travel)."""
        platform, _, chat_id = user_key.partition(":")
        sender = self._shoppers.get(platform)
        if sender is None:
            log.info("message for %s (no sender for it): %s", user_key, reply.text)
            return
        sender(chat_id, reply)
