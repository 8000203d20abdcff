"""Asking an atelier: consent first, then a lead stored and answered at once.

"Ask X" (``lead:<atelier>``) says what will be shared — the shopper's contact — and
offers "Send to X" (``lead-send:<atelier>``) or "Not now" (``lead-cancel:<atelier>``).
When no running process can reach X's owner it says so plainly at once and offers the
next atelier that can be reached (or products). After a decline or an undeliverable
request, the offered next atelier (``relead:<lead>:<atelier>``) asks for consent the same
way (``relead-send:<lead>:<atelier>``). Delivery is the outbox's job, never the turn's.
"""

from __future__ import annotations

from collections.abc import Collection

from ..domain import Atelier
from ..lead_messages import atelier_card
from ..leads import OwnerUnreachable
from ..reply import Choice, Reply
from ..routing import EMAIL
from . import texts
from .context import EngineServices
from .designing import DesignFlow
from .shopping import ShoppingFlow
from .state import ConversationState


class HandoffFlow:
    """The shopper's side of a lead: consent, sending, and what to do when nobody is there."""

    def __init__(
        self, services: EngineServices, designs: DesignFlow, shopping: ShoppingFlow
    ) -> None:
        self._services = services
        self._designs = designs
        self._shopping = shopping

    def ask(self, chat_key: str, state: ConversationState, atelier_id: str) -> Reply:
        """ "Ask X": what X would get, and buttons to send or not — or, when X's owner
        can't be reached, the next atelier that can."""
        atelier = self._services.ateliers.get_atelier(atelier_id)
        if atelier is None or not state.pieces or not state.designs:
            return Reply(text=texts.NEED_DESIGN_FIRST)
        live = self._services.leads.live_platforms()
        platform = self._services.leads.route(atelier, live)
        if platform is None:
            return self._unreachable(state, atelier, live)
        return self._consent(chat_key, state, atelier, platform, f"lead-send:{atelier.id}")

    def send(self, chat_key: str, state: ConversationState, atelier_id: str) -> Reply:
        """ "Send to X": store the lead with the brief as it is now and answer at once."""
        atelier = self._services.ateliers.get_atelier(atelier_id)
        picked = state.chosen or (state.designs[0] if state.designs else None)
        if atelier is None or picked is None or not state.pieces:
            return Reply(text=texts.NEED_DESIGN_FIRST)
        design = picked.model_copy(update={"brief": state.brief})
        brief = state.brief
        place = self._services.geocoder.locate(brief.city) if brief.city else None
        request = self._shopping.request_for(state, place)
        try:
            return self._services.leads.submit(
                chat_key, self._contact(chat_key, state), atelier, design, request
            )
        except OwnerUnreachable:
            return self._unreachable(state, atelier, self._services.leads.live_platforms())

    def not_now(self, state: ConversationState) -> Reply:
        """ "Not now": nothing is sent; back to where the conversation was."""
        current = self._designs.current_choices(state)
        return Reply(text=texts.NOT_SENT.format(where=current.text), choices=current.choices)

    def ask_again(self, chat_key: str, state: ConversationState, argument: str) -> Reply | None:
        """The offered next atelier after a closed lead: consent first; None when stale."""
        lead_id, _, atelier_id = argument.partition(":")
        found = self._services.leads.resubmittable(chat_key, lead_id, atelier_id)
        if found is None:
            return None
        atelier = found[1]
        platform = self._services.leads.route(atelier)
        if platform is None:
            return Reply(
                text=texts.OWNER_UNREACHABLE.format(atelier=atelier.name),
                choices=[Choice(id="ateliers", label="Find an atelier")],
            )
        return self._consent(chat_key, state, atelier, platform, f"relead-send:{argument}")

    def send_again(self, chat_key: str, state: ConversationState, argument: str) -> Reply | None:
        """ "Send to Y" for a closed lead's design; None when stale."""
        lead_id, _, atelier_id = argument.partition(":")
        contact = self._contact(chat_key, state)
        try:
            return self._services.leads.resubmit(chat_key, contact, lead_id, atelier_id)
        except OwnerUnreachable as unreachable:
            return Reply(text=texts.OWNER_UNREACHABLE.format(atelier=unreachable.atelier.name))

    def _consent(
        self,
        chat_key: str,
        state: ConversationState,
        atelier: Atelier,
        platform: str,
        send_id: str,
    ) -> Reply:
        wording = texts.ASK_CONSENT_EMAIL if platform == EMAIL else texts.ASK_CONSENT
        contact = self._contact(chat_key, state)
        return Reply(
            text=wording.format(atelier=atelier.name, contact=contact),
            choices=[
                Choice(id=send_id, label=texts.SEND_TO.format(atelier=atelier.name)),
                Choice(id=f"lead-cancel:{atelier.id}", label=texts.NOT_NOW),
            ],
        )

    def _unreachable(
        self, state: ConversationState, atelier: Atelier, live: Collection[str]
    ) -> Reply:
        """Nobody can take X's requests: the next reachable atelier not shown yet, or products."""
        products = Choice(id="products", label=texts.SHOW_PRODUCTS)
        brief = state.brief
        place = self._services.geocoder.locate(brief.city) if brief.city else None
        shown = [*state.atelier_ids, atelier.id]
        request = self._shopping.request_for(state, place).model_copy(update={"exclude_ids": shown})
        found = self._services.leads.next_reachable(request, live)
        if found is None:
            return Reply(
                text=texts.UNREACHABLE_NONE.format(atelier=atelier.name), choices=[products]
            )
        nxt = found.atelier
        state.atelier_ids = [*state.atelier_ids, nxt.id]
        return Reply(
            text=texts.UNREACHABLE_NEXT.format(atelier=atelier.name),
            ateliers=[atelier_card(nxt, found.reason, found.distance_km)],
            choices=[Choice(id=f"lead:{nxt.id}", label=f"Ask {nxt.name}"), products],
        )

    @staticmethod
    def _contact(chat_key: str, state: ConversationState) -> str:
        """What the owner gets: the sender's name and how to reach them."""
        return state.sender.contact() if state.sender else chat_key
