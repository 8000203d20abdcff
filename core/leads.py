"""The lead flow: a shopper's design sent to an atelier owner, who accepts or declines.

A lead is stored (with the contact the shopper agreed to share and the owner platform
chosen) and the shopper is answered at once; delivery is the outbox's job
(``run_outbox``, see ``core.outbox``), and the shopper hears later whether it was
delivered or could not be. Asking an atelier whose owner no running process can reach
raises ``OwnerUnreachable`` before anything is stored. Owners answer with
``respond``; in a group owner chat only the atelier's named owners (or, by setting, the
chat's admins) may. Contact details travel only after acceptance, and never to a log.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import lead_messages as say
from .chats import ChatKey, Sender
from .domain import Atelier, AtelierMatch, Design, Lead, LeadStatus, MatchRequest, utc_now
from .lead_messages import atelier_card, lead_summary
from .matching import match_ateliers
from .outbox import OutboxReport, OutboxRunner, OutboxTiming
from .ports import AtelierRepo, LeadRepo, Notifications
from .reply import Choice, Reply
from .routing import EMAIL, owner_chat, route

log = logging.getLogger(__name__)

OPEN = (LeadStatus.NEW, LeadStatus.SENT)

LeadListener = Callable[[], None]
"""Hears that a lead was just stored (a front-end's outbox runner wakes up for it)."""

__all__ = [
    "LeadDesk",
    "LeadListener",
    "LeadPolicy",
    "OutboxReport",
    "OwnerUnreachable",
    "atelier_card",
    "idempotency_key",
    "lead_summary",
]


@dataclass(frozen=True)
class LeadPolicy:
    """Limits and timing of the lead flow; the composition root builds it from settings."""

    expiry: timedelta
    delivery_attempts: int
    retry_backoff_s: float
    daily_limit_per_shopper: int
    open_cap_per_atelier: int
    lease: timedelta
    liveness: timedelta
    group_admins_answer: bool


class OwnerUnreachable(Exception):
    """No running process can reach the atelier's owner on any of its platforms."""

    def __init__(self, atelier: Atelier) -> None:
        super().__init__(f"no live platform reaches the owner of atelier {atelier.id}")
        self.atelier = atelier


def idempotency_key(user_key: str, atelier_id: str, design_id: str) -> str:
    """The same shopper sending the same design to the same atelier is one lead."""
    return hashlib.sha256(f"{user_key}|{atelier_id}|{design_id}".encode()).hexdigest()[:32]


class LeadDesk:
    """Stores, delivers (through the outbox), answers and expires leads."""

    def __init__(
        self,
        leads: LeadRepo,
        ateliers: AtelierRepo,
        notifications: Notifications,
        policy: LeadPolicy,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._leads = leads
        self._ateliers = ateliers
        self._notifications = notifications
        self._policy = policy
        self._clock = clock
        self._listeners: list[LeadListener] = []
        timing = OutboxTiming(
            policy.lease, policy.liveness, policy.delivery_attempts, policy.retry_backoff_s
        )
        self._outbox = OutboxRunner(
            leads, ateliers, notifications, timing, clock, (self._delivered, self._undeliverable)
        )

    def listen(self, callback: LeadListener) -> None:
        """Call ``callback()`` from the turn's thread after each lead is stored."""
        self._listeners.append(callback)

    def live_platforms(self) -> set[str]:
        """The platforms some running process delivers leads on now."""
        return self._leads.live_platforms(self._clock())

    def route(self, atelier: Atelier, live: Collection[str] | None = None) -> str | None:
        """The platform a lead to this atelier would travel on now, or None if unreachable."""
        return route(atelier, self.live_platforms() if live is None else live)

    def submit(
        self, user_key: str, contact: str, atelier: Atelier, design: Design, request: MatchRequest
    ) -> Reply:
        """Store a lead the shopper consented to (sharing ``contact``) and answer at once.

        Raises OwnerUnreachable, storing nothing, when no live platform reaches the owner.
        """
        platform = self.route(atelier)
        if platform is None:
            raise OwnerUnreachable(atelier)
        policy = self._policy
        since = self._clock() - timedelta(days=1)
        if self._leads.count_created_since(user_key, since) >= policy.daily_limit_per_shopper:
            return Reply(text=say.DAILY_LIMIT.format(limit=policy.daily_limit_per_shopper))
        if self._leads.count_open(atelier.id) >= policy.open_cap_per_atelier:
            return Reply(text=say.ATELIER_BUSY.format(atelier=atelier.name))
        candidate = Lead(
            user_key=user_key,
            shopper_contact=contact,
            owner_platform=platform,
            atelier_id=atelier.id,
            design=design,
            request=request,
            idempotency_key=idempotency_key(user_key, atelier.id, design.id),
            created_at=self._clock(),
        )
        lead = self._leads.create_lead(candidate)
        if lead.id != candidate.id:
            return Reply(text=say.ALREADY.format(atelier=atelier.name))
        for listener in self._listeners:
            try:
                listener()
            except Exception:
                log.warning("a lead listener failed", exc_info=True)
        return Reply(text=say.ON_ITS_WAY.format(atelier=atelier.name))

    def run_outbox(self) -> OutboxReport:
        """Deliver due leads on this process's platforms, then expire unanswered ones."""
        report = self._outbox.run()
        return OutboxReport(
            delivered=report.delivered,
            undeliverable=report.undeliverable,
            retrying=report.retrying,
            expired=self.expire_due(),
        )

    def withdraw(self) -> None:
        """At shutdown: this process no longer makes any platform reachable."""
        self._outbox.withdraw()

    def respond(self, lead_id: str, chat: ChatKey, sender: Sender, accept: bool) -> Reply:
        """An owner's answer from ``chat``: reveal contacts on accept, offer the shopper the
        next atelier on decline; the answered message shows the outcome without buttons."""
        lead = self._leads.get_lead(lead_id)
        owned = {a.id: a for a in self._ateliers.ateliers_of_owner(str(chat))}
        if lead is None or lead.atelier_id not in owned:
            return Reply(text=say.NOT_YOURS)
        atelier = owned[lead.atelier_id]
        if not self._may_answer(atelier, chat, sender):
            return Reply(text=say.NOT_AN_OWNER.format(atelier=atelier.name))
        target = LeadStatus.ACCEPTED if accept else LeadStatus.DECLINED
        if not self._leads.transition(lead.id, OPEN, target):
            return Reply(text=say.ANSWERED, pressed_outcome=say.ANSWERED_OUTCOME)
        contact = lead.shopper_contact or say.NO_CONTACT
        outcome = say.ACCEPTED_OUTCOME.format(contact=contact) if accept else say.DECLINED_OUTCOME
        self._settle(lead, atelier, outcome)
        if accept:
            reach = atelier.contact or say.NO_ATELIER_CONTACT
            told = say.ACCEPTED_SHOPPER.format(atelier=atelier.name, contact=reach)
            self._tell(lead.user_key, Reply(text=told))
            text = say.ACCEPTED_OWNER.format(contact=contact)
        else:
            self._offer_next(lead, say.CANT_TAKE.format(atelier=atelier.name, why=""))
            text = say.DECLINED_OWNER
        still_open = len(self._leads.open_for_ateliers(list(owned)))
        if still_open:
            text += " " + say.MORE_OPEN.format(count=still_open)
        choices = [Choice(id="leads", label=say.OPEN_REQUESTS)] if still_open else []
        return Reply(text=text, choices=choices, pressed_outcome=outcome)

    def expire_due(self) -> int:
        """Expire sent leads on this process's platforms nobody answered in time; each
        shopper is offered the next match (e-mailed leads close quietly: the atelier
        answers those shoppers itself)."""
        expired = 0
        cutoff = self._clock() - self._policy.expiry
        for lead in self._leads.sent_before(cutoff, self._notifications.platforms()):
            if not self._leads.transition(lead.id, [LeadStatus.SENT], LeadStatus.EXPIRED):
                continue
            expired += 1
            atelier = self._ateliers.get_atelier(lead.atelier_id)
            if lead.owner_platform == EMAIL or atelier is None:
                continue
            self._settle(lead, atelier, say.EXPIRED_OUTCOME)
            self._offer_next(lead, say.CANT_TAKE.format(atelier=atelier.name, why=" in time"))
        return expired

    def owner_menu(self, owner_key: str) -> Reply | None:
        """The greeting of a chat that owns ateliers (None for anyone else's chat)."""
        owned = self._ateliers.ateliers_of_owner(owner_key)
        if not owned:
            return None
        return say.owner_menu(owned, len(self._leads.open_for_ateliers([a.id for a in owned])))

    def open_leads(self, owner_key: str) -> Reply:
        """An owner's unanswered leads, each with accept and decline buttons."""
        owned = {a.id: a for a in self._ateliers.ateliers_of_owner(owner_key)}
        leads = self._leads.open_for_ateliers(list(owned))
        if not leads:
            return Reply(text=say.NO_OPEN)
        lines = [say.OPEN_LIST.format(count=len(leads))]
        choices = []
        for number, lead in enumerate(leads, start=1):
            lines.append(f"{number}. {lead_summary(lead, owned[lead.atelier_id])}")
            choices += [
                Choice(id=f"lead-accept:{lead.id}", label=f"Accept {number}"),
                Choice(id=f"lead-decline:{lead.id}", label=f"Decline {number}"),
            ]
        return Reply(text="\n".join(lines), choices=choices)

    def next_reachable(
        self, request: MatchRequest, live: Collection[str] | None = None
    ) -> AtelierMatch | None:
        """The best atelier for the request whose owner can get a lead now (``exclude_ids``
        are skipped), or None."""
        live = self.live_platforms() if live is None else live
        wide = request.model_copy(update={"limit": 20})
        matches = match_ateliers(wide, self._ateliers.find_ateliers(wide))
        return next((m for m in matches if route(m.atelier, live) is not None), None)

    def next_match(self, lead: Lead) -> AtelierMatch | None:
        """The best reachable atelier for the lead's design other than those already asked."""
        asked = [*lead.request.exclude_ids, lead.atelier_id]
        return self.next_reachable(lead.request.model_copy(update={"exclude_ids": asked}))

    def resubmittable(
        self, user_key: str, lead_id: str, atelier_id: str
    ) -> tuple[Lead, Atelier] | None:
        """A closed lead of this shopper and the atelier offered next; None when stale."""
        lead = self._leads.get_lead(lead_id)
        if lead is None or lead.user_key != user_key or lead.status in OPEN:
            return None
        atelier = self._ateliers.get_atelier(atelier_id)
        return (lead, atelier) if atelier is not None else None

    def resubmit(self, user_key: str, contact: str, lead_id: str, atelier_id: str) -> Reply | None:
        """Send a closed lead's design to the offered next atelier (the shopper consented to
        share ``contact``); None if stale. Raises OwnerUnreachable like ``submit``."""
        found = self.resubmittable(user_key, lead_id, atelier_id)
        if found is None:
            return None
        lead, atelier = found
        request = lead.request.model_copy(
            update={"exclude_ids": [*lead.request.exclude_ids, lead.atelier_id]}
        )
        return self.submit(user_key, contact, atelier, lead.design, request)

    def _may_answer(self, atelier: Atelier, chat: ChatKey, sender: Sender) -> bool:
        """In a private owner chat its person answers; in a group, the named owners (or the
        chat's admins, when the policy allows)."""
        if sender.user == chat:
            return True
        named = atelier.owner_user_ids.get(sender.user.platform, [])
        return sender.user.id in named or (
            self._policy.group_admins_answer and sender.is_chat_admin
        )

    def _settle(self, lead: Lead, atelier: Atelier, outcome: str) -> None:
        """Show the outcome on the lead's delivered message (best effort)."""
        delivery = self._leads.delivery(lead.id)
        if delivery is None or not delivery.message_ref or delivery.platform == EMAIL:
            return
        chat = owner_chat(atelier, delivery.platform)
        if chat is not None:
            self._notifications.settle(chat, delivery.message_ref, outcome)

    def _delivered(self, lead: Lead, atelier: Atelier | None) -> None:
        name = atelier.name if atelier else say.THE_ATELIER
        text = say.DELIVERED_BY_EMAIL if lead.owner_platform == EMAIL else say.DELIVERED
        self._tell(lead.user_key, Reply(text=text.format(atelier=name)))

    def _undeliverable(self, lead: Lead, atelier: Atelier | None) -> None:
        name = atelier.name if atelier else say.THE_ATELIER
        self._offer_next(lead, say.UNDELIVERABLE.format(atelier=name))

    def _offer_next(self, lead: Lead, headline: str) -> None:
        """Tell the shopper ``headline`` and the next reachable atelier, with a button."""
        found = self.next_match(lead)
        if found is None:
            self._tell(lead.user_key, Reply(text=say.NO_NEXT.format(headline=headline)))
            return
        nxt = found.atelier
        reply = Reply(
            text=say.NEXT_MATCH.format(headline=headline),
            ateliers=[atelier_card(nxt, found.reason, found.distance_km)],
            choices=[Choice(id=f"relead:{lead.id}:{nxt.id}", label=f"Ask {nxt.name}")],
        )
        self._tell(lead.user_key, reply)

    def _tell(self, user_key: str, reply: Reply) -> None:
        """News for a lead's shopper through their platform (best effort)."""
        try:
            shopper = ChatKey.parse(user_key)
        except ValueError:
            log.warning("news for a shopper could not travel: their chat key is unreadable")
            return
        self._notifications.tell(shopper, reply)
