"""The lead flow: a shopper's design sent to an atelier owner, who accepts or declines.

Every lead is stored before anything is sent (an outbox). Delivery retries with a
growing delay; a lead that could not be delivered stays ``new`` and is picked up
again by ``deliver_due`` (at start-up and periodically), so a crash between storing
and sending loses nothing. An idempotency key makes a repeated request return the
stored lead instead of a duplicate. Contact details travel only after acceptance.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .domain import Atelier, Design, Lead, LeadStatus, MatchRequest, utc_now
from .matching import match_ateliers
from .ports import AtelierRepo, LeadNotifier, LeadRepo, ShopperNotifier
from .reply import AtelierCard, Choice, Reply

log = logging.getLogger(__name__)

OPEN = (LeadStatus.NEW, LeadStatus.SENT)

DAILY_LIMIT = (
    "You've sent {limit} requests to ateliers today — that's the daily limit. Try again tomorrow."
)
ATELIER_BUSY = (
    "{atelier} has too many open requests right now. "
    "Try another atelier, or ask again in a day or two."
)
SENT = (
    "I've sent your design to {atelier}. They'll answer in their own chat; "
    "once they accept, I'll give you their contact."
)
QUEUED = (
    "Your request to {atelier} is saved and will be delivered shortly; "
    "I'll tell you when they answer."
)
ALREADY = "You've already sent this design to {atelier}; I'll tell you when they answer."
ACCEPTED_SHOPPER = "Good news: {atelier} accepted your design! Contact them at: {contact}"
ACCEPTED_OWNER = "Accepted. The shopper's contact: {handle}. They have your contact too."
DECLINED_OWNER = "Declined. Thanks for answering — the shopper will be offered another atelier."
NEXT_MATCH = "{atelier} can't take your design{why}. The next best atelier:"
NO_NEXT = "{atelier} can't take your design{why}, and I have no other atelier that fits right now."
NOT_YOURS = "That request isn't for an atelier you own."
ANSWERED = "That request was already answered or has expired."
NO_OPEN = "You have no open requests."
OPEN_LIST = "Open requests ({count}):"


@dataclass(frozen=True)
class LeadPolicy:
    """Limits and timing of the lead flow."""

    expiry: timedelta = timedelta(hours=48)
    delivery_attempts: int = 5
    retry_backoff_s: float = 2.0
    daily_limit_per_shopper: int = 5
    open_cap_per_atelier: int = 20


def idempotency_key(user_key: str, atelier_id: str, design_id: str) -> str:
    """The same shopper sending the same design to the same atelier is one lead."""
    return hashlib.sha256(f"{user_key}|{atelier_id}|{design_id}".encode()).hexdigest()[:32]


def atelier_card(atelier: Atelier, why: str = "", distance_km: float | None = None) -> AtelierCard:
    """An atelier as the shopper sees it."""
    return AtelierCard(
        atelier_id=atelier.id,
        name=atelier.name,
        city=atelier.city,
        price_range=f"{atelier.price_min:g}–{atelier.price_max:g} {atelier.currency}",
        lead_time_days=atelier.lead_time_days,
        rating=atelier.rating,
        distance_km=distance_km,
        why=why,
    )


class LeadDesk:
    """Creates, delivers, answers and expires leads."""

    def __init__(
        self,
        leads: LeadRepo,
        ateliers: AtelierRepo,
        notifier: LeadNotifier,
        shoppers: ShopperNotifier,
        policy: LeadPolicy | None = None,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._leads = leads
        self._ateliers = ateliers
        self._notifier = notifier
        self._shoppers = shoppers
        self._policy = policy or LeadPolicy()
        self._clock = clock
        self._sleep = sleep

    def submit(
        self, user_key: str, handle: str, atelier: Atelier, design: Design, request: MatchRequest
    ) -> Reply:
        """Store a lead for the atelier (unless a limit says no), then try to deliver it."""
        policy = self._policy
        key = idempotency_key(user_key, atelier.id, design.id)
        since = self._clock() - timedelta(days=1)
        if self._leads.count_created_since(user_key, since) >= policy.daily_limit_per_shopper:
            return Reply(text=DAILY_LIMIT.format(limit=policy.daily_limit_per_shopper))
        if self._leads.count_open(atelier.id) >= policy.open_cap_per_atelier:
            return Reply(text=ATELIER_BUSY.format(atelier=atelier.name))
        candidate = Lead(
            user_key=user_key,
            shopper_handle=handle,
            atelier_id=atelier.id,
            design=design,
            request=request,
            idempotency_key=key,
            created_at=self._clock(),
        )
        lead = self._leads.create_lead(candidate)
        if lead.id != candidate.id:
            return Reply(text=ALREADY.format(atelier=atelier.name))
        delivered = self.deliver(lead, atelier)
        return Reply(text=(SENT if delivered else QUEUED).format(atelier=atelier.name))

    def deliver(self, lead: Lead, atelier: Atelier | None = None) -> bool:
        """Send a new lead to its owner, retrying with a doubling delay; True once sent."""
        atelier = atelier or self._ateliers.get_atelier(lead.atelier_id)
        if atelier is None:
            return False
        delay = self._policy.retry_backoff_s
        for attempt in range(1, self._policy.delivery_attempts + 1):
            try:
                self._notifier.notify(lead, atelier)
            except Exception:
                log.warning("lead %s: delivery attempt %d failed", lead.id, attempt, exc_info=True)
                self._leads.record_attempt(lead.id, self._clock() + timedelta(seconds=delay))
                if attempt < self._policy.delivery_attempts:
                    self._sleep(delay)
                    delay *= 2
                continue
            return self._leads.transition(lead.id, [LeadStatus.NEW], LeadStatus.SENT)
        return False

    def deliver_due(self) -> int:
        """Deliver every stored lead still waiting (after a crash or failed attempts)."""
        return sum(self.deliver(lead) for lead in self._leads.due_for_delivery(self._clock()))

    def respond(self, lead_id: str, owner_key: str, accept: bool) -> Reply:
        """An owner's answer: reveal contacts on accept; on decline offer the next match."""
        lead = self._leads.get_lead(lead_id)
        owned = {a.id: a for a in self._ateliers.ateliers_of_owner(owner_key)}
        if lead is None or lead.atelier_id not in owned:
            return Reply(text=NOT_YOURS)
        atelier = owned[lead.atelier_id]
        target = LeadStatus.ACCEPTED if accept else LeadStatus.DECLINED
        if not self._leads.transition(lead.id, OPEN, target):
            return Reply(text=ANSWERED)
        if accept:
            contact = atelier.contact or "(ask them in their chat)"
            self._shoppers.tell(
                lead.user_key,
                Reply(text=ACCEPTED_SHOPPER.format(atelier=atelier.name, contact=contact)),
            )
            return Reply(text=ACCEPTED_OWNER.format(handle=lead.shopper_handle or lead.user_key))
        self._offer_next(lead, atelier, why="")
        return Reply(text=DECLINED_OWNER)

    def expire_due(self) -> int:
        """Expire sent leads nobody answered in time, offering each shopper the next match."""
        expired = 0
        for lead in self._leads.sent_before(self._clock() - self._policy.expiry):
            if self._leads.transition(lead.id, [LeadStatus.SENT], LeadStatus.EXPIRED):
                atelier = self._ateliers.get_atelier(lead.atelier_id)
                if atelier is not None:
                    self._offer_next(lead, atelier, why=" in time")
                expired += 1
        return expired

    def open_leads(self, owner_key: str) -> Reply:
        """An owner's unanswered leads, each with accept and decline buttons."""
        owned = {a.id: a for a in self._ateliers.ateliers_of_owner(owner_key)}
        leads = self._leads.open_for_ateliers(list(owned))
        if not leads:
            return Reply(text=NO_OPEN)
        lines = [OPEN_LIST.format(count=len(leads))]
        choices = []
        for number, lead in enumerate(leads, start=1):
            lines.append(f"{number}. {lead_summary(lead, owned[lead.atelier_id])}")
            choices += [
                Choice(id=f"lead-accept:{lead.id}", label=f"Accept {number}"),
                Choice(id=f"lead-decline:{lead.id}", label=f"Decline {number}"),
            ]
        return Reply(text="\n".join(lines), choices=choices)

    def next_match(self, lead: Lead) -> tuple[Atelier, str] | None:
        """The best atelier for the lead's design other than those already asked."""
        asked = [*lead.request.exclude_ids, lead.atelier_id]
        request = lead.request.model_copy(update={"exclude_ids": asked, "limit": 1})
        matches = match_ateliers(request, self._ateliers.find_ateliers(request))
        return (matches[0].atelier, matches[0].reason) if matches else None

    def _offer_next(self, lead: Lead, atelier: Atelier, why: str) -> None:
        found = self.next_match(lead)
        if found is None:
            self._shoppers.tell(
                lead.user_key, Reply(text=NO_NEXT.format(atelier=atelier.name, why=why))
            )
            return
        nxt, reason = found
        self._shoppers.tell(
            lead.user_key,
            Reply(
                text=NEXT_MATCH.format(atelier=atelier.name, why=why),
                ateliers=[atelier_card(nxt, reason)],
                choices=[Choice(id=f"relead:{lead.id}:{nxt.id}", label=f"Ask {nxt.name}")],
            ),
        )

    def resubmit(self, user_key: str, lead_id: str, atelier_id: str) -> Reply | None:
        """Send a declined or expired lead's design to the offered next atelier; None if stale."""
        lead = self._leads.get_lead(lead_id)
        atelier = self._ateliers.get_atelier(atelier_id)
        if lead is None or atelier is None or lead.user_key != user_key or lead.status in OPEN:
            return None
        request = lead.request.model_copy(
            update={"exclude_ids": [*lead.request.exclude_ids, lead.atelier_id]}
        )
        return self.submit(user_key, lead.shopper_handle, atelier, lead.design, request)


def lead_summary(lead: Lead, atelier: Atelier) -> str:
    """One line an owner reads: the design, budget, size, city and deadline."""
    return f"{lead.design.brief.summary()} — for {atelier.name}"
