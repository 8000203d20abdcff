"""``/api/v1/leads``: send a design to an atelier (with the shopper's consent) and follow it.

``POST`` stores a lead through the lead desk, as the chat's "Send to X" does: the shopper
agreed to share their name and contact, the lead is written before anything is sent, and
the outbox delivers it to the owner in the background. The lead belongs to the caller's
conversation (``session_id``; a key without one uses ``DEFAULT_SESSION``), which hears
how it goes; ``GET /{id}`` tells its status to that conversation only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from stylegenie.core.domain import Atelier, Lead, LeadStatus
from stylegenie.core.lead_messages import DAILY_LIMIT
from stylegenie.core.leads import OwnerUnreachable, idempotency_key
from stylegenie.core.routing import EMAIL

from ..access import CallerDep
from ..problems import Problem
from ..services import ApiServices
from .ateliers import find_design, match_request_for

PREFIX = "/api/v1/leads"
DEFAULT_SESSION = "api"
"""The conversation of a key's leads sent without a ``session_id``."""
NOT_FOUND = "No such lead of this conversation."

router = APIRouter(prefix=PREFIX, tags=["leads"])


class Shopper(BaseModel):
    """Who the atelier should answer: a name and a way to reach them."""

    name: str = Field(min_length=1, max_length=80, examples=["Ana"])
    contact: str = Field(
        min_length=3, max_length=200, examples=["ana@example.com", "+351 912 345 678"]
    )

    def line(self) -> str:
        """What the atelier is given: "Ana (ana@example.com)"."""
        return f"{self.name.strip()} ({self.contact.strip()})"


class LeadRequest(BaseModel):
    """A design to send to an atelier, and the shopper's consent to share their contact."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "atelier_id": "at-lis-moonthread",
                    "design_id": "d-5c1e9a0b2f4d4e0c8a7b6d5e4f3a2b1c",
                    "shopper": {"name": "Ana", "contact": "ana@example.com"},
                    "consent": True,
                }
            ]
        },
    )

    atelier_id: str = Field(max_length=100)
    design_id: str = Field(max_length=100, description="A design of yours.")
    shopper: Shopper
    consent: bool = Field(
        default=False,
        description="The shopper agrees that the atelier gets their name and contact "
        "(when it accepts; at once for an atelier that takes requests by e-mail).",
    )
    session_id: str | None = Field(
        default=None, description="The conversation this lead belongs to (a key's own)."
    )


class LeadView(BaseModel):
    """A lead and where it stands: new → sent → accepted | declined | expired, or
    undeliverable when no chat of the owner could take it."""

    lead_id: str = Field(examples=["lead-3f9a1c2b"])
    status: LeadStatus
    atelier_id: str
    design_id: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, lead: Lead) -> LeadView:
        """The view of a stored lead."""
        return cls(
            lead_id=lead.id,
            status=lead.status,
            atelier_id=lead.atelier_id,
            design_id=lead.design.id,
            created_at=lead.created_at,
            updated_at=lead.updated_at,
        )


@router.post(
    "",
    status_code=201,
    summary="Send a design to an atelier",
    response_model=LeadView,
    responses={
        200: {"model": LeadView, "description": "this design was already sent to this atelier"},
        404: {"description": "no such atelier, or no such design of yours"},
        409: {"description": "the atelier cannot take requests now"},
        422: {"description": "no consent (the detail says what would be shared)"},
        429: {"description": "the shopper's daily limit of requests is reached"},
    },
)
def send(body: LeadRequest, request: Request, response: Response, who: CallerDep) -> LeadView:
    """Store a lead for the atelier; the owner gets it in the background and answers.

    Sending the same design to the same atelier again answers 200 with the stored lead.
    """
    services: ApiServices = request.app.state.services
    app = services.app
    atelier = app.ateliers.get_atelier(body.atelier_id)
    if atelier is None:
        raise Problem(404, f"No atelier {body.atelier_id!r}.")
    design = find_design(services, body.design_id, who)
    contact = body.shopper.line()
    if not body.consent:
        raise Problem(422, _consent_needed(services, atelier, contact))
    user_key = str(who.chat(body.session_id or DEFAULT_SESSION))
    key = idempotency_key(user_key, atelier.id, design.id)
    if _lead_by_key(services, user_key, key) is not None:
        response.status_code = 200
    place = app.geocoder.locate(design.brief.city) if design.brief.city else None
    matching = match_request_for(app, design.brief, place, design)
    try:
        reply = app.lead_desk.submit(user_key, contact, atelier, design, matching)
    except OwnerUnreachable:
        raise Problem(
            409, f"{atelier.name} cannot take requests right now; try another atelier."
        ) from None
    lead = _lead_by_key(services, user_key, key)
    if lead is None:
        limit = DAILY_LIMIT.format(limit=app.settings.leads.daily_limit_per_shopper)
        raise Problem(429 if reply.text == limit else 409, reply.text)
    response.headers["Location"] = f"{PREFIX}/{lead.id}"
    return LeadView.of(lead)


@router.get(
    "/{lead_id}",
    summary="A lead's status",
    response_model=LeadView,
    responses={404: {"description": "no such lead in this conversation"}},
)
def lead(
    lead_id: str,
    request: Request,
    who: CallerDep,
    session_id: Annotated[str | None, Query(description="The lead's conversation.")] = None,
) -> LeadView:
    """Where the lead stands (only the conversation that sent it sees it)."""
    services: ApiServices = request.app.state.services
    found = services.app.leads.get_lead(lead_id)
    if found is None or found.user_key != str(who.chat(session_id or DEFAULT_SESSION)):
        raise Problem(404, NOT_FOUND)
    return LeadView.of(found)


def _consent_needed(services: ApiServices, atelier: Atelier, contact: str) -> str:
    """What sending would share, for a request without consent."""
    if services.app.lead_desk.route(atelier) == EMAIL:
        shared = (
            f"{atelier.name} takes requests by e-mail: their e-mail gets your design and "
            f"your contact ({contact}) right away, and they answer you themselves."
        )
    else:
        shared = f"If {atelier.name} accepts, they get your design and your contact ({contact})."
    return f"consent: {shared} Send again with consent: true to agree."


def _lead_by_key(services: ApiServices, user_key: str, key: str) -> Lead | None:
    """The conversation's lead stored under this idempotency key, if there is one."""
    leads = services.app.leads.leads_for_user(user_key)
    return next((lead for lead in leads if lead.idempotency_key == key), None)
