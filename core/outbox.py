"""The lead outbox: each stored lead reaches its owner once, whatever crashes or runs twice.

A runner first renews its platforms' liveness (so shoppers' "Ask" presses know which
owners some process can reach), then leases due ``new`` leads one at a time, only on the
platforms it has a channel for: a process without Telegram never touches a Telegram
lead. For each lead:

1. a delivery already recorded (the last runner died after sending) marks it sent;
2. otherwise it sends the owner's message with an idempotency key (lead id + owner chat),
   records the delivery with the platform's message reference (committed), and only then
   marks the lead sent;
3. ``Unreachable`` makes it undeliverable at once; any other failure is counted and
   retried later with a doubling delay, and after ``delivery_attempts`` it is undeliverable.

The lease (``lease_until``) keeps two runners off one lead; it must outlast one send.
Logs carry lead ids, platforms and error types only, never a message or a contact.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import uuid4

from .chats import ChatKey
from .domain import Atelier, Lead, LeadDelivery, LeadStatus
from .lead_messages import email_lead_message, lead_message
from .ports import AtelierRepo, LeadRepo, Notifications, OutboxClaim, Unreachable
from .routing import EMAIL, owner_chat

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
"""The longest wait between two delivery attempts of one lead."""

LeadNews = Callable[[Lead, Atelier | None], None]
"""Tells a lead's shopper what became of it (the atelier, when it still exists)."""


@dataclass(frozen=True)
class OutboxTiming:
    """How long a runner holds a lead, how long its platforms count as live, and retries."""

    lease: timedelta
    liveness: timedelta
    delivery_attempts: int
    retry_backoff_s: float


@dataclass(frozen=True)
class OutboxReport:
    """What one outbox run did: leads delivered, given up as undeliverable, expired, and
    left to retry later."""

    delivered: int = 0
    undeliverable: int = 0
    expired: int = 0
    retrying: int = 0

    def __bool__(self) -> bool:
        """Whether the run did anything (worth a log line)."""
        return bool(self.delivered or self.undeliverable or self.expired or self.retrying)


class Outcome(StrEnum):
    """What became of one claimed lead."""

    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"
    RETRYING = "retrying"


def delivery_key(lead_id: str, chat: ChatKey) -> str:
    """The idempotency key of one lead's message to one owner chat (no contact in it)."""
    return hashlib.sha256(f"{lead_id}|{chat}".encode()).hexdigest()[:32]


def runner_name() -> str:
    """A name for this process's outbox runner: host, process id and a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:6]}"


class OutboxRunner:
    """Delivers due leads on this process's platforms, exactly once each."""

    def __init__(
        self,
        leads: LeadRepo,
        ateliers: AtelierRepo,
        notifications: Notifications,
        timing: OutboxTiming,
        clock: Callable[[], datetime],
        news: tuple[LeadNews, LeadNews],
    ) -> None:
        self._leads = leads
        self._ateliers = ateliers
        self._notifications = notifications
        self._timing = timing
        self._clock = clock
        self._on_delivered, self._on_undeliverable = news
        self.name = runner_name()

    def heartbeat(self) -> list[str]:
        """Say which platforms this process can deliver on, for the next ``liveness``."""
        platforms = self._notifications.platforms()
        self._leads.heartbeat(self.name, platforms, self._clock() + self._timing.liveness)
        return platforms

    def withdraw(self) -> None:
        """Say this process delivers on no platform any more (at shutdown)."""
        self._leads.heartbeat(self.name, [], self._clock())

    def run(self) -> OutboxReport:
        """Renew liveness, then deliver every due lead on this process's platforms."""
        platforms = self.heartbeat()
        outcomes: Counter[Outcome] = Counter()
        handled: list[str] = []
        while platforms:
            now = self._clock()
            claim = OutboxClaim(self.name, platforms, now, now + self._timing.lease, handled)
            lead = self._leads.claim_next(claim)
            if lead is None:
                break
            handled.append(lead.id)
            outcomes[self._deliver(lead)] += 1
        return OutboxReport(
            delivered=outcomes[Outcome.DELIVERED],
            undeliverable=outcomes[Outcome.UNDELIVERABLE],
            retrying=outcomes[Outcome.RETRYING],
        )

    def _deliver(self, lead: Lead) -> Outcome:
        atelier = self._ateliers.get_atelier(lead.atelier_id)
        if self._leads.delivery(lead.id) is not None:
            log.info("lead %s: already delivered by an earlier run; marking it sent", lead.id)
            return self._sent(lead, atelier)
        chat = owner_chat(atelier, lead.owner_platform) if atelier is not None else None
        if atelier is None or chat is None:
            log.warning("lead %s: no owner chat on %s any more", lead.id, lead.owner_platform)
            return self._give_up(lead, atelier)
        build = email_lead_message if chat.platform == EMAIL else lead_message
        try:
            ref = self._notifications.deliver(
                chat, build(lead, atelier), delivery_key(lead.id, chat)
            )
        except Unreachable:
            log.warning("lead %s: the owner's %s chat can't receive it", lead.id, chat.platform)
            return self._give_up(lead, atelier)
        except Exception as error:
            return self._retry(lead, atelier, error)
        self._leads.record_delivery(
            LeadDelivery(lead_id=lead.id, platform=chat.platform, message_ref=ref)
        )
        return self._sent(lead, atelier)

    def _sent(self, lead: Lead, atelier: Atelier | None) -> Outcome:
        if self._leads.mark_sent(lead.id):
            self._on_delivered(lead, atelier)
        return Outcome.DELIVERED

    def _retry(self, lead: Lead, atelier: Atelier, error: Exception) -> Outcome:
        delay = min(timedelta(seconds=self._timing.retry_backoff_s * 2**lead.attempts), MAX_BACKOFF)
        attempts = self._leads.record_attempt(lead.id, self._clock() + delay)
        log.warning(
            "lead %s: delivery on %s failed (%s), attempt %d of %d",
            lead.id,
            lead.owner_platform,
            type(error).__name__,
            attempts,
            self._timing.delivery_attempts,
        )
        if attempts >= self._timing.delivery_attempts:
            return self._give_up(lead, atelier)
        return Outcome.RETRYING

    def _give_up(self, lead: Lead, atelier: Atelier | None) -> Outcome:
        if self._leads.transition(lead.id, [LeadStatus.NEW], LeadStatus.UNDELIVERABLE):
            self._on_undeliverable(lead, atelier)
        return Outcome.UNDELIVERABLE
