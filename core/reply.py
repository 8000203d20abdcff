"""What the core says back: a platform-neutral Reply that each front-end renders its own way."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Choice(BaseModel):
    """A button. ``id`` is stable ("pick:d-1a2b3c4d") so a press can be routed back."""

    id: str
    label: str


class ImageRef(BaseModel):
    """An image to show: a reference from the ImageStore and a short caption."""

    ref: str
    caption: str = ""


class ProductCard(BaseModel):
    """A product as the shopper sees it: photo, price, shop link and one line of why."""

    product_id: str
    name: str
    brand: str = ""
    price: float
    currency: str
    url: str = ""
    image_ref: str | None = None
    why: str = ""


class AtelierCard(BaseModel):
    """An atelier proposal with where it is, what it costs and why it fits."""

    atelier_id: str
    name: str
    city: str
    price_range: str
    lead_time_days: int
    rating: float
    distance_km: float | None = None
    why: str = ""


class Reply(BaseModel):
    """One turn of the assistant: text, then optional images, cards and buttons."""

    text: str
    images: list[ImageRef] = Field(default_factory=list)
    products: list[ProductCard] = Field(default_factory=list)
    ateliers: list[AtelierCard] = Field(default_factory=list)
    choices: list[Choice] = Field(default_factory=list)
    pressed_outcome: str | None = None
    """When set, the message whose button was pressed is edited to show this outcome
    ("Accepted ✓") and loses its buttons, so an answered request cannot be answered again."""
