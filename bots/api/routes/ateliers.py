"""``POST /api/v1/ateliers``: ateliers that can make a design, near a city.

The brief comes from a saved design or is given in words (read as the chat reads a
message) or as fields; the city places the shopper. Matching is the chat's own
(``core.matching``): category, complexity, distance, budget and deadline. An atelier's
contact is never shown here: the shopper gets it only when the atelier accepts a lead.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from stylegenie.bots.wiring import StyleGenie, currency_rates_for
from stylegenie.core.classify import CATEGORIES
from stylegenie.core.conversation.budgets import currency_refusal
from stylegenie.core.domain import AtelierMatch, Design, DesignBrief, MatchRequest
from stylegenie.core.lead_messages import atelier_card
from stylegenie.core.matching import match_ateliers, match_request
from stylegenie.core.money import UnknownCurrency
from stylegenie.core.ports import Place
from stylegenie.core.understanding.rules import read_brief
from stylegenie.core.understanding.turn import TurnContext

from ..access import Caller, CallerDep
from ..problems import Problem
from ..services import ApiServices
from .generate import BriefFields

router = APIRouter(prefix="/api/v1", tags=["ateliers"])


class AtelierSearch(BaseModel):
    """A design (saved, or a brief in words or fields) and where the shopper is."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"brief": "a sage linen midi dress for a wedding, under 300 EUR", "city": "Lisbon"},
                {"design_id": "d-5c1e9a0b2f4d4e0c8a7b6d5e4f3a2b1c", "city": "Porto", "limit": 5},
                {"brief": {"garment": "suit", "budget_max": 600}, "city": "Lisbon"},
            ]
        },
    )

    design_id: str | None = Field(
        default=None, max_length=100, description="A design of yours (from /api/v1/generate)."
    )
    brief: str | BriefFields | None = Field(
        default=None,
        description="The garment in words (read as the chat reads a message) or as fields.",
    )
    city: str | None = Field(
        default=None,
        max_length=100,
        description="Where the shopper is (default: the brief's city).",
        examples=["Lisbon"],
    )
    limit: int = Field(default=3, ge=1, le=20, description="How many ateliers at most.")


class AtelierResult(BaseModel):
    """An atelier that can make the design (its contact comes only with an accepted lead)."""

    atelier_id: str
    name: str
    city: str
    country: str
    price_range: str = Field(examples=["90–650 EUR"])
    lead_time_days: int
    rating: float
    distance_km: float | None
    score: float
    reason: str = Field(examples=["makes dress up to complex work, 3 km away in Lisbon, ..."])
    categories: list[str]

    @classmethod
    def of(cls, match: AtelierMatch) -> AtelierResult:
        """The result of a match, as the chat's atelier card shows it."""
        atelier = match.atelier
        card = atelier_card(atelier, match.reason, match.distance_km)
        return cls(
            atelier_id=atelier.id,
            name=atelier.name,
            city=atelier.city,
            country=atelier.country,
            price_range=card.price_range,
            lead_time_days=atelier.lead_time_days,
            rating=atelier.rating,
            distance_km=match.distance_km,
            score=match.score,
            reason=match.reason,
            categories=atelier.categories,
        )


class AtelierMatches(BaseModel):
    """The best ateliers for the design, best first (none when nothing fits)."""

    matches: list[AtelierResult]


@router.post(
    "/ateliers",
    summary="Ateliers that can make a design",
    response_model=AtelierMatches,
    responses={
        404: {"description": "no such design (or another caller's)"},
        422: {"description": "no brief, an unknown city, or a budget in an unknown currency"},
    },
)
def ateliers(body: AtelierSearch, request: Request, who: CallerDep) -> AtelierMatches:
    """Ateliers that make this kind of garment near the city, within budget and deadline."""
    services: ApiServices = request.app.state.services
    app = services.app
    design = find_design(services, body.design_id, who) if body.design_id else None
    brief = design.brief if design else _brief(app, body.brief)
    city = body.city or brief.city
    if not city:
        raise Problem(422, 'city: say where the shopper is, e.g. "Lisbon".')
    place = app.geocoder.locate(city)
    if place is None:
        raise Problem(
            422, f"city: I don't know a city called {city!r}; give a city's name, e.g. “Lisbon”."
        )
    matching = match_request_for(app, brief, place, design)
    matching = matching.model_copy(update={"limit": body.limit})
    found = match_ateliers(matching, app.ateliers.find_ateliers(matching))
    return AtelierMatches(matches=[AtelierResult.of(match) for match in found])


def find_design(services: ApiServices, design_id: str, who: Caller) -> Design:
    """The caller's design; Problem 404 when it is unknown or another caller's."""
    design = services.jobs.find_design(design_id, who.id)
    if design is None:
        raise Problem(404, f"No design {design_id!r} of yours.")
    return design


def match_request_for(
    app: StyleGenie, brief: DesignBrief, place: Place | None, design: Design | None
) -> MatchRequest:
    """What the brief needs from an atelier, as the chat asks it: CLIP names the category
    of a drawn design whose brief has none; the budget is converted into the shop's
    currency (Problem 422 for a currency without a rate)."""
    zero_shot = None
    if not brief.category and design is not None and design.image_ref:
        zero_shot = app.services.workers.zero_shot_category(design.image_ref, CATEGORIES)
    rates = currency_rates_for(app.settings)
    try:
        return match_request(brief, app.settings.chat.atelier_radius_km, place, zero_shot, rates)
    except UnknownCurrency as error:
        raise Problem(422, currency_refusal(rates, error.currency)) from None


def _brief(app: StyleGenie, given: str | BriefFields | None) -> DesignBrief:
    """The brief given in words (read as a new chat reads a message) or as fields (the
    garment word giving the category when none is set); Problem 422 without a garment."""
    if given is None:
        raise Problem(422, "Send a design_id, or a brief in words or as fields.")
    if isinstance(given, str):
        limit = app.settings.chat.max_message_chars
        if len(given) > limit:
            raise Problem(422, f"brief: at most {limit} characters, please.")
        brief = app.services.brief_reader.read(given, TurnContext()).first_brief()
    else:
        brief = DesignBrief.model_validate(given.model_dump(exclude_unset=True))
        if brief.garment and not brief.category:
            brief.category = read_brief(brief.garment).category
    if not brief.category:
        raise Problem(
            422, "brief: no garment I know found; say what to make, e.g. “a linen midi dress”."
        )
    return brief
