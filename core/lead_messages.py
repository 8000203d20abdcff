"""What the lead flow says, in plain words, and the messages it builds for owners and shoppers.

``lead_message`` is what an owner's chat receives (the design and Accept / Decline
buttons); ``email_lead_message`` is the e-mail an atelier without a reachable chat gets,
with the shopper's contact in it (they agreed to it, and the atelier answers them itself).
Every front-end renders these Replies its own way; none of them builds its own.
"""

from __future__ import annotations

from .domain import Atelier, Lead
from .reply import AtelierCard, Choice, ImageRef, Reply

DAILY_LIMIT = (
    "You've sent {limit} requests to ateliers today — that's the daily limit. Try again tomorrow."
)
ATELIER_BUSY = (
    "{atelier} has too many open requests right now. "
    "Try another atelier, or ask again in a day or two."
)
ON_ITS_WAY = (
    "Your request is on its way to {atelier}; I'll tell you when it's delivered "
    "and when they answer."
)
ALREADY = "You've already sent this design to {atelier}; I'll tell you when they answer."
DELIVERED = "{atelier} has your request. I'll tell you as soon as they answer."
DELIVERED_BY_EMAIL = (
    "{atelier} has your request by e-mail, with your contact; they'll answer you directly."
)
UNDELIVERABLE = "I couldn't get your request to {atelier}: their chat can't receive it."
ACCEPTED_SHOPPER = "Good news: {atelier} accepted your design! Contact them at: {contact}"
ACCEPTED_OWNER = "Accepted. The shopper's contact: {contact}. They have your contact too."
ACCEPTED_OUTCOME = "✓ Accepted — contact {contact}"
DECLINED_OWNER = "Declined. Thanks for answering — the shopper will be offered another atelier."
DECLINED_OUTCOME = "✗ Declined"
EXPIRED_OUTCOME = "⌛ Expired — the shopper was offered another atelier"
NO_CONTACT = "(ask them in this chat)"
NO_ATELIER_CONTACT = "(ask them in their chat)"
CANT_TAKE = "{atelier} can't take your design{why}."
NEXT_MATCH = "{headline} The next best atelier:"
NO_NEXT = "{headline} I have no other atelier that fits and can take requests right now."
THE_ATELIER = "the atelier"
NOT_YOURS = "That request isn't for an atelier you own."
NOT_AN_OWNER = (
    "Only {atelier}'s owners can answer its requests in this chat. "
    "Ask one of them to press the button."
)
ANSWERED = "That request was already answered or has expired."
ANSWERED_OUTCOME = "Already answered"
NO_OPEN = "You have no open requests."
OPEN_LIST = "Open requests ({count}):"
MORE_OPEN = "{count} more open — see them with /leads."
OWNER_MENU = (
    "Hello! This chat receives design requests for {ateliers}. "
    "You have {count} open request{s}.\n"
    "Press the button to see them, or /leads any time. "
    "You can also design an outfit for yourself: just describe it."
)
OPEN_REQUESTS = "Open requests"


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


def lead_summary(lead: Lead, atelier: Atelier) -> str:
    """One line an owner reads: the design and the atelier it is for."""
    return f"{lead.design.brief.summary()} — for {atelier.name}"


def _details(lead: Lead) -> list[str]:
    brief = lead.design.brief
    deadline = lead.request.deadline_days or brief.deadline_days
    details = [
        ("Budget", brief.budget_text()),
        ("Size", brief.size or ""),
        ("City", brief.city or ""),
        ("Needed within", f"{deadline} days" if deadline else ""),
    ]
    return [f"{label}: {value}" for label, value in details if value]


def _images(lead: Lead) -> list[ImageRef]:
    image = lead.design.image_ref
    return [ImageRef(ref=image, caption=lead.design.brief.summary())] if image else []


def lead_message(lead: Lead, atelier: Atelier) -> Reply:
    """What an owner's chat receives: the design, brief, budget, size, city, deadline and
    Accept / Decline buttons (the shopper's contact comes only with Accept)."""
    lines = [f"New request for {atelier.name}: {lead.design.brief.summary()}", *_details(lead)]
    lines.append("Accept to swap contacts with the shopper, or decline so they can ask another.")
    return Reply(
        text="\n".join(lines),
        images=_images(lead),
        choices=[
            Choice(id=f"lead-accept:{lead.id}", label="Accept"),
            Choice(id=f"lead-decline:{lead.id}", label="Decline"),
        ],
    )


def email_lead_message(lead: Lead, atelier: Atelier) -> Reply:
    """The e-mail an atelier reachable only by e-mail gets: the design, its details and the
    shopper's contact, which they agreed to share; the atelier answers them directly."""
    lines = [
        f"New request for {atelier.name} from StyleGenie: {lead.design.brief.summary()}",
        *_details(lead),
        "",
        f"The shopper's contact: {lead.shopper_contact or NO_CONTACT}",
        "They agreed to share it with you: please answer them directly, "
        "whether you can make it or not.",
    ]
    return Reply(text="\n".join(lines), images=_images(lead))


def owner_menu(ateliers: list[Atelier], open_count: int) -> Reply:
    """The greeting of a chat that owns ateliers: its open requests and a button to list them."""
    names = ", ".join(atelier.name for atelier in ateliers)
    text = OWNER_MENU.format(ateliers=names, count=open_count, s="" if open_count == 1 else "s")
    return Reply(text=text, choices=[Choice(id="leads", label=f"{OPEN_REQUESTS} ({open_count})")])
