"""Shopping: products like the design and ateliers that can make it (asking one: handoff.py)."""

from __future__ import annotations

import logging

from ..classify import CATEGORIES
from ..domain import DesignBrief, MatchRequest, ProductHit
from ..lead_messages import atelier_card
from ..matching import match_ateliers, match_request
from ..money import UnknownCurrency
from ..ports import Place, ProgressCallback, SearchFilters, SearchQuery
from ..progress import matching, searching
from ..reply import Choice, ProductCard, Reply
from ..search import PhotoUnreadable
from ..search_query import query_from_brief
from ..understanding.turn import TurnContext, set_fields
from . import texts
from .budgets import currency_refusal, in_shop_currency
from .context import EngineOptions, EngineServices
from .designing import DesignFlow
from .state import ConversationState

log = logging.getLogger(__name__)

LOOK_FIELDS = frozenset(
    {"garment", "colours", "fabric", "silhouette", "length", "sleeves", "occasion", "style_notes"}
)
"""Caption fields that describe the look; only these add text to a photo search."""

BUDGET_FIELDS = frozenset({"budget_min", "budget_max", "currency"})

EMPTY_CATALOGUE_HINT = (
    "a shopper asked for products but the catalogue is empty: "
    "load one with `stylegenie catalog ingest FILE`"
)
"""What the operator reads in the log when the shopper hears the catalogue is empty."""


def _cards(hits: list[ProductHit], piece: str = "") -> list[ProductCard]:
    return [
        ProductCard(
            product_id=hit.product.id,
            name=hit.product.name,
            brand=hit.product.brand,
            price=hit.product.price,
            currency=hit.product.currency,
            url=hit.product.url,
            image_ref=hit.product.image_ref,
            why=f"for the {piece}: {hit.why}" if piece else hit.why,
        )
        for hit in hits
    ]


class ShoppingFlow:
    """The buying part of the conversation: products and ateliers."""

    def __init__(
        self, services: EngineServices, options: EngineOptions, designs: DesignFlow
    ) -> None:
        self._services = services
        self._options = options
        self._designs = designs

    def products(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """Products like each piece of the outfit, each within its own budget, best first.

        A single piece shows ``products_per_search`` products; a look shows a few per piece.
        """
        if not state.pieces:
            return Reply(text=texts.NEED_DESIGN_FIRST)
        if progress:
            progress(searching())
        outfit = state.outfit
        look = len(outfit) > 1
        per_piece = self._options.products_per_search
        if look:
            per_piece = max(1, per_piece // 2)
        cards: list[ProductCard] = []
        unmatched: list[str] = []
        try:
            for brief in outfit:
                query = query_from_brief(brief, per_piece, self._options.rates)
                hits = self._services.workers.search_products(query)
                cards += _cards(hits, (brief.garment or "piece") if look else "")
                unmatched += [] if hits else [brief.garment or "outfit"]
        except UnknownCurrency as error:
            return Reply(text=currency_refusal(self._options.rates, error.currency))
        after = [
            Choice(id="ateliers", label="Find an atelier"),
            Choice(id="more", label="New designs"),
        ]
        brief = state.brief
        if not cards and self._catalogue_is_empty():
            log.warning(EMPTY_CATALOGUE_HINT)
            return Reply(text=texts.CATALOGUE_EMPTY, choices=after)
        if not cards:
            text = texts.NO_PRODUCTS.format(summary=brief.summary(), budget="")
            return Reply(text=text, choices=after)
        if look:
            text = texts.LOOK_PRODUCTS_FOUND
            if unmatched:
                text += " " + texts.PIECES_UNMATCHED.format(pieces=" or the ".join(unmatched))
            return Reply(text=text, products=cards, choices=after)
        converted = in_shop_currency(self._options.rates, brief)
        budget = f", {brief.budget_text()}{converted}" if brief.budget_text() else ""
        return Reply(text=texts.PRODUCTS_FOUND.format(budget=budget), products=cards, choices=after)

    def _catalogue_is_empty(self) -> bool:
        """Whether the catalogue holds no product at all: one search with no filter finds
        nothing. Asked only after the shopper's own searches found nothing."""
        anything = SearchQuery(text="clothes", filters=SearchFilters(in_stock_only=False), top_k=1)
        return not self._services.workers.search_products(anything)

    def photo(
        self, image_ref: str, caption: str, progress: ProgressCallback | None
    ) -> Reply | None:
        """Products that look like the shopper's photo, narrowed by its caption's brief.

        The caption is read on its own (an earlier design's garment must not filter a photo
        of something else): its budget, type, colour and gender become filters, and its
        words about the look join the photo in a hybrid search. None when photo search is
        not switched on, so the caller can fall back to the caption alone.
        """
        brief = self._caption_brief(caption)
        query = query_from_brief(brief, self._options.products_per_search, self._options.rates)
        words = query.text if set_fields(brief) & LOOK_FIELDS else ""
        query = query.model_copy(update={"text": words, "image_ref": image_ref})
        if progress:
            progress(searching("Looking for products like your photo…"))
        try:
            hits = self._services.workers.search_by_photo(query)
        except PhotoUnreadable:
            log.warning("a shopper's photo could not be read", exc_info=True)
            return Reply(text=texts.PHOTO_UNREADABLE)
        if hits is None:
            return None
        narrowed = f", {brief.budget_text()}" if brief.budget_text() else ""
        if set_fields(brief) - BUDGET_FIELDS:
            narrowed = f" ({brief.summary()})"
        if not hits:
            return Reply(text=texts.PHOTO_NO_PRODUCTS.format(narrowed=narrowed))
        return Reply(
            text=texts.PHOTO_PRODUCTS_FOUND.format(narrowed=narrowed), products=_cards(hits)
        )

    def _caption_brief(self, caption: str) -> DesignBrief:
        """A photo's caption read on its own: its first piece with the shopper's facts."""
        if not caption.strip():
            return DesignBrief()
        return self._services.brief_reader.read(caption, TurnContext()).first_brief()

    def ateliers(
        self, chat_key: str, state: ConversationState, text: str, progress: ProgressCallback | None
    ) -> Reply:
        """Ateliers that make this kind of garment near the shopper; asks for the city once.

        A city given with the command ("/ateliers Lisbon") is the shopper's city from now on.
        """
        if text.strip():
            return self.set_city(chat_key, state, text, progress)
        brief = state.brief
        if not state.pieces:
            return Reply(text=texts.NEED_DESIGN_FIRST)
        place = self._services.geocoder.locate(brief.city) if brief.city else None
        if place is None:
            state.awaiting = "city"
            return Reply(text=texts.UNKNOWN_CITY if brief.city else texts.ASK_CITY)
        if progress:
            progress(matching())
        request = self.request_for(state, place)
        matches = match_ateliers(request, self._services.ateliers.find_ateliers(request))
        state.atelier_ids = [m.atelier.id for m in matches]
        category = request.category
        if not matches:
            return Reply(
                text=texts.NO_ATELIERS.format(category=category, city=brief.city),
                choices=[Choice(id="products", label="Show products")],
            )
        cards = [atelier_card(m.atelier, m.reason, m.distance_km) for m in matches]
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
        self, chat_key: str, state: ConversationState, city: str, progress: ProgressCallback | None
    ) -> Reply:
        """The answer to "which city?": known cities continue to ateliers."""
        place = self._services.geocoder.locate(city.strip())
        if place is None:
            return Reply(text=texts.UNKNOWN_CITY)
        state.awaiting = None
        state.shopper = state.shopper.model_copy(update={"city": place.name})
        return self.ateliers(chat_key, state, "", progress)

    def request_for(self, state: ConversationState, place: Place | None) -> MatchRequest:
        """What the design needs from an atelier; CLIP names the category the brief lacks."""
        design = state.chosen or (state.designs[0] if state.designs else None)
        zero_shot = None
        if not state.brief.category and design is not None and design.image_ref:
            zero_shot = self._services.workers.zero_shot_category(design.image_ref, CATEGORIES)
        return match_request(
            state.brief, self._options.atelier_radius_km, place, zero_shot, self._options.rates
        )
