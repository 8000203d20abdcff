"""Shopping: products like the design, ateliers that can make it, and the lead to one of them."""

from __future__ import annotations

import logging

from ..domain import Lead, LeadStatus
from ..geo import city_coordinates
from ..matching import match_ateliers
from ..ports import ProgressCallback
from ..reply import AtelierCard, Choice, ProductCard, Reply
from ..search import query_from_brief
from . import texts
from .context import EngineOptions, EngineServices
from .designing import DesignFlow
from .state import ConversationState

log = logging.getLogger(__name__)


class ShoppingFlow:
    """The buying part of the conversation: products, ateliers and leads."""

    def __init__(
        self, services: EngineServices, options: EngineOptions, designs: DesignFlow
    ) -> None:
        self._services = services
        self._options = options
        self._designs = designs

    def products(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """Products that look like the design and fit the budget, best first."""
        if not state.brief.garment:
            return Reply(text=texts.NEED_DESIGN_FIRST)
        if progress:
            progress("Looking through the catalogue…")
        query = query_from_brief(state.brief, self._options.products_per_search)
        hits = self._services.workers.search_products(query)
        budget = f", {state.brief.budget_text()}" if state.brief.budget_text() else ""
        after = [
            Choice(id="ateliers", label="Find an atelier"),
            Choice(id="more", label="New designs"),
        ]
        if not hits:
            text = texts.NO_PRODUCTS.format(summary=state.brief.summary(), budget="")
            return Reply(text=text, choices=after)
        cards = [
            ProductCard(
                product_id=hit.product.id,
                name=hit.product.name,
                brand=hit.product.brand,
                price=hit.product.price,
                currency=hit.product.currency,
                url=hit.product.url,
                image_ref=hit.product.image_ref,
                why=hit.why,
            )
            for hit in hits
        ]
        return Reply(text=texts.PRODUCTS_FOUND.format(budget=budget), products=cards, choices=after)

    def ateliers(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """Ateliers that make this kind of garment near the shopper; asks for the city once."""
        brief = state.brief
        if not brief.garment:
            return Reply(text=texts.NEED_DESIGN_FIRST)
        if not brief.city:
            state.awaiting = "city"
            return Reply(text=texts.ASK_CITY)
        candidates = self._services.ateliers.list_ateliers(brief.category)
        matches = match_ateliers(brief, candidates, self._options.atelier_radius_km)
        state.atelier_ids = [m.atelier.id for m in matches]
        category = brief.category or brief.garment
        if not matches:
            return Reply(
                text=texts.NO_ATELIERS.format(category=category, city=brief.city),
                choices=[Choice(id="products", label="Show products")],
            )
        cards = [
            AtelierCard(
                atelier_id=m.atelier.id,
                name=m.atelier.name,
                city=m.atelier.city,
                price_range=f"{m.atelier.price_min:g}–{m.atelier.price_max:g} {m.atelier.currency}",
                lead_time_days=m.atelier.lead_time_days,
                rating=m.atelier.rating,
                distance_km=m.distance_km,
                why=m.reason,
            )
            for m in matches
        ]
        choices = [
            Choice(id=f"lead:{m.atelier.id}", label=f"Ask {m.atelier.name}") for m in matches
        ]
        near = f" near {brief.city}"
        return Reply(
            text=texts.ATELIERS_FOUND.format(category=category, near=near),
            ateliers=cards,
            choices=choices,
        )

    def set_city(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """The answer to "which city?": known cities continue to ateliers."""
        update = self._services.brief_reader.read(text, state.brief)
        if not update.city or city_coordinates(update.city) is None:
            return Reply(text=texts.UNKNOWN_CITY)
        state.awaiting = None
        state.brief = state.brief.model_copy(update={"city": update.city})
        return self.ateliers(chat_key, state, "", progress)

    def send_lead(self, chat_key: str, state: ConversationState, atelier_id: str) -> Reply:
        """Store a lead for the chosen atelier first, then notify its owner."""
        atelier = self._services.ateliers.get_atelier(atelier_id)
        design = state.chosen or (state.designs[0] if state.designs else None)
        if atelier is None or design is None:
            return Reply(text=texts.NEED_DESIGN_FIRST)
        lead = Lead(user_key=chat_key, atelier_id=atelier.id, design=design)
        self._services.leads.create_lead(lead)
        try:
            self._services.notifier.notify(lead, atelier)
        except Exception:
            log.warning("lead %s stored but not delivered yet", lead.id, exc_info=True)
            return Reply(text=texts.LEAD_QUEUED.format(atelier=atelier.name))
        self._services.leads.set_lead_status(lead.id, LeadStatus.SENT)
        return Reply(text=texts.LEAD_SENT.format(atelier=atelier.name))
