"""The domain: what a shopper asks for, what StyleGenie shows, and who can make it.

Every model here is plain pydantic v2 data. Nothing in this module talks to a
database, a model or a platform; adapters translate these objects to and from
their storage.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal
from uuid import uuid4

from pydantic import BaseModel, Field, model_validator

Gender = Literal["men", "women", "boys", "girls", "unisex"]
AgeGroup = Literal["adult", "kids"]
Complexity = Literal["simple", "moderate", "complex", "couture"]

MAX_BUDGET = 1_000_000.0
"""The largest budget a brief holds; a larger amount is not read as money."""


def new_id(prefix: str) -> str:
    """A short random id with a readable prefix, e.g. ``d-3f9a1c2b``."""
    return f"{prefix}-{uuid4().hex[:8]}"


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class DesignBrief(BaseModel):
    """What the shopper wants, structured: the single source for prompts and filters.

    ``garment`` is the shopper's garment in plain words ("t-shirt"); ``article_types``
    are the catalogue types it maps to ("Tshirts"); ``category`` is the coarse family
    used for atelier capabilities ("top", "dress", "footwear"...). ``colours`` are
    catalogue colour names ("Green") and ``shades`` the shopper's own words for them
    ("sage"), used for ranking; ``avoid_colours`` are colours the shopper ruled out.
    The budget is in ``currency`` (the shopper's), finite and at most ``MAX_BUDGET``.
    ``age_group`` says whether it is for a child (boys' and girls' items) or an adult.
    """

    garment: str | None = None
    category: str | None = None
    article_types: list[str] = Field(default_factory=list)
    colours: list[str] = Field(default_factory=list)
    shades: list[str] = Field(default_factory=list)
    avoid_colours: list[str] = Field(default_factory=list)
    fabric: str | None = None
    silhouette: str | None = None
    length: str | None = None
    sleeves: str | None = None
    neckline: str | None = None
    pattern: str | None = None
    occasion: str | None = None
    style_notes: list[str] = Field(default_factory=list)
    budget_min: float | None = Field(default=None, ge=0, le=MAX_BUDGET, allow_inf_nan=False)
    budget_max: float | None = Field(default=None, ge=0, le=MAX_BUDGET, allow_inf_nan=False)
    currency: str | None = None
    size: str | None = None
    gender: Gender | None = None
    age_group: AgeGroup | None = None
    city: str | None = None
    deadline_days: int | None = Field(default=None, ge=1, le=730)

    @model_validator(mode="after")
    def _budget_in_order(self) -> DesignBrief:
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            self.budget_min, self.budget_max = self.budget_max, self.budget_min
        return self

    def merged(self, update: DesignBrief) -> DesignBrief:
        """This brief with every field the update sets replacing the current value."""
        changes = update.model_dump(exclude_unset=True, exclude_defaults=True)
        return self.model_validate({**self.model_dump(), **changes})

    def summary(self) -> str:
        """A one-line human summary, e.g. "sage linen dress for a wedding, under 120 EUR"."""
        colours = self.shades or [colour.lower() for colour in self.colours]
        words = [
            self.pattern,
            " and ".join(colours),
            self.fabric,
            self.length,
            self.silhouette,
            self.garment or "outfit",
        ]
        text = " ".join(w for w in words if w)
        details = [self.sleeve_words(), self.neckline_words()]
        if any(details):
            text += " with " + " and ".join(d for d in details if d)
        if self.avoid_colours:
            text += f", not {' or '.join(c.lower() for c in self.avoid_colours)}"
        if self.gender:
            text += f" for {self.gender}"
        elif self.age_group == "kids":
            text += " for a child"
        if self.occasion:
            text += f", {occasion_phrase(self.occasion)}"
        budget = self.budget_text()
        if budget:
            text += f", {budget}"
        if self.size:
            text += f", size {self.size}"
        if self.city:
            text += f", in {self.city}"
        if self.deadline_days:
            text += f", needed within {self.deadline_days} days"
        return text

    def sleeve_words(self) -> str:
        """The sleeves in words: "long sleeves", "sleeveless", or ""."""
        if not self.sleeves or self.sleeves == "sleeveless":
            return self.sleeves or ""
        return f"{self.sleeves} sleeves"

    def neckline_words(self) -> str:
        """The neckline in words: "a square neckline", "a v-neck", "off-shoulder", or ""."""
        neckline = self.neckline or ""
        if not neckline or neckline.endswith(("shoulder", "lapel")):
            return neckline
        return f"a {neckline}" if neckline.endswith("neck") else f"a {neckline} neckline"

    def budget_text(self) -> str:
        """The budget in words ("under 80 EUR", "40–60 EUR") or "" when none is set."""
        unit = f" {self.currency}" if self.currency else ""
        if self.budget_min is not None and self.budget_max is not None:
            return f"{self.budget_min:g}–{self.budget_max:g}{unit}"
        if self.budget_max is not None:
            return f"under {self.budget_max:g}{unit}"
        if self.budget_min is not None:
            return f"from {self.budget_min:g}{unit}"
        return ""


_OCCASION_PHRASES = {
    "casual": "for everyday",
    "office": "for work",
    "beach": "for the beach",
    "gym": "for the gym",
    "ski": "for a ski trip",
    "school": "for school",
    "smart casual": "smart casual",
    "hiking": "for hiking",
    "running": "for running",
    "formal": "for a formal event",
    "holiday": "for a holiday",
}


def occasion_phrase(occasion: str) -> str:
    """An occasion in a sentence: "for a wedding", "for work", "for everyday"."""
    if occasion in _OCCASION_PHRASES:
        return _OCCASION_PHRASES[occasion]
    if occasion.endswith("s"):
        return f"for {occasion}"
    return f"for {'an' if occasion[0] in 'aeiou' else 'a'} {occasion}"


class Design(BaseModel):
    """One rendered (or previewed) design: everything needed to render it again exactly.

    ``brief`` is the piece this design draws, with the variant's own choices filled in
    (silhouette, neckline, sleeves, length, pattern); ``companions`` are the other pieces
    of the outfit, drawn with it; ``caption`` says the variant in plain words
    ("A-line midi, flutter sleeves, sage linen").
    """

    id: str = Field(default_factory=lambda: new_id("d"))
    brief: DesignBrief
    companions: list[DesignBrief] = Field(default_factory=list)
    caption: str = ""
    prompt: str
    negative_prompt: str = ""
    seed: int
    model: str
    image_ref: str | None = None
    parent_id: str | None = None
    source_image_ref: str | None = None
    strength: float | None = Field(default=None, gt=0, le=1)
    created_at: datetime = Field(default_factory=utc_now)


class Product(BaseModel):
    """A product of the catalogue; its vectors live in the product index."""

    id: str
    name: str
    brand: str = ""
    category: str = ""
    article_type: str = ""
    colour: str = ""
    gender: Gender = "unisex"
    price: float = Field(ge=0)
    currency: str = "EUR"
    in_stock: bool = True
    sizes: list[str] = Field(default_factory=list)
    fabric: str = ""
    url: str = ""
    image_ref: str | None = None
    description: str = ""
    brand_score: float = Field(default=0.5, ge=0, le=1)

    def search_text(self) -> str:
        """The text that is embedded for this product: name first, then attributes."""
        parts = [self.name, self.gender, self.colour, self.article_type, self.fabric]
        return ". ".join([parts[0], " ".join(p for p in parts[1:] if p), self.description])


class ScoreBreakdown(BaseModel):
    """Each term of the ranking formula, before weighting, and the weighted total."""

    cosine: float
    price_alignment: float
    brand_score: float
    availability: float
    attribute_match: float = 0.0
    """The share of the shopper's shade and fabric words the product names ("sage", "linen")."""
    total: float


class ProductHit(BaseModel):
    """A product found for a brief, with its score and why."""

    product: Product
    score: float
    breakdown: ScoreBreakdown
    why: str = ""


class Atelier(BaseModel):
    """A workshop that can make a design; its contact is revealed only after a lead is accepted."""

    id: str
    name: str
    description: str = ""
    city: str
    country: str = ""
    lat: float
    lon: float
    categories: list[str]
    max_complexity: Complexity = "complex"
    price_min: float = Field(ge=0)
    price_max: float = Field(ge=0)
    currency: str = "EUR"
    lead_time_days: int = Field(default=21, ge=0)
    rating: float = Field(default=4.0, ge=0, le=5)
    remote_friendly: bool = False
    languages: list[str] = Field(default_factory=lambda: ["en"])
    owner_chat_ids: dict[str, str] = Field(default_factory=dict)
    """The chat that receives the atelier's leads on each platform ({"telegram": "123"})."""
    owner_user_ids: dict[str, list[str]] = Field(default_factory=dict)
    """The people who may answer leads for it in a group owner chat ({"telegram": ["111"]})."""
    contact: str = Field(default="", repr=False)
    """How shoppers reach the atelier (encrypted at rest; kept out of reprs and logs)."""


class AtelierMatch(BaseModel):
    """An atelier proposed for a design, with its score, distance and reason."""

    atelier: Atelier
    score: float
    distance_km: float | None = None
    breakdown: dict[str, float] = Field(default_factory=dict)
    reason: str = ""


class LeadStatus(StrEnum):
    """A lead's state machine: new → sent → accepted / declined / expired; a new lead that
    can never reach its owner becomes undeliverable."""

    NEW = "new"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    UNDELIVERABLE = "undeliverable"


class MatchRequest(BaseModel):
    """What a design needs from an atelier, and where and when the shopper needs it."""

    category: str
    complexity: Complexity = "simple"
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float = 50.0
    budget_min: float | None = None
    budget_max: float | None = None
    deadline_days: int | None = None
    exclude_ids: list[str] = Field(default_factory=list)
    limit: int = Field(default=3, ge=1, le=20)

    @property
    def has_origin(self) -> bool:
        """Whether the shopper's position is known."""
        return self.latitude is not None and self.longitude is not None


class Lead(BaseModel):
    """A shopper's request to an atelier, stored before any notification goes out.

    ``request`` is the matching request that found the atelier, kept so that after a
    decline or expiry the next match can be found without the conversation.
    ``idempotency_key`` makes a repeated submission return the stored lead.
    ``shopper_contact`` is what the shopper agreed to share ("Ana (@ana) https://t.me/ana");
    ``owner_platform`` is where the owner gets it ("telegram", or "email" for the atelier's
    own address), chosen when the lead is stored.
    """

    id: str = Field(default_factory=lambda: new_id("lead"))
    user_key: str
    shopper_contact: str = Field(default="", repr=False)
    owner_platform: str = ""
    atelier_id: str
    design: Design
    request: MatchRequest
    status: LeadStatus = LeadStatus.NEW
    attempts: int = 0
    next_attempt_at: datetime | None = None
    idempotency_key: str = ""
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class LeadDelivery(BaseModel):
    """A lead's message as the owner's platform took it: the reference to edit it later."""

    lead_id: str
    platform: str
    message_ref: str = ""
    delivered_at: datetime = Field(default_factory=utc_now)


class UserProfile(BaseModel):
    """A shopper's saved designs and standing preferences (size, city, budget...)."""

    user_key: str
    preferences: DesignBrief = Field(default_factory=DesignBrief)
    saved_designs: list[Design] = Field(default_factory=list)
